package main

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/emulator"
	"github.com/daestro-jobs/daestro-jobs/manifest"
)

// hostileHead makes a document a job so the checks past the parser run too.
const hostileHead = "job_definition: acme::report-builder:3\njob_queue: acme::nightly\nname: hostile\n"

// writeHostile writes a generated file into dir through a buffer, so even the
// 30 MB case costs the test little memory, and returns its path.
func writeHostile(t *testing.T, dir, name string, gen func(w *bufio.Writer)) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	gen(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func repeat(w *bufio.Writer, s string, n int) {
	for range n {
		w.WriteString(s)
	}
}

// TestHostileInput runs `daestro-jobs validate -f X` on inputs built to break a
// loader: each must end with a clear message that names the file and exit 1
// (or 0 where the input is only skipped with a warning), never a panic, a hang
// or a message as large as the input.
func TestHostileInput(t *testing.T) {
	tests := []struct {
		name string
		// setup builds the input in dir and returns the -f argument.
		setup func(t *testing.T, dir string) string
		code  int
		want  []string // fragments of the output, besides the file's name
		// maxOut bounds the output; 4 KiB unless the input earns a line per
		// problem.
		maxOut int
		// maxAlloc bounds what validating the file allocates; 256 MiB unless
		// set.
		maxAlloc uint64
	}{
		{
			name: "billion laughs",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "laughs.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead)
					w.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
					for c := 'b'; c <= 'j'; c++ {
						fmt.Fprintf(w, "%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+string(c-1)+",", 10), ","))
					}
				})
			},
			code: 1,
			want: []string{"more than 100000 values once aliases are followed"},
		},
		{
			name: "merge key bomb",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "merges.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead)
					w.WriteString("x0: &x0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n")
					for i := 1; i < 10; i++ {
						fmt.Fprintf(w, "x%d: &x%d {<<: [%s], k: v}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d, ", i-1), 10), ", "))
					}
				})
			},
			code: 1,
			want: []string{"more than 100000 values once aliases are followed"},
		},
		{
			// Anchors defined inside the merge lists that use them: no key
			// holds a big value, the merges alone take 10^10 steps.
			name: "merge key bomb with nested anchors",
			setup: func(t *testing.T, dir string) string {
				d := "&x0 {k: v}"
				for i := 1; i <= 10; i++ {
					d = fmt.Sprintf("&x%d {<<: [%s%s]}", i, d, strings.Repeat(fmt.Sprintf(", *x%d", i-1), 9))
				}
				return writeHostile(t, dir, "nested-merges.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env: " + d + "\n")
				})
			},
			code: 1,
			want: []string{"more than 100000 values once aliases are followed"},
		},
		{
			// A diagnostic per key, each located through the mapping and what
			// is merged into it: looked up by a walk each time, 40,000 keys took 45
			// seconds; the keys are now indexed once per mapping.
			name: "20,000 unknown keys, half of them merged",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "keys.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "<<: [")
					d := "&x0 {k: v}"
					for i := 1; i <= 3; i++ {
						d = fmt.Sprintf("&x%d {<<: [%s%s]}", i, d, strings.Repeat(fmt.Sprintf(", *x%d", i-1), 14))
					}
					w.WriteString(d + ", {")
					for i := range 10_000 {
						fmt.Fprintf(w, "m%d: v, ", i)
					}
					w.WriteString("z: v}]\n")
					for i := range 10_000 {
						fmt.Fprintf(w, "u%d: v\n", i)
					}
				})
			},
			code:     1,
			want:     []string{"keys.yaml:4:", "m9999: unknown key", "u9999: unknown key"},
			maxOut:   16 << 20,
			maxAlloc: 1 << 30,
		},
		{
			name: "flow sequences 200,000 deep",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "flow.yaml", func(w *bufio.Writer) {
					w.WriteString("container_cmd: ")
					repeat(w, "[", 200_000)
					repeat(w, "]", 200_000)
				})
			},
			code: 1,
			want: []string{"nested more than 32 levels deep"},
		},
		{
			name: "flow mappings 200,000 deep",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "flowmap.yaml", func(w *bufio.Writer) {
					repeat(w, "{a: ", 200_000)
					repeat(w, "}", 200_000)
				})
			},
			code: 1,
			want: []string{"nested more than 32 levels deep"},
		},
		{
			name: "block sequences 200,000 deep",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "block.yaml", func(w *bufio.Writer) {
					repeat(w, "- ", 200_000)
					w.WriteString("x\n")
				})
			},
			code: 1,
			want: []string{"nested more than 32 levels deep"},
		},
		{
			// Indentation makes a deep block mapping quadratic in size: 2,000
			// levels are already 2 MB.
			name: "block mappings 2,000 deep",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "blockmap.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env:\n")
					for i := 1; i <= 2000; i++ {
						w.WriteString(strings.Repeat(" ", i) + "k:\n")
					}
				})
			},
			code: 1,
			want: []string{"nested more than 32 levels deep"},
		},
		{
			// Under the parser's own limit, so the tree is built and the
			// converter's MaxDepth must stop the walk.
			name: "flow sequences 9,000 deep",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "flow9k.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_cmd: ")
					repeat(w, "[", 9000)
					repeat(w, "]", 9000)
					w.WriteString("\n")
				})
			},
			code: 1,
			want: []string{":4:", "nested more than 32 levels deep"},
		},
		{
			name: "NUL bytes",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "nul.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env:\n  A: \"x\x00y\"\n")
				})
			},
			code: 1,
			want: []string{":5:", "NUL byte"},
		},
		{
			name: "invalid UTF-8",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "latin1.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env:\n  CITY: M\xfcnchen\n")
				})
			},
			code: 1,
			want: []string{":5:10:", "invalid UTF-8"},
		},
		{
			name: "30 MB file",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "huge.yaml", func(w *bufio.Writer) {
					doc := hostileHead + "---\n"
					repeat(w, doc, 30<<20/len(doc)+1)
				})
			},
			code: 1,
			want: []string{"larger than the 10 MiB limit"},
		},
		{
			name: "more documents than the limit",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "docs.yaml", func(w *bufio.Writer) {
					repeat(w, "---\n", manifest.MaxDocuments+1)
				})
			},
			code: 1,
			want: []string{"more than 50000 documents"},
		},
		{
			name: "200,000-character plain key",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "key.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead)
					repeat(w, "k", 200_000)
					w.WriteString(": v\n")
				})
			},
			code: 1,
			want: []string{":4:1:", "longer than 1024 characters"},
		},
		{
			name: "200,000-character key in a flow mapping",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "flowkey.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env: {")
					repeat(w, "K", 200_000)
					w.WriteString(": v}\n")
				})
			},
			code: 1,
			want: []string{":4:", "longer than 1024 characters"},
		},
		{
			// An explicit key ("? ") has no length limit in YAML, so the
			// document parses and the message must not repeat the key whole.
			name: "200,000-character explicit key",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "explicit.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "? ")
					repeat(w, "k", 200_000)
					w.WriteString("\n: v\n")
				})
			},
			code: 1,
			want: []string{":4:3:", "unknown key"},
		},
		{
			name: "200,000-character variable name",
			setup: func(t *testing.T, dir string) string {
				return writeHostile(t, dir, "var.yaml", func(w *bufio.Writer) {
					w.WriteString(hostileHead + "container_env:\n  A: ${")
					repeat(w, "V", 200_000)
					w.WriteString("}\n")
				})
			},
			code: 0, // validate: an unset variable is a warning
			want: []string{":5:", "warning", "is not set"},
		},
		{
			// Values quoted back in messages are cut, and so is a
			// "${VAR:?message}" message.
			name: "200,000-character values",
			setup: func(t *testing.T, dir string) string {
				long := strings.Repeat("x", 200_000)
				return writeHostile(t, dir, "values.yaml", func(w *bufio.Writer) {
					for _, k := range []string{"job_definition", "job_queue", "name"} {
						w.WriteString(k + ": " + long + "\n")
					}
					w.WriteString(`schedule_at: "` + long + `"` + "\n")
					w.WriteString(`container_env: {A: {value: "${A:?` + long + `}", sensitive: true}}` + "\n")
				})
			},
			code: 1,
			want: []string{"values.yaml:1:17: job_definition", "values.yaml:4:14: schedule_at", "values.yaml:5:", "(200000 characters)"},
		},
		{
			name: "random binary named .yaml",
			setup: func(t *testing.T, dir string) string {
				r := rand.New(rand.NewSource(1))
				return writeHostile(t, dir, "random.yaml", func(w *bufio.Writer) {
					for range 64 << 10 {
						w.WriteByte(byte(r.Intn(256)))
					}
				})
			},
			code: 1,
			want: []string{"NUL byte"},
		},
		{
			name: "random binary without NUL bytes",
			setup: func(t *testing.T, dir string) string {
				r := rand.New(rand.NewSource(2))
				return writeHostile(t, dir, "random-nonul.yaml", func(w *bufio.Writer) {
					for range 64 << 10 {
						w.WriteByte(byte(1 + r.Intn(255)))
					}
				})
			},
			code: 1,
			want: []string{"invalid UTF-8"},
		},
		{
			name: "directory with symbolic link loops",
			setup: func(t *testing.T, dir string) string {
				root := filepath.Join(dir, "jobs")
				for _, d := range []string{"a/b", "c"} {
					if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(filepath.Join(root, "a", "job.yaml"), []byte(hostileHead), 0o644); err != nil {
					t.Fatal(err)
				}
				for link, target := range map[string]string{
					"self":     ".",          // the root itself
					"a/b/up":   "../..",      // an ancestor
					"c/to-a":   "../a",       // a sibling: followed, not a loop
					"a/b/ring": "../../ring", // a ring of links: ring -> a/b/ring -> ring
					"ring":     "a/b/ring",
				} {
					if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
						t.Fatal(err)
					}
				}
				return root
			},
			code: 0,
			want: []string{"/self: warning: skipped: symbolic link loop", "/a/b/up: warning: skipped", "/ring: warning: skipped: symbolic link loop (too many levels of symbolic links)"},
		},
		{
			// Opening a FIFO blocks until a writer comes: it must never be opened.
			name: "FIFO passed with -f",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "pipe.yaml")
				if err := syscall.Mkfifo(p, 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			},
			code: 1,
			want: []string{"not a regular file (a named pipe)"},
		},
		{
			name: "FIFO inside a directory",
			setup: func(t *testing.T, dir string) string {
				d := filepath.Join(dir, "jobs")
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := syscall.Mkfifo(filepath.Join(d, "pipe.yaml"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(d, "real.yaml"), []byte("job_definition: a::b:1\njob_queue: a::q\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return d
			},
			code: 0,
			want: []string{"warning: skipped: not a regular file (a named pipe)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arg := tt.setup(t, t.TempDir())
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			code, out, errOut := runInProcess(t, nil, "validate", "-f", arg)
			runtime.ReadMemStats(&after)
			all := out + errOut
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, clipOutput(all))
			}
			for _, w := range append([]string{arg}, tt.want...) {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, clipOutput(all))
				}
			}
			if strings.Contains(all, "panic") || strings.Contains(all, "goroutine ") {
				t.Errorf("output looks like a crash:\n%s", clipOutput(all))
			}
			// A message that names the problem, not one that repeats the input.
			if tt.maxOut == 0 {
				tt.maxOut = 4 << 10
			}
			if len(all) > tt.maxOut {
				t.Errorf("%d bytes of output:\n%s", len(all), clipOutput(all))
			}
			// Allocation, not time: an unbounded expansion or a whole read of
			// the 30 MB file would show here whatever the machine's speed.
			if tt.maxAlloc == 0 {
				tt.maxAlloc = 256 << 20
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tt.maxAlloc {
				t.Errorf("allocated %d MiB for one file", alloc>>20)
			}
		})
	}
}

func clipOutput(s string) string {
	if len(s) > 2000 {
		return s[:2000] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// TestVariablesNotUTF8: a variable whose value is not UTF-8, from the
// environment or an --env-file, is refused at the reference, in apply and
// validate alike, and nothing is sent: rewritten to U+FFFD, job-$'\xff' and
// job-$'\xfe' would be one name (one job never created, reported exists),
// and a password $'\xffpass' would be sent wrong (issue 22 item 3).
func TestVariablesNotUTF8(t *testing.T) {
	_, seen, url := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	jobs := filepath.Join(dir, "jobs.yaml")
	writeFile(t, jobs, "job_definition: acme::d:1\njob_queue: acme::q\nname: job-${X}\n---\n"+
		"job_definition: acme::d:1\njob_queue: acme::q\nname: job-${Y}\n---\n"+
		"job_definition: acme::d:1\njob_queue: acme::q\nname: pw\ncontainer_env:\n  P: {value: \"${P}\", sensitive: true}\n")
	envFile := filepath.Join(dir, "bytes.env")
	writeFile(t, envFile, "P='\xffpass'\n")
	vars := map[string]string{"DAESTRO_API_URL": url, "DAESTRO_API_KEY": "dk_test_5f0c2a9e7b41d836", "X": "\xff", "Y": "\xfe"}
	for _, args := range [][]string{
		{"apply", "--env-file", envFile, "-f", jobs},
		{"validate", "--env-file", envFile, "-f", jobs},
	} {
		code, out, errOut := runInProcess(t, vars, args...)
		all := out + errOut
		for _, want := range []string{"jobs.yaml:3:7: name: the value of \"X\" is not UTF-8", "jobs.yaml:7:7: name: the value of \"Y\" is not UTF-8",
			"jobs.yaml:13:14: container_env.P.value: the value of \"P\" is not UTF-8"} {
			if !strings.Contains(all, want) {
				t.Errorf("%v: exit %d, no %q:\n%s", args, code, want, all)
			}
		}
		if code != 1 || !utf8.ValidString(all) || strings.Contains(all, "\uFFFD") || strings.Contains(all, "pass") {
			t.Errorf("%v: exit %d, want 1, the bytes neither printed nor replaced:\n%q", args, code, all)
		}
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if seen.n != 0 {
		t.Errorf("%d requests sent, want none", seen.n)
	}
}

// TestFalseExists: a 400 that says something else already exists is a
// failure, not the job found: only a message about this job's name counts,
// and --duplicate-pattern still reads a server's own wording (issue 22 item
// 4).
func TestFalseExists(t *testing.T) {
	answer := func(msg string) string {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"ok":false,"message":%q}`, msg)
		}))
		t.Cleanup(hs.Close)
		return hs.URL
	}
	job := filepath.Join(t.TempDir(), "job.yaml")
	writeFile(t, job, "job_definition: acme::report-builder:3\njob_queue: acme::nightlyy\nname: nightly-report\n")
	for _, tc := range []struct {
		name, msg string
		flags     []string
		code      int
		outcome   string
	}{
		{"another queue exists", "queue 'acme::nightlyy' does not exist; a queue named 'acme::nightly' already exists", nil, 1, "failed"},
		{"duplicate of another thing", "duplicate key DB_PASSWORD in container_env", nil, 1, "failed"},
		{"the job's name", "job 'nightly-report' already exists", nil, 0, "exists"},
		{"the word name", "name already exists in queue", nil, 0, "exists"},
		{"a pattern of the server's own", "Auftrag schon vorhanden", []string{"--duplicate-pattern", "schon vorhanden"}, 0, "exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"DAESTRO_API_URL": answer(tc.msg), "DAESTRO_API_KEY": "dk_test_5f0c2a9e7b41d836"}
			args := append(append([]string{"apply", "--retries", "0"}, tc.flags...), "-f", job)
			code, out, errOut := runInProcess(t, vars, args...)
			if code != tc.code || !strings.HasPrefix(out, tc.outcome+" ") {
				t.Errorf("exit %d, want %d and %s:\n%s%s", code, tc.code, tc.outcome, out, errOut)
			}
		})
	}
}

// TestStepFilesNeverHang: $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT naming a
// FIFO (no reader: a plain open(2) waits forever, and no signal ends it) are
// refused with a warning, and the run ends as it would without them (issue
// 22 item 5).
func TestStepFilesNeverHang(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job.yaml")
	writeFile(t, job, "job_definition: acme::d:1\njob_queue: acme::q\nname: n\n")
	for _, v := range []string{"GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"} {
		done := make(chan struct{})
		var code int
		var errOut string
		go func() {
			defer close(done)
			code, _, errOut = runInProcess(t, map[string]string{v: fifo}, "validate", "-o", "github", "-f", job)
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s naming a FIFO: validate -o github blocked", v)
		}
		if code != 0 || !strings.Contains(errOut, "not a regular file (a named pipe)") {
			t.Errorf("%s naming a FIFO: exit %d, want 0 and a warning:\n%s", v, code, errOut)
		}
	}
}

// TestDetailedExitcodeForms: --detailed-exitcode=VALUE means what the CLI's
// flag parser makes of VALUE (strconv.ParseBool: 1, t, T, TRUE, true, True),
// both where exit codes are decided before the parser runs and in the
// action, which must not fail a step on exit 2 that means "created" (issue
// 22 item 9).
func TestDetailedExitcodeForms(t *testing.T) {
	action, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The case arm of the action's script that sets detailed=true.
	text := string(action)
	end := strings.Index(text, "detailed=true\n")
	start := strings.LastIndex(text[:end], "--) break ;;")
	if end < 0 || start < 0 {
		t.Fatal("action.yml: no case arm for --detailed-exitcode")
	}
	arm := strings.NewReplacer("\\\n", " ", "|", " ", ")", " ").Replace(text[start:end])
	patterns := map[string]bool{}
	for _, f := range strings.Fields(arm) {
		patterns[f] = true
	}
	for _, v := range []string{"", "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False", "yes", "2"} {
		want, err := strconv.ParseBool(v)
		valid := err == nil
		for _, dashes := range []string{"-", "--"} {
			arg := dashes + "detailed-exitcode"
			if v != "" {
				arg += "=" + v
			} else {
				want, valid = true, true
			}
			if got := detailedExitcode([]string{"apply", arg}); got != (want && valid) {
				t.Errorf("detailedExitcode(%s) = %v, want %v as the flag parser reads it", arg, got, want && valid)
			}
			if got := patterns[arg]; got != (want && valid) {
				t.Errorf("the action takes %s as detailed: %v, want %v", arg, got, want && valid)
			}
		}
	}
}

// TestRateTooLow: a --rate below one request per hour (a typo for a rate
// per minute, say) or not a number is a usage error, not a run that waits
// for days between requests (issue 22 item 9).
func TestRateTooLow(t *testing.T) {
	job := filepath.Join(t.TempDir(), "job.yaml")
	writeFile(t, job, "job_definition: acme::d:1\njob_queue: acme::q\nname: n\n")
	for rate, want := range map[string]int{"0.0001": 2, "1e-300": 2, "NaN": 2, "-1": 2, "0": 0, "0.0003": 0, "5": 0} {
		code, out, errOut := runInProcess(t, nil, "apply", "--dry-run", "--rate", rate, "-f", job)
		if code != want || want == 2 && !strings.Contains(errOut, "--rate") {
			t.Errorf("--rate %s: exit %d, want %d:\n%s%s", rate, code, want, out, errOut)
		}
	}
}

// TestOpenFilesLimit: under a limit on open files too low to start the Go
// runtime's poller (ulimit -n 6), the built binary says so and exits 1,
// rather than aborting with a runtime stack trace (issue 22 item 9).
func TestOpenFilesLimit(t *testing.T) {
	bin := filepath.Join(builtBinary(t), "daestro-jobs")
	job := filepath.Join(t.TempDir(), "job.yaml")
	writeFile(t, job, "job_definition: acme::d:1\njob_queue: acme::q\nname: n\n")
	out, err := exec.Command("sh", "-c", `ulimit -n 6 && exec "$0" validate -f "$1"`, bin, job).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "limit on open files is 6") ||
		strings.Contains(string(out), "goroutine") {
		t.Errorf("ulimit -n 6: %v, want exit 1 and a message:\n%s", err, out)
	}
}

// TestUnreadableFile: a manifest that cannot be read (mode 000) is an error
// naming the file, exit 1. Root reads a file whatever its mode, and CI runs
// as root: there the built binary is run as the user nobody, so the case is
// never skipped.
func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	p := writeHostile(t, dir, "secret.yaml", func(w *bufio.Writer) { w.WriteString(hostileHead) })
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	var code int
	var out string
	if os.Geteuid() != 0 {
		var stdout, stderr string
		code, stdout, stderr = runInProcess(t, nil, "validate", "-f", p)
		out = stdout + stderr
	} else {
		bin := builtBinary(t)
		// nobody must reach the file and run the binary: open the way.
		for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
			if info, err := os.Stat(d); err == nil && info.Mode().Perm()&0o005 != 0o005 {
				if err := os.Chmod(d, info.Mode().Perm()|0o005); err != nil {
					t.Fatal(err)
				}
			}
			if d == os.TempDir() {
				break
			}
		}
		_ = os.Chmod(bin, 0o755)
		cmd := exec.Command(filepath.Join(bin, "daestro-jobs"), "validate", "-f", p)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		b, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("running as nobody: %v\n%s", err, b)
		}
		code, out = cmd.ProcessState.ExitCode(), string(b)
	}
	if code != 1 || !strings.Contains(out, p+": ") || !strings.Contains(out, "permission denied") {
		t.Errorf("exit %d, want 1 naming %s, permission denied:\n%s", code, p, out)
	}
}
