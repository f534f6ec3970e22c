package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/google/go-cmp/cmp"
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

// TestGitHubSummaryGrouped: the step summary's problem table says an unset
// variable once, as the text report does (one row at its first place, with
// the count), and keeps every other problem as a row, in validate and apply.
func TestGitHubSummaryGrouped(t *testing.T) {
	envFirst := unsetPlan()
	envFirst.Diagnostics = append([]diag.Diagnostic{{File: "ci.env", Line: 2, Kind: diag.File, Severity: diag.Warning, Unset: "DB_PASSWORD",
		Message: `variable "DB_PASSWORD" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${DB_PASSWORD:-}`}},
		envFirst.Diagnostics...)
	for _, tt := range []struct {
		name  string
		p     *plan.Plan
		apply bool
		want  []string // the table's rows after its header, in order
	}{
		{"validate", unsetPlan(), false, []string{
			`| warning | jobs/a.yaml | 7:12 |  | DB\_PASSWORD is unset: used in 9 places, first at jobs/a.yaml:` + wordJoiner + `7:12; export it or put it in an --env-file |`,
			`| error | jobs/e.yaml | 2:1 | job\_que | unknown key |`,
			`| warning | jobs/e.yaml | 9:9 | container\_env.REGION | variable "REGION" is not set; export it or put it in an --env-file |`,
		}},
		{"apply", unsetPlan(), true, []string{
			`| warning | jobs/a.yaml | 7:12 |  | DB\_PASSWORD is unset: used in 9 places, first at jobs/a.yaml:` + wordJoiner + `7:12; export it or put it in an --env-file |`,
			`| error | jobs/e.yaml | 2:1 | job\_que | unknown key |`,
			`| warning | jobs/e.yaml | 9:9 | container\_env.REGION | variable "REGION" is not set; export it or put it in an --env-file |`,
		}},
		{"first place in an env file", envFirst, false, []string{
			`| warning | ci.env | 2 |  | DB\_PASSWORD is unset: used in 10 places, first at ci.env:2; export it or put it in an --env-file |`,
			`| error | jobs/e.yaml | 2:1 | job\_que | unknown key |`,
			`| warning | jobs/e.yaml | 9:9 | container\_env.REGION | variable "REGION" is not set; export it or put it in an --env-file |`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, summary bytes.Buffer
			s := Streams{Out: &out, Err: &out, Summary: &summary}
			var err error
			if tt.apply {
				err = NewApply(GitHub, s, Options{}).Apply(&outcome.Apply{Plan: tt.p})
			} else {
				err = NewValidate(GitHub, s, Options{}).Validate(tt.p)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, table, ok := strings.Cut(summary.String(), "| Severity | File | Line | Field | Problem |\n| --- | --- | --- | --- | --- |\n")
			if !ok {
				t.Fatalf("no problem table in the summary:\n%s", summary.String())
			}
			table, _, _ = strings.Cut(table, "\n\n")
			if diff := cmp.Diff(tt.want, strings.Split(table, "\n")); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}
