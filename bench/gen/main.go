// Command gen writes the benchmark corpora of bench/run.sh: directories of
// one-job manifests and one many-document file, realistic (about 15 lines, $VAR
// references, a sensitive value, schedule_at in every form) with 1% invalid,
// plus a copy with apiVersion/kind for kubeconform and its local schema.
//
//	go run ./bench/gen -out /tmp/corpus -n 1000,10000 -multi 10000 -k8s 10000
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/schema"
)

// Env is what the corpus references; written to OUT/bench.env.
const Env = `DB_PASSWORD=not-a-real-password
API_TOKEN=not-a-real-token
REGION=eu-central-1
BUCKET=reports-prod
`

func main() {
	out := flag.String("out", "", "output directory (created)")
	ns := flag.String("n", "1000,10000", "comma-separated sizes of one-job-per-file corpora (OUT/files-N)")
	multi := flag.Int("multi", 10000, "documents in OUT/multi-N/jobs.yaml (0: none)")
	k8s := flag.String("k8s", "10000", "comma-separated sizes of kubeconform corpora with apiVersion/kind (OUT/k8s-N)")
	apply := flag.String("apply", "", "comma-separated sizes of all-valid corpora for daestro-jobs apply (OUT/apply-N)")
	flag.Parse()
	if *out == "" {
		log.Fatal("gen: -out is required")
	}
	must(os.MkdirAll(*out, 0o755))
	must(os.WriteFile(filepath.Join(*out, "bench.env"), []byte(Env), 0o644))
	for _, n := range sizes(*ns) {
		writeDir(filepath.Join(*out, fmt.Sprintf("files-%d", n)), n, false, false)
	}
	for _, n := range sizes(*k8s) {
		writeDir(filepath.Join(*out, fmt.Sprintf("k8s-%d", n)), n, true, false)
	}
	for _, n := range sizes(*apply) {
		writeDir(filepath.Join(*out, fmt.Sprintf("apply-%d", n)), n, false, true)
	}
	if *multi > 0 {
		dir := filepath.Join(*out, fmt.Sprintf("multi-%d", *multi))
		must(os.MkdirAll(dir, 0o755))
		var b strings.Builder
		for i := range *multi {
			if i > 0 {
				b.WriteString("---\n")
			}
			b.WriteString(doc(i, false, false))
		}
		must(os.WriteFile(filepath.Join(dir, "jobs.yaml"), []byte(b.String()), 0o644))
	}
	writeK8sSchema(filepath.Join(*out, "schemas"))
}

func sizes(s string) []int {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			log.Fatalf("gen: bad size %q", f)
		}
		out = append(out, n)
	}
	return out
}

// writeDir writes n files in 100 team directories, as a monorepo would.
func writeDir(dir string, n int, k8s, valid bool) {
	for t := range 100 {
		must(os.MkdirAll(filepath.Join(dir, fmt.Sprintf("team-%02d", t)), 0o755))
	}
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("team-%02d", i%100), fmt.Sprintf("job-%06d.yaml", i))
		must(os.WriteFile(p, []byte(doc(i, k8s, valid)), 0o644))
	}
}

var schedules = []string{
	`"2030-01-07T02:00:00Z"`,
	`"2030-01-07T03:00:00+01:00"`,
	`1893981600`,
	`+15m`,
	`+1h30m`,
	`2030-01-01 06:30 Europe/Berlin`,
	``, // unscheduled
}

// doc is job i: unless valid, every 100th is invalid in one of four ways the
// schema sees.
func doc(i int, k8s, valid bool) string {
	var b strings.Builder
	if k8s {
		b.WriteString("apiVersion: daestro.com/v1\nkind: DaestroJob\n")
	} else {
		b.WriteString("# yaml-language-server: $schema=../../schema/jobs.schema.json\n")
	}
	def := fmt.Sprintf("acme::report-builder:%d", i%7+1)
	queue := fmt.Sprintf("acme::nightly-%02d", i%50)
	extra := ""
	if i%100 == 99 && !valid {
		switch (i / 100) % 4 {
		case 0:
			def = "acme/report-builder" // bad pattern
		case 1:
			queue = "" // empty: bad pattern
		case 2:
			extra = "retires: 3\n" // unknown key
		case 3:
			def = "" // with queue kept, job_definition empty
		}
	}
	fmt.Fprintf(&b, "job_definition: %s\n", def)
	if queue != "" {
		fmt.Fprintf(&b, "job_queue: %s\n", queue)
	}
	fmt.Fprintf(&b, "name: report-%06d\n", i)
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
	b.WriteString(extra)
	if s := schedules[i%len(schedules)]; s != "" {
		fmt.Fprintf(&b, "schedule_at: %s\n", s)
	}
	return b.String()
}

// writeK8sSchema writes the job schema with apiVersion and kind allowed, under
// the name kubeconform's -schema-location template asks for.
func writeK8sSchema(dir string) {
	var s map[string]any
	must(json.Unmarshal([]byte(schema.JSON()), &s))
	delete(s, "$id")
	props := s["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"type": "string"}
	props["kind"] = map[string]any{"type": "string"}
	data, err := json.MarshalIndent(s, "", "  ")
	must(err)
	must(os.MkdirAll(dir, 0o755))
	// -schema-location 'DIR/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json'
	must(os.WriteFile(filepath.Join(dir, "daestrojob-v1.json"), data, 0o644))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
