package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
)

// benchDoc is job i as bench/gen writes it: about 15 lines, references, a
// sensitive value or two, parameters and a schedule in one of its forms.
func benchDoc(i int) string {
	schedules := []string{`"2030-01-07T02:00:00Z"`, `"2030-01-07T03:00:00+01:00"`, `1893981600`, `+15m`, `+1h30m`, `2030-01-01 06:30 Europe/Berlin`, ``}
	var b strings.Builder
	fmt.Fprintf(&b, "job_definition: acme::report-builder:%d\njob_queue: acme::nightly-%02d\nname: report-%06d\n", i%7+1, i%50, i)
	b.WriteString(`container_cmd: ["build-report", "--day", "Param::day", "--format", "Param::fmt"]
container_cmd_parameter:
  day: "2030-01-06"
  fmt: pdf
container_env:
  S3_BUCKET: $BUCKET
  REGION: ${REGION:-eu-central-1}
  LOG_LEVEL: info
  DB_PASSWORD:
    value: ${DB_PASSWORD}
    sensitive: true
`)
	if i%3 == 0 {
		b.WriteString("  API_TOKEN:\n    value: \"Bearer ${API_TOKEN}\"\n    sensitive: true\n")
	}
	if s := schedules[i%len(schedules)]; s != "" {
		fmt.Fprintf(&b, "schedule_at: %s\n", s)
	}
	return b.String()
}

// BenchmarkBuild plans 1,000 one-job files (in 10 directories) as
// `daestro-jobs validate` does (unset variables are warnings, no job kept):
// the per-document cost of reading, decoding, checking, naming and
// digesting, whose allocations -benchmem counts exactly. bench/compare.sh
// times the whole process against an earlier commit.
func BenchmarkBuild(b *testing.B) {
	const n = 1000
	dir := b.TempDir()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("team-%02d", i%10))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("job-%06d.yaml", i)), []byte(benchDoc(i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	v := mustValidator(b)
	env := testEnv(map[string]string{"DB_PASSWORD": "not-a-real-password", "API_TOKEN": "not-a-real-token", "REGION": "eu-central-1", "BUCKET": "reports-prod"})
	for b.Loop() {
		p, err := Build(context.Background(), Options{
			Source:         manifest.Source{Paths: []string{dir}},
			Env:            env,
			Now:            fixedNow,
			Validator:      v,
			UnsetIsWarning: true,
			Keep:           KeepProblems,
		})
		if err != nil || p.Documents != n || p.Errors() > 0 {
			b.Fatalf("%v: %d documents, %q", err, p.Documents, diagStrings(p)[:min(3, len(p.Diagnostics))])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "docs/s")
}
