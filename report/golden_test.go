package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// fixtureValidatePlan is a validation with every kind of problem: errors and
// a warning in documents, an unreadable file, an unnamed invalid document,
// and values that need escaping in every format (%, newlines, : and , in a
// file name, <, &, | and quotes in messages).
func fixtureValidatePlan() *plan.Plan {
	return tally(&plan.Plan{
		Files: 4,
		Jobs: []plan.Job{
			{File: "a.yaml", Line: 1, Col: 1, DocIndex: 0, Name: "one", Queue: "acme::q", DuplicateOf: -1, Invalid: true},
			{File: "a.yaml", Line: 5, Col: 1, DocIndex: 1, Name: "two", Queue: "acme::q", DuplicateOf: -1},
			{File: "dir,x/b:c.yaml", Line: 1, Col: 1, DocIndex: 0, DuplicateOf: -1, Invalid: true},
			{File: "ok.yaml", Line: 1, Col: 1, DocIndex: 0, Name: "fine", Queue: "acme::q", DuplicateOf: -1},
		},
		Diagnostics: []diag.Diagnostic{
			{File: "a.yaml", Line: 1, Col: 1, Path: "job_queue", Message: "required key is missing", Severity: diag.Error, Doc: 0},
			{File: "a.yaml", Line: 2, Col: 3, EndCol: 10, Path: "job_que", Message: `unknown key; did you mean "job_queue"?`, Severity: diag.Error, Doc: 0},
			{File: "a.yaml", Line: 7, Col: 12, Path: "container_env.A.value", Message: "100% sure\nsecond line <b>&amp;</b> | pipe", Severity: diag.Warning, Doc: 1},
			{File: "broken.yaml", Message: "cannot read: permission denied", Severity: diag.Error, Kind: diag.File},
			{File: "dir,x/b:c.yaml", Line: 2, Col: 3, Path: "schedule_at", Message: "must be a time, e.g. 2026-11-28T12:00:00Z", Severity: diag.Error, Doc: 2},
		},
	})
}

// tally sets the counts plan.Build keeps, from a fixture's jobs.
func tally(p *plan.Plan) *plan.Plan {
	p.Documents, p.Invalid = len(p.Jobs), 0
	for _, j := range p.Jobs {
		if j.Invalid {
			p.Invalid++
		}
	}
	return p
}

// cleanPlan is a validation that found nothing wrong.
func cleanPlan() *plan.Plan {
	return tally(&plan.Plan{Files: 1, Jobs: []plan.Job{
		{File: "ok.yaml", Line: 1, Col: 1, DocIndex: 0, Name: "fine", Queue: "acme::q", DuplicateOf: -1},
	}})
}
