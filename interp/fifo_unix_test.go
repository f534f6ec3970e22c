//go:build unix

package interp

import (
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestEnvNamedPipe checks that a named pipe given as --env-file is refused
// at once. Opening one for reading without O_NONBLOCK waits until something
// opens it for writing, which in a CI job is never.
func TestEnvNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo.env")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Env([]string{path}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		want := path + ": not a regular file (a named pipe)"
		if err == nil || err.Error() != want {
			t.Errorf("Env(named pipe) error = %v, want %q", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Env blocked on a named pipe") // the goroutine stays blocked; the test binary ends anyway
	}
}

func TestEnvSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.env")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("cannot make a unix socket: %v", err)
	}
	defer l.Close()
	_, err = Env([]string{path}, nil)
	if want := path + ": not a regular file (a socket)"; err == nil || err.Error() != want {
		t.Errorf("Env(socket) error = %v, want %q", err, want)
	}
}
