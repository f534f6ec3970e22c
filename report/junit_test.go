package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// Types of the test's own, so the check does not lean on the printer's.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// jcase is a testcase as the test sees it: its suite, name, and failure
// text ("" when it passes).
type jcase struct {
	Suite, Name, Failure, SystemOut string
}

func TestJUnit(t *testing.T) {
	tests := []struct {
		name         string
		plan         *plan.Plan
		golden       string
		tests, fails int
		cases        []jcase
	}{
		{
			name: "problems", plan: fixtureValidatePlan(), golden: "junit.golden", tests: 5, fails: 3,
			cases: []jcase{
				{Suite: "a.yaml", Name: "acme::q/one", Failure: "a.yaml:1:1: job_queue: required key is missing\n" +
					"a.yaml:2:3: job_que: unknown key; did you mean \"job_queue\"?\n"},
				{Suite: "a.yaml", Name: "acme::q/two",
					SystemOut: "a.yaml:7:12: warning: container_env.A.value: 100% sure\\nsecond line <b>&amp;</b> | pipe\n"},
				{Suite: "broken.yaml", Name: "broken.yaml", Failure: "broken.yaml: cannot read: permission denied\n"},
				{Suite: "dir,x/b:c.yaml", Name: "dir,x/b:c.yaml#0",
					Failure: "dir,x/b:c.yaml:2:3: schedule_at: must be a time, e.g. 2026-11-28T12:00:00Z\n"},
				{Suite: "ok.yaml", Name: "acme::q/fine"},
			},
		},
		{
			name: "clean", plan: cleanPlan(), golden: "junit-clean.golden", tests: 1, fails: 0,
			cases: []jcase{{Suite: "ok.yaml", Name: "acme::q/fine"}},
		},
		{
			name: "only unreadable files", golden: "junit-unreadable.golden", tests: 2, fails: 2,
			plan: &plan.Plan{Files: 2, Diagnostics: []diag.Diagnostic{
				{File: "x.yaml", Message: "cannot read: no such file", Severity: diag.Error, Kind: diag.File},
				{File: "y.yaml", Line: 3, Message: "invalid YAML: bad indentation\x00", Severity: diag.Error, Kind: diag.File},
			}},
			cases: []jcase{
				{Suite: "x.yaml", Name: "x.yaml", Failure: "x.yaml: cannot read: no such file\n"},
				// XML cannot hold NUL: it is replaced, not written.
				{Suite: "y.yaml", Name: "y.yaml", Failure: "y.yaml:3: invalid YAML: bad indentation\\x00\n"},
			},
		},
		{
			name: "nothing", plan: &plan.Plan{}, golden: "junit-empty.golden",
		},
		{
			// GitLab keeps one test case per suite, class and name
			// (gitlab-org/gitlab, lib/gitlab/ci/reports/test_case.rb #key and
			// test_suite.rb #add_test_case): three identical documents would
			// show as one. Each document's name is unique in its file.
			name: "identical documents", golden: "junit-duplicates.golden", tests: 3, fails: 0,
			plan: tally(&plan.Plan{Files: 1, Jobs: []plan.Job{
				{File: "d.yaml", Line: 1, DocIndex: 0, Name: "same", Queue: "acme::q", DuplicateOf: -1},
				{File: "d.yaml", Line: 4, DocIndex: 1, Name: "same", Queue: "acme::q", DuplicateOf: 0},
				{File: "d.yaml", Line: 7, DocIndex: 2, Name: "same", Queue: "acme::q", DuplicateOf: 0},
			}}),
			cases: []jcase{
				{Suite: "d.yaml", Name: "acme::q/same"},
				{Suite: "d.yaml", Name: "acme::q/same#1"},
				{Suite: "d.yaml", Name: "acme::q/same#2"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			if err := NewValidate(JUnit, Streams{Out: &out, Err: &errw}, Options{}).Validate(tt.plan); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if errw.Len() != 0 {
				t.Errorf("stderr = %q", errw.String())
			}
			golden(t, tt.golden, out.String())
			// No consumer reads a testcase's line (GitLab's parser reads
			// classname, name, file and time), and a document's is not its
			// error's.
			if strings.Contains(out.String(), ` line="`) {
				t.Errorf("a line attribute:\n%s", out.String())
			}
			if !strings.HasPrefix(out.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
				t.Errorf("no XML header:\n%s", out.String())
			}
			var got xSuites
			if err := xml.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("not XML: %v\n%s", err, out.String())
			}
			if got.Tests != tt.tests || got.Failures != tt.fails {
				t.Errorf("testsuites tests=%d failures=%d, want %d and %d", got.Tests, got.Failures, tt.tests, tt.fails)
			}
			var cases []jcase
			for _, s := range got.Suites {
				fails := 0
				for _, c := range s.Cases {
					jc := jcase{Suite: s.Name, Name: c.Name, SystemOut: c.SystemOut}
					if c.Classname != s.Name {
						t.Errorf("testcase %s: classname %q, want the file %q", c.Name, c.Classname, s.Name)
					}
					if c.Failure != nil {
						fails++
						jc.Failure = c.Failure.Text
						if c.Failure.Message == "" {
							t.Errorf("testcase %s: failure without a message", c.Name)
						}
					}
					cases = append(cases, jc)
				}
				if s.Tests != len(s.Cases) || s.Failures != fails {
					t.Errorf("testsuite %s: tests=%d failures=%d, want %d and %d", s.Name, s.Tests, s.Failures, len(s.Cases), fails)
				}
			}
			if diff := cmp.Diff(tt.cases, cases); diff != "" {
				t.Errorf("testcases (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileOrder(t *testing.T) {
	d := func(file string) diag.Diagnostic { return diag.Diagnostic{File: file, Kind: diag.File} }
	j := func(file string) plan.Job { return plan.Job{File: file} }
	tests := []struct {
		name  string
		jobs  []plan.Job
		diags []diag.Diagnostic
		want  []string
	}{
		{"none", nil, nil, nil},
		{"jobs only", []plan.Job{j("a"), j("a"), j("b")}, nil, []string{"a", "b"}},
		{"diagnostics only", nil, []diag.Diagnostic{d("x"), d("y"), d("x")}, []string{"x", "y"}},
		{"unreadable between", []plan.Job{j("a"), j("c")}, []diag.Diagnostic{d("a"), d("b"), d("c")}, []string{"a", "b", "c"}},
		{"unreadable first, later job files kept in order", []plan.Job{j("b"), j("c"), j("d")},
			[]diag.Diagnostic{d("a"), d("c")}, []string{"a", "b", "c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fileOrder(&plan.Plan{Jobs: tt.jobs, Diagnostics: tt.diags})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fileOrder (-want +got):\n%s", diff)
			}
		})
	}
}
