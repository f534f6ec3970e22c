//go:build unix && !solaris && !aix

package emulator

import "testing"

func TestFlockHolder(t *testing.T) {
	const locks = `1: POSIX  ADVISORY  WRITE 111 fe:00:42 0 EOF
2: FLOCK  ADVISORY  WRITE 222 fe:01:42 0 EOF
3: FLOCK  ADVISORY  WRITE 333 fe:00:42 0 EOF
3: -> FLOCK  ADVISORY  WRITE 444 fe:00:42 0 EOF
4: FLOCK  ADVISORY  WRITE 555 103:02:42 0 EOF
`
	tests := []struct {
		name     string
		dev, ino uint64
		want     int
	}{
		{name: "the flock on the file, not a POSIX lock or a waiter", dev: 0xfe00, ino: 42, want: 333},
		{name: "same inode, other device", dev: 0xfe01, ino: 42, want: 222},
		{name: "a major number above 255", dev: 0x10302, ino: 42, want: 555},
		{name: "not locked", dev: 0xfe00, ino: 43, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := flockHolder([]byte(locks), tt.dev, tt.ino); got != tt.want {
				t.Errorf("flockHolder(%#x, %d) = %d, want %d", tt.dev, tt.ino, got, tt.want)
			}
		})
	}
}
