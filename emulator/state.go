package emulator

// Opening the state file. Three things can go wrong that a journal cannot
// survive, and all are refused at once:
//
//   - A file the emulator did not write. A symbolic link is refused (it
//     could lead anywhere its user can write), and a file whose first line is
//     not a journal record is refused without being changed (journal.go).
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
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// openState opens the state file for reading and appending, and locks it. A
// missing file is created, with mode 0600 (it holds sensitive values) and
// O_EXCL, so that it is only ever created, never followed to somewhere else.
// An existing one must be a regular file, and not a symbolic link: the
// journal is only ever kept in a file the emulator made, and a link (in a
// shared directory, say) could point it at any file its user can write.
func openState(path string) (*os.File, error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|os.O_EXCL|openFlags, 0o600)
		if err == nil {
			return settled(f, path)
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("emulator: creating state: %w", err)
		}
		// Created by someone else in between: looked at as any existing file.
		if info, err = os.Lstat(path); err != nil {
			return nil, fmt.Errorf("emulator: opening state: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("emulator: opening state: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(path, info.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|openFlags|noFollow, 0)
	if err != nil {
		if info, lerr := os.Lstat(path); lerr == nil && !info.Mode().IsRegular() {
			return nil, notRegular(path, info.Mode()) // swapped in between
		}
		return nil, fmt.Errorf("emulator: opening state: %w", err)
	}
	return settled(f, path)
}

// settled is f once settle has accepted it; f is closed otherwise.
func settled(f *os.File, path string) (*os.File, error) {
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
	return fmt.Errorf("emulator: state file %s is %s, not a regular file", path, fileKind(mode))
}

// fileKind names what a file that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link (give the path of the file itself)"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}
