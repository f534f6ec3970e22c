package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/sarifcheck"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// xSarif is the part of SARIF 2.1.0 the test checks, in types of its own.
type xSarif struct {
	Schema  *string `json:"$schema"`
	Version *string `json:"version"`
	Runs    []struct {
		Tool *struct {
			Driver *struct {
				Name           *string `json:"name"`
				InformationURI string  `json:"informationUri"`
				Rules          []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   *struct {
				Text *string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// sresult is a result as the test sees it.
type sresult struct {
	Rule, Level, Text, URI string
	Line, Col              int
}

func TestSARIF(t *testing.T) {
	tests := []struct {
		name    string
		plan    *plan.Plan
		golden  string
		results []sresult
	}{
		{
			name: "problems", plan: fixtureValidatePlan(), golden: "sarif.golden",
			results: []sresult{
				{"invalid-manifest", "error", "job_queue: required key is missing", "a.yaml", 1, 1},
				{"invalid-manifest", "error", `job_que: unknown key; did you mean "job_queue"?`, "a.yaml", 2, 3},
				{"manifest-warning", "warning", "container_env.A.value: 100% sure\nsecond line <b>&amp;</b> | pipe", "a.yaml", 7, 12},
				{"unreadable-file", "error", "cannot read: permission denied", "broken.yaml", 1, 1},
				{"invalid-manifest", "error", "schedule_at: must be a time, e.g. 2026-11-28T12:00:00Z", "dir,x/b:c.yaml", 2, 3},
			},
		},
		{name: "clean", plan: cleanPlan(), golden: "sarif-clean.golden", results: []sresult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			if err := NewValidate(SARIF, Streams{Out: &out, Err: &errw}, Options{}).Validate(tt.plan); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if errw.Len() != 0 {
				t.Errorf("stderr = %q", errw.String())
			}
			golden(t, tt.golden, out.String())
			if err := sarifcheck.Validate(out.Bytes()); err != nil {
				t.Errorf("not valid SARIF 2.1.0: %v", err)
			}

			var log xSarif
			if err := json.Unmarshal(out.Bytes(), &log); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out.String())
			}
			if log.Version == nil || *log.Version != "2.1.0" {
				t.Fatalf("version = %v, want 2.1.0", log.Version)
			}
			if log.Schema == nil || *log.Schema == "" {
				t.Errorf("no $schema")
			}
			if len(log.Runs) != 1 {
				t.Fatalf("%d runs, want 1", len(log.Runs))
			}
			run := log.Runs[0]
			if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil || *run.Tool.Driver.Name != "daestro-jobs" {
				t.Fatalf("runs[0].tool.driver.name missing or not jobs")
			}
			if run.Tool.Driver.InformationURI == "" {
				t.Errorf("no informationUri")
			}
			rules := map[string]int{}
			for i, r := range run.Tool.Driver.Rules {
				rules[r.ID] = i
			}
			if run.Results == nil {
				t.Fatalf("results missing; SARIF wants [] when there are none")
			}
			got := []sresult{}
			for i, r := range run.Results {
				if r.Message == nil || r.Message.Text == nil || *r.Message.Text == "" {
					t.Fatalf("results[%d].message.text missing", i)
				}
				if idx, ok := rules[r.RuleID]; !ok || r.RuleIndex == nil || *r.RuleIndex != idx {
					t.Errorf("results[%d]: ruleId %q (index %v) is not among the driver's rules", i, r.RuleID, r.RuleIndex)
				}
				if len(r.Locations) != 1 {
					t.Fatalf("results[%d]: %d locations, want 1", i, len(r.Locations))
				}
				pl := r.Locations[0].PhysicalLocation
				s := sresult{Rule: r.RuleID, Level: r.Level, Text: *r.Message.Text, URI: pl.ArtifactLocation.URI}
				if pl.Region != nil {
					if pl.Region.StartLine < 1 {
						t.Errorf("results[%d]: startLine %d, SARIF wants at least 1", i, pl.Region.StartLine)
					}
					s.Line, s.Col = pl.Region.StartLine, pl.Region.StartColumn
				}
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.results, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileURI(t *testing.T) {
	tests := []struct {
		in       string
		relative bool
		want     string
	}{
		{"jobs/a.yaml", true, "jobs/a.yaml"},
		{"my jobs/a b.yaml", true, "my%20jobs/a%20b.yaml"},
		{"100%.yaml", true, "100%25.yaml"},
		{"c:d.yaml", true, "./c:d.yaml"}, // not a scheme
		{"/abs/a.yaml", false, "file:///abs/a.yaml"},
		{"<stdin>", false, "%3Cstdin%3E"},
	}
	for _, tt := range tests {
		if got := fileURI(tt.in, tt.relative); got != tt.want {
			t.Errorf("fileURI(%q, %v) = %q, want %q", tt.in, tt.relative, got, tt.want)
		}
	}
}

func TestRelPath(t *testing.T) {
	o := Options{Root: "/repo", Cwd: "/repo/sub"}
	tests := []struct {
		in     string
		want   string
		inRoot bool
	}{
		{"jobs/a.yaml", "sub/jobs/a.yaml", true},
		{"/repo/jobs/a.yaml", "jobs/a.yaml", true},
		{"../jobs/a.yaml", "jobs/a.yaml", true},
		{"../../elsewhere/a.yaml", "/elsewhere/a.yaml", false},
		{"/repo2/a.yaml", "/repo2/a.yaml", false},
		{"<stdin>", "<stdin>", false},
	}
	for _, tt := range tests {
		got, in := o.relPath(tt.in)
		if got != tt.want || in != tt.inRoot {
			t.Errorf("relPath(%q) = %q, %v; want %q, %v", tt.in, got, in, tt.want, tt.inRoot)
		}
	}
	if got, in := (Options{}).relPath("jobs/a.yaml"); got != "jobs/a.yaml" || !in {
		t.Errorf("without a root: %q, %v", got, in)
	}
}

// sarifRun is what TestSARIFConsumerRules reads of a run.
type sarifRunView struct {
	Tool struct {
		Driver struct {
			Version         string `json:"version"`
			SemanticVersion string `json:"semanticVersion"`
		} `json:"driver"`
	} `json:"tool"`
	Invocations []struct {
		ExecutionSuccessful        bool `json:"executionSuccessful"`
		ToolExecutionNotifications []struct {
			Level   string `json:"level"`
			Message struct{ Text string }
		} `json:"toolExecutionNotifications"`
	} `json:"invocations"`
	AutomationDetails *struct{ ID string } `json:"automationDetails"`
	ColumnKind        string               `json:"columnKind"`
	Results           []struct {
		Level     string `json:"level"`
		Locations []struct {
			PhysicalLocation struct {
				Region *struct{ StartLine, StartColumn, EndLine, EndColumn int } `json:"region"`
			} `json:"physicalLocation"`
		} `json:"locations"`
	} `json:"results"`
}

func sarifOf(t *testing.T, p *plan.Plan, o Options) sarifRunView {
	t.Helper()
	var out bytes.Buffer
	if err := NewValidate(SARIF, Streams{Out: &out, Err: &bytes.Buffer{}}, o).Validate(p); err != nil {
		t.Fatal(err)
	}
	// The OASIS schema takes seconds over 25,000 results: a large log is
	// checked with its results cut to the first ten, the rest being alike.
	checked := out.Bytes()
	if len(p.Diagnostics) > 100 {
		var log map[string]any
		if err := json.Unmarshal(checked, &log); err != nil {
			t.Fatal(err)
		}
		run := log["runs"].([]any)[0].(map[string]any)
		run["results"] = run["results"].([]any)[:10]
		checked, _ = json.Marshal(log)
	}
	if err := sarifcheck.Validate(checked); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v", err)
	}
	var log struct{ Runs []sarifRunView }
	if err := json.Unmarshal(out.Bytes(), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("%v, %d runs", err, len(log.Runs))
	}
	return log.Runs[0]
}

// TestSARIFConsumerRules holds the report to what GitHub code scanning
// documents ("SARIF support for code scanning", docs.github.com/en/
// code-security/reference/code-scanning/sarif-files/sarif-support-for-code-scanning)
// and upload-sarif does (github/codeql-action, src/upload-lib.ts).
func TestSARIFConsumerRules(t *testing.T) {
	t.Run("at most 25,000 results, errors first, the rest counted", func(t *testing.T) {
		// "Results per run: 25,000" (the limits table): GitHub rejects more.
		p := &plan.Plan{Files: 1}
		for i := range 25010 {
			sev := diag.Warning
			if i >= 20 { // the errors come last in the plan
				sev = diag.Error
			}
			p.Diagnostics = append(p.Diagnostics, diag.Diagnostic{File: "a.yaml", Line: i + 1, Col: 1, Message: "m", Severity: sev})
		}
		run := sarifOf(t, p, Options{})
		if len(run.Results) != 25000 {
			t.Fatalf("%d results, want 25000", len(run.Results))
		}
		errs := 0
		for _, r := range run.Results {
			if r.Level == "error" {
				errs++
			}
		}
		if errs != 24990 || run.Results[0].Level != "error" || run.Results[24999].Level != "warning" {
			t.Errorf("%d errors kept, first %s, last %s: want every error first", errs, run.Results[0].Level, run.Results[24999].Level)
		}
		if len(run.Invocations) != 1 || len(run.Invocations[0].ToolExecutionNotifications) != 1 ||
			!strings.HasPrefix(run.Invocations[0].ToolExecutionNotifications[0].Message.Text, "10 problems left out") {
			t.Errorf("no notification saying 10 were left out: %+v", run.Invocations)
		}
		if !run.Invocations[0].ExecutionSuccessful {
			t.Errorf("executionSuccessful is false")
		}
	})
	t.Run("no notification under the limit", func(t *testing.T) {
		if run := sarifOf(t, fixtureValidatePlan(), Options{}); run.Invocations != nil {
			t.Errorf("invocations: %+v", run.Invocations)
		}
	})
	t.Run("columnKind and the region's end", func(t *testing.T) {
		// The region's properties table lists endLine and endColumn; columnKind
		// says what a column counts (SARIF 2.1.0 §3.14.17): yaml.v3 counts
		// characters, so code points, not UTF-16 units.
		run := sarifOf(t, fixtureValidatePlan(), Options{})
		if run.ColumnKind != "unicodeCodePoints" {
			t.Errorf("columnKind %q", run.ColumnKind)
		}
		r := run.Results[1].Locations[0].PhysicalLocation.Region
		if r == nil || *r != (struct{ StartLine, StartColumn, EndLine, EndColumn int }{2, 3, 2, 10}) {
			t.Errorf("region of job_que: %+v, want 2:3 to 2:10", r)
		}
		r = run.Results[0].Locations[0].PhysicalLocation.Region // no known end: a point
		if r == nil || r.EndLine != 1 || r.EndColumn != 1 {
			t.Errorf("region without a known end: %+v", r)
		}
	})
	t.Run("no region on a result about a directory", func(t *testing.T) {
		p := &plan.Plan{Diagnostics: []diag.Diagnostic{{File: "jobs/", Message: "no job manifests found", Severity: diag.Error, Kind: diag.Run}}}
		run := sarifOf(t, p, Options{})
		if r := run.Results[0].Locations[0].PhysicalLocation.Region; r != nil {
			t.Errorf("a directory has no lines, yet region %+v", r)
		}
	})
	t.Run("the tool's version", func(t *testing.T) {
		run := sarifOf(t, cleanPlan(), Options{Version: "v1.4.0-rc.1"})
		if d := run.Tool.Driver; d.Version != "v1.4.0-rc.1" || d.SemanticVersion != "1.4.0-rc.1" {
			t.Errorf("version %q, semanticVersion %q", d.Version, d.SemanticVersion)
		}
		run = sarifOf(t, cleanPlan(), Options{Version: "(devel)"})
		if d := run.Tool.Driver; d.Version != "(devel)" || d.SemanticVersion != "" {
			t.Errorf("a build without a version: version %q, semanticVersion %q", d.Version, d.SemanticVersion)
		}
	})
	t.Run("automationDetails only with a category", func(t *testing.T) {
		// upload-sarif sets automationDetails.id from its category input only
		// when the run has none (populateRunAutomationDetails), and appends
		// "/" as we do; an id of our own would make two uploads collide.
		if run := sarifOf(t, cleanPlan(), Options{}); run.AutomationDetails != nil {
			t.Errorf("automationDetails without a category: %+v", run.AutomationDetails)
		}
		for cat, want := range map[string]string{"manifests": "manifests/", "jobs/prod/": "jobs/prod/"} {
			run := sarifOf(t, cleanPlan(), Options{Category: cat})
			if run.AutomationDetails == nil || run.AutomationDetails.ID != want {
				t.Errorf("category %q: automationDetails %+v, want id %q", cat, run.AutomationDetails, want)
			}
		}
	})
}
