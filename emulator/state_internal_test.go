//go:build unix && !solaris && !aix

package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSettleRefusesWhatWasOpened(t *testing.T) {
	// openState checks the path before opening and what was opened after:
	// this is the second check alone, as when a regular file is swapped for
	// a named pipe between the two.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(fifo, os.O_RDWR|openFlags, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := settle(f, fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("settle on a named pipe: %v, want it refused", err)
	}
}
