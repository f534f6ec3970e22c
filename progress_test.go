package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// TestProgressBar runs a real apply with stderr on a pseudo-terminal: the bar
// is drawn there. The same run through a pipe has no trace of it.
func TestProgressBar(t *testing.T) {
	_, _, url := startEmulator(t, emulator.Options{Seed: 3})
	dir := t.TempDir()
	writeMixed(t, dir, 20, 5)
	bin := jobsBinary(t)
	environ := append(os.Environ(), "DAESTRO_API_URL="+url, "DAESTRO_API_KEY=test-key", "TERM=xterm", "GORACE="+quickExitRace())

	t.Run("terminal", func(t *testing.T) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		defer ptmx.Close()
		var out bytes.Buffer
		cmd := exec.Command(bin, "apply", "-f", dir)
		cmd.Env = environ
		cmd.Stdout, cmd.Stderr = &out, tty
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close() // the child holds its own copy
		var screen bytes.Buffer
		copied := make(chan error, 1)
		go func() {
			_, err := io.Copy(&screen, ptmx)
			copied <- err
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("apply: %v\n%s", err, out.String())
		}
		// Reading the master ends with EIO once the child's side is closed.
		if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) {
			t.Fatal(err)
		}
		s := screen.String()
		if !strings.Contains(s, "submitting") || !strings.Contains(s, "/25") {
			t.Errorf("no progress bar on the terminal; it showed %q", s)
		}
		if strings.Contains(out.String(), "submitting") {
			t.Error("the bar leaked into stdout")
		}
	})

	t.Run("pipe", func(t *testing.T) {
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, "apply", "-f", dir)
		cmd.Env = environ
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("apply: %v\n%s%s", err, out.String(), errOut.String())
		}
		if errOut.Len() != 0 {
			t.Errorf("stderr through a pipe should be empty, got %q", errOut.String())
		}
		if !strings.Contains(out.String(), "25 jobs: 25 exists") {
			t.Errorf("second run should find every job: %s", tail(out.String(), 1))
		}
	})
}
