//go:build unix

package main

import (
	"fmt"
	"syscall"
)

// minOpenFiles is the fewest file descriptors a run needs: the three
// standard streams, the Go runtime's poller (an epoll descriptor and an
// event descriptor), a manifest or env file being read, the step summary
// and outputs, and a connection to the API. Past that, an open that fails
// for want of descriptors is reported like any other error.
const minOpenFiles = 8

// checkOpenFiles says, as a message for people, when the limit on open
// files is too low to run: below it the Go runtime cannot start its poller
// and aborts with a stack trace (fatal error: runtime: netpollinit failed)
// at the first file opened. The runtime has already raised the soft limit
// to the hard one where it could.
func checkOpenFiles() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // nothing to say: let the run try
	}
	if lim.Cur < minOpenFiles {
		return fmt.Errorf("the limit on open files is %d (ulimit -n); daestro-jobs needs at least %d: raise it with ulimit -n %d or more", lim.Cur, minOpenFiles, 256)
	}
	return nil
}
