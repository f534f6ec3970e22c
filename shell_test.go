package main

// Tests of the built binary, run by its name from PATH under bash -e -c and
// sh -c as a GitHub Actions or GitLab step runs it. What in-process scripts
// cannot see shows up here: a shell builtin of the same name (bash's jobs),
// the name go build gives the binary, completion in a real shell, signals
// while reading input, a full disk.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBuiltBinary takes the module built as `go install` would name it
// (builtBinary), puts it on PATH and runs it by name.
func TestBuiltBinary(t *testing.T) {
	// -o DIR/ names the binary after the module path's last element, as
	// go install does: that is what makes it "daestro-jobs".
	bin := builtBinary(t)
	if _, err := os.Stat(filepath.Join(bin, "daestro-jobs")); err != nil {
		t.Fatalf("go build did not name the binary daestro-jobs: %v", err)
	}
	t.Run("by name", func(t *testing.T) { testRunByName(t, bin) })
	t.Run("interrupted while reading stdin", func(t *testing.T) { testInterruptWhileReadingStdin(t, bin) })
	t.Run("completion in bash", func(t *testing.T) { testCompletionInBash(t, bin) })
	t.Run("the emulator's hint works", func(t *testing.T) { testEmulatorHint(t, bin) })
}

// testEmulatorHint starts the emulator as the README does and runs the
// command it suggests, by name, on the bundled examples: it must work as
// printed. Ctrl-C then stops the emulator.
func testEmulatorHint(t *testing.T, bin string) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	emu := exec.Command(filepath.Join(bin, "daestro-jobs"), "emulator", "--addr", "127.0.0.1:0")
	stdout, err := emu.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	defer emu.Process.Kill()
	lines := bufio.NewScanner(stdout)
	var hint string
	for lines.Scan() {
		if h, ok := strings.CutPrefix(lines.Text(), "try: "); ok {
			hint = h
			break
		}
	}
	if !strings.Contains(hint, "--env-file examples/example.env") {
		t.Fatalf("the emulator's hint %q does not work on the bundled examples", hint)
	}
	code, out := shell(t, bin, repo, "bash", hint)
	if code != 0 || !strings.Contains(out, "7 jobs: 7 created") {
		t.Errorf("the hint %q: exit %d\n%s", hint, code, out)
	}
	if err := emu.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := emu.Wait(); err != nil || !strings.Contains(string(rest), "emulator stopped") {
		t.Errorf("Ctrl-C: %v, %q", err, rest)
	}
}

// shell runs script with the binary in bin on PATH, in dir, and returns the
// exit code and the combined output. A run that does not end within a
// minute fails the test: the point of several of these is that nothing hangs.
func shell(t *testing.T, bin, dir, sh string, script string) (int, string) {
	t.Helper()
	args := []string{"-c", script}
	if sh == "bash" {
		args = []string{"-e", "-c", script}
	}
	cmd := exec.Command(sh, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("%s -c %q did not end within a minute:\n%s", sh, script, out.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// cleanEnv is the process environment without anything that would change
// what the tool does (a real key or URL, GitHub Actions).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DAESTRO_") || strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "PATH=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func testRunByName(t *testing.T, bin string) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	for name, content := range map[string]string{
		"tabs/job.yaml":  "job_definition: acme::d:1\njob_queue: acme::q\ncontainer_env:\n\tA: b\n",
		"ok/job.yaml":    "job_definition: acme::d:1\njob_queue: acme::q\nname: n\n",
		"empty/.keep":    "",
		"empty/notes.md": "not a manifest\n",
		// issue 21: a working directory whose name holds '#' or '%' once broke the
		// schema's compilation (its name was resolved against it as a URL).
		"C#%zz/job.yaml": "job_definition: acme::d:1\njob_queue: acme::q\nname: n\n",
	} {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(work, "fifo.env"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir, sh, script string
		code                  int
		want                  string // in the output
	}{
		{name: "the README's main job", dir: repo, sh: "bash",
			script: "daestro-jobs apply --dry-run --env-file examples/example.env -f examples/", code: 0, want: "planned"},
		{name: "validate the examples in sh", dir: repo, sh: "sh",
			script: "daestro-jobs validate -f examples/", code: 0, want: "0 errors"},
		{name: "version by name and as a flag", dir: repo, sh: "bash",
			script: "daestro-jobs version && daestro-jobs --version", code: 0, want: "daestro-jobs version "},
		{name: "validate from a directory named C#%zz", dir: filepath.Join(work, "C#%zz"), sh: "sh",
			script: "daestro-jobs validate -f job.yaml", code: 0, want: "0 errors"},
		{name: "apply from a directory named C#%zz", dir: filepath.Join(work, "C#%zz"), sh: "sh",
			script: "daestro-jobs apply --dry-run -f job.yaml", code: 0, want: "planned"},
		{name: "a tab-indented file alone", dir: work, sh: "bash",
			script: "daestro-jobs apply --dry-run -f tabs/", code: 1, want: "tabs/job.yaml:4:1: invalid YAML: a tab in indentation"},
		{name: "an empty directory: validate", dir: work, sh: "sh",
			script: "daestro-jobs validate -f empty/", code: 1, want: "empty/: no job manifests found"},
		{name: "an empty directory: apply", dir: work, sh: "bash",
			script: "DAESTRO_API_KEY=dk_test_3c5e0f71a9b2 daestro-jobs apply -f empty/", code: 1, want: "empty/: no job manifests found"},
		{name: "an empty directory allowed", dir: work, sh: "sh",
			script: "daestro-jobs validate --allow-empty -f empty/", code: 0, want: "warning: no job manifests found"},
		{name: "stdout on a full disk", dir: work, sh: "bash",
			script: "daestro-jobs apply --dry-run --detailed-exitcode -f ok/ > /dev/full", code: 1, want: "writing the report"},
		{name: "a usage error with --detailed-exitcode", dir: work, sh: "sh",
			script: "daestro-jobs apply --detailed-exitcode --no-such-flag -f ok/", code: 1, want: "unknown flag --no-such-flag"},
		{name: "a usage error", dir: work, sh: "sh",
			script: "daestro-jobs apply --no-such-flag -f ok/", code: 2, want: "unknown flag --no-such-flag"},
		{name: "a FIFO as --env-file", dir: work, sh: "bash",
			script: "daestro-jobs validate --env-file fifo.env -f ok/", code: 1, want: "fifo.env: not a regular file (a named pipe)"},
		{name: "a FIFO as --api-key-file", dir: work, sh: "bash",
			script: "daestro-jobs apply --api-key-file fifo.env -f ok/", code: 2, want: "not a regular file (a named pipe)"},
		{name: "a FIFO named as a manifest", dir: work, sh: "sh",
			script: "daestro-jobs validate -f fifo.env", code: 1, want: "not a regular file (a named pipe)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := shell(t, bin, tc.dir, tc.sh, tc.script)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("%s -c %q: exit %d, want %d with %q in:\n%s", tc.sh, tc.script, code, tc.code, tc.want, out)
			}
		})
	}
}

// testInterruptWhileReadingStdin: Ctrl-C ends a run that is waiting for
// input on stdin, promptly and with 130.
func testInterruptWhileReadingStdin(t *testing.T, bin string) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			cmd := exec.Command(filepath.Join(bin, "daestro-jobs"), "validate", "-f", "-")
			cmd.Stdin = r
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			// More than a pipe holds: once this write returns, the tool is
			// reading stdin, so its signal handling is in place. Then no
			// more input and no end of it: it waits.
			if _, err := w.Write(bytes.Repeat([]byte("# a comment line\n"), 16<<10)); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
					t.Errorf("ended with %v, want exit %d:\n%s", err, exitInterrupted, out.String())
				}
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("did not end within a minute of %v while reading stdin", sig)
			}
		})
	}
}

// testCompletionInBash sources `daestro-jobs completion bash` in a real bash
// and asks it to complete, as pressing Tab does.
func testCompletionInBash(t *testing.T, bin string) {
	for _, tc := range []struct {
		line string // the words typed, the last one being completed
		want string
	}{
		{line: "daestro-jobs ap", want: "apply"},
		{line: "daestro-jobs apply --dr", want: "--dry-run"},
		{line: "daestro-jobs val", want: "validate"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			script := `source <(daestro-jobs completion bash)
COMP_WORDS=(` + tc.line + `)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_daestro_jobs
printf '%s\n' "${COMPREPLY[@]}"`
			code, out := shell(t, bin, t.TempDir(), "bash", script)
			if code != 0 || strings.TrimSpace(out) != tc.want {
				t.Errorf("completing %q: exit %d, got %q, want %q", tc.line, code, out, tc.want)
			}
		})
	}
}
