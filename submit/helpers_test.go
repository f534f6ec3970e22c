package submit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/outcome"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Shorter names for the tests, which use them on every line.
type (
	Client   = apiclient.Client
	APIError = apiclient.APIError
	Detail   = api.Detail
)

const (
	Created      = outcome.Created
	Exists       = outcome.Exists
	Failed       = outcome.Failed
	NotSubmitted = outcome.NotSubmitted
)

// testKey is the API key of every test client; tests check it never shows.
const testKey = "key-7f3a9c-SENTINEL"

// newTestClient starts h on loopback and returns a Client for it. The server is
// closed at the end of the test (tests that check for leaks close it earlier).
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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func okBody(id string) map[string]any {
	return map[string]any{"ok": true, "data": map[string]any{"id": id}}
}

func errBody(msg string) map[string]any {
	return map[string]any{"ok": false, "message": msg}
}

// jobName reads the "name" of the job body in r.
func jobName(t *testing.T, r *http.Request) string {
	var body struct {
		Name string `json:"name"`
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("read request body: %v", err)
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Errorf("request body is not JSON: %v", err)
	}
	return body.Name
}

// dropConnection closes the connection without an answer, after the request was
// read: what a server does when it stored the job and then crashed, or what a
// broken network path looks like.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// newFakeClock is the tests' clock: sleeping moves its time forward at once
// and records the delay.
func newFakeClock() *clock.Fake {
	return clock.NewFake(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
}

func constRand(v float64) func() float64 { return func() float64 { return v } }

// sleepFunc is the system clock with f as its Sleep.
type sleepFunc func(ctx context.Context, d time.Duration) error

func (sleepFunc) Now() time.Time                                     { return time.Now() }
func (f sleepFunc) Sleep(ctx context.Context, d time.Duration) error { return f(ctx, d) }

// withOptions is DefaultOptions changed by f.
func withOptions(f func(*Options)) Options {
	o := DefaultOptions()
	f(&o)
	return o
}
