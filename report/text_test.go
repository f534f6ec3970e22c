package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// sentinel is a secret that must never be printed; fixture jobs carry it in
// Body and only "***" in Masked.
const sentinel = "SENTINEL-out-5e1f"

func fixturePlan() *plan.Plan {
	job := func(file string, line int, name string, dupOf int) plan.Job {
		return plan.Job{
			File: file, Line: line, Col: 1, Name: name, Queue: "acme::q", DuplicateOf: dupOf,
			Body: plan.Body{JobDefinition: "acme::d:1", JobQueue: "acme::q", Name: name,
				ContainerEnv: []plan.EnvVar{{Name: "K", Value: sentinel, Sensitive: true}}},
			Secrets: []string{sentinel},
		}
	}
	return &plan.Plan{Files: 2, Jobs: []plan.Job{
		job("a.yaml", 1, "one", -1),
		job("a.yaml", 5, "two", -1),
		job("b.yaml", 1, "one", 0),
		job("b.yaml", 9, "three", -1),
		job("b.yaml", 14, "four", -1),
	}, Documents: 5}
}

func fixtureReport() *outcome.Apply {
	p := fixturePlan()
	r := &outcome.Apply{Plan: p, Elapsed: 1340 * time.Millisecond}
	outcomes := []outcome.Job{
		{Outcome: outcome.Created, ID: "id-1", Attempts: 1},
		{Outcome: outcome.Exists, Attempts: 2},
		{Outcome: outcome.Duplicate, Note: "same job as a.yaml:1"},
		{Outcome: outcome.Failed, Attempts: 1, Error: "HTTP 400: bad queue"},
		{Outcome: outcome.NotSubmitted, Note: "not sent: the run was interrupted"},
	}
	for i := range outcomes {
		outcomes[i].Job = &p.Jobs[i]
	}
	r.Jobs = outcomes
	return r
}

func TestTextApply(t *testing.T) {
	tests := []struct {
		name   string
		report func() *outcome.Apply
		want   string
	}{
		{
			name:   "every outcome, in manifest order",
			report: fixtureReport,
			want: `created        acme::q/one  a.yaml:1  id id-1
exists         acme::q/two  a.yaml:5
duplicate      acme::q/one  b.yaml:1  same job as a.yaml:1
failed         acme::q/three  b.yaml:9  HTTP 400: bad queue
not submitted  acme::q/four  b.yaml:14  (not sent: the run was interrupted)
5 jobs: 1 created, 1 exists, 1 duplicate, 1 failed, 1 not submitted (1.3s)
`,
		},
		{
			name: "interrupted",
			report: func() *outcome.Apply {
				r := fixtureReport()
				r.Jobs, r.Interrupted, r.Elapsed = r.Jobs[4:], true, 12*time.Millisecond
				return r
			},
			want: `not submitted  acme::q/four  b.yaml:14  (not sent: the run was interrupted)
1 job: 1 not submitted (12ms)
interrupted: jobs not submitted are listed above; applying again submits them without duplicates
`,
		},
		{
			name: "dry run shows the masked body",
			report: func() *outcome.Apply {
				r := fixtureReport()
				r.DryRun = true
				r.Jobs = r.Jobs[:1]
				r.Jobs[0].Outcome, r.Jobs[0].ID = outcome.Planned, ""
				return r
			},
			want: `planned        acme::q/one  a.yaml:1
    {"job_definition":"acme::d:1","job_queue":"acme::q","name":"one","container_env":{"K":{"value":"***","sensitive":true}}}
1 job: 1 planned (dry run: nothing was sent)
`,
		},
		{
			name: "invalid: only the summary on stdout",
			report: func() *outcome.Apply {
				r := fixtureReport()
				r.Plan.Diagnostics = []diag.Diagnostic{{File: "b.yaml", Line: 9, Col: 3, Path: "job_queue", Message: "required key is missing", Severity: diag.Error, Doc: 1}}
				r.Jobs = r.Jobs[3:4]
				r.Jobs[0].Outcome = outcome.Invalid
				return r
			},
			want: "1 job: 1 invalid (nothing was submitted: fix the errors above)\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := NewApply(Text, Streams{Out: &out, Err: &errOut}, Options{}).Apply(tc.report()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if strings.Contains(out.String()+errOut.String(), sentinel) {
				t.Error("a secret was printed")
			}
		})
	}
}

func TestTextApplyDiagnosticsGoToStderr(t *testing.T) {
	r := fixtureReport()
	r.Plan.Diagnostics = []diag.Diagnostic{{File: "a.yaml", Line: 3, Col: 14, Path: "schedule_at", Message: "is in the past", Severity: diag.Warning, Doc: 0}}
	var out, errOut bytes.Buffer
	if err := NewApply(Text, Streams{Out: &out, Err: &errOut}, Options{}).Apply(r); err != nil {
		t.Fatal(err)
	}
	if got, want := errOut.String(), "a.yaml:3:14: warning: schedule_at: is in the past\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
}

func TestTextValidate(t *testing.T) {
	p := fixturePlan()
	p.Jobs[3].Invalid = true
	tally(p)
	p.Diagnostics = []diag.Diagnostic{
		{File: "b.yaml", Line: 9, Col: 1, Path: "job_queue", Message: "required key is missing", Severity: diag.Error, Doc: 1},
		{File: "c.yaml", Message: "cannot read: permission denied", Severity: diag.Error, Kind: diag.File},
	}
	var out bytes.Buffer
	if err := NewValidate(Text, Streams{Out: &out, Err: &bytes.Buffer{}}, Options{}).Validate(p); err != nil {
		t.Fatal(err)
	}
	want := "b.yaml:9:1: job_queue: required key is missing\n" +
		"c.yaml: cannot read: permission denied\n" +
		"5 documents in 2 files: 4 valid, 1 invalid, 1 unreadable file (2 errors, 0 warnings)\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestJSONApply(t *testing.T) {
	var out bytes.Buffer
	if err := NewApply(JSON, Streams{Out: &out, Err: &bytes.Buffer{}}, Options{}).Apply(fixtureReport()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), sentinel) {
		t.Fatal("a secret was printed")
	}
	var doc struct {
		Jobs []struct {
			File     string          `json:"file"`
			Line     int             `json:"line"`
			Name     string          `json:"name"`
			Outcome  string          `json:"outcome"`
			ID       string          `json:"id"`
			Attempts int             `json:"attempts"`
			Error    string          `json:"error"`
			Body     json.RawMessage `json:"body"`
		} `json:"jobs"`
		Summary map[string]float64 `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if len(doc.Jobs) != 5 {
		t.Fatalf("%d jobs, want 5", len(doc.Jobs))
	}
	first := doc.Jobs[0]
	if first.File != "a.yaml" || first.Line != 1 || first.Name != "one" || first.Outcome != "created" || first.ID != "id-1" || first.Attempts != 1 {
		t.Errorf("first job = %+v", first)
	}
	if !strings.Contains(string(first.Body), `"value": "***"`) {
		t.Errorf("body should be the masked one: %s", first.Body)
	}
	if doc.Jobs[3].Error != "HTTP 400: bad queue" {
		t.Errorf("error = %q", doc.Jobs[3].Error)
	}
	want := map[string]float64{"jobs": 5, "created": 1, "exists": 1, "duplicate": 1, "planned": 0, "failed": 1,
		"not_submitted": 1, "invalid": 0, "elapsed_seconds": 1.34}
	if diff := cmp.Diff(want, doc.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestWaitReport(t *testing.T) {
	r := fixtureReport()
	note := "exit code 3"
	wr := &outcome.Wait{
		Jobs: []outcome.Waited{
			{Job: r.Jobs[0], Detail: api.Detail{State: "completed"}},
			{Job: outcome.Job{Job: r.Jobs[3].Job, ID: "id-4"}, Detail: api.Detail{State: "failed", SystemNote: &note}},
		},
		SkippedExists: 2,
	}
	var out bytes.Buffer
	if err := NewApply(Text, Streams{Out: &out}, Options{}).Wait(wr); err != nil {
		t.Fatal(err)
	}
	want := `not waiting for 2 existing jobs: the API gives no id for a job found by its name
completed      acme::q/one  a.yaml:1  id id-1
failed         acme::q/three  b.yaml:9  id id-4  exit code 3
waited for 2 jobs: 1 completed, 1 did not
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	out.Reset()
	if err := NewApply(JSON, Streams{Out: &out}, Options{}).Wait(wr); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Wait []struct {
			ID, State  string
			SystemNote *string `json:"system_note"`
		} `json:"wait"`
		SkippedExists int `json:"skipped_exists"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Wait) != 2 || doc.Wait[1].State != "failed" || *doc.Wait[1].SystemNote != note || doc.SkippedExists != 2 {
		t.Errorf("json wait = %+v", doc)
	}
}

func TestWaitProgress(t *testing.T) {
	got := NewEdge(Streams{}, Options{}).WaitProgress([]api.Detail{{State: "running"}, {State: "completed"}, {State: "running"}, {}})
	if want := "waiting for 4 jobs: 2 running, 1 completed, 1 unknown"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRoundElapsed(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{in: 12345 * time.Microsecond, want: "12ms"},
		{in: 1340 * time.Millisecond, want: "1.3s"},
		{in: 125400 * time.Millisecond, want: "2m5s"},
	} {
		if got := roundElapsed(tc.in); got != tc.want {
			t.Errorf("roundElapsed(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		c    Command
		in   string
		want string // the error, "" when accepted
	}{
		{ValidateCommand, "junit", ""},
		{ApplyCommand, "json", ""},
		{StatusCommand, "text", ""},
		{ApplyCommand, "junit", "-o junit is for validate only; apply offers text, json, github"},
		{StatusCommand, "github", "-o github is for validate, apply and diff only; status offers text, json"},
		{ApplyCommand, "jsn", `unknown output format "jsn"; did you mean json?; apply offers text, json, github`},
		{StatusCommand, "yaml", `unknown output format "yaml"; status offers text, json`},
		{ValidateCommand, "\x1b[2J", `unknown output format "\x1b[2J"; validate offers text, json, github, junit, sarif, gitlab`},
	} {
		f, err := ParseFormat(tc.c, tc.in)
		switch {
		case tc.want == "" && (err != nil || string(f) != tc.in):
			t.Errorf("%s -o %s: %v, %v", tc.c, tc.in, f, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s -o %s: %v, want %s", tc.c, tc.in, err, tc.want)
		}
	}
}

// TestUnknownFormatIsAnError: a format a command does not offer writes
// nothing and fails, rather than falling back to text.
func TestUnknownFormatIsAnError(t *testing.T) {
	var out bytes.Buffer
	s := Streams{Out: &out, Err: &out}
	if err := NewApply(JUnit, s, Options{}).Apply(fixtureReport()); err == nil || !strings.Contains(err.Error(), "for validate only") {
		t.Errorf("apply -o junit: %v", err)
	}
	if err := NewValidate("yaml", s, Options{}).Validate(&plan.Plan{}); err == nil {
		t.Error("validate -o yaml: no error")
	}
	if err := NewEdge(s, Options{}).Status(GitHub, nil); err == nil {
		t.Error("status -o github: no error")
	}
	if out.Len() > 0 {
		t.Errorf("wrote %q", out.String())
	}
	for _, c := range Commands() {
		if fs := Formats(c); len(fs) < 2 || fs[0].Format != Text {
			t.Errorf("%s: formats %v: text first", c, fs)
		}
	}
}
