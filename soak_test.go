package main

import (
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// TestFaultSoak: 2,000 jobs, a tenth of them unnamed, against an emulator that
// answers 20% of submits 503, stores and then drops the answer of 10%, rate
// limits, and takes 100-300 ms per request. The run exits 0, every job is held
// exactly once, and once the server is closed no goroutine of the run is left.
// It runs in virtual time (testing/synctest) over in-memory connections: the
// latency, backoff and rate-limit waits of a half-minute run take no wall time.
//
// --retries 40: a job fails when every one of its attempts meets a fault,
// and with --retries 12 that happened (a flake: "the emulator holds 1999
// jobs, want 2000", the job given up after 13 attempts of 503 and 429).
// Runs in virtual time put it at a few runs in a hundred: the number of
// jobs that need n attempts falls by a factor of about 0.45 per attempt
// (429s come in bursts, while the limiter is saturated), and about five
// jobs of a run need eight. With 41 attempts the chance is about 1e-11 per
// run, and the extra retries cost no wall time.
func TestFaultSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("fault soak: 2,000 jobs")
	}
	// Goroutines of the test framework and of earlier tests are not this
	// run's; anything started from here on must be gone at the end.
	ignore := goleak.IgnoreCurrent()

	for _, seed := range []int64{2026} {
		synctest.Test(t, func(t *testing.T) {
			srv, _, mem := startMemEmulator(t, emulator.Options{
				FailRate:      0.2,
				DropRate:      0.1,
				RateLimit:     100,
				Latency:       100 * time.Millisecond,
				LatencyJitter: 200 * time.Millisecond,
				Seed:          seed,
			})
			dir := t.TempDir()
			writeMixed(t, dir, 1800, 200)
			start := time.Now()
			code, out, errOut := mem.run(t, map[string]string{"DAESTRO_API_KEY": "soak-key"},
				"apply", "--retries", "40", "--concurrency", "64", "-f", dir)
			t.Logf("seed %d: %v of virtual time", seed, time.Since(start))
			if code != 0 {
				t.Errorf("seed %d: exit %d\n%s\n%s", seed, code, tail(out, 20), tail(errOut, 20))
			}
			if !regexp.MustCompile(`(?m)^2000 jobs: \d+ created(, \d+ exists)? \(`).MatchString(out) {
				t.Errorf("seed %d: summary: %s", seed, tail(out, 1))
			}
			assertOnce(t, srv, 2000)
			if st := srv.Stats(); st.Injected503 == 0 || st.Dropped == 0 || st.RateLimited == 0 {
				t.Errorf("seed %d: faults were not exercised: %+v", seed, st)
			}
		})
	}
	goleak.VerifyNone(t, ignore)
}
