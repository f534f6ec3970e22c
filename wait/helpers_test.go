package wait

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
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

// newFakeClock is the tests' clock: sleeping moves its time forward at once
// and records the delay.
func newFakeClock() *clock.Fake {
	return clock.NewFake(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
}

// sleepFunc is the system clock with f as its Sleep.
type sleepFunc func(ctx context.Context, d time.Duration) error

func (sleepFunc) Now() time.Time                                     { return time.Now() }
func (f sleepFunc) Sleep(ctx context.Context, d time.Duration) error { return f(ctx, d) }
