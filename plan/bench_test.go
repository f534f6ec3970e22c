package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/bench/corpus"
	"github.com/daestro-jobs/daestro-jobs/manifest"
)

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
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("job-%06d.yaml", i)), []byte(corpus.Doc(i, false, true)), 0o644); err != nil {
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
