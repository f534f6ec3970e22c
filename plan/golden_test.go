package plan

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/schema"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is the run's "now" in every plan test.
var fixedNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func testEnv(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func mustValidator(t testing.TB) *schema.Validator {
	t.Helper()
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestInvalidManifests checks every file in testdata/invalid against its
// golden list of diagnostics, exactly as `daestro-jobs apply` reports them
// (file:line:col: field.path: message). Run with -update to rewrite them.
func TestInvalidManifests(t *testing.T) {
	dir := filepath.Join("..", "testdata", "invalid")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test manifests in %s: %v", dir, err)
	}
	v := mustValidator(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			p, err := Build(context.Background(), Options{
				Source:    manifest.Source{Paths: []string{f}},
				Env:       testEnv(map[string]string{"TOKEN": "t0k3n", "SECRET": "s3cr3t"}),
				Now:       fixedNow,
				Validator: v,
			})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, d := range p.Diagnostics {
				b.WriteString(filepath.ToSlash(strings.ReplaceAll(d.String(), "../", "")))
				b.WriteByte('\n')
			}
			got := b.String()
			golden := filepath.Join(dir, name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./plan -run TestInvalidManifests -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("diagnostics differ (-want +got):\n%s", diff)
			}
		})
	}
}
