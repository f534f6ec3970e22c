package submit

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// closedPort is a loopback address nothing listens on: a listener is opened
// for a free port and closed again.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// countingTransport counts the attempts that reach the transport.
type countingTransport struct {
	next     http.RoundTripper
	attempts atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.attempts.Add(1)
	return c.next.RoundTrip(r)
}

// TestRunUnreachableStops: 100 jobs against a closed port stop at the first
// refused connection, as a refused key does: no retries, every job not
// submitted, one error. The count of attempts is the measure, not the time.
func TestRunUnreachableStops(t *testing.T) {
	for _, tc := range []struct {
		name string
		base func(t *testing.T) string
	}{
		{"connection refused", func(t *testing.T) string { return "http://" + closedPort(t) }},
		{"https to a plain-HTTP server", func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Error("a request reached the plain-HTTP server")
			}))
			t.Cleanup(srv.Close)
			return "https://" + srv.Listener.Addr().String()
		}},
		{"certificate refused", func(t *testing.T) string {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Error("a request passed a refused certificate")
			}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes it refuses
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.base(t))
			if err != nil {
				t.Fatal(err)
			}
			// A transport of its own, that trusts no test certificate.
			tr := &countingTransport{next: &http.Transport{TLSClientConfig: &tls.Config{}}}
			c := &Client{HTTP: &http.Client{Transport: tr}, BaseURL: u, APIKey: testKey, UserAgent: "t"}
			sleeps := atomic.Int64{}
			opts := DefaultOptions()
			opts.Clock = sleepFunc(func(context.Context, time.Duration) error { sleeps.Add(1); return nil })
			results, err := Run(context.Background(), c, requests(100), opts)
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("Run error = %v, want ErrUnreachable", err)
			}
			if n, workers := tr.attempts.Load(), DefaultOptions().Concurrency; n > int64(workers) {
				t.Errorf("%d attempts; want at most one per worker (%d)", n, workers)
			}
			if n := sleeps.Load(); n != 0 {
				t.Errorf("%d backoff sleeps; want none", n)
			}
			for _, r := range results {
				if r.Outcome != NotSubmitted || r.Note != "not sent: the run stopped because the API could not be reached" {
					t.Fatalf("job %d: %+v", r.Index, r)
				}
			}
			t.Cleanup(tr.next.(*http.Transport).CloseIdleConnections)
		})
	}
}

// TestRunReachedThenRefusedRetries: once the server has answered, a refused
// connection is a transient error of a reachable API, retried as before.
func TestRunReachedThenRefusedRetries(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 202, okBody("id-1"))
		go srv.CloseClientConnections()
	}))
	u, _ := url.Parse(srv.URL)
	c := &Client{HTTP: srv.Client(), BaseURL: u, APIKey: testKey, UserAgent: "t"}
	var closed atomic.Bool
	opts := DefaultOptions()
	opts.Concurrency, opts.Retries = 1, 2
	opts.OnResult = func(Result) {
		if !closed.Swap(true) {
			srv.Close() // after the first answer, the port closes
		}
	}
	opts.Clock = sleepFunc(func(context.Context, time.Duration) error { return nil })
	results, err := Run(context.Background(), c, requests(2), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if results[0].Outcome != Created || results[1].Outcome != Failed || results[1].Attempts != 3 {
		t.Errorf("results: %+v", results)
	}
	if !errors.Is(results[1].Err, syscall.ECONNREFUSED) {
		t.Errorf("second job's error: %v", results[1].Err)
	}
}

func TestUnreachable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{&url.Error{Op: "Post", Err: &net.OpError{Op: "dial", Err: syscall.EHOSTUNREACH}}, true},
		{&net.OpError{Op: "dial", Err: syscall.ENETUNREACH}, true},
		{&net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}, true},
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, true},
		{&url.Error{Op: "Post", Err: http.ErrSchemeMismatch}, true},
		{syscall.ECONNRESET, false},
		{context.DeadlineExceeded, false},
		{errors.New("EOF"), false},
	} {
		if got := Unreachable(tc.err); got != tc.want {
			t.Errorf("Unreachable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
