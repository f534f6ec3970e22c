//go:build unix

package emulator

import (
	"os"
	"syscall"
)

// openFlags: O_NONBLOCK so that opening a named pipe returns at once instead
// of waiting for a peer; O_NOCTTY so that opening a terminal given by mistake
// does not make it the process's controlling terminal.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY

// noFollow makes opening a symbolic link fail, so that a link swapped in
// after the path was looked at is not followed.
const noFollow = syscall.O_NOFOLLOW

// setBlocking clears O_NONBLOCK on a regular file. Linux ignores the flag for
// regular files (and os.OpenFile already clears it there), but other systems
// may not, and the journal's writes must never return EAGAIN.
func setBlocking(f *os.File) error {
	return control(f, func(fd int) error { return syscall.SetNonblock(fd, false) })
}

// control runs fn on f's descriptor.
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
