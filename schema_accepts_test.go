package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/schema"
)

// TestPrintedSchemaAcceptsValidManifests: what `daestro-jobs schema` prints
// is what editors validate manifests against (yaml-language-server reads the
// YAML as plain values, no conversion of ours). Every document the tool
// itself takes as valid, in the examples and in the test scripts, must be
// valid for it too, compiled and run by jsonschema/v5 on its own.
func TestPrintedSchemaAcceptsValidManifests(t *testing.T) {
	code, printed, _ := runInProcess(t, nil, "schema")
	if code != 0 {
		t.Fatalf("daestro-jobs schema: exit %d", code)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource("printed.json", strings.NewReader(printed)); err != nil {
		t.Fatal(err)
	}
	printedSchema, err := c.Compile("printed.json")
	if err != nil {
		t.Fatal(err)
	}

	files := schemaCorpus(t, false)
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		p := toolPlan(t, v, f)
		docs := plainDocuments(t, f)
		for _, j := range p.Jobs {
			if j.Invalid {
				continue
			}
			checked++
			if err := printedSchema.Validate(docs[j.DocIndex]); err != nil {
				t.Errorf("%s:%d: valid for daestro-jobs, not for its printed schema: %v", f, j.Line, err)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d valid documents checked; the corpus went missing", checked)
	}
}

// toolPlan is what daestro-jobs validate makes of a file, offline.
func toolPlan(t *testing.T, v *schema.Validator, f string) *plan.Plan {
	t.Helper()
	p, err := plan.Build(context.Background(), plan.Options{
		Source: manifest.Source{Paths: []string{f}}, Env: func(string) (string, bool) { return "", false },
		Now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), UnsetIsWarning: true, Keep: plan.KeepJobs, Validator: v,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// schemaCorpus lists the manifests of the examples and of the test scripts
// (written to a temporary directory) and, with invalid, the invalid ones of
// testdata too.
func schemaCorpus(t *testing.T, invalid bool) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	examples, _ := filepath.Glob(filepath.Join("examples", "*.yaml"))
	files = append(files, examples...)
	if invalid {
		for _, g := range []string{"testdata/invalid/*.yaml", "testdata/action/*/jobs/*.yaml", "testdata/action/*/jobs/*/*.yaml"} {
			more, _ := filepath.Glob(g)
			files = append(files, more...)
		}
	}
	scripts, _ := filepath.Glob(filepath.Join("testdata", "script", "*.txtar"))
	for _, s := range scripts {
		a, err := txtar.ParseFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if ext := filepath.Ext(f.Name); ext != ".yaml" && ext != ".yml" {
				continue
			}
			p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(s), ".txtar"), f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	return files
}

// plainDocuments reads every document of a file as an editor would: YAML
// to JSON values as written, numbers as numbers, dates as strings.
func plainDocuments(t *testing.T, path string) map[int]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]any{}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for i := 0; ; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return out
		}
		if budget := 100000; fits(&n, &budget) { // an alias bomb is left out
			out[i] = plainValue(&n)
		}
	}
}

// fits reports whether n, aliases followed, has at most *budget nodes.
func fits(n *yaml.Node, budget *int) bool {
	if *budget--; *budget < 0 {
		return false
	}
	if n.Kind == yaml.AliasNode {
		return fits(n.Alias, budget)
	}
	for _, c := range n.Content {
		if !fits(c, budget) {
			return false
		}
	}
	return true
}

func plainValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return plainValue(n.Content[0])
	case yaml.AliasNode:
		return plainValue(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, plainValue(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			// A merge key stays the key "<<" it is written as: editors
			// (yaml-language-server) validate it so.
			k, v := n.Content[i], n.Content[i+1]
			out[k.Value] = plainValue(v)
		}
		return out
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return n.Value
}
