package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChooseFormat runs the app in-process: the format and the step summary
// follow the environment the app is given, never the process's own.
func TestChooseFormat(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(manifest, []byte("job_definition: acme::d:1\njob_queue: acme::q\nname: n\ncontainer_env:\n  T:\n    value: ${T}\n    sensitive: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The process environment says GitHub Actions; the app's does not, so
	// it must not be consulted.
	decoy := filepath.Join(dir, "decoy.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", decoy)

	tests := []struct {
		name        string
		vars        map[string]string
		args        []string
		wantCode    int
		wantPrefix  string // of stdout
		wantSummary string // "" for no summary file
	}{
		{name: "plain", args: []string{"validate", "-f", manifest}, wantPrefix: manifest + ":6:12: warning: "},
		{name: "github actions", vars: map[string]string{"GITHUB_ACTIONS": "true"},
			args: []string{"validate", "-f", manifest}, wantPrefix: "::warning file="},
		{name: "not exactly true", vars: map[string]string{"GITHUB_ACTIONS": "1"},
			args: []string{"validate", "-f", manifest}, wantPrefix: manifest + ":6:12: warning: "},
		{name: "-o wins", vars: map[string]string{"GITHUB_ACTIONS": "true"},
			args: []string{"validate", "-o", "json", "-f", manifest}, wantPrefix: "{"},
		{name: "-o github anywhere", args: []string{"validate", "-o", "github", "-f", manifest}, wantPrefix: "::warning file="},
		{name: "step summary", vars: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "SUMMARY"},
			args: []string{"validate", "-f", manifest}, wantPrefix: "::warning file=", wantSummary: "### daestro-jobs validate\n"},
		{name: "no summary from other formats", vars: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "SUMMARY"},
			args: []string{"validate", "-o", "sarif", "-f", manifest}, wantPrefix: "{"},
		{name: "apply", vars: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "SUMMARY", "T": "secret-value-71"},
			args: []string{"apply", "--dry-run", "-f", manifest}, wantPrefix: "planned ", wantSummary: "### daestro-jobs apply\n"},
		{name: "apply refuses junit", vars: map[string]string{"GITHUB_ACTIONS": "true"},
			args: []string{"apply", "--dry-run", "-o", "junit", "-f", manifest}, wantCode: exitUsage},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary := filepath.Join(dir, "summary", tt.name+".md")
			if err := os.MkdirAll(filepath.Dir(summary), 0o755); err != nil {
				t.Fatal(err)
			}
			vars := map[string]string{}
			for k, v := range tt.vars {
				if v == "SUMMARY" {
					v = summary
				}
				vars[k] = v
			}
			code, out, errOut := runInProcess(t, vars, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("case %d: exit %d, want %d\n%s%s", i, code, tt.wantCode, out, errOut)
			}
			if !strings.HasPrefix(out, tt.wantPrefix) {
				t.Errorf("stdout does not start with %q:\n%s", tt.wantPrefix, out)
			}
			b, err := os.ReadFile(summary)
			switch {
			case tt.wantSummary == "" && err == nil:
				t.Errorf("a step summary was written:\n%s", b)
			case tt.wantSummary != "" && err != nil:
				t.Errorf("no step summary: %v", err)
			case tt.wantSummary != "" && !strings.HasPrefix(string(b), tt.wantSummary):
				t.Errorf("step summary does not start with %q:\n%s", tt.wantSummary, b)
			}
			// Under GitHub Actions the runner is told to mask each secret, on
			// stderr before anything else; nowhere else may it appear.
			if tt.vars["GITHUB_ACTIONS"] == "true" && tt.vars["T"] != "" {
				mask := "::add-mask::" + tt.vars["T"] + "\n"
				if !strings.HasPrefix(errOut, mask) {
					t.Errorf("stderr does not start with %q:\n%s", mask, errOut)
				}
				errOut = strings.TrimPrefix(errOut, mask)
			}
			if strings.Contains(out+errOut+string(b), "secret-value-71") {
				t.Errorf("a secret was printed")
			}
			if _, err := os.Stat(decoy); err == nil {
				t.Errorf("the process's GITHUB_STEP_SUMMARY was written")
			}
		})
	}
}
