package emulator

// Opening the state file. Two things can go wrong that a journal cannot
// survive, and both are refused at once:
//
//   - Something that is not a regular file. A named pipe opened for reading
//     blocks until a writer appears, so `--state` pointed at one would hang
//     the emulator at start; a device (/dev/zero) would be read forever. The
//     path is looked at before opening, so that a device is not even opened
//     (opening some has side effects), and what was opened is looked at
//     again, with fstat, so that a file swapped in between is caught too. The
//     file is opened non-blocking, so that opening a pipe returns at once,
//     and put back into blocking mode once it is known to be a regular file.
//   - Another emulator using it. Two emulators on one journal would interleave
//     their lines and each accept names the other holds. The file is locked
//     with flock(LOCK_EX|LOCK_NB) until Close, and a second New fails at once
//     with a *StateInUseError. The lock is taken on the state file itself, not
//     on a sibling ".lock" file: nothing is left behind in the directory, and
//     the lock is on the data it protects. It stays there because the journal
//     never replaces its file (a torn tail is cut off in place, see
//     journal.go); a rename would move the data to an inode nobody has locked.
//     flock locks belong to an open file description, so a second New in the
//     same process is refused too, and the kernel releases the lock when the
//     process dies, so a killed emulator leaves no stale lock behind.

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
)

// StateInUseError is New's error when another emulator holds the state file.
type StateInUseError struct {
	// Path is the state file, as given in Options.StatePath.
	Path string
	// PID is the process holding the lock, or 0 when it cannot be told (it
	// is read from /proc/locks, so only Linux tells).
	PID int
}

func (e *StateInUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("emulator: state file %s is in use by another emulator (pid %d)", e.Path, e.PID)
	}
	return fmt.Sprintf("emulator: state file %s is in use by another emulator", e.Path)
}

// openState opens the state file for reading and appending, creating it
// (mode 0600: it holds sensitive values) when it is missing, and locks it.
func openState(path string) (*os.File, error) {
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return nil, notRegular(path, info.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|openFlags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("emulator: opening state: %w", err)
	}
	if err := settle(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// settle checks that f is a regular file, makes it blocking and locks it.
func settle(f *os.File, path string) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("emulator: opening state: %w", err)
	}
	if !info.Mode().IsRegular() {
		return notRegular(path, info.Mode())
	}
	if err := setBlocking(f); err != nil {
		return fmt.Errorf("emulator: opening state %s: %w", path, err)
	}
	return lock(f, path)
}

// notRegular is the error for a state path that is not a regular file.
func notRegular(path string, mode fs.FileMode) error {
	return fmt.Errorf("emulator: state file %s is %s, not a regular file", path, safefile.Kind(mode))
}
