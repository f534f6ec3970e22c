package plan

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/schedule"
)

// FuzzLoad feeds arbitrary bytes through the loader and every check of a
// document: whatever the input, no panic, every diagnostic located in the
// file, and every valid job a JSON body with the required keys.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.yaml"))
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	for _, s := range append(seeds, examples...) {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(head + "container_env: {A: &x {value: '${A:-b}', sensitive: true}, B: *x}\n<<: {name: n}\n"))
	f.Add([]byte("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("a: &a {b: *a}\n"))
	f.Add([]byte("? [a]\n: b\n"))
	f.Add([]byte("<<: [*x]\n"))
	f.Add([]byte("---\n--- !!binary aGVsbG8=\n"))

	v := mustValidator(f)
	env := testEnv(map[string]string{"A": "1", "TOKEN": "t", "SECRET": "s"})
	f.Fuzz(func(t *testing.T, data []byte) {
		var docs []*manifest.Document
		problems, _ := manifest.Decode("fuzz.yaml", data, func(d *manifest.Document) { docs = append(docs, d) })
		// YAML ends lines at "\n", "\r", NEL, LS and PS: count them all (a
		// "\r\n" twice only loosens the bound).
		lines := 1
		for _, r := range string(data) {
			if r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 {
				lines++
			}
		}
		for _, dg := range problems {
			if dg.Line < 0 || dg.Line > lines || dg.File != "fuzz.yaml" || dg.Message == "" {
				t.Fatalf("badly located problem %+v (file has %d lines)", dg, lines)
			}
		}
		for _, d := range docs {
			c := check(d, Options{Env: env, Now: fixedNow, Validator: v, zones: &schedule.Zones{}})
			job, diags := c.job, c.diags
			for _, dg := range diags {
				if dg.Line < 0 || dg.Line > lines || dg.File != "fuzz.yaml" || dg.Message == "" {
					t.Fatalf("badly located diagnostic %+v (file has %d lines)", dg, lines)
				}
			}
			if job.Invalid {
				continue
			}
			raw, err := json.Marshal(job.Body)
			if err != nil {
				t.Fatalf("body does not encode: %v", err)
			}
			var body map[string]any
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, raw)
			}
			if body["job_definition"] == nil || body["job_queue"] == nil || body["name"] == nil {
				t.Fatalf("valid job without required keys: %s", raw)
			}
		}
	})
}
