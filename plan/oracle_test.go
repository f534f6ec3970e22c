package plan

import (
	"fmt"
	"testing"
)

// TestGeneratedNameNoOracle: a variable that feeds a sensitive entry and
// also a parameter, the queue or a plain env value stays out of the
// generated name (hashed as written), so the tool cannot be used to test
// guesses of a secret against a name; a job whose sensitive entries use no
// variable of its other values keeps the name it had (issue 22 item 7).
func TestGeneratedNameNoOracle(t *testing.T) {
	nameOf := func(t *testing.T, yaml string, vars map[string]string) string {
		t.Helper()
		p := planOf(t, yaml, vars)
		if p.Errors() != 0 || len(p.Jobs) != 1 || !p.Jobs[0].NameGenerated {
			t.Fatalf("unexpected plan: %q", diagStrings(p))
		}
		return p.Jobs[0].Name
	}
	for _, where := range []string{
		"container_cmd_parameter: {pin: 'pin-${PIN}'}\n",
		"container_env:\n  SHOWN: 'x${PIN}'\n",
		"container_env:\n  SHOWN: {value: '${PIN}'}\n",
		"container_cmd_parameter: {a: '${OTHER:-${PIN}}'}\n",
	} {
		doc := head + where + "container_env:\n  SECRET_PIN: {value: '${PIN}', sensitive: true}\n"
		if where[:13] == "container_env" {
			doc = head + where + "  SECRET_PIN: {value: '${PIN}', sensitive: true}\n"
		}
		t.Run(where, func(t *testing.T) {
			first := nameOf(t, doc, map[string]string{"PIN": "0000"})
			for _, pin := range []string{"0001", "4821", "9999"} {
				if got := nameOf(t, doc, map[string]string{"PIN": pin}); got != first {
					t.Fatalf("PIN %s names the job %s, PIN 0000 %s: the name tells the PIN", pin, got, first)
				}
			}
		})
	}
	// No variable shared with a sensitive entry: the expanded value is
	// hashed, as before, so the names of such jobs did not change.
	doc := head + "container_cmd_parameter: {day: '${DAY}'}\ncontainer_env:\n  PW: {value: '${PW}', sensitive: true}\n"
	names := map[string]bool{}
	for i := range 3 {
		names[nameOf(t, doc, map[string]string{"DAY": fmt.Sprint(i), "PW": "pw"})] = true
	}
	if len(names) != 3 {
		t.Errorf("a parameter from a variable no sensitive entry uses no longer tells jobs apart: %v", names)
	}
	// The name this document had before (main at fc30db1, before this check).
	plain := head + "container_cmd_parameter: {day: '${DAY}'}\ncontainer_env:\n  PW: {value: '${PW}', sensitive: true}\n"
	if got, want := nameOf(t, plain, map[string]string{"DAY": "2026-11-28", "PW": "pw"}), "stdin-d8ae66901f3d"; got != want {
		t.Errorf("a job whose sensitive entries share no variable is named %s, want %s as before", got, want)
	}
}
