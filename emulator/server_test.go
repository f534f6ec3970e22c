package emulator_test

// Tests of the emulator as a server facing clients that are hostile or
// broken: odd paths, bodies too large or too slow, control characters. They
// assert outcomes, never timings: a slow client is a connection that blocks,
// and deadlines are short only so that the suite is quick.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// rawAnswer is a response read off a raw connection.
type rawAnswer struct {
	Status  int
	Header  http.Header
	Close   bool // the server closes the connection after this answer
	OK      bool
	Message string
	Body    string
}

// raw sends request (written as is, so that paths and bodies are exactly
// what a hostile client sends) over a new connection to addr and reads the
// answer. It fails the test when the answer is not the API's JSON envelope.
func raw(t *testing.T, addr, request string) rawAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	return readAnswer(t, conn)
}

// readAnswer reads one answer off conn and decodes its envelope.
func readAnswer(t *testing.T, conn net.Conn) rawAnswer {
	t.Helper()
	// Generous: only a regression (a server waiting for a body that never
	// comes) gets near it, and it then fails instead of hanging the suite.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer's body: %v", err)
	}
	a := rawAnswer{Status: resp.StatusCode, Header: resp.Header, Close: resp.Close, Body: string(body)}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("answer %d has Content-Type %q, want application/json: %q", a.Status, ct, body)
	}
	var env struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Errorf("answer %d is not the JSON envelope: %v: %q", a.Status, err, body)
	}
	a.OK, a.Message = env.OK, env.Message
	return a
}

// serve serves an emulator under httptest and returns it with its address.
func serve(t *testing.T, opts emulator.Options) (*emulator.Server, string) {
	t.Helper()
	e := start(t, opts)
	return e.srv, strings.TrimPrefix(e.url, "http://")
}

func post(path, body string) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		path, len(body), body)
}

func get(path string) string {
	return fmt.Sprintf("GET %s HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n", path)
}

func TestOddPaths(t *testing.T) {
	srv, addr := serve(t, emulator.Options{})
	id := idOfRaw(t, raw(t, addr, post("/v1/client/job", job(map[string]any{"name": "known"}))))
	long := "/" + strings.Repeat("a", 64<<10)
	tests := []struct {
		name     string
		request  string
		wantCode int
		wantMsg  string // "" for an answer that is not an error
	}{
		{name: "double slash in front", request: post("//v1/client/job", job(nil)),
			wantCode: 404, wantMsg: "not found: //v1/client/job"},
		{name: "double slash inside", request: post("/v1//client/job", job(nil)),
			wantCode: 404, wantMsg: "not found: /v1//client/job"},
		{name: "dot-dot segment", request: post("/v1/client/../client/job", job(nil)),
			wantCode: 404, wantMsg: "not found: /v1/client/../client/job"},
		{name: "dot segment", request: post("/v1/./client/job", job(nil)),
			wantCode: 404, wantMsg: "not found: /v1/./client/job"},
		{name: "encoded dot-dot segment", request: post("/v1/client/%2e%2e/client/job", job(nil)),
			wantCode: 404, wantMsg: "not found: /v1/client/%2e%2e/client/job"},
		{name: "trailing slash on submit", request: post("/v1/client/job/", job(nil)),
			wantCode: 404, wantMsg: "not found: /v1/client/job/"},
		{name: "trailing slash on detail", request: get("/v1/client/job/" + id + "/"),
			wantCode: 404, wantMsg: "not found: /v1/client/job/" + id + "/"},
		{name: "detail with a double slash", request: get("/v1/client/job//" + id),
			wantCode: 404, wantMsg: "not found: /v1/client/job//" + id},
		{name: "encoded slash before the id", request: get("/v1/client/job%2F" + id),
			wantCode: 404, wantMsg: "not found: /v1/client/job%2F" + id},
		{name: "encoded slash after the id", request: get("/v1/client/job/" + id + "%2F"),
			wantCode: 404, wantMsg: "job not found"},
		{name: "dot-dot as the id", request: get("/v1/client/job/.."),
			wantCode: 404, wantMsg: "job not found"},
		{name: "bad escape", request: get("/v1/client/job/%zz"),
			wantCode: 400}, // refused by net/http before the handler, in plain text; see below
		{name: "query string on submit", request: post("/v1/client/job?dry_run=1", job(map[string]any{"name": "q"})),
			wantCode: 202},
		{name: "query string on detail", request: get("/v1/client/job/" + id + "?verbose=1"),
			wantCode: 200},
		{name: "encoded letter", request: post("/v1/client/jo%62", job(map[string]any{"name": "b"})),
			wantCode: 202},
		{name: "encoded control characters", request: get("/v1/%1b%5b2J%0a"),
			wantCode: 404, wantMsg: "not found: /v1/%1b%5b2J%0a"},
		{name: "very long path", request: get(long),
			wantCode: 404, wantMsg: "not found: /" + strings.Repeat("a", 255) + "…(65537 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.request); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 300 && resp.StatusCode < 400 {
				t.Fatalf("answered %d, Location %q: a redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d: %q", resp.StatusCode, tt.wantCode, body)
			}
			if tt.wantCode == http.StatusBadRequest {
				return // net/http's own answer to a request it cannot parse
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var env struct {
				OK      bool   `json:"ok"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatalf("answer is not the JSON envelope: %v: %q", err, body)
			}
			if env.Message != tt.wantMsg || env.OK != (tt.wantCode < 300) {
				t.Errorf("answer {ok: %v, message: %q}, want {ok: %v, message: %q}", env.OK, env.Message, tt.wantCode < 300, tt.wantMsg)
			}
		})
	}
	var names []string
	for _, j := range srv.Jobs() {
		names = append(names, j.Name)
	}
	if diff := cmp.Diff([]string{"known", "q", "b"}, names); diff != "" {
		t.Errorf("stored jobs (-want +got):\n%s", diff)
	}
}

func idOfRaw(t *testing.T, a rawAnswer) string {
	t.Helper()
	return idOf(t, answer{Status: a.Status, OK: a.OK, Message: a.Message, Data: dataOf(t, a.Body)})
}

func dataOf(t *testing.T, body string) json.RawMessage {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatal(err)
	}
	return env.Data
}

func TestBodyCap(t *testing.T) {
	_, addr := serve(t, emulator.Options{})
	tooLarge := fmt.Sprintf("request body larger than %d bytes", emulator.MaxBodySize)

	for _, expect := range []string{"", "Expect: 100-continue\r\n"} {
		t.Run("declared too large, answered before it is sent "+expect, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Headers only: the answer comes without the client sending
			// any of the megabyte it announced. A client that expects 100
			// Continue gets the 413 instead, never a 100.
			fmt.Fprintf(conn, "POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nContent-Length: %d\r\n%s\r\n", 1<<20, expect)
			a := readAnswer(t, conn)
			if a.Status != http.StatusRequestEntityTooLarge || a.OK || a.Message != tooLarge {
				t.Errorf("answer %d {ok: %v, message: %q}, want 413 %q", a.Status, a.OK, a.Message, tooLarge)
			}
			if !a.Close {
				t.Error("the connection is kept, want Connection: close: the rest of the body is not used")
			}
		})
	}

	// Without a Content-Length the cap is found by reading: the body is
	// chunked.
	chunked := func(body string) string {
		var b strings.Builder
		b.WriteString("POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
		for len(body) > 0 {
			n := min(len(body), 4096)
			fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
			body = body[n:]
		}
		b.WriteString("0\r\n\r\n")
		return b.String()
	}
	tests := []struct {
		name     string
		request  string
		wantCode int
		wantMsg  string
	}{
		{name: "chunked, largest accepted", request: chunked(sized(emulator.MaxBodySize, "chunked-largest")),
			wantCode: http.StatusAccepted},
		{name: "chunked, one byte too large", request: chunked(sized(emulator.MaxBodySize+1, "chunked-over")),
			wantCode: http.StatusRequestEntityTooLarge, wantMsg: tooLarge},
		{name: "chunked megabyte", request: chunked(sized(1<<20, "chunked-megabyte")),
			wantCode: http.StatusRequestEntityTooLarge, wantMsg: tooLarge},
		{name: "declared, largest accepted", request: post("/v1/client/job", sized(emulator.MaxBodySize, "declared-largest")),
			wantCode: http.StatusAccepted},
		{name: "too large for any path", request: post("/nowhere", sized(emulator.MaxBodySize+1, "nowhere")),
			wantCode: http.StatusRequestEntityTooLarge, wantMsg: tooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := raw(t, addr, tt.request)
			if a.Status != tt.wantCode || a.Message != tt.wantMsg {
				t.Errorf("answer %d %q, want %d %q", a.Status, a.Message, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestSlowBody(t *testing.T) {
	// A client that sends part of its body and then nothing, holding the
	// connection open: the handler answers 408 when the body deadline
	// passes, instead of waiting for as long as the client likes.
	const timeout = 50 * time.Millisecond
	body := job(map[string]any{"name": "slow"})
	tests := []struct {
		name string
		head string // request line and headers
		sent string // the part of the body sent before stalling
	}{
		{
			name: "declared length",
			head: fmt.Sprintf("POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nContent-Length: %d\r\n\r\n", len(body)),
			sent: body[:10],
		},
		{
			name: "chunked",
			head: "POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nTransfer-Encoding: chunked\r\n\r\n",
			sent: fmt.Sprintf("%x\r\n%s\r\n", 10, body[:10]),
		},
		{
			name: "headers only",
			head: fmt.Sprintf("POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nContent-Length: %d\r\n\r\n", len(body)),
			sent: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, addr := serve(t, emulator.Options{BodyTimeout: timeout})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.head+tt.sent); err != nil {
				t.Fatal(err)
			}
			// The client never sends the rest and never closes: the
			// answer can only come from the server's deadline.
			a := readAnswer(t, conn)
			want := fmt.Sprintf("request body not received within %v", timeout)
			if a.Status != http.StatusRequestTimeout || a.OK || a.Message != want {
				t.Errorf("answer %d {ok: %v, message: %q}, want 408 %q", a.Status, a.OK, a.Message, want)
			}
			if n := len(srv.Jobs()); n != 0 {
				t.Errorf("%d jobs stored from a body that never arrived", n)
			}
		})
	}

	t.Run("a timely body is served", func(t *testing.T) {
		// The deadline is on the body, not on the handler: a body that
		// arrives in time is answered normally, and the connection is
		// kept for the next request.
		_, addr := serve(t, emulator.Options{BodyTimeout: time.Minute})
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for i := range 2 {
			b := job(map[string]any{"name": fmt.Sprint("timely-", i)})
			fmt.Fprintf(conn, "POST /v1/client/job HTTP/1.1\r\nHost: emulator\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
			if a := readAnswer(t, conn); a.Status != http.StatusAccepted {
				t.Fatalf("request %d answered %d %q, want 202", i, a.Status, a.Message)
			}
		}
	})
}

func TestNewHTTPServer(t *testing.T) {
	s, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hs := emulator.NewHTTPServer(s)
	if hs.Handler != s {
		t.Error("Handler is not the emulator")
	}
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.IdleTimeout <= 0 {
		t.Errorf("timeouts ReadHeader %v, Read %v, Idle %v: want all set", hs.ReadHeaderTimeout, hs.ReadTimeout, hs.IdleTimeout)
	}
	if hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes %d, want a few KiB", hs.MaxHeaderBytes)
	}
	if hs.WriteTimeout != 0 {
		t.Errorf("WriteTimeout %v would cut an injected latency", hs.WriteTimeout)
	}

	// Served by it, "OPTIONS *" reaches the emulator, which answers in the
	// API's shape, rather than net/http's empty 200.
	ts := httptest.NewUnstartedServer(s)
	ts.Config = hs
	ts.Start()
	defer ts.Close()
	a := raw(t, strings.TrimPrefix(ts.URL, "http://"), "OPTIONS * HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n")
	if a.Status != http.StatusNotFound || a.Message != "not found: *" {
		t.Errorf("OPTIONS * answered %d %q, want 404 not found: *", a.Status, a.Message)
	}
}

func TestLatencyOutlivesReadTimeout(t *testing.T) {
	// NewHTTPServer sets a ReadTimeout, and the handler sets a deadline of
	// its own for the body. Neither may cut an injected latency longer than
	// them: a read deadline still set when net/http watches the connection
	// during the handler would cancel the request as if the client had
	// left.
	// The ReadTimeout runs from the start of the request, so the handler
	// must begin before it passes: a quarter second leaves room for a
	// loaded machine.
	const readTimeout = 250 * time.Millisecond
	s, err := emulator.New(emulator.Options{
		Now: newClock().Now,
		// The latency is real here: it must outlast both deadlines.
		Latency:     3 * readTimeout,
		BodyTimeout: readTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hs := emulator.NewHTTPServer(s)
	hs.ReadTimeout = readTimeout
	ts := httptest.NewUnstartedServer(s)
	ts.Config = hs
	ts.Start()
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	if a := raw(t, addr, post("/v1/client/job", job(map[string]any{"name": "late"}))); a.Status != http.StatusAccepted {
		t.Errorf("submit answered %d %q, want 202", a.Status, a.Message)
	}
	if a := raw(t, addr, get("/v1/client/job/nope")); a.Status != http.StatusNotFound || a.Message != "job not found" {
		t.Errorf("detail answered %d %q, want 404 job not found", a.Status, a.Message)
	}
}

// hasControl reports whether s holds a character a terminal acts on.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029'
	})
}

func TestNoControlCharactersEchoed(t *testing.T) {
	var mu sync.Mutex
	var logged []string
	_, addr := serve(t, emulator.Options{Log: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}})
	const evil = "\x1b[2J\r\n::error::pwned\u202e\u0085\x00"
	named := job(map[string]any{"name": "n" + evil, "job_queue": "acme::nightly"})
	requests := []struct {
		name    string
		request string
		status  int
	}{
		{name: "first", request: post("/v1/client/job", named), status: http.StatusAccepted},
		{name: "name taken", request: post("/v1/client/job", named), status: http.StatusBadRequest},
		{name: "bad env key", request: post("/v1/client/job", job(map[string]any{"container_env": map[string]any{evil: 1}})),
			status: http.StatusBadRequest},
		{name: "bad queue", request: post("/v1/client/job", job(map[string]any{"job_queue": evil})), status: http.StatusBadRequest},
		{name: "encoded path", request: get("/x%1b%5b2J%0a%e2%80%ae"), status: http.StatusNotFound},
	}
	for _, rq := range requests {
		a := raw(t, addr, rq.request)
		if a.Status != rq.status {
			t.Errorf("%s: answered %d %q, want %d", rq.name, a.Status, a.Message, rq.status)
		}
		if hasControl(a.Message) {
			t.Errorf("%s: message %q holds control characters", rq.name, a.Message)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) < len(requests) {
		t.Errorf("%d log lines, want one per request", len(logged))
	}
	for _, line := range logged {
		if hasControl(line) {
			t.Errorf("log line %q holds control characters", line)
		}
	}
}
