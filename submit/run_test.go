package submit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// requests builds n job bodies named job-0 … job-n-1, with Index 100+i so that a
// test notices Index being confused with the position.
func requests(n int) []Request {
	reqs := make([]Request, n)
	for i := range reqs {
		body := fmt.Sprintf(`{"job_definition":"acme::d:1","job_queue":"acme::q","name":"job-%d"}`, i)
		reqs[i] = Request{Index: 100 + i, Body: []byte(body)}
	}
	return reqs
}

// errText makes a Result comparable with cmp: Err becomes its text.
type resultText struct {
	Result
	ErrText string
}

func texts(rs []Result) []resultText {
	out := make([]resultText, len(rs))
	for i, r := range rs {
		out[i] = resultText{Result: r}
		if r.Err != nil {
			out[i].ErrText = r.Err.Error()
		}
		out[i].Err = nil
	}
	return out
}

// step is one scripted answer to one attempt.
type step func(t *testing.T, w http.ResponseWriter, r *http.Request)

func answer(status int, msg string, retryAfter string) step {
	return func(t *testing.T, w http.ResponseWriter, r *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeJSON(w, status, errBody(msg))
	}
}

func created(id string) step {
	return func(t *testing.T, w http.ResponseWriter, r *http.Request) { writeJSON(w, 202, okBody(id)) }
}

// dropped reads the request ("stores" the job) and closes the connection without
// an answer.
func dropped(t *testing.T, w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	dropConnection(t, w)
}

func garbage200(t *testing.T, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "<html><title>Welcome</title></html>")
}

// One job, a scripted answer per attempt: retries, backoff delays, Retry-After,
// lost answers and classification, checked on a fake clock.
func TestRunScenarios(t *testing.T) {
	ms := time.Millisecond
	const (
		taken   = "job name already exists in queue"
		maybe   = "an earlier attempt's answer was lost, so the job may or may not have been created; applying again is safe (it will then be reported as exists)"
		lostNew = "created by an earlier attempt of this run whose answer was lost"
	)
	tests := []struct {
		name       string
		steps      []step
		opts       func(*Options) // on DefaultOptions
		want       Result
		wantErr    string // the result's error text
		wantRunErr error  // what Run's error must match with errors.Is
		wantSleeps []time.Duration
	}{
		{
			name:  "created",
			steps: []step{created("id-1")},
			want:  Result{Outcome: Created, ID: "id-1", Attempts: 1, Status: 202},
		},
		{
			name:       "503 twice then created, Retry-After as a floor",
			steps:      []step{answer(503, "busy", "1"), answer(503, "busy", "1"), created("id-2")},
			want:       Result{Outcome: Created, ID: "id-2", Attempts: 3, Status: 202},
			wantSleeps: []time.Duration{time.Second, time.Second},
		},
		{
			name:  "backoff doubles up to the cap, then gives up",
			opts:  func(o *Options) { o.Retries = 8 },
			steps: slices.Repeat([]step{answer(503, "busy", "")}, 9),
			want:  Result{Outcome: Failed, Attempts: 9, Status: 503, Note: "gave up after 9 attempts"},
			// Rand is 0.5: half of 200ms·2ⁿ, capped at 10s.
			wantErr:    "HTTP 503: busy",
			wantSleeps: []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 5 * time.Second, 5 * time.Second},
		},
		{
			name:       "default retries: six attempts",
			steps:      slices.Repeat([]step{answer(429, "slow", "")}, 6),
			want:       Result{Outcome: Failed, Attempts: 6, Status: 429, Note: "gave up after 6 attempts"},
			wantErr:    "HTTP 429: slow",
			wantSleeps: []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms},
		},
		{
			name:       "Retry-After capped",
			steps:      []step{answer(429, "slow", "3"), answer(429, "slow", "7200"), created("id-3")},
			want:       Result{Outcome: Created, ID: "id-3", Attempts: 3, Status: 202},
			wantSleeps: []time.Duration{3 * time.Second, MaxRetryAfter},
		},
		{
			name:       "no retries",
			opts:       func(o *Options) { o.Retries = 0 },
			steps:      []step{answer(503, "busy", "")},
			want:       Result{Outcome: Failed, Attempts: 1, Status: 503, Note: "gave up after 1 attempts"},
			wantErr:    "HTTP 503: busy",
			wantSleeps: nil,
		},
		{
			name:       "503 then name taken: the job existed before",
			steps:      []step{answer(503, "busy", ""), answer(409, taken, "")},
			want:       Result{Outcome: Exists, Attempts: 2, Status: 409},
			wantSleeps: []time.Duration{100 * ms},
		},
		{
			name:       "dropped connection then name taken: created by the lost attempt",
			steps:      []step{dropped, answer(400, taken, "")},
			want:       Result{Outcome: Exists, Attempts: 2, Status: 400, Note: lostNew},
			wantSleeps: []time.Duration{100 * ms},
		},
		{
			name:       "500, 502 and 504 may have stored the job",
			steps:      []step{answer(500, "oops", ""), answer(502, "gw", ""), answer(504, "gw", ""), answer(409, taken, "")},
			want:       Result{Outcome: Exists, Attempts: 4, Status: 409, Note: lostNew},
			wantSleeps: []time.Duration{100 * ms, 200 * ms, 400 * ms},
		},
		{
			name:       "dropped then exhausted",
			opts:       func(o *Options) { o.Retries = 1 },
			steps:      []step{dropped, answer(503, "busy", "")},
			want:       Result{Outcome: Failed, Attempts: 2, Status: 503, Note: "gave up after 2 attempts; " + maybe},
			wantErr:    "HTTP 503: busy",
			wantSleeps: []time.Duration{100 * ms},
		},
		{
			name:    "other 400 fails at once",
			steps:   []step{answer(400, "invalid job_queue", "")},
			want:    Result{Outcome: Failed, Attempts: 1, Status: 400},
			wantErr: "HTTP 400: invalid job_queue",
		},
		{
			name:    "404 fails at once",
			steps:   []step{answer(404, "no such route", "")},
			want:    Result{Outcome: Failed, Attempts: 1, Status: 404},
			wantErr: "HTTP 404: no such route",
		},
		{
			name:    "unreadable success is not retried",
			steps:   []step{garbage200},
			want:    Result{Outcome: Failed, Attempts: 1, Status: 200, Note: "the server accepted the request but its answer could not be read; the job may or may not have been created; applying again is safe (it will then be reported as exists)"},
			wantErr: "HTTP 200: unexpected answer, not the API's JSON: text/html body: Welcome",
		},
		{
			name:  "custom duplicate pattern",
			opts:  func(o *Options) { o.DuplicatePattern = regexp.MustCompile(`schon vorhanden`) },
			steps: []step{answer(400, "Name schon vorhanden", "")},
			want:  Result{Outcome: Exists, Attempts: 1, Status: 400},
		},
		{
			name:       "403 stops and fails",
			steps:      []step{answer(403, "forbidden", "")},
			want:       Result{Outcome: Failed, Attempts: 1, Status: 403},
			wantErr:    "HTTP 403: forbidden",
			wantRunErr: ErrUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				calls int
			)
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				n := calls
				calls++
				mu.Unlock()
				if n >= len(tt.steps) {
					t.Errorf("attempt %d not scripted", n+1)
					writeJSON(w, 418, errBody("unscripted"))
					return
				}
				tt.steps[n](t, w, r)
			}))
			clock := newFakeClock()
			opts := DefaultOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			opts.Clock, opts.jitter = clock, constRand(0.5)
			results, err := Run(context.Background(), c, requests(1), opts)
			if !errors.Is(err, tt.wantRunErr) || (err != nil) != (tt.wantRunErr != nil) {
				t.Errorf("Run error = %v, want %v", err, tt.wantRunErr)
			}
			want := tt.want
			want.Index = 100
			wantText := []resultText{{Result: want, ErrText: tt.wantErr}}
			if diff := cmp.Diff(wantText, texts(results)); diff != "" {
				t.Errorf("results mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSleeps, clock.Sleeps()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
			if calls != len(tt.steps) {
				t.Errorf("server saw %d attempts, want %d", calls, len(tt.steps))
			}
			var apiErr *APIError
			if results[0].Err != nil && strings.HasPrefix(tt.wantErr, "HTTP") && !errors.As(results[0].Err, &apiErr) {
				t.Errorf("Result.Err is not an *APIError: %#v", results[0].Err)
			}
		})
	}
}

// arrival is a request the test server is holding until the test answers it.
type arrival struct {
	name  string
	reply chan int // the status to answer with
}

// holdingServer answers nothing by itself: every request is announced on the
// returned channel and answered with the status the test sends back (202 with
// id "id-<name>", else an error message naming the key it was sent).
func holdingServer(t *testing.T) (*Client, chan arrival, func()) {
	arrivals := make(chan arrival, 64)
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := arrival{name: jobName(t, r), reply: make(chan int)}
		arrivals <- a
		select {
		case status := <-a.reply:
			if status == 202 {
				writeJSON(w, 202, okBody("id-"+a.name))
				return
			}
			writeJSON(w, status, errBody("refused token "+r.Header.Get("Authorization")))
		case <-r.Context().Done():
			// The client gave up on the request.
		}
	}))
	return c, arrivals, srv.Close
}

type runOut struct {
	results []Result
	err     error
}

// startRun runs Run in a goroutine.
func startRun(ctx context.Context, c *Client, reqs []Request, opts Options) <-chan runOut {
	done := make(chan runOut, 1)
	go func() {
		rs, err := Run(ctx, c, reqs, opts)
		done <- runOut{rs, err}
	}()
	return done
}

// awaitRun waits for Run to return, answering 202 to any request that arrives
// meanwhile, and returns the names of those requests: a test expecting none
// fails instead of hanging when Run sends what it should not.
func awaitRun(done <-chan runOut, arrivals chan arrival) (runOut, []string) {
	var stray []string
	for {
		select {
		case a := <-arrivals:
			stray = append(stray, a.name)
			a.reply <- 202
		case out := <-done:
			return out, stray
		}
	}
}

// Results come back in input order although the server answers in reverse
// order of arrival, and OnResult sees them in the order they finish.
func TestRunOrder(t *testing.T) {
	const total, conc = 40, 16
	c, arrivals, _ := holdingServer(t)
	finished := make(chan Result, total)
	var onResult []int // not locked: -race checks that OnResult is serialised
	opts := DefaultOptions()
	opts.Concurrency, opts.OnResult = conc, func(r Result) {
		onResult = append(onResult, r.Index)
		finished <- r
	}
	done := startRun(context.Background(), c, requests(total), opts)

	var held []arrival
	var answered []int
	for n := range total {
		// Every worker is busy until the last few jobs: wait for all of them.
		for len(held) < min(conc, total-n) {
			held = append(held, <-arrivals)
		}
		last := held[len(held)-1]
		held = held[:len(held)-1]
		last.reply <- 202
		r := <-finished
		if want := "id-" + last.name; r.ID != want {
			t.Fatalf("finished %q, want %q", r.ID, want)
		}
		answered = append(answered, r.Index)
	}
	out := <-done
	if out.err != nil {
		t.Fatal(out.err)
	}
	for i, r := range out.results {
		want := Result{Index: 100 + i, Outcome: Created, ID: fmt.Sprintf("id-job-%d", i), Attempts: 1, Status: 202}
		if diff := cmp.Diff(want, r, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("result %d (-want +got):\n%s", i, diff)
		}
	}
	if diff := cmp.Diff(answered, onResult); diff != "" {
		t.Errorf("OnResult order is not the finishing order (-want +got):\n%s", diff)
	}
	if slices.IsSorted(onResult) {
		t.Errorf("the server answered in input order; the test proves nothing")
	}
}

// A 401 stops the run at once: the requests already in flight finish, nothing
// else is sent, and the error says the key was refused without showing it.
func TestRunUnauthorizedStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	const total, conc = 20, 4
	c, arrivals, closeServer := holdingServer(t)
	finished := make(chan Result, total)
	var calls int
	opts := DefaultOptions()
	opts.Concurrency, opts.OnResult = conc, func(r Result) {
		calls++
		finished <- r
	}
	done := startRun(context.Background(), c, requests(total), opts)

	held := make([]arrival, conc)
	for i := range held {
		held[i] = <-arrivals
	}
	held[0].reply <- 401
	if r := <-finished; r.Outcome != Failed || r.Status != 401 {
		t.Fatalf("first finished = %+v, want the 401", r)
	}
	// The run has stopped; the other three answer now and nothing may follow.
	for _, a := range held[1:] {
		a.reply <- 202
	}
	out, stray := awaitRun(done, arrivals)
	closeServer()
	if len(stray) > 0 {
		t.Errorf("requests sent after the 401: %v", stray)
	}

	if !errors.Is(out.err, ErrUnauthorized) {
		t.Fatalf("Run error = %v, want ErrUnauthorized", out.err)
	}
	// What is printed of them, masked at the output edge.
	edge := report.NewEdge(report.Streams{}, report.Options{Redact: redact.New(testKey)})
	if msg := edge.Message("%v", out.err); strings.Contains(msg, testKey) || !strings.Contains(msg, "HTTP 401") {
		t.Errorf("Run error shows the key, or not the answer: %s", msg)
	}
	counts := map[outcome.Outcome]int{}
	for _, r := range out.results {
		counts[r.Outcome]++
		if r.Err != nil && strings.Contains(edge.Message("%v", r.Err), testKey) {
			t.Errorf("result error shows the key: %v", edge.Message("%v", r.Err))
		}
		if r.Outcome == NotSubmitted && (r.Attempts != 0 || r.Note != "not sent: the run stopped because the server refused the API key") {
			t.Errorf("not submitted result = %+v", r)
		}
	}
	if diff := cmp.Diff(map[outcome.Outcome]int{Failed: 1, Created: conc - 1, NotSubmitted: total - conc}, counts); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if calls != total {
		t.Errorf("OnResult called %d times, want %d", calls, total)
	}
}

// Cancelling ctx stops dispatching; in-flight requests get the grace period.
func TestRunCancel(t *testing.T) {
	const total, conc, grace = 10, 2, 12345 * time.Second
	tests := []struct {
		name string
		// graceEnds: the grace period runs out at once; else it never does and
		// the test answers the requests in flight.
		graceEnds bool
		wantHeld  Result
	}{
		{
			name:      "in-flight requests answered within the grace period",
			graceEnds: false,
			wantHeld:  Result{Outcome: Created, Attempts: 1, Status: 202},
		},
		{
			name:      "grace period over: in-flight requests cut off",
			graceEnds: true,
			wantHeld: Result{Outcome: Failed, Attempts: 1,
				Note: "the job may or may not have been created; applying again is safe (it will then be reported as exists)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t)
			c, arrivals, closeServer := holdingServer(t)
			graceStarted := make(chan struct{})
			opts := DefaultOptions()
			opts.Concurrency, opts.Grace = conc, grace
			opts.Clock = sleepFunc(func(ctx context.Context, d time.Duration) error {
				if d != grace {
					t.Errorf("unexpected sleep %v", d)
					return nil
				}
				close(graceStarted)
				if tt.graceEnds {
					return nil
				}
				<-ctx.Done() // the run ends first
				return ctx.Err()
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := startRun(ctx, c, requests(total), opts)
			held := []arrival{<-arrivals, <-arrivals}
			cancel()
			<-graceStarted
			if !tt.graceEnds {
				for _, a := range held {
					a.reply <- 202
				}
			}
			out, stray := awaitRun(done, arrivals)
			closeServer()
			if len(stray) > 0 {
				t.Errorf("requests sent after cancel: %v", stray)
			}

			if !errors.Is(out.err, context.Canceled) {
				t.Errorf("Run error = %v, want context.Canceled", out.err)
			}
			inFlight := map[string]bool{held[0].name: true, held[1].name: true}
			for i, r := range out.results {
				name := fmt.Sprintf("job-%d", i)
				if !inFlight[name] {
					want := Result{Index: 100 + i, Outcome: NotSubmitted, Note: "not sent: the run was interrupted"}
					if diff := cmp.Diff(want, r, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
						t.Errorf("%s (-want +got):\n%s", name, diff)
					}
					continue
				}
				want := tt.wantHeld
				want.Index = 100 + i
				if want.Outcome == Created {
					want.ID = "id-" + name
				}
				got := r
				got.Err = nil
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
				if tt.graceEnds && (r.Err == nil || !strings.Contains(r.Err.Error(), "interrupted before the server answered")) {
					t.Errorf("%s: err = %v", name, r.Err)
				}
			}
		})
	}
}

// A job waiting to retry when ctx is cancelled is not retried.
func TestRunCancelDuringBackoff(t *testing.T) {
	defer goleak.VerifyNone(t)
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, errBody("busy"))
	}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := DefaultOptions()
	opts.Concurrency, opts.jitter = 1, constRand(0.5)
	opts.Clock = sleepFunc(func(sctx context.Context, d time.Duration) error {
		if d < time.Second { // the backoff, not the grace period
			cancel()
		}
		return sctx.Err()
	})
	results, err := Run(ctx, c, requests(3), opts)
	srv.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v", err)
	}
	want := []resultText{
		{Result: Result{Index: 100, Outcome: Failed, Attempts: 1, Status: 503, Note: "not retried: the run was interrupted"}, ErrText: "HTTP 503: busy"},
		{Result: Result{Index: 101, Outcome: NotSubmitted, Note: "not sent: the run was interrupted"}},
		{Result: Result{Index: 102, Outcome: NotSubmitted, Note: "not sent: the run was interrupted"}},
	}
	if diff := cmp.Diff(want, texts(results)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// An attempt that times out is retried, and counts as a possibly lost answer.
func TestRunAttemptTimeout(t *testing.T) {
	var (
		mu    sync.Mutex
		calls int
	)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		// Read the body first: only then does the server watch the connection
		// and cancel r.Context() when the client hangs up.
		io.ReadAll(r.Body)
		if n == 1 {
			// Never answer: the client's timeout must end this.
			<-r.Context().Done()
			return
		}
		writeJSON(w, 409, errBody("exists"))
	}))
	clock := newFakeClock()
	opts := DefaultOptions()
	opts.Timeout, opts.Clock, opts.jitter = 20*time.Millisecond, clock, constRand(0)
	results, err := Run(context.Background(), c, requests(1), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []resultText{{Result: Result{Index: 100, Outcome: Exists, Attempts: 2, Status: 409,
		Note: "created by an earlier attempt of this run whose answer was lost"}}}
	if diff := cmp.Diff(want, texts(results)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// A server that echoes the whole body (and the Authorization header) in its error
// message must not get the job's secret or the key into what is printed of the
// result: the result holds the server's words as they came, and the output
// layer (report.Edge) masks them before it cuts them.
func TestRunSecretEcho(t *testing.T) {
	const secret = `Zq7"s3nt<&>\in3l`
	bodyJSON, err := json.Marshal(map[string]any{
		"job_definition": "acme::d:1", "job_queue": "acme::q", "name": "job-0",
		"container_env": map[string]any{"DB_URL": map[string]any{"value": "postgres://app:" + secret + "@db/app", "sensitive": true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{secret, "Zq7", testKey}
	for _, f := range []func(string) string{url.QueryEscape, url.PathEscape, func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	}} {
		forms = append(forms, f(secret))
	}

	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{
			name: "JSON message echoing the body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				writeJSON(w, 400, errBody("invalid body "+string(b)+" with "+r.Header.Get("Authorization")))
			},
		},
		{
			// The excerpt is cut at 200 bytes; the secret sits across the cut,
			// so scrubbing after cutting would leave its first half.
			name: "HTML page echoing the body across the excerpt limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(422)
				// The excerpt is "xxx… <body>": put the cut 3 bytes into the secret.
				k := strings.Index(string(b), "Zq7")
				pad := strings.Repeat("x", 200-1-k-3)
				io.WriteString(w, "<html><body>"+pad+" "+string(b)+"</body></html>")
			},
		},
		{
			name: "plain text echo of the raw secret and the key",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad value "+secret+" for key "+testKey, 400)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, tt.handler)
			edge := report.NewEdge(report.Streams{}, report.Options{Redact: redact.New(testKey, secret)})
			req := Request{Index: 1, Body: bodyJSON}
			results, err := Run(context.Background(), c, []Request{req}, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			r := results[0]
			if r.Outcome != Failed || r.Err == nil {
				t.Fatalf("result = %+v", r)
			}
			text := edge.Message("%v | %s", r.Err, r.Note)
			for _, f := range forms {
				if strings.Contains(text, f) {
					t.Errorf("result shows %q: %s", f, text)
				}
			}
			if !strings.Contains(text, redact.Mask) {
				t.Errorf("nothing was masked: %s", text)
			}
		})
	}
}

// The rate limit spaces attempts, retries included, on the limiter's clock.
func TestRunRate(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		jobs        int
		rate        float64
		// failFirst makes the first attempt of these jobs answer 503.
		failFirst map[string]bool
	}{
		{name: "sequential", concurrency: 1, jobs: 5, rate: 2, failFirst: map[string]bool{"job-1": true}},
		{name: "concurrent", concurrency: 4, jobs: 12, rate: 4, failFirst: map[string]bool{"job-0": true, "job-5": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			start := clock.Now()
			var (
				mu   sync.Mutex
				seen = map[string]bool{}
				at   []time.Duration
			)
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				name := jobName(t, r)
				mu.Lock()
				at = append(at, clock.Now().Sub(start))
				first := !seen[name]
				seen[name] = true
				mu.Unlock()
				if first && tt.failFirst[name] {
					writeJSON(w, 503, errBody("busy"))
					return
				}
				writeJSON(w, 202, okBody("id-"+name))
			}))
			opts := DefaultOptions()
			opts.Concurrency, opts.Rate, opts.Clock, opts.jitter = tt.concurrency, rate.Limit(tt.rate), clock, constRand(0)
			results, err := Run(context.Background(), c, requests(tt.jobs), opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				if r.Outcome != Created {
					t.Errorf("result %+v", r)
				}
			}
			attempts := tt.jobs + len(tt.failFirst)
			if len(at) != attempts {
				t.Fatalf("server saw %d attempts, want %d", len(at), attempts)
			}
			interval := time.Duration(float64(time.Second) / tt.rate)
			if tt.concurrency == 1 {
				// One at a time, the clock only moves by the limiter's waits:
				// the attempts are exactly one interval apart.
				var want []time.Duration
				for k := range attempts {
					want = append(want, time.Duration(k)*interval)
				}
				if diff := cmp.Diff(want, at); diff != "" {
					t.Errorf("attempt times (-want +got):\n%s", diff)
				}
				return
			}
			// Concurrent sleepers may push the fake clock further, never less:
			// the k-th attempt cannot come before k intervals.
			slices.Sort(at)
			for k, d := range at {
				if d < time.Duration(k)*interval {
					t.Errorf("attempt %d at %v, before %v", k, d, time.Duration(k)*interval)
				}
			}
		})
	}
}

func TestRunBadInput(t *testing.T) {
	reqs := requests(2)
	want := []Result{{Index: 100, Outcome: NotSubmitted}, {Index: 101, Outcome: NotSubmitted}}
	for name, c := range map[string]*Client{"nil client": nil, "no base URL": {APIKey: "k"}} {
		t.Run(name, func(t *testing.T) {
			results, err := Run(context.Background(), c, reqs, DefaultOptions())
			if err == nil {
				t.Errorf("no error")
			}
			if diff := cmp.Diff(want, results); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunNoJobs(t *testing.T) {
	c, _ := newTestClient(t, http.NotFoundHandler())
	results, err := Run(context.Background(), c, nil, DefaultOptions())
	if err != nil || len(results) != 0 {
		t.Errorf("Run(nil) = %v, %v", results, err)
	}
}

// Already cancelled before Run: nothing is sent.
func TestRunCancelledBeforeStart(t *testing.T) {
	defer goleak.VerifyNone(t)
	c, srv := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("request sent after cancel")
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results, err := Run(ctx, c, requests(3), DefaultOptions())
	srv.Close()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	for _, r := range results {
		if r.Outcome != NotSubmitted {
			t.Errorf("result %+v", r)
		}
	}
}

// A server that stores every job and then loses the answer of each first
// request: every retry finds the name taken, so each job ends as exists, and the
// server holds each job once.
func TestRunDroppedAfterStoring(t *testing.T) {
	const total = 8
	var (
		mu     sync.Mutex
		stored = map[string]int{} // name → times stored
	)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := jobName(t, r)
		mu.Lock()
		_, exists := stored[name]
		if !exists {
			stored[name]++
		}
		mu.Unlock()
		if exists {
			writeJSON(w, 400, errBody("Job name "+name+" already exists in queue acme::q"))
			return
		}
		dropConnection(t, w)
	}))
	opts := DefaultOptions()
	opts.Concurrency, opts.Clock, opts.jitter = 4, newFakeClock(), constRand(0.5)
	results, err := Run(context.Background(), c, requests(total), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		want := Result{Index: 100 + i, Outcome: Exists, Attempts: 2, Status: 400,
			Note: "created by an earlier attempt of this run whose answer was lost"}
		if diff := cmp.Diff(want, r, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("job-%d (-want +got):\n%s", i, diff)
		}
	}
	if len(stored) != total {
		t.Errorf("server stored %d jobs, want %d", len(stored), total)
	}
	for name, n := range stored {
		if n != 1 {
			t.Errorf("%s stored %d times", name, n)
		}
	}
}
