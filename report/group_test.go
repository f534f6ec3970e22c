package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// unsetPlan is a plan whose documents use DB_PASSWORD, unset, in 9 places
// and REGION in one, with a real error among them.
func unsetPlan() *plan.Plan {
	p := &plan.Plan{Files: 9, Documents: 9}
	for i := range 9 {
		f := "jobs/" + string(rune('a'+i)) + ".yaml"
		p.Diagnostics = append(p.Diagnostics, diag.Diagnostic{File: f, Line: 7, Col: 12, Path: "container_env.DB_PASSWORD.value",
			Message: `variable "DB_PASSWORD" is not set; export it or put it in an --env-file`, Severity: diag.Warning, Unset: "DB_PASSWORD", Doc: i})
		if i == 4 {
			p.Diagnostics = append(p.Diagnostics, diag.Diagnostic{File: f, Line: 2, Col: 1, Path: "job_que", Message: "unknown key", Severity: diag.Error, Doc: i},
				diag.Diagnostic{File: f, Line: 9, Col: 9, Path: "container_env.REGION", Message: `variable "REGION" is not set; export it or put it in an --env-file`,
					Severity: diag.Warning, Unset: "REGION", Doc: i})
		}
	}
	return p
}

// TestUnsetGrouped: an unset variable is said once per variable in text
// and under -o github (one annotation); -o json keeps every place.
func TestUnsetGrouped(t *testing.T) {
	var out bytes.Buffer
	if err := NewValidate(Text, Streams{Out: &out, Err: &out}, Options{}).Validate(unsetPlan()); err != nil {
		t.Fatal(err)
	}
	want := `warning: DB_PASSWORD is unset: used in 9 places, first at jobs/a.yaml:7:12; export it or put it in an --env-file
jobs/e.yaml:2:1: job_que: unknown key
jobs/e.yaml:9:9: warning: container_env.REGION: variable "REGION" is not set; export it or put it in an --env-file
`
	if got := out.String(); !strings.HasPrefix(got, want) {
		t.Errorf("text:\n%s\nwant it to begin:\n%s", got, want)
	}

	out.Reset()
	if err := NewValidate(GitHub, Streams{Out: &out, Err: &out}, Options{}).Validate(unsetPlan()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "::warning "); n != 2 {
		t.Errorf("%d warning annotations, want 2 (one per variable):\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "::warning file=jobs/a.yaml,line=7,col=12,title=daestro-jobs validate::DB_PASSWORD is unset: used in 9 places") {
		t.Errorf("no grouped annotation at the first place:\n%s", out.String())
	}

	out.Reset()
	if err := NewValidate(JSON, Streams{Out: &out, Err: &out}, Options{}).Validate(unsetPlan()); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Diagnostics []json.RawMessage }
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Diagnostics) != 11 {
		t.Errorf("-o json lists %d diagnostics, want every place (11)", len(doc.Diagnostics))
	}
}

// TestRunErrorAnnotation: a run that stopped (key refused) is one
// annotation without a file, and the refused jobs get none of their own.
func TestRunErrorAnnotation(t *testing.T) {
	a := &outcome.Apply{Plan: &plan.Plan{}, RunError: "the server refused the API key (HTTP 401: bad key)"}
	for i, o := range []outcome.Outcome{outcome.Failed, outcome.NotSubmitted, outcome.NotSubmitted} {
		a.Jobs = append(a.Jobs, outcome.Job{Job: &plan.Job{File: "jobs/x.yaml", Line: i + 1, Queue: "acme::q", Name: "j"}, Outcome: o,
			Error: "HTTP 401: bad key", Refused: o == outcome.Failed})
	}
	var out bytes.Buffer
	if err := NewApply(GitHub, Streams{Out: &out, Err: &out}, Options{}).Apply(a); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "::error"); n != 1 || !strings.Contains(out.String(), "::error title=daestro-jobs apply::the server refused the API key") {
		t.Errorf("want one ::error without a file:\n%s", out.String())
	}
}

// TestStatusTimestamps: status writes times as apply does, UTC with
// milliseconds, whatever precision and offset the server sent.
func TestStatusTimestamps(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-29T02:00:00.123456Z": "2026-11-29T02:00:00.123Z",
		"2026-11-29T03:00:00+01:00":   "2026-11-29T02:00:00.000Z",
		"2026-11-29T02:00:00.1Z":      "2026-11-29T02:00:00.100Z",
		"not a time":                  "not a time",
	} {
		if got := timestamp(in); got != want {
			t.Errorf("timestamp(%q) = %q, want %q", in, got, want)
		}
	}
}
