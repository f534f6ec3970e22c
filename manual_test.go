package main

import (
	"os"
	"strings"
	"testing"
)

// TestManualMatchesReadme: the man page (manual.md) and the README say the
// same about references, schedule forms and exit codes: every row of those
// README tables is in the manual as written, and the man page holds it.
func TestManualMatchesReadme(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, section := range []string{"## References to the environment", "## Schedule times", "Exit codes:"} {
		_, rest, ok := strings.Cut(string(readme), section)
		if !ok {
			t.Fatalf("README has no %q", section)
		}
		// The first table after the heading.
		_, table, _ := strings.Cut(rest, "\n|")
		for _, line := range strings.Split("|"+table, "\n") {
			if !strings.HasPrefix(line, "|") {
				break
			}
			if strings.HasPrefix(line, "| ---") || strings.HasPrefix(line, "| form") || strings.HasPrefix(line, "| written") || strings.HasPrefix(line, "| code") {
				continue
			}
			rows++
			if !strings.Contains(manual, line) {
				t.Errorf("README row not in manual.md (%s):\n%s", section, line)
			}
		}
	}
	if rows < 15 {
		t.Errorf("only %d rows compared; the README's tables moved", rows)
	}
	code, page, _ := runInProcess(t, nil, "man")
	for _, want := range []string{"MANIFESTS", "REFERENCES TO THE ENVIRONMENT", "SCHEDULE TIMES", "EXIT STATUS", "ENVIRONMENT", "EXAMPLE", "DAESTRO_API_KEY", "detailed-exitcode"} {
		if code != 0 || !strings.Contains(page, want) {
			t.Errorf("the man page lacks %q (exit %d)", want, code)
		}
	}
}
