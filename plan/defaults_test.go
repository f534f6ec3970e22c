package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/google/go-cmp/cmp"
)

// writeTree writes files under dir.
func writeTree(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// buildIn plans paths with dir as the working directory.
func buildIn(t *testing.T, dir string, vars map[string]string, paths ...string) *Plan {
	t.Helper()
	t.Chdir(dir)
	p, err := Build(context.Background(), Options{
		Source:    manifest.Source{Paths: paths},
		Env:       testEnv(vars),
		Now:       fixedNow,
		Validator: mustValidator(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var defaultsRepo = map[string]string{
	".git/HEAD":              "ref: refs/heads/main\n",
	"_defaults.yaml":         "job_definition: acme::report-builder:3\ncontainer_env:\n  DB_PASSWORD: {value: '${DB_PASSWORD}', sensitive: true}\n  REGION: eu\n",
	"jobs/_defaults.yaml":    "job_queue: acme::nightly\ncontainer_cmd: [build, Param::day]\n",
	"jobs/eu/_defaults.yaml": "container_cmd_parameter: {day: '2026-11-28'}\ncontainer_env:\n  REGION: eu-west-1\n",
	"jobs/eu/b.yaml":         "container_env:\n  TEAM: eu\n",
	"jobs/a.yaml":            "name: a\ncontainer_cmd_parameter: {day: mon}\n",
}

// TestDefaultsSameBody: a manifest resolves to the same body however it is
// named and wherever the run starts.
func TestDefaultsSameBody(t *testing.T) {
	repo := t.TempDir()
	writeTree(t, repo, defaultsRepo)
	vars := map[string]string{"DB_PASSWORD": "s3cret-password"}
	b := filepath.Join(repo, "jobs", "eu", "b.yaml")
	var bodies []string
	for _, way := range []struct{ cwd, path string }{
		{repo, "jobs/"},
		{repo, "jobs/eu/b.yaml"},
		{filepath.Join(repo, "jobs", "eu"), "b.yaml"},
		{t.TempDir(), b}, // another working directory, outside the repository
	} {
		p := buildIn(t, way.cwd, vars, way.path)
		if p.Errors() > 0 {
			t.Fatalf("-f %s from %s: %v", way.path, way.cwd, diagStrings(p))
		}
		found := false
		for _, j := range p.Jobs {
			if filepath.Base(j.File) == "b.yaml" {
				bodies = append(bodies, bodyJSON(t, j.Body))
				found = true
			}
		}
		if !found {
			t.Fatalf("-f %s from %s: no job from b.yaml", way.path, way.cwd)
		}
	}
	want := `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"b-` // the rest: below
	for i, got := range bodies {
		if !strings.HasPrefix(got, want) || got != bodies[0] {
			t.Errorf("way %d: %s\nwant %s", i, got, bodies[0])
		}
	}
	if !strings.Contains(bodies[0], `"container_cmd":["build","Param::day"],"container_cmd_parameter":{"day":"2026-11-28"},"container_env":{"DB_PASSWORD":{"value":"s3cret-password","sensitive":true},"REGION":{"value":"eu-west-1"},"TEAM":{"value":"eu"}}`) {
		t.Errorf("merged body: %s", bodies[0])
	}
}

// TestDefaultsDiagnostics: a problem with a value from a defaults file is
// reported at that file's line and column, naming the manifest; a problem of
// the defaults file itself is reported once.
func TestDefaultsDiagnostics(t *testing.T) {
	repo := t.TempDir()
	writeTree(t, repo, map[string]string{
		".git/HEAD":             "x\n",
		"jobs/_defaults.yaml":   "job_definition: acme::a:1\njob_queue: acme::bad queue\ncontainer_env:\n  TOKEN: {value: literal-token-value, sensitive: true}\n  HOST: ${HOST}\nx-anchors: &a {b: c}\n",
		"jobs/a.yaml":           "name: a\n",
		"jobs/b.yaml":           "name: b\njob_queue: acme::good\n",
		"broken/_defaults.yaml": "job_queue: [\n",
		"broken/c.yaml":         "name: c\n",
		"broken/d.yaml":         "name: d\n",
	})
	p := buildIn(t, repo, nil, "jobs", "broken")
	want := []string{
		"jobs/_defaults.yaml:2:12: job_queue: must look like project_code::queue_name, the queue name made of letters, digits and hyphens, e.g. acme::nightly (in the defaults applied to jobs/a.yaml)",
		"jobs/_defaults.yaml:4:18: container_env.TOKEN.value: sensitive value is written literally in the manifest; take it from the environment, e.g. value: ${TOKEN} (or pass --allow-literal-secrets) (in the defaults applied to jobs/a.yaml)",
		"jobs/_defaults.yaml:5:9: container_env.HOST: variable \"HOST\" is not set; export it or put it in an --env-file (in the defaults applied to jobs/a.yaml)",
		"jobs/_defaults.yaml:4:18: container_env.TOKEN.value: sensitive value is written literally in the manifest; take it from the environment, e.g. value: ${TOKEN} (or pass --allow-literal-secrets) (in the defaults applied to jobs/b.yaml)",
		"jobs/_defaults.yaml:5:9: container_env.HOST: variable \"HOST\" is not set; export it or put it in an --env-file (in the defaults applied to jobs/b.yaml)",
		"broken/_defaults.yaml:1: invalid YAML: did not find expected node content",
		"broken/c.yaml:1:1: not checked: the defaults file broken/_defaults.yaml that applies to it has errors",
		"broken/d.yaml:1:1: not checked: the defaults file broken/_defaults.yaml that applies to it has errors",
	}
	if diff := cmp.Diff(want, diagStrings(p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, s := range diagStrings(p) {
		if strings.Contains(s, "literal-token-value") {
			t.Errorf("a secret in a diagnostic: %s", s)
		}
	}
	if p.Jobs[0].Defaults[0] != "jobs/_defaults.yaml" {
		t.Errorf("defaults of a.yaml: %v", p.Jobs[0].Defaults)
	}
}

// TestDefaultsChangeGeneratedNames: an unnamed job's name hashes the merged
// document, so a change to its defaults gives it a new name.
func TestDefaultsChangeGeneratedNames(t *testing.T) {
	repo := t.TempDir()
	writeTree(t, repo, defaultsRepo)
	vars := map[string]string{"DB_PASSWORD": "s3cret-password"}
	name := func() string {
		p := buildIn(t, repo, vars, "jobs/eu/b.yaml")
		return p.Jobs[0].Name
	}
	before := name()
	writeTree(t, repo, map[string]string{"jobs/eu/_defaults.yaml": "container_cmd_parameter: {day: '2026-11-29'}\n"})
	if after := name(); after == before {
		t.Errorf("the defaults changed, the generated name did not: %s", after)
	}
	// A secret's value is no part of it.
	vars["DB_PASSWORD"] = "rotated-password"
	writeTree(t, repo, map[string]string{"jobs/eu/_defaults.yaml": defaultsRepo["jobs/eu/_defaults.yaml"]})
	if after := name(); after != before {
		t.Errorf("a rotated secret changed the generated name: %s, was %s", after, before)
	}
}

// BenchmarkDefaults validates 10,000 manifests whose bodies come from three
// levels of defaults, against the same bodies written whole in each
// manifest. The target: defaults within 1.2× of none.
func BenchmarkDefaults(b *testing.B) {
	const n = 10_000
	full := func(i int) string {
		return fmt.Sprintf(`job_definition: acme::report-builder:3
job_queue: acme::nightly-%02d
name: report-%06d
container_cmd: ["build-report", "--day", "Param::day", "--format", "Param::fmt"]
container_cmd_parameter:
  day: "2026-11-28"
  fmt: pdf
container_env:
  S3_BUCKET: reports-prod
  REGION: ${REGION:-eu-central-1}
  DB_PASSWORD:
    value: ${DB_PASSWORD}
    sensitive: true
schedule_at: "2026-11-29T02:00:00Z"
`, i%50, i)
	}
	own := func(i int) string {
		return fmt.Sprintf("name: report-%06d\n", i)
	}
	// withDefaults: three levels of defaults; short: the manifests hold
	// only their names, the rest coming from the defaults (else each holds
	// its whole body, the defaults merged under it all the same).
	write := func(b *testing.B, withDefaults, short bool) string {
		dir := b.TempDir()
		files := map[string]string{".git/HEAD": "x\n"}
		if withDefaults {
			files["_defaults.yaml"] = "job_definition: acme::report-builder:3\ncontainer_env:\n  S3_BUCKET: reports-prod\n  DB_PASSWORD:\n    value: ${DB_PASSWORD}\n    sensitive: true\n"
			files["jobs/_defaults.yaml"] = "container_cmd: [\"build-report\", \"--day\", \"Param::day\", \"--format\", \"Param::fmt\"]\ncontainer_cmd_parameter:\n  day: \"2026-11-28\"\n  fmt: pdf\ncontainer_env:\n  REGION: ${REGION:-eu-central-1}\n"
		}
		for i := range n {
			team := fmt.Sprintf("jobs/team-%02d", i%50)
			if withDefaults {
				files[team+"/_defaults.yaml"] = fmt.Sprintf("job_queue: acme::nightly-%02d\nschedule_at: \"2026-11-29T02:00:00Z\"\n", i%50)
			}
			if short {
				files[fmt.Sprintf("%s/job-%06d.yaml", team, i)] = own(i)
			} else {
				files[fmt.Sprintf("%s/job-%06d.yaml", team, i)] = full(i)
			}
		}
		writeTree(b, dir, files)
		return dir
	}
	v := mustValidator(b)
	// build validates the corpus in dir and returns the wall time and the
	// CPU time (user and system, of the whole process) it took: on a
	// machine shared with other work the CPU time is the steadier one.
	build := func(b *testing.B, dir string) (wall, cpu time.Duration) {
		cpu0 := cpuTime()
		start := time.Now()
		p, err := Build(context.Background(), Options{
			Source:    manifest.Source{Paths: []string{filepath.Join(dir, "jobs")}, Dir: dir},
			Env:       testEnv(map[string]string{"DB_PASSWORD": "s3cret-password"}),
			Now:       fixedNow,
			Validator: v,
			Keep:      KeepProblems,
		})
		wall, cpu = time.Since(start), cpuTime()-cpu0
		if err != nil || p.Documents != n || p.Errors() > 0 {
			b.Fatalf("%v: %d documents, %v", err, p.Documents, diagStrings(p)[:min(3, len(diagStrings(p)))])
		}
		return wall, cpu
	}
	// The three corpora are validated in turn in every iteration, so that
	// a machine shared with other work slows each alike; the ratios are
	// the result.
	corpora := []string{
		write(b, false, false), // none: every body written whole
		write(b, true, true),   // 3levels: the same bodies, from three levels of defaults
		write(b, true, false),  // under-whole: whole bodies, three levels merged under each
	}
	var wall, cpu [3]time.Duration
	for b.Loop() {
		for i, dir := range corpora {
			w, c := build(b, dir)
			wall[i] += w
			cpu[i] += c
		}
	}
	b.ReportMetric(wall[0].Seconds()/float64(b.N), "s-none/op")
	b.ReportMetric(wall[1].Seconds()/wall[0].Seconds(), "wall-3levels/none")
	b.ReportMetric(wall[2].Seconds()/wall[0].Seconds(), "wall-under-whole/none")
	b.ReportMetric(cpu[1].Seconds()/cpu[0].Seconds(), "cpu-3levels/none")
	b.ReportMetric(cpu[2].Seconds()/cpu[0].Seconds(), "cpu-under-whole/none")
}
