package wait

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Shorter names for the tests.
type (
	Client   = apiclient.Client
	APIError = apiclient.APIError
	Detail   = api.Detail
)

// testKey is the API key of every test client.
const testKey = "key-7f3a9c-SENTINEL"

// newTestClient starts h on loopback and returns a Client for it, closed at
// the end of the test.
func newTestClient(t *testing.T, h http.Handler) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: srv.Client(), BaseURL: u, APIKey: testKey, UserAgent: "daestro-jobs-test"}, srv
}

// fakeClock is a clock whose Sleep moves time forward at once and records
// the delay.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// sleepFunc is the system clock with f as its Sleep.
type sleepFunc func(ctx context.Context, d time.Duration) error

func (sleepFunc) Now() time.Time                                     { return time.Now() }
func (f sleepFunc) Sleep(ctx context.Context, d time.Duration) error { return f(ctx, d) }
