package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/internal/sarifcheck"
)

// The reports review tools read (SARIF for GitHub code scanning, Code
// Quality for GitLab merge requests), from the command, on the invalid
// manifests of testdata, named by a relative and by an absolute path.

// diagnosticCount is how many problems `validate -o json` reports.
func diagnosticCount(t *testing.T, path string) int {
	t.Helper()
	_, out, _ := runInProcess(t, nil, "validate", "-o", "json", "--now", "2026-11-28T12:00:00Z", "-f", path)
	var doc struct {
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return len(doc.Diagnostics)
}

func TestSARIFForCodeScanning(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	want := diagnosticCount(t, "testdata/invalid")
	var fingerprints [][]string
	for _, path := range []string{"testdata/invalid", abs} {
		code, out, errOut := runInProcess(t, nil, "validate", "-o", "sarif", "--now", "2026-11-28T12:00:00Z", "-f", path)
		if code != exitFailure || errOut != "" {
			t.Fatalf("-f %s: exit %d, stderr %q", path, code, errOut)
		}
		if err := sarifcheck.Validate([]byte(out)); err != nil {
			t.Fatalf("-f %s: not valid SARIF 2.1.0: %v", path, err)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID               string `json:"id"`
							ShortDescription struct{ Text string }
							FullDescription  struct{ Text string }
							Help             struct{ Text, Markdown string }
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				AutomationDetails  struct{ ID string } `json:"automationDetails"`
				OriginalURIBaseIDs map[string]struct {
					URI string `json:"uri"`
				} `json:"originalUriBaseIds"`
				Results []struct {
					PartialFingerprints map[string]string `json:"partialFingerprints"`
					Locations           []struct {
						PhysicalLocation struct {
							ArtifactLocation struct {
								URI       string `json:"uri"`
								URIBaseID string `json:"uriBaseId"`
							} `json:"artifactLocation"`
							Region struct{ StartLine, StartColumn int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		for _, r := range run.Tool.Driver.Rules {
			if r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.Help.Markdown == "" {
				t.Errorf("rule %s lacks a description or help: %+v", r.ID, r)
			}
		}
		// upload-sarif fills automationDetails.id from its category input
		// only when it is absent: without --sarif-category there is none.
		if run.AutomationDetails.ID != "" {
			t.Errorf("automationDetails.id = %q without --sarif-category", run.AutomationDetails.ID)
		}
		if root := run.OriginalURIBaseIDs["%SRCROOT%"].URI; !strings.HasPrefix(root, "file:///") || !strings.HasSuffix(root, "/") {
			t.Errorf("originalUriBaseIds %%SRCROOT%% = %q", root)
		}
		if len(run.Results) != want {
			t.Errorf("-f %s: %d results, want one per problem (%d)", path, len(run.Results), want)
		}
		var fps []string
		for i, r := range run.Results {
			loc := r.Locations[0].PhysicalLocation
			uri := loc.ArtifactLocation.URI
			if !strings.HasPrefix(uri, "testdata/invalid/") || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
				t.Errorf("-f %s: result %d at %q (base %q), want a path relative to the repository", path, i, uri, loc.ArtifactLocation.URIBaseID)
			}
			if loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
				t.Errorf("-f %s: result %d at %s has no line and column: %+v", path, i, uri, loc.Region)
			}
			fp := r.PartialFingerprints["primaryLocationLineHash"]
			if fp == "" {
				t.Errorf("-f %s: result %d has no fingerprint", path, i)
			}
			fps = append(fps, fp)
		}
		fingerprints = append(fingerprints, fps)
	}
	if diff := cmp.Diff(fingerprints[0], fingerprints[1]); diff != "" {
		t.Errorf("fingerprints differ between a relative and an absolute -f (-rel +abs):\n%s", diff)
	}
}

// TestSARIFFingerprintSurvivesMovedLines: a problem keeps its fingerprint
// when lines are added above it.
func TestSARIFFingerprintSurvivesMovedLines(t *testing.T) {
	dir := t.TempDir()
	bad := "job_definition: acme::d:1\njob_que: acme::q\n"
	fp := func(content string) (string, int) {
		p := filepath.Join(dir, "job.yaml")
		writeFile(t, p, content)
		_, out, _ := runInProcess(t, nil, "validate", "-o", "sarif", "--report-root", dir, "-f", p)
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID              string            `json:"ruleId"`
					PartialFingerprints map[string]string `json:"partialFingerprints"`
					Locations           []struct {
						PhysicalLocation struct {
							Region struct{ StartLine int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		for _, r := range log.Runs[0].Results {
			if strings.Contains(out, "job_que") && r.Locations[0].PhysicalLocation.Region.StartLine > 0 {
				if r.RuleID == "invalid-manifest" {
					return r.PartialFingerprints["primaryLocationLineHash"], r.Locations[0].PhysicalLocation.Region.StartLine
				}
			}
		}
		t.Fatalf("no result:\n%s", out)
		return "", 0
	}
	before, line := fp(bad)
	after, movedLine := fp("# a comment\n# and another\n" + bad)
	if before != after || movedLine != line+2 {
		t.Errorf("fingerprint %q at line %d became %q at line %d", before, line, after, movedLine)
	}
}

func TestGitLabCodeQuality(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join("testdata", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	want := diagnosticCount(t, "testdata/invalid")
	var runs [][]string
	for _, path := range []string{"testdata/invalid", abs} {
		code, out, errOut := runInProcess(t, nil, "validate", "-o", "gitlab", "--now", "2026-11-28T12:00:00Z", "-f", path)
		if code != exitFailure || errOut != "" {
			t.Fatalf("-f %s: exit %d, stderr %q", path, code, errOut)
		}
		var issues []struct {
			Description *string `json:"description"`
			CheckName   *string `json:"check_name"`
			Fingerprint *string `json:"fingerprint"`
			Severity    *string `json:"severity"`
			Location    *struct {
				Path  *string `json:"path"`
				Lines *struct {
					Begin *int `json:"begin"`
				} `json:"lines"`
			} `json:"location"`
		}
		if err := json.Unmarshal([]byte(out), &issues); err != nil {
			t.Fatalf("-f %s: not a JSON array: %v\n%s", path, err, out)
		}
		if len(issues) != want {
			t.Errorf("-f %s: %d entries, want one per problem (%d)", path, len(issues), want)
		}
		seen := map[string]bool{}
		var fps []string
		for i, is := range issues {
			switch {
			case is.Description == nil || *is.Description == "", is.CheckName == nil || *is.CheckName == "",
				is.Fingerprint == nil || *is.Fingerprint == "", is.Location == nil || is.Location.Path == nil,
				is.Location.Lines == nil || is.Location.Lines.Begin == nil || *is.Location.Lines.Begin < 1:
				t.Fatalf("-f %s: entry %d lacks a field GitLab requires: %s", path, i, out)
			}
			if s := *is.Severity; s != "info" && s != "minor" && s != "major" && s != "critical" && s != "blocker" {
				t.Errorf("severity %q is not one of GitLab's", s)
			}
			if p := *is.Location.Path; !strings.HasPrefix(p, "testdata/invalid/") {
				t.Errorf("-f %s: path %q, want relative to the repository", path, p)
			}
			if seen[*is.Fingerprint] {
				t.Errorf("fingerprint %s twice", *is.Fingerprint)
			}
			seen[*is.Fingerprint] = true
			fps = append(fps, *is.Fingerprint)
		}
		runs = append(runs, fps)
	}
	if diff := cmp.Diff(runs[0], runs[1]); diff != "" {
		t.Errorf("fingerprints differ between two runs (-first +second):\n%s", diff)
	}
}

// TestJUnitReadByJunitparser reads -o junit with a JUnit consumer nobody
// here wrote: Debian's python3-junitparser (installed by .ci/run). GitLab
// links a failure to its file by the file and line attributes; they must
// survive a real parser, relative to the repository.
func TestJUnitReadByJunitparser(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import junitparser").Run(); err != nil {
		t.Skipf("Debian's python3-junitparser is not installed (apt-get install python3-junitparser): %v", err)
	}
	code, out, _ := runInProcess(t, nil, "validate", "-o", "junit", "--now", "2026-11-28T12:00:00Z", "-f", "testdata/invalid")
	if code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	script := `
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromstring(sys.stdin.read())
tests = failures = 0
for suite in xml:
    for case in suite:
        tests += 1
        failed = any(isinstance(r, Failure) for r in case.result)
        failures += failed
        print(case._elem.get("file"), case._elem.get("line") or "-", "failed" if failed else "passed")
print("total", tests, failures)
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(out)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("junitparser: %v\n%s", err, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	var total, failed int
	if _, err := fmt.Sscanf(lines[len(lines)-1], "total %d %d", &total, &failed); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if total < 15 || failed < 15 {
		t.Errorf("junitparser read %d tests, %d failed, from the invalid manifests:\n%s", total, failed, got)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "testdata/invalid/") {
			t.Errorf("a testcase's file is not relative to the repository: %s", l)
		}
	}
}
