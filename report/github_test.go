package report

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

func TestGitHubEscape(t *testing.T) {
	tests := []struct {
		name, in, data, property string
	}{
		{"plain", "daestro-jobs validate", "daestro-jobs validate", "daestro-jobs validate"},
		{"percent first", "100%0A", "100%250A", "100%250A"},
		{"newlines", "a\r\nb\nc", "a%0D%0Ab%0Ac", "a%0D%0Ab%0Ac"},
		{"colon and comma only in properties", "dir,x/b:c.yaml", "dir,x/b:c.yaml", "dir%2Cx/b%3Ac.yaml"},
		{"a command in a value stays data", "x\n::error::boom", "x%0A::error::boom", "x%0A%3A%3Aerror%3A%3Aboom"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeData(tt.in); got != tt.data {
				t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := escapeProperty(tt.in); got != tt.property {
				t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

func TestGitHub(t *testing.T) {
	tests := []struct {
		name string
		// run prints with p and, for comparison, with the text printer t.
		run           func(p, text printer) (error, error)
		golden        string // stdout
		summaryGolden string // step summary
		// annotations are the workflow command lines stdout must hold.
		annotations []string
	}{
		{
			name: "validate",
			run: func(p, text printer) (error, error) {
				return p.Validate(fixtureValidatePlan()), text.Validate(fixtureValidatePlan())
			},
			golden:        "github-validate.golden",
			summaryGolden: "github-validate-summary.golden",
			annotations: []string{
				"::error file=a.yaml,line=1,col=1,title=daestro-jobs validate::job_queue: required key is missing",
				`::error file=a.yaml,line=2,col=3,title=daestro-jobs validate::job_que: unknown key; did you mean "job_queue"?`,
				`::warning file=a.yaml,line=7,col=12,title=daestro-jobs validate::container_env.A.value: 100%25 sure\nsecond line <b>&amp;</b> | pipe`,
				"::error file=broken.yaml,title=daestro-jobs validate::cannot read: permission denied",
				"::error file=dir%2Cx/b%3Ac.yaml,line=2,col=3,title=daestro-jobs validate::schedule_at: must be a time, e.g. 2026-11-28T12:00:00Z",
			},
		},
		{
			name: "validate clean",
			run: func(p, text printer) (error, error) {
				return p.Validate(cleanPlan()), text.Validate(cleanPlan())
			},
			golden:        "github-validate-clean.golden",
			summaryGolden: "github-validate-clean-summary.golden",
		},
		{
			name: "apply",
			run: func(p, text printer) (error, error) {
				return p.Apply(fixtureReport()), text.Apply(fixtureReport())
			},
			golden:        "github-apply.golden",
			summaryGolden: "github-apply-summary.golden",
			annotations: []string{
				"::error file=b.yaml,line=9,title=daestro-jobs apply::acme::q/three failed: HTTP 400: bad queue",
			},
		},
		{
			name: "apply dry run",
			run: func(p, text printer) (error, error) {
				dry := func() *outcome.Apply {
					r := fixtureReport()
					r.DryRun = true
					for i := range r.Jobs {
						r.Jobs[i] = outcome.Job{Job: r.Jobs[i].Job, Outcome: "planned"}
					}
					return r
				}
				return p.Apply(dry()), text.Apply(dry())
			},
			golden:        "github-apply-dry.golden",
			summaryGolden: "github-apply-dry-summary.golden",
		},
		{
			name: "apply invalid",
			run: func(p, text printer) (error, error) {
				inv := func() *outcome.Apply {
					pl := fixtureValidatePlan()
					r := &outcome.Apply{Plan: pl}
					for i := range pl.Jobs {
						out := outcome.Job{Job: &pl.Jobs[i], Outcome: "not submitted"}
						if pl.Jobs[i].Invalid {
							out.Outcome = "invalid"
						}
						r.Jobs = append(r.Jobs, out)
					}
					return r
				}
				return p.Apply(inv()), text.Apply(inv())
			},
			golden:        "github-apply-invalid.golden",
			summaryGolden: "github-apply-invalid-summary.golden",
			annotations: []string{
				"::error file=a.yaml,line=1,col=1,title=daestro-jobs apply::job_queue: required key is missing",
				"::error file=broken.yaml,title=daestro-jobs apply::cannot read: permission denied",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw, summary, textOut, textErr bytes.Buffer
			gh := newPrinter(GitHub, Streams{Out: &out, Err: &errw, Summary: &summary})
			text := newPrinter(Text, Streams{Out: &textOut, Err: &textErr})
			err, terr := tt.run(gh, text)
			if err != nil || terr != nil {
				t.Fatalf("printing: %v, %v", err, terr)
			}
			golden(t, tt.golden, out.String())
			golden(t, tt.summaryGolden, summary.String())

			// Everything the text printer prints, where it prints it,
			// after the workflow commands.
			var commands []string
			rest := out.String()
			for strings.HasPrefix(rest, "::") {
				line, after, _ := strings.Cut(rest, "\n")
				commands = append(commands, line)
				rest = after
			}
			if rest != textOut.String() {
				t.Errorf("after the commands, stdout is\n%s\nwant the text printer's\n%s", rest, textOut.String())
			}
			if errw.String() != textErr.String() {
				t.Errorf("stderr = %q, want the text printer's %q", errw.String(), textErr.String())
			}
			for _, want := range tt.annotations {
				found := false
				for _, c := range commands {
					found = found || c == want
				}
				if !found {
					t.Errorf("no annotation\n%s\namong\n%s", want, strings.Join(commands, "\n"))
				}
			}
			for _, s := range []string{out.String(), errw.String(), summary.String()} {
				if strings.Contains(s, sentinel) {
					t.Errorf("a secret was printed:\n%s", s)
				}
			}
		})
	}
}

// A step summary that cannot be written is said on stderr; the run goes on.
func TestGitHubSummaryWriteError(t *testing.T) {
	var out, errw bytes.Buffer
	p := newPrinter(GitHub, Streams{Out: &out, Err: &errw, Summary: failingWriter{}})
	if err := p.Validate(cleanPlan()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !strings.Contains(errw.String(), "cannot write the GitHub step summary: disk full") {
		t.Errorf("stderr = %q, want the summary error", errw.String())
	}
	if !strings.Contains(out.String(), "1 document in 1 file") {
		t.Errorf("stdout = %q, want the report", out.String())
	}
}

// Without a summary writer nothing is written but the report.
func TestGitHubNoSummary(t *testing.T) {
	var out, errw bytes.Buffer
	p := newPrinter(GitHub, Streams{Out: &out, Err: &errw})
	if err := p.Apply(&outcome.Apply{Plan: &plan.Plan{}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if errw.Len() != 0 || out.String() != "0 jobs (0s)\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errw.String())
	}
}

// printer is a format that renders both reports (text and github do).
type printer interface {
	ValidateReporter
	ApplyReporter
}

func newPrinter(f Format, s Streams) printer {
	if f == GitHub {
		return &githubPrinter{s: s, text: textPrinter{s: s}}
	}
	return &textPrinter{s: s}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestMarkdownCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a | b", `a \| b`},
		{"one\ntwo\r\nthree", `one\\ntwo\\r\\nthree`},
		{"\x1b[2J", `\\x1b\[2J`},
		{"<script>&", "&lt;script&gt;&amp;"},
		{"*bold* [link](x) `code` job_queue", "\\*bold\\* \\[link](x) \\`code\\` job\\_queue"},
		// A server's message or a name is text (issue 21). GFM's extended
		// autolinks (github.github.com/gfm, "Autolinks (extension)") take
		// www., http://, https:// and e-mail addresses; strike-through
		// ("Strikethrough (extension)") takes ~; GitHub renders :name: as
		// an emoji and $...$ as math ("Writing mathematical expressions"
		// says to escape $ as \$). An invisible word joiner breaks what a
		// backslash cannot: emoji, links and mentions are found in the
		// rendered text.
		{"see https://example.com/x", "see https:\u2060//example.com/x"},
		{"see www.example.com", "see w\u2060ww.example.com"},
		{"mail ops@example.com or @octocat", "mail ops@\u2060example.com or @\u2060octocat"},
		{"~~gone~~", `\~\~gone\~\~`},
		{":rocket: :+1::tada:", ":\u2060rocket: :\u2060+1::\u2060tada:"},
		{"costs $5 or $x$", `costs \$5 or \$x\$`},
		{"acme::nightly", "acme::nightly"}, // no shortcode: left as it is
	}
	for _, tt := range tests {
		if got := (&githubPrinter{}).cell(tt.in); got != tt.want {
			t.Errorf("cell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGitHubSummaryCapped: GitHub refuses a step summary over 1 MiB
// ("Adding a job summary": "each step is restricted to a maximum size of
// 1MiB", docs.github.com/actions/reference/workflow-commands-for-github-actions).
// A table stops at 1,000 rows, or before the summary would pass the
// limit, and says how many rows it left out.
func TestGitHubSummaryCapped(t *testing.T) {
	long := strings.Repeat("a very long message from a server ", 120) // 4 KB
	for _, tc := range []struct {
		name string
		msg  string
		n    int
	}{
		{"26,000 problems", "must not be empty", 26000},
		{"1,000 problems of 4 KB", long, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &plan.Plan{Files: 1}
			for i := range tc.n {
				p.Diagnostics = append(p.Diagnostics, diag.Diagnostic{File: "a.yaml", Line: i + 1, Col: 1, Path: "name", Message: tc.msg})
			}
			var out, summary bytes.Buffer
			if err := newPrinter(GitHub, Streams{Out: &out, Err: &out, Summary: &summary}).Validate(p); err != nil {
				t.Fatal(err)
			}
			if summary.Len() > 1<<20 {
				t.Errorf("summary of %d bytes, over GitHub's 1 MiB", summary.Len())
			}
			rows := strings.Count(summary.String(), "\n| error |")
			if rows > 1000 || rows == 0 {
				t.Errorf("%d rows", rows)
			}
			if want := fmt.Sprintf("\n%d more problems; see the log or -o sarif.\n", tc.n-rows); rows < tc.n && !strings.Contains(summary.String(), want) {
				t.Errorf("no line %q at the end:\n%s", want, summary.String()[max(0, summary.Len()-300):])
			}
		})
	}
	t.Run("apply: 3,000 jobs", func(t *testing.T) {
		p := &plan.Plan{}
		a := &outcome.Apply{Plan: p}
		p.Jobs = make([]plan.Job, 3000)
		for i := range p.Jobs {
			p.Jobs[i] = plan.Job{File: "a.yaml", Line: i + 1, Queue: "acme::q", Name: fmt.Sprint("job-", i)}
			a.Jobs = append(a.Jobs, outcome.Job{Job: &p.Jobs[i], Outcome: outcome.Created, ID: "id"})
		}
		var out, summary bytes.Buffer
		if err := newPrinter(GitHub, Streams{Out: &out, Err: &out, Summary: &summary}).Apply(a); err != nil {
			t.Fatal(err)
		}
		if rows := strings.Count(summary.String(), "\n| created |"); rows != 1000 {
			t.Errorf("%d rows, want 1000", rows)
		}
		if !strings.Contains(summary.String(), "\n2000 more jobs; see the log.\n") {
			t.Errorf("no line saying 2000 more jobs")
		}
	})
}

// TestGitHubAnnotationFile: GitHub attaches an annotation to the file at
// that path in the repository (workflow commands, "Setting an error
// message"), so the path is relative to the checkout, GITHUB_WORKSPACE, not
// to the directory the tool ran in (cd jobs && daestro-jobs validate -f a.yaml).
func TestGitHubAnnotationFile(t *testing.T) {
	p := &plan.Plan{Diagnostics: []diag.Diagnostic{{File: "a.yaml", Line: 2, Col: 1, Message: "m"}}}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"run in a subdirectory of the workspace", Options{Workspace: "/w/repo", Root: "/w/repo", Cwd: "/w/repo/jobs"}, "::error file=jobs/a.yaml,"},
		{"no workspace: the repository's root", Options{Root: "/repo", Cwd: "/repo/jobs/x"}, "::error file=jobs/x/a.yaml,"},
		{"outside the workspace: absolute", Options{Workspace: "/w/repo", Cwd: "/elsewhere"}, "::error file=/elsewhere/a.yaml,"},
		{"nothing known: as given", Options{}, "::error file=a.yaml,"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := NewValidate(GitHub, Streams{Out: &out, Err: &out}, tc.o).Validate(p); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out.String(), tc.want) {
				t.Errorf("got %q, want it to start with %q", out.String(), tc.want)
			}
		})
	}
}

// TestGitHubStepOutputs: counts and the created jobs as one line each, a
// hostile name kept inside its JSON string.
func TestGitHubStepOutputs(t *testing.T) {
	r := fixtureReport()
	r.Jobs[0].Job.Name = "one\nfailed=99"
	var out, outputs bytes.Buffer
	p := &githubPrinter{s: Streams{Out: &out, Err: &out, StepOutputs: &outputs}, text: textPrinter{s: Streams{Out: &out, Err: &out}}}
	if err := p.Apply(r); err != nil {
		t.Fatal(err)
	}
	want := "jobs-total=5\ncreated=1\nexists=1\nduplicate=1\nplanned=0\nfailed=1\nnot-submitted=1\ninvalid=0\n" +
		`created-jobs=[{"queue":"acme::q","name":"one\nfailed=99","id":"id-1","file":"a.yaml","line":1}]` + "\nunchanged=0\n"
	if got := outputs.String(); got != want {
		t.Errorf("step outputs:\n%s\nwant\n%s", got, want)
	}
	outputs.Reset()
	if err := p.Validate(fixtureValidatePlan()); err != nil {
		t.Fatal(err)
	}
	if want := "files=4\ndocuments=4\nvalid=2\ninvalid=2\nerrors=4\nwarnings=1\n"; outputs.String() != want {
		t.Errorf("validate step outputs:\n%s\nwant\n%s", outputs.String(), want)
	}
}
