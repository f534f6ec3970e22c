package submit

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		n          int
		rnd        float64
		retryAfter time.Duration
		want       time.Duration
	}{
		{name: "zero jitter", n: 0, rnd: 0, want: 0},
		{name: "first retry, full", n: 0, rnd: 1, want: 200 * ms},
		{name: "first retry, half", n: 0, rnd: 0.5, want: 100 * ms},
		{name: "doubles", n: 1, rnd: 1, want: 400 * ms},
		{name: "fifth retry", n: 4, rnd: 1, want: 3200 * ms},
		{name: "sixth retry", n: 5, rnd: 1, want: 6400 * ms},
		{name: "capped", n: 6, rnd: 1, want: BackoffCap},
		{name: "capped, half", n: 7, rnd: 0.5, want: BackoffCap / 2},
		{name: "far past the cap", n: 62, rnd: 1, want: BackoffCap},
		{name: "past 64 bits", n: 1000, rnd: 1, want: BackoffCap},
		{name: "Retry-After is a floor", n: 0, rnd: 0.5, retryAfter: 3 * time.Second, want: 3 * time.Second},
		{name: "jitter above Retry-After wins", n: 6, rnd: 1, retryAfter: 3 * time.Second, want: BackoffCap},
		{name: "Retry-After capped", n: 0, rnd: 0, retryAfter: 2 * time.Hour, want: MaxRetryAfter},
		{name: "Retry-After saturated", n: 0, rnd: 0, retryAfter: math.MaxInt64, want: MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.n, tt.rnd, tt.retryAfter); got != tt.want {
				t.Errorf("backoff(%d, %v, %v) = %v, want %v", tt.n, tt.rnd, tt.retryAfter, got, tt.want)
			}
		})
	}
}

func TestRetryableStatus(t *testing.T) {
	for status := 100; status < 600; status++ {
		want := status == 429 || status == 500 || status == 502 || status == 503 || status == 504
		if got := retryableStatus(status); got != want {
			t.Errorf("retryableStatus(%d) = %v", status, got)
		}
		if ambiguousStatus(status) && !retryableStatus(status) {
			t.Errorf("status %d is ambiguous but not retried", status)
		}
	}
	if ambiguousStatus(http.StatusServiceUnavailable) || ambiguousStatus(http.StatusTooManyRequests) {
		t.Errorf("503 and 429 say the request was not processed")
	}
}

// Options mean what they say, so a value with no meaning is refused rather
// than read as a default: nothing is sent and every job is NotSubmitted.
func TestOptionsRefused(t *testing.T) {
	for name, f := range map[string]func(*Options){
		"no concurrency":   func(o *Options) { o.Concurrency = 0 },
		"zero rate":        func(o *Options) { o.Rate = 0 },
		"negative retries": func(o *Options) { o.Retries = -1 },
		"negative timeout": func(o *Options) { o.Timeout = -time.Second },
		"negative grace":   func(o *Options) { o.Grace = -time.Second },
		"no clock":         func(o *Options) { o.Clock = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Error("a request was sent")
			}))
			results, err := Run(context.Background(), c, requests(2), withOptions(f))
			if err == nil {
				t.Error("no error")
			}
			for _, r := range results {
				if r.Outcome != NotSubmitted {
					t.Errorf("result %+v", r)
				}
			}
		})
	}
}
