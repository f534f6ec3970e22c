package main

import (
	"cmp"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// stuckServer serves h so that a test can release every handler still
// running when it ends: a handler that waits for the client must not keep
// httptest.Server.Close waiting for ever.
func stuckServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, release <-chan struct{})) string {
	t.Helper()
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, release)
	}))
	t.Cleanup(func() {
		close(release)
		hs.Close()
	})
	return hs.URL
}

// silentListener accepts connections and never reads from or writes to them,
// as a server whose process is wedged. The connections are closed on cleanup.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestSlowServers runs apply --timeout 200ms --retries 1 against servers that
// never answer, trickle their answer, answer something that is not the API's
// JSON, or break the connection in the middle of the headers. Each job fails
// with a message that says what happened, the run exits 1, and nothing waits
// for longer than the timeouts allow (a watchdog far above them catches a hang).
func TestSlowServers(t *testing.T) {
	// Beside the other tests that wait: its servers are its own.
	t.Parallel()
	tests := []struct {
		name   string
		url    func(t *testing.T) string
		wantRe string // every job line's message
		// statusRe is the message of daestro-jobs status, when not wantRe.
		statusRe string
		// timeout is --timeout, 200ms unless the case is not about time:
		// there a timeout could only race the answer on a loaded machine.
		timeout string
	}{
		{
			name: "accepts and never reads",
			url:  silentListener,
			// The body may sit in the socket buffer; the answer never comes.
			wantRe: `no answer within 200ms`,
		},
		{
			name: "reads and never answers",
			url: func(t *testing.T) string {
				return stuckServer(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
					_, _ = io.Copy(io.Discard, r.Body)
					select {
					case <-r.Context().Done():
					case <-release:
					}
				})
			},
			wantRe: `no answer within 200ms`,
		},
		{
			name: "headers, then a trickle of body",
			url: func(t *testing.T) string {
				return stuckServer(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusOK)
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for {
						if _, err := w.Write([]byte(" ")); err != nil {
							return
						}
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-release:
							return
						case <-tick.C:
						}
					}
				})
			},
			wantRe:   `the answer did not arrive in full within 200ms: read response \(HTTP 200\)`,
			statusRe: `no answer within 200ms: read response \(HTTP 200\)`,
		},
		{
			name: "HTML 502 page",
			url: func(t *testing.T) string {
				return stuckServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusBadGateway)
					fmt.Fprint(w, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n")
				})
			},
			wantRe: `HTTP 502: text/html body: 502 Bad Gateway`,
		},
		{
			name: "200 that is not JSON",
			url: func(t *testing.T) string {
				return stuckServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
					w.Header().Set("Content-Type", "text/plain")
					fmt.Fprint(w, "OK\n")
				})
			},
			wantRe:  `HTTP 200: unexpected answer, not the API's JSON: text/plain body: OK`,
			timeout: "20s",
		},
		{
			name: "connection closed mid-headers",
			url: func(t *testing.T) string {
				return stuckServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
					_, _ = io.Copy(io.Discard, r.Body)
					conn, buf, err := w.(http.Hijacker).Hijack()
					if err != nil {
						panic(err)
					}
					_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: appl")
					_ = buf.Flush()
					conn.Close()
				})
			},
			wantRe:  `EOF`,
			timeout: "20s",
		},
	}
	dir := t.TempDir()
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, "---\njob_definition: acme::worker:1\njob_queue: acme::slow\nname: slow-%d\n", i)
	}
	manifest := filepath.Join(dir, "jobs.yaml")
	if err := os.WriteFile(manifest, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url(t)
			vars := map[string]string{"DAESTRO_API_URL": url, "DAESTRO_API_KEY": "slow-server-key"}
			timeout := cmp.Or(tt.timeout, "200ms")
			type result struct {
				code        int
				out, errOut string
			}
			done := make(chan result, 1)
			go func() {
				code, out, errOut := runInProcess(t, vars, "apply", "--timeout", timeout, "--retries", "1", "-f", manifest)
				done <- result{code, out, errOut}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("apply still running after 2 minutes with --timeout %s --retries 1", timeout)
			}
			if r.code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", r.code, r.out, r.errOut)
			}
			re := regexp.MustCompile(tt.wantRe)
			lines := regexp.MustCompile(`(?m)^failed .*$`).FindAllString(r.out, -1)
			if len(lines) != 3 {
				t.Fatalf("want 3 failed job lines:\n%s%s", r.out, r.errOut)
			}
			for _, l := range lines {
				if !re.MatchString(l) {
					t.Errorf("job line does not match %q:\n%s", tt.wantRe, l)
				}
			}

			// daestro-jobs status is bounded by the same --timeout.
			go func() {
				code, out, errOut := runInProcess(t, vars, "status", "--timeout", timeout, "01a22570-6065-7b61-bd88-cba1f11d643f")
				done <- result{code, out, errOut}
			}()
			select {
			case r = <-done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("status still running after 2 minutes with --timeout %s", timeout)
			}
			if tt.statusRe != "" {
				re = regexp.MustCompile(tt.statusRe)
			}
			if r.code != 1 || !re.MatchString(r.out+r.errOut) {
				t.Errorf("status: exit %d, want 1 and a message matching %q:\n%s%s", r.code, re, r.out, r.errOut)
			}
		})
	}
}
