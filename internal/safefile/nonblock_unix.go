//go:build unix

package safefile

import "syscall"

// nonBlock makes opening a FIFO return at once instead of waiting for a
// writer; reads of a regular file are not affected by it.
const nonBlock = syscall.O_NONBLOCK
