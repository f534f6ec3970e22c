package main

// The helpers that tests of this package share, in one place: running the
// app in-process or as a process, an emulator on loopback, manifests on
// disk, and assertions on what the emulator holds. A helper used by one test
// file only stays in that file.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
	"github.com/daestro-jobs/daestro-jobs/schema"
	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites golden files and scripts instead of comparing with them.
var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar and golden files")

// TestMain runs the tests; a process started as daestro-jobs (testscript's
// exec, jobsBinary) runs main instead. The binary built for the tests that
// need one (builtBinary) is removed at the end.
func TestMain(m *testing.M) {
	testscript.Main(removeBuilt{m}, map[string]func(){"daestro-jobs": main})
}

// removeBuilt runs the tests, then removes the built binary.
type removeBuilt struct{ m *testing.M }

func (r removeBuilt) Run() int {
	code := r.m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	return code
}

// built is the binary of this test run, built once, by builtBinary.
var built struct {
	once sync.Once
	dir  string
	out  []byte
	err  error
}

// builtBinary returns a directory holding daestro-jobs built from this
// module, for the tests that need the real binary (run by name from PATH,
// or as the GitHub Action builds it). It is built once per test run, as the
// action builds it (GOWORK=off go build -mod=readonly -trimpath) and named
// as go install names it (-o DIR/: after the module path's last element):
// linking takes seconds, and a go build of the same flags on a copy of it
// finds it up to date. Callers must not change what it holds.
func builtBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "daestro-jobs-built-"); built.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-mod=readonly", "-trimpath", "-o", built.dir+string(os.PathSeparator), ".")
		cmd.Env = append(os.Environ(), "GOWORK=off")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.dir
}

// runInProcess runs the app with the given environment and returns exit
// code, stdout and stderr. Its connections go to the network (loopback).
func runInProcess(t testing.TB, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runApp(t, nil, vars, args...)
}

// runApp is runInProcess with the app's API connections opened by dial
// (nil: the network).
func runApp(t testing.TB, dial func(ctx context.Context, network, addr string) (net.Conn, error), vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	// One at a time: urfave/cli writes package-level flags (the help and
	// version flags) while it parses, so concurrent runs race.
	inProcess.Lock()
	defer inProcess.Unlock()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"daestro-jobs"}, args...), env{
		stdin:     strings.NewReader(""),
		stdout:    &out,
		stderr:    &errb,
		lookup:    func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		now:       func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		dial:      dial,
		validator: compiledSchema(t),
	})
	return code, out.String(), errb.String()
}

// compiled is the manifest schema, compiled once for every in-process run:
// compiling it took most of the time of a short run, and tests run the app
// in-process hundreds of times. A run given none compiles its own, as the
// binary does.
var compiled struct {
	once sync.Once
	v    *schema.Validator
	err  error
}

// compiledSchema returns the shared compiled schema.
func compiledSchema(t testing.TB) *schema.Validator {
	t.Helper()
	compiled.once.Do(func() { compiled.v, compiled.err = schema.New() })
	if compiled.err != nil {
		t.Fatal(compiled.err)
	}
	return compiled.v
}

// inProcess serialises runApp.
var inProcess sync.Mutex

// memServer serves a handler over in-memory connections (net.Pipe) instead
// of loopback. Inside a testing/synctest bubble a goroutine blocked on real
// network I/O is not durably blocked, so time could not advance; on a pipe
// it is, and latency, backoff and rate limits pass in virtual time. Start it
// inside the bubble, and run the app with its run method.
type memServer struct {
	// URL is what the app is given as DAESTRO_API_URL; the address is never
	// dialled (dial connects every request to the handler), but it is
	// loopback so that a run that bypassed dial would fail at once.
	URL   string
	hs    *http.Server
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// startMemServer serves h in memory until the test ends.
func startMemServer(t testing.TB, h http.Handler) *memServer {
	t.Helper()
	m := &memServer{URL: "http://127.0.0.1:9", hs: &http.Server{Handler: h}, conns: make(chan net.Conn), done: make(chan struct{})}
	go func() { _ = m.hs.Serve(m) }()
	// Closing the server closes both ends of every connection, which ends
	// the client's and the server's connection goroutines: a bubble's
	// goroutines must all have ended when it does.
	t.Cleanup(func() { _ = m.hs.Close() })
	return m
}

// dial connects one client connection to the server.
func (m *memServer) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	var err error
	select {
	case m.conns <- server:
		return client, nil
	case <-m.done:
		err = errors.New("connection refused: the in-memory server is closed")
	case <-ctx.Done():
		err = ctx.Err()
	}
	client.Close()
	server.Close()
	return nil, err
}

// run is runInProcess against this server.
func (m *memServer) run(t testing.TB, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	all := map[string]string{"DAESTRO_API_URL": m.URL}
	maps.Copy(all, vars)
	return runApp(t, m.dial, all, args...)
}

// Accept, Close and Addr make memServer the server's net.Listener.
func (m *memServer) Accept() (net.Conn, error) {
	select {
	case c := <-m.conns:
		return c, nil
	case <-m.done:
		return nil, net.ErrClosed
	}
}

func (m *memServer) Close() error {
	m.once.Do(func() { close(m.done) })
	return nil
}

func (m *memServer) Addr() net.Addr { return memAddr{} }

// memAddr is the address of an in-memory connection.
type memAddr struct{}

func (memAddr) Network() string { return "memory" }
func (memAddr) String() string  { return "memory" }

// writeFile writes content to path, or fails the test.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// counting wraps a handler and lets a test wait, without sleeping, until the
// server has seen n requests.
type counting struct {
	h       http.Handler
	mu      sync.Mutex
	n       int
	waiters map[int]chan struct{}
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n++
	if ch, ok := c.waiters[c.n]; ok {
		close(ch)
		delete(c.waiters, c.n)
	}
	c.mu.Unlock()
	c.h.ServeHTTP(w, r)
}

// seen returns a channel closed once the server has seen n requests.
func (c *counting) seen(n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.n >= n {
		close(ch)
		return ch
	}
	if c.waiters == nil {
		c.waiters = map[int]chan struct{}{}
	}
	c.waiters[n] = ch
	return ch
}

// startEmulator serves the emulator's handler on loopback for one test.
func startEmulator(t *testing.T, opts emulator.Options) (*emulator.Server, *counting, string) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{h: srv}
	hs := httptest.NewServer(c)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, c, hs.URL
}

// startMemEmulator serves the emulator's handler in memory (memServer) for
// one test; call it inside the synctest bubble that runs the app.
func startMemEmulator(t testing.TB, opts emulator.Options) (*emulator.Server, *counting, *memServer) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the server below has closed
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	c := &counting{h: srv}
	return srv, c, startMemServer(t, c)
}

// writeMixed writes named jobs (one file each) and unnamed jobs (in one
// multi-document file) into dir.
func writeMixed(t *testing.T, dir string, named, unnamed int) {
	t.Helper()
	for i := range named {
		doc := fmt.Sprintf("job_definition: acme::worker:1\njob_queue: acme::q%d\nname: job-%04d\ncontainer_cmd_parameter: {n: %d}\n", i%3, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("named-%04d.yaml", i)), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	for i := range unnamed {
		fmt.Fprintf(&b, "---\njob_definition: acme::worker:1\njob_queue: acme::unnamed\ncontainer_cmd_parameter: {n: %d}\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "unnamed.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// assertOnce checks the emulator holds exactly want jobs, none twice.
func assertOnce(t *testing.T, srv *emulator.Server, want int) {
	t.Helper()
	jobs := srv.Jobs()
	seen := map[string]bool{}
	for _, j := range jobs {
		k := j.Queue + "/" + j.Name
		if seen[k] {
			t.Errorf("the emulator holds %s twice", k)
		}
		seen[k] = true
	}
	if len(jobs) != want {
		t.Errorf("the emulator holds %d jobs, want %d", len(jobs), want)
	}
}

// tail is the last n lines of s, for a failure message.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// quickExitRace is the GORACE of the processes this test binary starts of
// itself (jobsBinary, testscript's exec). Built with -race, a binary sleeps
// a second before it exits (atexit_sleep_ms), for goroutines still running
// to report races: a second per process made the scripts take half a
// minute. Races found while it ran still fail it (exit 66). A GORACE of the
// caller's own comes after, and wins.
func quickExitRace() string {
	return strings.TrimSpace("atexit_sleep_ms=0 " + os.Getenv("GORACE"))
}

// jobsBinary returns a path that runs this test binary as `daestro-jobs`
// (TestMain dispatches on the name to main), for tests that need a real
// process to signal without building the module.
func jobsBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "daestro-jobs")
	if err := os.Symlink(self, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// outcomeLines counts the report's job lines with the given outcome.
func outcomeLines(out, outcome string) int {
	return len(regexp.MustCompile(`(?m)^`+outcome+` +\S+/`).FindAllString(out, -1))
}

// pathWithout is $PATH less every directory that holds name: testscript's
// TestMain puts this test binary on PATH as daestro-jobs, and a hook must run
// the binary pre-commit built, or fail, never that one.
func pathWithout(name string) string {
	var keep []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			continue
		}
		keep = append(keep, dir)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// gitCommitAll makes dir a git repository on branch main, if it is not one
// yet, and commits everything in it: the base revision of a diff. It skips
// the test, saying why, when git is not installed.
func gitCommitAll(t testing.TB, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: diff reads the base revision with it")
	}
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "--no-verify", "-m", "base"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
			"-c", "core.hooksPath=/dev/null"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}
