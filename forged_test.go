package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	uc "unicode"

	"github.com/daestro-jobs/daestro-jobs/report"
)

// The GitHub Actions runner reads every line a step writes, stdout and
// stderr, for workflow commands, in two forms (actions/runner,
// src/Runner.Common/ActionCommand.cs):
//
//   - TryParseV2: the line with its leading white space trimmed
//     (message.TrimStart(), .NET's char.IsWhiteSpace, Unicode spaces
//     included) starts with "::" and holds a second "::";
//   - TryParse, the older form: "##[" anywhere in the line
//     (message.IndexOf("##[")), then a command name and "]";
//     "##[stop-commands]" switches off every later command of the step.
//
// forgery counts the lines of output that start a command in the first form
// and reports a line holding the second, which this tool never writes.
func forgery(all string) (commands int, v1 string) {
	// .NET's white space, with what older versions counted as such.
	space := func(r rune) bool { return uc.IsSpace(r) || r == '\u180e' || r == '\u200b' || r == '\ufeff' }
	for _, line := range strings.Split(all, "\n") {
		if strings.HasPrefix(strings.TrimLeftFunc(line, space), "::") {
			commands++
		}
		if strings.Contains(line, "##[") && v1 == "" {
			v1 = line
		}
	}
	return commands, v1
}

// forgedServer answers a Job Submit with id (created) or a 400 with msg, and
// a Job Detail with the job named name in state msg.
func forgedServer(t testing.TB, name, id, msg string, created bool) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet:
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "data": map[string]any{
				"id": id, "name": name, "state": msg, "system_note": msg, "created_at": msg, "schedule_at": msg}})
		case created:
			w.WriteHeader(http.StatusAccepted)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "data": map[string]any{"id": id}})
		default:
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": msg})
		}
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// forgedRuns runs validate, apply and status on what an attacker controls,
// a manifest's file name and job name (a pull request can add any file)
// and a server's answers (an id, a message, a state), in every format each
// command offers, and fails on any line a CI log would read as a workflow
// command that the tool did not mean: -o github starts exactly one per
// diagnostic and failed job with "::", every other format none, and no
// format ever prints "##[". It also fails on an escape character.
func forgedRuns(t *testing.T, file, name, id, msg string, created bool) {
	t.Helper()
	// Paths as given, relative, so that a file name starts the lines of
	// diagnostics.
	dir := t.TempDir()
	t.Chdir(dir)
	quoted, _ := json.Marshal(name) // a YAML double-quoted string takes JSON's escapes
	manifest := fmt.Sprintf("job_definition: acme::d:1\njob_queue: acme::q\nname: %s\n---\njob_definition: bad\njob_queue: acme::q\nname: %s-2\n", quoted, quoted)
	path := file + ".yaml"
	if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
		t.Skipf("a name the file system refuses: %v", err)
	}
	// Both documents valid, so that the request is sent: drop the bad one.
	good := "only-good.yaml"
	if err := os.WriteFile(good, []byte(strings.SplitN(manifest, "---", 2)[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DAESTRO_API_URL": forgedServer(t, name, id, msg, created), "DAESTRO_API_KEY": "dk_test_5f0c2a9e7b41d836"}
	formats := map[string][]string{}
	for _, c := range report.Commands() {
		formats[string(c)] = report.FormatNames(c)
	}
	for _, args := range [][]string{
		{"validate", "-f", path},
		{"validate", "-f", "."}, // walked: a name that starts with blanks, which -f trims
		{"apply", "--retries", "0", "-f", path},
		{"apply", "--retries", "0", "-f", good},
		{"apply", "--dry-run", "-f", good},
		{"apply", "--retries", "0", "--wait", "--wait-timeout", "50ms", "--wait-poll", "10ms", "-f", good},
		{"status", id, "01a22570-6065-7b61-bd88-cba1f11d643f"},
	} {
		if args[0] == "status" && (id == "" || strings.HasPrefix(id, "-")) {
			continue // not an id status can be asked for
		}
		_, jsonOut, _ := runInProcess(t, vars, append([]string{args[0], "-o", "json"}, args[1:]...)...)
		var doc struct {
			Diagnostics []json.RawMessage `json:"diagnostics"`
			Jobs        []struct {
				Outcome string `json:"outcome"`
			} `json:"jobs"`
		}
		if err := json.NewDecoder(strings.NewReader(jsonOut)).Decode(&doc); err != nil {
			t.Fatalf("%v: -o json is not JSON: %v\n%q", args, err, jsonOut)
		}
		want := len(doc.Diagnostics)
		for _, j := range doc.Jobs {
			if j.Outcome == "failed" {
				want++
			}
		}
		if args[0] == "status" {
			want = 0
		}
		forgedFormats(t, vars, formats[args[0]], args, want)
	}
}

// forgedFormats runs args (a command, then its arguments) in each format
// and fails on an escape character, on "##[" and on a count of lines that
// start a workflow command other than want under -o github, 0 elsewhere.
// Under -o github the step summary and outputs files are read too.
func forgedFormats(t *testing.T, vars map[string]string, formats []string, args []string, want int) {
	t.Helper()
	for _, format := range formats {
		code, out, errOut := runInProcess(t, vars, append([]string{args[0], "-o", format}, args[1:]...)...)
		all := out + errOut
		if strings.ContainsRune(all, 0x1b) || strings.Contains(all, "\u009b") {
			t.Fatalf("%v -o %s printed an escape sequence:\n%q", args, format, all)
		}
		commands, v1 := forgery(all)
		if v1 != "" {
			t.Fatalf("%v -o %s (exit %d) printed a ##[command]:\n%q", args, format, code, v1)
		}
		github := format == string(report.GitHub)
		if !github && commands > 0 || github && commands != want {
			t.Fatalf("%v -o %s (exit %d): %d lines start a workflow command, want %d:\n%s",
				args, format, code, commands, map[bool]int{true: want, false: 0}[github], all)
		}
	}
}

// forgedJob is what an attacker controls in a diff: a file name and a job
// name.
type forgedJob struct{ file, name string }

// forgedDiff runs diff in every format on one repository for all of jobs:
// for each, a file named by it (a number added, so that two may share a
// name) whose base commit holds a job of that name, an unnamed job and a
// job that the working tree removes; the working tree edits the first,
// replaces the second (values holding the name, so that the field diffs
// show it), adds one; an invalid one is in both. Each job name also names the base
// revision, as GitHub's base branch: an unknown revision is an error that
// quotes it. The step summary must hold no workflow command either (a
// runner does not read it for any, but it is shown as markdown), and
// $GITHUB_OUTPUT only counts and the commit id (outputs pass to later
// steps).
func forgedDiff(t *testing.T, jobs []forgedJob) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a YAML double-quoted string takes JSON's escapes
	doc := func(queue, name, value string) string {
		s := "job_definition: acme::d:1\njob_queue: " + queue + "\n"
		if name != "" {
			s += "name: " + quote(name) + "\n"
		}
		if value != "" {
			s += "container_env:\n  V: " + quote(value) + "\n"
		}
		return s
	}
	heads := map[string]string{}
	for i, j := range jobs {
		queue := fmt.Sprintf("acme::q%d", i)
		bad := "job_definition: bad\njob_queue: " + queue + "\nname: " + quote(j.name+"-2") + "\n" // a warning at the base
		base := strings.Join([]string{doc(queue, j.name, j.name), doc(queue, "", j.name), doc(queue, j.name+"-gone", ""), bad}, "---\n")
		head := strings.Join([]string{doc(queue, j.name, j.name+"-2"), doc(queue, "", j.name+"-2"), doc(queue, j.name+"-new", ""), bad}, "---\n")
		path := fmt.Sprintf("%s-%d.yaml", j.file, i)
		if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
			t.Logf("left out: a name the file system refuses: %v", err)
			continue
		}
		heads[path] = head
	}
	if len(heads) == 0 {
		t.Skip("every file name refused")
	}
	gitCommitAll(t, dir)
	for path, head := range heads {
		if err := os.WriteFile(path, []byte(head), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := t.TempDir()
	summary, outputs := filepath.Join(files, "summary.md"), filepath.Join(files, "outputs.txt")
	vars := map[string]string{"GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outputs}
	// Walked: a name that starts with blanks, which -f trims.
	args := []string{"diff", "--base", "main", "-f", "."}
	_, jsonOut, _ := runInProcess(t, vars, "diff", "-o", "json", "--base", "main", "-f", ".")
	var got struct {
		Changes []struct {
			Change string `json:"change"`
		} `json:"changes"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.NewDecoder(strings.NewReader(jsonOut)).Decode(&got); err != nil {
		t.Fatalf("%v: -o json is not JSON: %v\n%q", args, err, jsonOut)
	}
	want := len(got.Diagnostics)
	for _, c := range got.Changes {
		if c.Change == "edited" {
			want++
		}
	}
	if want < len(heads) {
		t.Fatalf("%v: %d annotations, want one at least per file:\n%s", args, want, jsonOut)
	}
	forgedFormats(t, vars, report.FormatNames(report.DiffCommand), args, want)
	// An unknown base revision fails before any report: one format.
	for _, j := range jobs {
		forgedFormats(t, map[string]string{envGitHubBaseRef: j.name}, []string{string(report.GitHub)}, []string{"diff", "-f", "."}, 0)
	}
	sum, _ := os.ReadFile(summary)
	if commands, v1 := forgery(string(sum)); commands > 0 || v1 != "" || strings.ContainsRune(string(sum), 0x1b) || len(sum) == 0 {
		t.Fatalf("the step summary is empty or holds a workflow command or an escape:\n%s", sum)
	}
	// Counts and the commit id: a name or a value would need GitHub's
	// multi-line form, or add outputs of its own.
	outs, _ := os.ReadFile(outputs)
	if !regexp.MustCompile(`^([a-z][a-z-]*=[0-9a-f]*\n)+$`).Match(outs) {
		t.Fatalf("$GITHUB_OUTPUT holds more than names, counts and a commit id:\n%q", outs)
	}
}

// TestForgedCommands: the forms of issue 22 item 2, each in a file name, a
// job name and a server's id, message and state; then every file and job
// name of them in one repository for diff (which sends nothing).
func TestForgedCommands(t *testing.T) {
	var jobs []forgedJob
	for _, tc := range []struct{ name, file, job, id, msg string }{
		{"blank before ::", " ::error title=X::a", "n", "01a22570-6065-7b61-bd88-cba1f11d643f", "name taken"},
		{"no-break space before ::", "\u00a0::error::a", "\u00a0::error::n", "\u00a0::error::id", "\u00a0::error::state"},
		{"ideographic space before ::", "\u3000::warning::a", "\u2003::error::n", "\u3000::error::id", "\u2028::error::m"},
		{"v1 in a file name", "x ##[error]y", "n", "id", "m"},
		{"v1 in a job name", "job", "a ##[error]b", "id", "m"},
		{"v1 stop-commands", "job", "##[stop-commands]tok", "##[error]id", "##[stop-commands]x"},
		{"v1 in a state", "job", "n", "01a22570-6065-7b61-bd88-cba1f11d643f", "running ##[error]forged"},
		{"colon first", ":", "::", ":id", ":state"},
	} {
		for _, created := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s created=%v", tc.name, created), func(t *testing.T) {
				forgedRuns(t, tc.file, tc.job, tc.id, tc.msg, created)
			})
		}
		jobs = append(jobs, forgedJob{tc.file, tc.job})
	}
	// Control and invisible characters, for diff only (the seeds of
	// FuzzForgedOutput have them for the other commands).
	jobs = append(jobs, forgedJob{"\x1b[2Jclear", "\u202eevil\x1b]0;title\x07"}, forgedJob{"zero\u200b::error::w", "\u200b::error::z"},
		forgedJob{"\ufeff::error::bom", "\r::warning::x\n::error::y"}, forgedJob{"tab\t##[error]t", "\u0085::error::nel"})
	t.Run("diff", func(t *testing.T) { forgedDiff(t, jobs) })
}

// FuzzForgedOutput is TestForgedCommands over any file name, job name and
// server answers.
func FuzzForgedOutput(f *testing.F) {
	f.Add("a\n::error title=pwn::x.yaml", "\n::stop-commands::tok", "\n::error::INJECTED", "ok", true)
	f.Add("job.yaml", "plain", "01a22570-6065-7b61-bd88-cba1f11d643f", "name taken\n::error::x", false)
	f.Add("\x1b[2Jclear.yaml", "\u202eevil", "\x1b]0;title\x07", "\r::warning::x\x1b[0m", false)
	f.Add("::error::start.yaml", "n\r\n::add-mask::x", "id\u2028::error::y", "%0A::error::z", true)
	f.Add(" ::error title=X::a", "x ##[error]y", "\u00a0::error::id", "##[stop-commands]x", true)
	f.Fuzz(func(t *testing.T, file, name, id, msg string, created bool) {
		file = strings.Map(func(r rune) rune {
			if r == '/' || r == 0 {
				return '_'
			}
			return r
		}, file)
		if file == "" || file == "." || file == ".." || len(file) > 200 || strings.HasPrefix(file, "-") {
			return
		}
		forgedRuns(t, file, name, id, msg, created)
		if created { // diff sends nothing: half the inputs are enough
			forgedDiff(t, []forgedJob{{file, name}})
		}
	})
}
