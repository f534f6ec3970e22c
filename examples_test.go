package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
)

// TestExamples keeps the bundled examples true: every one validates with no
// error or warning and plans with the README's quick-start command.
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("examples", "*.yaml"))
	if len(files) < 4 {
		t.Fatalf("want at least 4 examples, found %d", len(files))
	}
	for _, f := range files {
		if manifest.IsDefaultsName(filepath.Base(f)) {
			continue // shared settings, no job of its own
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			code, out, errOut := runInProcess(t, nil, "validate", "--env-file", "examples/example.env", "-f", f)
			if code != 0 || strings.Contains(out, "warning:") || errOut != "" {
				t.Errorf("validate %s: exit %d\n%s%s", f, code, out, errOut)
			}
		})
	}
	code, out, errOut := runInProcess(t, nil, "apply", "--dry-run", "--env-file", "examples/example.env", "-f", "examples/")
	if code != 0 || errOut != "" || !strings.Contains(out, "planned") {
		t.Errorf("the README's quick start: exit %d\n%s%s", code, out, errOut)
	}
	for _, secret := range []string{"example-db-password-not-real", "sk_test_example_not_real"} {
		if strings.Contains(out, secret) {
			t.Errorf("dry run shows the secret %q", secret)
		}
	}
}

// writeCorpus writes n one-job manifests like the ones teams commit.
func writeCorpus(tb testing.TB, dir string, n int) {
	tb.Helper()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("team-%02d", i%50))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			tb.Fatal(err)
		}
		doc := fmt.Sprintf(`# yaml-language-server: $schema=../../schema/jobs.schema.json
job_definition: acme::report-builder:%d
job_queue: acme::nightly-%02d
name: report-%06d
container_cmd: ["build-report", "--day", "Param::day", "--format", "Param::fmt"]
container_cmd_parameter:
  day: "2026-11-28"
  fmt: pdf
  retries: 3
container_env:
  S3_BUCKET: reports-prod
  REGION: ${REGION:-eu-central-1}
  DB_PASSWORD:
    value: ${DB_PASSWORD}
    sensitive: true
schedule_at: "2026-11-29T02:00:00Z"
`, i%7+1, i%50, i)
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("job-%06d.yaml", i)), []byte(doc), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkValidate10k runs `daestro-jobs validate` in-process on 10,000 one-job
// files: go test -run '^$' -bench Validate10k -benchtime 5x .
func BenchmarkValidate10k(b *testing.B) {
	dir := b.TempDir()
	const n = 10_000
	writeCorpus(b, dir, n)
	vars := map[string]string{"DB_PASSWORD": "x"}
	b.ResetTimer()
	for b.Loop() {
		code, out, _ := runInProcess(b, vars, "validate", "-f", dir)
		if code != 0 {
			b.Fatalf("exit %d: %s", code, out[:min(len(out), 500)])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
