package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayout holds the stages to their rooms: YAML is the manifest stage's
// business alone, and the report stage renders values without knowing any
// HTTP (README, How the code is laid out).
func TestLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	const module = "github.com/daestro-jobs/daestro-jobs"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		for _, imp := range strings.Fields(imports) {
			if imp == "gopkg.in/yaml.v3" && !strings.HasPrefix(rel, "manifest") && rel != "bench/floor" {
				t.Errorf("%s imports yaml.v3: decoding YAML belongs to manifest/", pkg)
			}
		}
	}
	deps, err := exec.Command("go", "list", "-deps", "./report", "./outcome", "./plan", "./diag").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if d == "net/http" || d == module+"/apiclient" {
			t.Errorf("report, outcome, plan or diag depends on %s: rendering and planning need no HTTP", d)
		}
	}
}
