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

	"github.com/daestro-jobs/daestro-jobs/bench/corpus"
	"github.com/daestro-jobs/daestro-jobs/schema"
)

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
	must(os.WriteFile(filepath.Join(*out, "bench.env"), []byte(corpus.Env), 0o644))
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
			b.WriteString(corpus.Doc(i, false, false))
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
		must(os.WriteFile(p, []byte(corpus.Doc(i, k8s, valid)), 0o644))
	}
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
