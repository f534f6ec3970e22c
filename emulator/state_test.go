//go:build unix && !solaris && !aix

package emulator_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

func TestStateMustBeARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tests := []struct {
		name, path, want string
	}{
		{name: "named pipe", path: fifo, want: "is a named pipe, not a regular file"},
		{name: "socket", path: sock, want: "is a socket, not a regular file"},
		{name: "device", path: os.DevNull, want: "is a device, not a regular file"},
		{name: "directory", path: dir, want: "is a directory, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Opening a named pipe for reading waits for a writer: a
			// regression is a hang, which within turns into a failure.
			within(t, func() {
				s, err := emulator.New(emulator.Options{StatePath: tt.path})
				if err == nil {
					s.Close()
					t.Errorf("New accepted %s as its state file", tt.path)
					return
				}
				if !strings.Contains(err.Error(), tt.path) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q, want it to say %s %s", err, tt.path, tt.want)
				}
			})
		})
	}
	if info, err := os.Stat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced: %v %v", info, err)
	}
}

// within runs f, failing the test if it has not returned after a generous
// while: a regression of what it checks is a hang, and a hanging test says
// nothing.
func within(t *testing.T, f func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("did not return")
	}
}
