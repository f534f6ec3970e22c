package main

import (
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// TestFaultSoak: 2,000 jobs, a tenth of them unnamed, against an emulator that
// answers 20% of submits 503, stores and then drops the answer of 10%, rate
// limits, and takes 100-300 ms per request. The run exits 0, every job is held
// exactly once, and once the server is closed no goroutine of the run is left.
func TestFaultSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("fault soak: 2,000 jobs")
	}
	// Goroutines of the test framework and of earlier tests are not this
	// run's; anything started from here on must be gone at the end.
	ignore := goleak.IgnoreCurrent()

	for _, seed := range []int64{2026} {
		srv, err := emulator.New(emulator.Options{
			FailRate:      0.2,
			DropRate:      0.1,
			RateLimit:     100,
			Latency:       100 * time.Millisecond,
			LatencyJitter: 200 * time.Millisecond,
			Seed:          seed,
		})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		dir := t.TempDir()
		writeMixed(t, dir, 1800, 200)
		vars := map[string]string{"DAESTRO_API_URL": hs.URL, "DAESTRO_API_KEY": "soak-key"}
		code, out, errOut := runInProcess(t, vars, "apply", "--retries", "12", "--concurrency", "64", "-f", dir)
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
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}
	goleak.VerifyNone(t, ignore)
}
