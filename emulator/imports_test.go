package emulator_test

import (
	"os/exec"
	"strings"
	"testing"
)

// module is the module this repository builds.
const module = "github.com/daestro-jobs/daestro-jobs"

// TestSharesNoCode holds the emulator to being a test double written from the
// API's documentation (docs/api.md): neither it, nor its tests, nor the
// program its memory test builds imports any package of this module but
// itself. A double that borrowed the tool's schema, wire types or helpers
// would agree with the tool's mistakes, and every end-to-end test with them.
func TestSharesNoCode(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list the imports with")
	}
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}", ".", "./testdata/rssserver").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	own := map[string]bool{
		module + "/emulator":                    true,
		module + "/emulator_test":               true,
		module + "/emulator.test":               true,
		module + "/emulator/testdata/rssserver": true,
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "[") {
			continue // the "[… .test]" of a package built for the tests
		}
		if (pkg == module || strings.HasPrefix(pkg, module+"/")) && !own[pkg] {
			t.Errorf("the emulator depends on %s: it must share no code with the tool it tests", pkg)
		}
	}
}
