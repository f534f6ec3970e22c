// Command rssserver serves the emulator on loopback for
// TestMemoryUnderHostileLoad, which builds it without the race detector so
// that what it measures is the emulator's memory, not the detector's.
//
// It prints the address it listens on, then answers each line on its
// standard input with its peak resident set size so far (VmHWM, in kB, from
// /proc/self/status), and exits when its standard input closes.
//
// Its timeouts are ten minutes rather than NewHTTPServer's and the emulator's
// defaults, so that on a loaded machine every request still gets its answer
// and the test's outcomes do not depend on the machine's speed. That is the
// worse case for memory: what a timeout would have dropped is held instead.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// patience replaces every timeout.
const patience = 10 * time.Minute

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rssserver:", err)
		os.Exit(1)
	}
}

func run() error {
	s, err := emulator.New(emulator.Options{BodyTimeout: patience})
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := emulator.NewHTTPServer(s)
	hs.ReadHeaderTimeout, hs.ReadTimeout = patience, patience
	go hs.Serve(ln)
	defer hs.Close()
	fmt.Println(ln.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		kb, err := peakKB()
		if err != nil {
			return err
		}
		fmt.Println(kb)
	}
	return in.Err()
}

// peakKB reads VmHWM, the peak resident set size, in kB.
func peakKB() (int, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(status) {
		var kb int
		if _, err := fmt.Sscanf(string(line), "VmHWM: %d kB", &kb); err == nil {
			return kb, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
