package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// TestOneLetterSecret: a secret of one letter masks that letter wherever it
// is printed, and breaks nothing else: a re-apply still reads the server's
// "already exists" as it came (exists, not failed), -o json stays JSON, and
// the outcomes and counts, which are ours, stay legible.
func TestOneLetterSecret(t *testing.T) {
	_, _, url := startEmulator(t, emulator.Options{})
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(job, []byte("job_definition: acme::d:1\njob_queue: acme::q\nname: the-report\ncontainer_env:\n  P: {value: \"${DB_PASSWORD}\", sensitive: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DAESTRO_API_URL": url, "DAESTRO_API_KEY": "dk_test_5f0c2a9e7b41d836", "DB_PASSWORD": "t"}
	if code, out, errOut := runInProcess(t, vars, "apply", "-f", job); code != 0 || !strings.HasPrefix(out, "created ") {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runInProcess(t, vars, "apply", "-f", job)
	if code != 0 || !strings.HasPrefix(out, "exists ") || !strings.Contains(out, "1 job: 1 exists") {
		t.Errorf("re-apply: exit %d, want the job to exist:\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "the-report") {
		t.Errorf("the secret letter is printed in the job's name:\n%s", out)
	}
	code, out, _ = runInProcess(t, vars, "apply", "-o", "json", "-f", job)
	var doc struct {
		Jobs []struct {
			Outcome string `json:"outcome"`
			Name    string `json:"name"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("-o json: exit %d, not JSON (%v):\n%s", code, err, out)
	}
	if len(doc.Jobs) != 1 || doc.Jobs[0].Outcome != "exists" || strings.Contains(doc.Jobs[0].Name, "t") {
		t.Errorf("-o json jobs %+v: want exists, the name masked", doc.Jobs)
	}
}
