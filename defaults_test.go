package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultsCLI: -o json of validate and of a dry run lists the defaults
// files applied to each job; a defaults file named with -f holds no job and
// says so; an alias into another document gets its hint.
func TestDefaultsCLI(t *testing.T) {
	dir := t.TempDir() // outside any repository and the working directory: the chain is the manifest's own directory
	writeFile(t, filepath.Join(dir, "_defaults.yaml"), "x-env: &env {REGION: eu}\njob_definition: acme::report-builder:3\njob_queue: acme::nightly\ncontainer_env: *env\n")
	writeFile(t, filepath.Join(dir, "a.yaml"), "name: a\ncontainer_env:\n  TEAM: eu\n")
	defaults := filepath.Join(dir, "_defaults.yaml")

	type doc struct {
		Defaults []string        `json:"defaults"`
		Body     json.RawMessage `json:"body"`
	}
	code, out, errOut := runInProcess(t, nil, "validate", "-o", "json", "-f", dir)
	var v struct{ Documents []doc }
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || len(v.Documents) != 1 {
		t.Fatalf("validate: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if got := v.Documents[0].Defaults; len(got) != 1 || got[0] != defaults {
		t.Errorf("validate -o json: defaults %q, want [%q]", got, defaults)
	}

	code, out, errOut = runInProcess(t, nil, "apply", "--dry-run", "-o", "json", "-f", filepath.Join(dir, "a.yaml"))
	var a struct{ Jobs []doc }
	if err := json.Unmarshal([]byte(out), &a); err != nil || code != 0 || len(a.Jobs) != 1 {
		t.Fatalf("dry run: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	if got := a.Jobs[0].Defaults; len(got) != 1 || got[0] != defaults {
		t.Errorf("apply --dry-run -o json: defaults %q, want [%q]", got, defaults)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, a.Jobs[0].Body); err != nil {
		t.Fatal(err)
	}
	if want := `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"a","container_env":{"REGION":{"value":"eu"},"TEAM":{"value":"eu"}}}`; body.String() != want {
		t.Errorf("body %s\nwant %s", body.String(), want)
	}

	code, out, _ = runInProcess(t, nil, "validate", "-f", defaults, "-f", filepath.Join(dir, "a.yaml"))
	if code != 0 || !strings.Contains(out, defaults+": warning: a defaults file holds no job") {
		t.Errorf("-f a defaults file: exit %d\n%s", code, out)
	}

	writeFile(t, filepath.Join(dir, "two.yaml"), "x-common: &common\n  job_queue: acme::q\njob_definition: acme::a:1\n---\n<<: *common\njob_definition: acme::a:2\n")
	code, out, _ = runInProcess(t, nil, "validate", "-f", filepath.Join(dir, "two.yaml"))
	if code != 1 || !strings.Contains(out, "two.yaml:5:5: invalid YAML: unknown anchor 'common' referenced (it is defined at line 1, in another document); an anchor reaches only its own document") {
		t.Errorf("alias into another document: exit %d\n%s", code, out)
	}
}
