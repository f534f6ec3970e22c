//go:build unix && !solaris && !aix

package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lock takes the exclusive lock on the state file, without waiting.
func lock(f *os.File, path string) error {
	err := control(f, func(fd int) error { return syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return &StateInUseError{Path: path, PID: holder(f)}
	}
	return fmt.Errorf("emulator: locking state file %s: %w", path, err)
}

// holder returns the pid that holds a flock on f, from Linux's /proc/locks,
// or 0. Best effort: it only makes the error message more useful.
func holder(f *os.File) int {
	info, err := f.Stat()
	if err != nil {
		return 0
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	return flockHolder(data, uint64(st.Dev), uint64(st.Ino))
}

// flockHolder finds the holder of a flock on the file dev, ino in the text
// of /proc/locks, whose lines read "1: FLOCK  ADVISORY  WRITE 1234
// fe:00:9977882 0 EOF" (the file as major:minor in hex, then the inode);
// lines of waiters read "1: -> FLOCK ...".
func flockHolder(locks []byte, dev, ino uint64) int {
	// Linux's encoding of a device number (glibc's major() and minor()).
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	file := fmt.Sprintf("%02x:%02x:%d", major, minor, ino)
	sc := bufio.NewScanner(bytes.NewReader(locks))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != file {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}
