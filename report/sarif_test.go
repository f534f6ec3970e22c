package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

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
