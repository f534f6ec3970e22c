package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
	for _, want := range []string{"MANIFESTS", "REFERENCES TO THE ENVIRONMENT", "SCHEDULE TIMES", "EXIT STATUS", "ENVIRONMENT", "EXAMPLE", "DAESTRO_API_KEY", `detailed\-exitcode`} {
		if code != 0 || !strings.Contains(page, want) {
			t.Errorf("the man page lacks %q (exit %d)", want, code)
		}
	}
}

// TestManPage: the page has the sections a man page has, every command's
// synopsis and options with placeholders, and man and mandoc read it
// without a warning, within 80 columns.
func TestManPage(t *testing.T) {
	code, page, errOut := runInProcess(t, nil, "man")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH OPTIONS",
		".SH ENVIRONMENT", `.SH "EXIT STATUS"`, ".SH EXAMPLES", ".SH \"SEE ALSO\"",
		`\fBdaestro\-jobs apply\fR \fB\-f\fR \fIPATH\fR`, `\fB\-\-concurrency\fR \fIN\fR`, `\fB\-\-seed\fR \fIN\fR`,
		"GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"help, h", `=""`, "\n\n"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	file := filepath.Join(t.TempDir(), "daestro-jobs.1")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("mandoc", func(t *testing.T) {
		if _, err := exec.LookPath("mandoc"); err != nil {
			t.Skip("mandoc is not installed (Debian package mandoc; .ci/run installs it)")
		}
		out, err := exec.Command("mandoc", "-T", "lint", "-W", "all", file).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("mandoc -T lint: %v\n%s", err, out)
		}
	})
	t.Run("man", func(t *testing.T) {
		if _, err := exec.LookPath("man"); err != nil {
			t.Skip("man is not installed (Debian package man-db; .ci/run installs it)")
		}
		cmd := exec.Command("man", "--warnings", "-l", file)
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "MAN_KEEP_FORMATTING=")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man -l: %v\n%s", err, stderr.String())
		}
		for _, l := range strings.Split(stdout.String(), "\n") {
			if n := utf8.RuneCountInString(l); n > 80 {
				t.Errorf("a line of %d columns: %q", n, l)
			}
		}
		if !strings.Contains(stdout.String(), "EXIT STATUS") {
			t.Errorf("man printed no page:\n%s", stdout.String())
		}
	})
}
