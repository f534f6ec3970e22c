package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// TestApplyThroughFaults: 500 named and 50 unnamed jobs against 20% 503s,
// 10% dropped answers and a rate limit. Every job is held exactly once and
// the run exits 0. It runs in virtual time (testing/synctest) over
// in-memory connections, so backoff and Retry-After cost no wall time.
//
// --retries 30: a job fails when every one of its attempts meets a fault.
// With --retries 10 that was about one run in a thousand (extrapolated from
// runs in virtual time: the number of jobs that need n attempts falls by a
// factor of about 0.3 per attempt); with 31 attempts it is out of reach
// (about 1e-13 per run), and the extra retries cost no wall time.
func TestApplyThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fault run: a few seconds")
	}
	synctest.Test(t, func(t *testing.T) {
		srv, _, mem := startMemEmulator(t, emulator.Options{FailRate: 0.2, DropRate: 0.1, RateLimit: 150, Seed: 42})
		dir := t.TempDir()
		writeMixed(t, dir, 500, 50)
		vars := map[string]string{"DAESTRO_API_KEY": "test-key"}
		code, out, errOut := mem.run(t, vars, "apply", "--retries", "30", "--concurrency", "16", "-f", dir)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, tail(out, 30), errOut)
		}
		assertOnce(t, srv, 550)
		stats := srv.Stats()
		if stats.Injected503 == 0 || stats.Dropped == 0 || stats.RateLimited == 0 {
			t.Errorf("faults were not exercised: %+v", stats)
		}
		if !regexp.MustCompile(`(?m)^550 jobs: \d+ created(, \d+ exists)? \(`).MatchString(out) {
			t.Errorf("summary: %s", tail(out, 1))
		}
		// Applying again changes nothing.
		code, out, _ = mem.run(t, vars, "apply", "--retries", "30", "-f", dir)
		if code != 0 || !strings.Contains(out, "550 jobs: 550 exists") {
			t.Errorf("second apply: exit %d: %s", code, tail(out, 1))
		}
		assertOnce(t, srv, 550)
	})
}

// TestInterrupt sends SIGINT and SIGTERM to a running apply once the server
// has seen some of its requests: the process exits 130 promptly, reports
// what was and was not submitted, and a second apply completes the set with
// no duplicates.
func TestInterrupt(t *testing.T) {
	// Beside the other tests that wait: each case has its own emulator,
	// manifests and process.
	t.Parallel()
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		after int // requests the server has seen before the signal
	}{
		{name: "SIGINT early", sig: syscall.SIGINT, after: 3},
		{name: "SIGINT later", sig: syscall.SIGINT, after: 40},
		{name: "SIGTERM", sig: syscall.SIGTERM, after: 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each has its own emulator, manifests and process
			interruptAt(t, tc.sig, tc.after)
		})
	}
}

// TestInterruptRandom is TestInterrupt at points picked by seeded random
// numbers: which signal, and how many requests the server has seen first.
// The seed is in the subtest's name, so a failure can be replayed.
func TestInterruptRandom(t *testing.T) {
	// Beside the other tests that wait, as TestInterrupt.
	t.Parallel()
	for seed := uint64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x1e7))
		sig := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM}[rng.IntN(2)]
		// Up to 80 of the 100 requests: with 4 in flight, some jobs are
		// always still waiting to be sent when the signal lands.
		after := 1 + rng.IntN(80)
		t.Run(fmt.Sprintf("seed %d %v after %d", seed, sig, after), func(t *testing.T) {
			t.Parallel() // each has its own emulator, manifests and process
			interruptAt(t, sig, after)
		})
	}
}

// interruptAt runs apply on 100 jobs in a real process, sends sig once the
// server has seen after requests, and checks the exit code, the report and
// that a second apply completes the set with no duplicates.
func interruptAt(t *testing.T, sig syscall.Signal, after int) {
	t.Helper()
	srv, counter, url := startEmulator(t, emulator.Options{Latency: 20 * time.Millisecond, Seed: 7})
	dir := t.TempDir()
	writeMixed(t, dir, 90, 10)
	bin := jobsBinary(t)
	var out, errOut strings.Builder
	cmd := exec.Command(bin, "apply", "--concurrency", "4", "-f", dir)
	cmd.Env = append(os.Environ(), "DAESTRO_API_URL="+url, "DAESTRO_API_KEY=test-key", "GORACE="+quickExitRace())
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-counter.seen(after):
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server never saw %d requests", after)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("apply did not stop after %v", sig)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d, want 130\n%s\n%s", code, tail(out.String(), 5), errOut.String())
	}
	if !strings.Contains(out.String(), "not submitted") || !strings.Contains(out.String(), "created") {
		t.Errorf("report should list created and not-submitted jobs:\n%s", tail(out.String(), 8))
	}
	held := len(srv.Jobs())
	if held == 0 || held >= 100 {
		t.Errorf("interrupted run stored %d of 100 jobs: not mid-run", held)
	}
	// In-flight requests finished within the grace: every job is either
	// created (and held) or not submitted (and not held).
	created, notSent := outcomeLines(out.String(), "created"), outcomeLines(out.String(), "not submitted")
	if created != held || created+notSent != 100 {
		t.Errorf("report: %d created and %d not submitted; the server holds %d of 100\n%s", created, notSent, held, tail(out.String(), 8))
	}
	// The second apply completes the set, with no duplicates.
	code, out2, errOut2 := runInProcess(t, map[string]string{"DAESTRO_API_URL": url, "DAESTRO_API_KEY": "test-key"},
		"apply", "--concurrency", "8", "-f", dir)
	if code != 0 {
		t.Fatalf("second apply: exit %d\n%s\n%s", code, tail(out2, 5), errOut2)
	}
	if e, c := outcomeLines(out2, "exists"), outcomeLines(out2, "created"); e != held || c != 100-held {
		t.Errorf("second apply: %d exists and %d created, want %d and %d", e, c, held, 100-held)
	}
	assertOnce(t, srv, 100)
}
