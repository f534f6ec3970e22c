package safefile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within runs f and fails the test if it does not return in a generous time:
// a regression here is a hang, and a test that hangs says nothing.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("did not return: blocked on a special file")
	}
}

func TestReadFileRefusesWhatIsNotRegular(t *testing.T) {
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
	for _, tc := range []struct{ path, kind string }{
		{fifo, "a named pipe"},
		{"/dev/zero", "a device"},
		{dir, "a directory"},
		{sock, "a socket"},
	} {
		within(t, func() {
			_, err := ReadFile(tc.path, 1<<20)
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.kind) {
				t.Errorf("ReadFile(%s) = %v, want %v naming %s", tc.path, err, ErrNotRegular, tc.kind)
			}
		})
	}
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadFile at the limit = %q, %v", b, err)
	}
	if _, err := ReadFile(p, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile over the limit = %v, want ErrTooLarge", err)
	}
	if _, err := ReadLimited(strings.NewReader("12345"), "r", 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadLimited over the limit = %v, want ErrTooLarge", err)
	}
}

// TestOpenAppendRefusesWhatIsNotRegular: a step summary or output path that
// names a FIFO (with no reader, or with one), a socket or a device is
// refused at once, never waited on; a regular file is appended to, and a
// missing one created (issue 22 item 5).
func TestOpenAppendRefusesWhatIsNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	read := filepath.Join(dir, "read-fifo")
	if err := syscall.Mkfifo(read, 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := os.OpenFile(read, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tc := range []struct{ path, kind string }{
		{fifo, "a named pipe"},
		{read, "a named pipe"},
		{sock, "a socket"},
		{"/dev/null", "a device"},
		{dir, "a directory"},
	} {
		within(t, func() {
			f, err := OpenAppend(tc.path, 0o644)
			if err == nil {
				f.Close()
			}
			if tc.kind == "a directory" {
				if err == nil {
					t.Errorf("OpenAppend(%s) opened a directory", tc.path)
				}
				return
			}
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.kind) {
				t.Errorf("OpenAppend(%s) = %v, want %s refused", tc.path, err, tc.kind)
			}
		})
	}
	p := filepath.Join(dir, "summary.md")
	for _, s := range []string{"a\n", "b\n"} {
		f, err := OpenAppend(p, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if b, _ := os.ReadFile(p); string(b) != "a\nb\n" {
		t.Errorf("appended %q, want a, b", b)
	}
}
