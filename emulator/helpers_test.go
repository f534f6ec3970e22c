package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the fake clock's start; its sub-microsecond part checks truncation.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 123456789, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is an emulator served on loopback by httptest.
type env struct {
	srv    *emulator.Server
	url    string
	client *http.Client
	clock  *clock
}

// start serves an emulator with opts; a nil opts.Now gets a fake clock.
func start(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	c := newClock()
	if opts.Now == nil {
		opts.Now = c.Now
	}
	s, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{srv: s, url: ts.URL, client: ts.Client(), clock: c}
}

// answer is a decoded API answer.
type answer struct {
	Status     int
	RetryAfter string
	OK         bool
	Message    string
	Data       json.RawMessage
}

// do sends one request; key "" sends no Authorization header.
func (e *env) do(t *testing.T, ctx context.Context, method, path, key, body string) (answer, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After")}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	var env struct {
		OK      bool            `json:"ok"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s %s: answer is not the JSON envelope: %v: %s", method, path, err, raw)
	}
	a.OK, a.Message, a.Data = env.OK, env.Message, env.Data
	return a, nil
}

// submit posts a body and fails the test on a connection error.
func (e *env) submit(t *testing.T, key, body string) answer {
	t.Helper()
	a, err := e.do(t, context.Background(), http.MethodPost, "/v1/client/job", key, body)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return a
}

// get reads Job Detail and fails the test on a connection error.
func (e *env) get(t *testing.T, key, id string) answer {
	t.Helper()
	a, err := e.do(t, context.Background(), http.MethodGet, "/v1/client/job/"+id, key, "")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	return a
}

// idOf returns the id of an accepted submit.
func idOf(t *testing.T, a answer) string {
	t.Helper()
	if a.Status != http.StatusAccepted || !a.OK {
		t.Fatalf("submit answered %d %q, want 202", a.Status, a.Message)
	}
	var data struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.Data, &data); err != nil {
		t.Fatal(err)
	}
	return data.ID
}

// job builds a Job Submit body: a valid one, changed by the given fields
// (a nil value deletes the key).
func job(fields map[string]any) string {
	body := map[string]any{
		"job_definition": "acme::report-builder:3",
		"job_queue":      "acme::nightly",
	}
	for k, v := range fields {
		if v == nil {
			delete(body, k)
			continue
		}
		body[k] = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		panic(err)
	}
	return buf.String()
}

// sized builds a valid Job Submit body of exactly n bytes, padded with a
// command argument.
func sized(n int, name string) string {
	body := job(map[string]any{"name": name, "container_cmd": []string{""}})
	return job(map[string]any{"name": name, "container_cmd": []string{strings.Repeat("x", n-len(body))}})
}
