package outcome

import (
	"testing"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

func TestApplyFailed(t *testing.T) {
	clean := &plan.Plan{}
	broken := &plan.Plan{Diagnostics: []diag.Diagnostic{{File: "a.yaml", Message: "invalid YAML", Severity: diag.Error, Kind: diag.File}}}
	warned := &plan.Plan{Diagnostics: []diag.Diagnostic{{File: "a.yaml", Message: "in the past", Severity: diag.Warning}}}
	jobs := func(outcomes ...Outcome) []Job {
		var out []Job
		for _, o := range outcomes {
			out = append(out, Job{Outcome: o})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		a    Apply
		want bool
	}{
		{name: "all created", a: Apply{Plan: clean, Jobs: jobs(Created, Exists, Duplicate)}, want: false},
		{name: "dry run", a: Apply{Plan: warned, Jobs: jobs(Planned)}, want: false},
		{name: "a file that does not parse, no job loaded", a: Apply{Plan: broken}, want: true},
		{name: "one failed", a: Apply{Plan: clean, Jobs: jobs(Created, Failed)}, want: true},
		{name: "not submitted", a: Apply{Plan: clean, Jobs: jobs(NotSubmitted)}, want: true},
		{name: "invalid", a: Apply{Plan: clean, Jobs: jobs(Invalid)}, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Failed(); got != tc.want {
				t.Errorf("Failed() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	a := Apply{Jobs: []Job{{Outcome: Created}, {Outcome: Created}, {Outcome: Exists}, {Outcome: Failed}, {Outcome: Invalid}}}
	want := Counts{Jobs: 5, Created: 2, Exists: 1, Failed: 1, Invalid: 1}
	if got := a.Counts(); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
}

func TestWaitCompleted(t *testing.T) {
	w := Wait{Jobs: []Waited{{Detail: api.Detail{State: api.Completed}}, {Detail: api.Detail{State: api.Running}}}}
	if w.Completed() {
		t.Errorf("a running job counted as completed")
	}
	w.Jobs[1].Detail.State = api.Completed
	if !w.Completed() || !(&Wait{}).Completed() {
		t.Errorf("all completed, or none followed, is complete")
	}
}
