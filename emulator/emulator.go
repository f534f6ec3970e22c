// Package emulator is a local server that speaks the documented part of the
// Daestro client API: Job Submit (POST /v1/client/job) and Job Detail
// (GET /v1/client/job/{id}).
//
// It exists for two audiences. People run it through `daestro-jobs emulator` to try the
// tool without an account; the test suite mounts the same handler under
// httptest to exercise submission end to end, including the faults a real
// network produces (latency, 503s, answers lost after the job was stored, rate
// limiting). Everything that makes a test reproducible is injectable: the
// clock, the sleep and the seed of the fault generator. Job states are derived
// from the clock when they are read, so no goroutine runs in the background.
//
// The package never prints or logs on its own; a request log goes through
// Options.Log when one is given.
//
// It is written from the API's documentation (docs/api.md), not from the
// tool it tests: its request checks (request.go), its answer types
// (detail.go) and its helpers are its own, and it imports no package of this
// module (TestSharesNoCode), so a mistake in the tool's schema or wire types
// cannot hide behind the same mistake here.
//
// It is a server like any other, so it defends itself as one (limits.go):
// bodies are capped at MaxBodySize and read into a buffer of that size at
// most, only so many are held at once, a client has Options.BodyTimeout to
// send its body, anything repeated from a request is escaped, and a state file
// is locked so two emulators cannot interleave their journals.
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Options configure a Server. The zero value is a working emulator: any API key
// accepted, one state per second, no faults, nothing persisted.
type Options struct {
	// APIKey is the key clients must present as "Authorization: Bearer <key>".
	// Empty accepts any key, or none.
	APIKey string
	// Step is how long a job stays in each state before the next; default 1s.
	Step time.Duration
	// Latency is added before each request is handled.
	Latency time.Duration
	// LatencyJitter adds a uniform random extra in [0, LatencyJitter) to Latency.
	LatencyJitter time.Duration
	// FailRate is the fraction of submits answered 503 before anything is stored.
	FailRate float64
	// DropRate is the fraction of accepted submits whose job is stored and whose
	// connection is then closed with no answer, as when a response is lost.
	DropRate float64
	// RateLimit is the request rate, per second, above which requests are
	// answered 429 with Retry-After. Zero means unlimited.
	RateLimit float64
	// StatePath, when set, is the journal file that keeps jobs across restarts.
	StatePath string
	// Now is the clock; default time.Now. Job states are computed from it.
	Now func() time.Time
	// Seed seeds the generator behind FailRate, DropRate and LatencyJitter, so a
	// fault test sees the same faults on every run.
	Seed int64
	// Sleep waits for the latency; default a timer that gives up when ctx is
	// done. Tests replace it to observe latency without waiting for it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Log, when set, receives one line per answered request. Keys and bodies
	// are never logged; paths, names and messages are escaped, so a client
	// cannot put control characters into the log.
	Log func(format string, args ...any)
	// BodyTimeout is how long a client has, from the start of the handler, to
	// send its whole request body; default 10s. A body that has not arrived
	// by then is answered 408, so a client trickling its body cannot hold a
	// handler forever. Requests without a body are not affected.
	BodyTimeout time.Duration
}

// Job is a stored job as the emulator keeps it. Its JSON form is also the line
// format of the state journal.
type Job struct {
	// ID is the job's UUIDv7, as returned by Job Submit.
	ID string `json:"id"`
	// Name is the job's name: the one submitted, or one the emulator generated.
	Name string `json:"name"`
	// Queue is the job_queue it was submitted to.
	Queue string `json:"queue"`
	// Body is the submitted request body, compacted.
	Body json.RawMessage `json:"body"`
	// CreatedAt is when the job was accepted, by Options.Now, in UTC with
	// microsecond precision (the precision Job Detail reports).
	CreatedAt time.Time `json:"created_at"`
	// ScheduleAt is the requested start time, nil when the job runs at once.
	ScheduleAt *time.Time `json:"schedule_at,omitempty"`
}

// Stats counts what a Server has done, for tests that assert on fault
// injection.
type Stats struct {
	// Requests counts every request received, whatever its answer.
	Requests int
	// Injected503 counts submits answered 503 because of FailRate.
	Injected503 int
	// Dropped counts submits stored and then left without an answer (DropRate).
	Dropped int
	// RateLimited counts requests answered 429.
	RateLimited int
	// Created counts jobs stored, dropped answers included.
	Created int
	// NameTaken counts submits refused because the name exists in the queue.
	NameTaken int
	// Busy counts requests answered 503 because every body slot stayed taken
	// until their body deadline (not injected: the emulator was overloaded).
	Busy int
}

// Server is the emulator. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts    Options
	limiter *rate.Limiter // nil when unlimited

	// bodies and parses are semaphores (see limits.go): a slot of bodies is
	// held by each request whose body is in memory, one of parses by each
	// submit being validated.
	bodies chan struct{}
	parses chan struct{}
	// waiting, when set, is called when a request starts waiting for a body
	// slot, so a test can tell that it waits.
	waiting func()

	// mu guards everything below. One lock for the fault decision, the name
	// check, the journal write and the insert makes a submit atomic: two
	// concurrent submits of one name can never both be stored.
	mu      sync.Mutex
	rng     *rand.Rand
	jobs    []*record
	byID    map[string]*record
	names   map[queueName]bool
	lastGen int64 // unix ms of the last generated name, so generated names never repeat
	journal *journal
	stats   Stats
	closed  bool
}

// queueName is a job's identity: names are unique per queue.
type queueName struct{ queue, name string }

// record is a stored job with what Job Detail derives from it.
type record struct {
	job    Job
	ending state // terminal state: completed, or what EMULATOR_RESULT asked for
}

// New builds a Server, reading and compacting the journal at opts.StatePath
// when one is set.
func New(opts Options) (*Server, error) {
	if err := check(opts); err != nil {
		return nil, err
	}
	if opts.Step == 0 {
		opts.Step = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.BodyTimeout == 0 {
		opts.BodyTimeout = defaultBodyTimeout
	}
	s := &Server{
		opts:   opts,
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x6a6f6273)),
		byID:   map[string]*record{},
		names:  map[queueName]bool{},
		bodies: make(chan struct{}, maxBodies),
		parses: make(chan struct{}, maxParses),
	}
	if opts.RateLimit > 0 {
		// A burst of one second's worth of requests (at least one) is how API
		// gateways usually configure a token bucket.
		burst := max(1, int(opts.RateLimit))
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), burst)
	}
	if opts.StatePath != "" {
		j, jobs, err := openJournal(opts.StatePath)
		if err != nil {
			return nil, err
		}
		for _, job := range jobs {
			if err := s.load(job); err != nil {
				j.close()
				return nil, fmt.Errorf("emulator: %s: %w", opts.StatePath, err)
			}
		}
		s.journal = j
	}
	return s, nil
}

// check rejects options that cannot mean anything, so a typo in a flag fails
// at start rather than producing a silently different emulator.
func check(o Options) error {
	switch {
	case o.Step < 0:
		return errors.New("emulator: step must not be negative")
	case o.Latency < 0 || o.LatencyJitter < 0:
		return errors.New("emulator: latency must not be negative")
	case o.FailRate < 0 || o.FailRate > 1 || math.IsNaN(o.FailRate):
		return errors.New("emulator: fail rate must be between 0 and 1")
	case o.DropRate < 0 || o.DropRate > 1 || math.IsNaN(o.DropRate):
		return errors.New("emulator: drop rate must be between 0 and 1")
	case o.RateLimit < 0 || math.IsNaN(o.RateLimit):
		return errors.New("emulator: rate limit must not be negative")
	case o.BodyTimeout < 0:
		return errors.New("emulator: body timeout must not be negative")
	}
	return nil
}

// load adds a job read back from the journal.
func (s *Server) load(job Job) error {
	ending, err := storedEnding(job.Body)
	if err != nil {
		return fmt.Errorf("job %s: %w", job.ID, err)
	}
	if job.ID == "" || job.Name == "" || job.Queue == "" {
		return fmt.Errorf("job %q: id, name and queue are required", job.ID)
	}
	if s.byID[job.ID] != nil || s.names[queueName{job.Queue, job.Name}] {
		return fmt.Errorf("job %s (%s in %s) is recorded twice", job.ID, job.Name, job.Queue)
	}
	s.insert(&record{job: job, ending: ending})
	return nil
}

// insert stores a record; the caller holds mu (or owns s during New).
func (s *Server) insert(r *record) {
	s.jobs = append(s.jobs, r)
	s.byID[r.job.ID] = r
	s.names[queueName{r.job.Queue, r.job.Name}] = true
}

// Close flushes the journal to disk and closes it. Submits after Close are
// answered 503; Job Detail keeps working from memory. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.journal == nil {
		return nil
	}
	return s.journal.close()
}

// Jobs returns a copy of the stored jobs in the order they were accepted.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, len(s.jobs))
	for i, r := range s.jobs {
		out[i] = r.job
		out[i].Body = bytes.Clone(r.job.Body)
		if r.job.ScheduleAt != nil {
			at := *r.job.ScheduleAt
			out[i].ScheduleAt = &at
		}
	}
	return out
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ServeHTTP reads the body and applies the latency and the rate limit that
// every request sees, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	d := s.opts.Latency
	if s.opts.LatencyJitter > 0 {
		d += time.Duration(s.rng.Int64N(int64(s.opts.LatencyJitter)))
	}
	s.mu.Unlock()
	// The body is read before the latency because net/http only watches the
	// connection, and cancels r.Context() when the client goes away, once the
	// body has been read to its end. Read later, a client that gave up would
	// leave the handler sleeping out the whole latency.
	body, release, ok := s.readBody(w, r)
	if !ok {
		return
	}
	// The body slot is kept until the answer, latency included, so the
	// bodies in memory never outnumber the slots.
	defer release()
	if d > 0 {
		// Latency comes before any processing, as if the request were still
		// travelling: a client that gives up during it leaves nothing behind,
		// and the handler returns at once instead of sleeping for nobody.
		if err := s.opts.Sleep(r.Context(), d); err != nil {
			s.logf("%s abandoned by the client during latency", requestLine(r))
			return
		}
	}
	if s.limiter != nil {
		now := s.opts.Now()
		res := s.limiter.ReserveN(now, 1)
		if wait := res.DelayFrom(now); wait > 0 {
			// Give the token back: a refused request must not push the
			// next allowed one further away.
			res.CancelAt(now)
			s.mu.Lock()
			s.stats.RateLimited++
			s.mu.Unlock()
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
			s.fail(w, r, http.StatusTooManyRequests,
				fmt.Sprintf("rate limit exceeded: at most %g requests per second", s.opts.RateLimit))
			return
		}
	}
	s.route(w, r, body)
}

// jobPath is the API's one resource: Job Submit is POSTed to it, and Job
// Detail is read below it.
var jobPath = []string{"", "v1", "client", "job"}

// route serves the two documented endpoints and answers everything else 404
// in the API's envelope. It replaces http.ServeMux, which answers a path that
// is not clean ("//v1/client/job", "/v1/client/../client/job") with a 301
// redirect in plain text: a redirected POST turns into a GET, and no API
// answers in that shape. An unclean path is a client bug (the real API's
// answer to it is undocumented), so it is refused rather than served.
//
// Segments are compared decoded, so "/v1/client/jo%62" is the job path as RFC
// 3986 says, but split before decoding, so an encoded slash ("%2F") never
// separates segments.
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	escaped := r.URL.EscapedPath()
	segs := strings.Split(escaped, "/")
	match := len(segs) >= len(jobPath)
	for i := 0; match && i < len(jobPath); i++ {
		seg, err := url.PathUnescape(segs[i])
		match = err == nil && seg == jobPath[i]
	}
	switch {
	case match && len(segs) == len(jobPath):
		s.handleSubmit(w, r, body)
		return
	case match && len(segs) == len(jobPath)+1 && segs[len(jobPath)] != "":
		// An id that does not decode, or decodes to something that is
		// not a UUID, is a job that does not exist.
		id, _ := url.PathUnescape(segs[len(jobPath)])
		s.handleDetail(w, r, id)
		return
	}
	s.fail(w, r, http.StatusNotFound, "not found: "+echo(escaped))
}

// roll draws one fault decision with probability p; the caller holds mu. The
// extremes draw nothing, so FailRate=1 or 0 does not shift the sequence other
// decisions see.
func (s *Server) roll(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return s.rng.Float64() < p
}

// logf writes one line to Options.Log. Strings and errors among the
// arguments are escaped and clipped to maxMessage: they carry paths, names
// and messages that came from a client, which may hold anything.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = escape(clip(v, maxMessage))
		case error:
			args[i] = escape(clip(v.Error(), maxMessage))
		}
	}
	s.opts.Log(format, args...)
}

// requestLine names a request in the log: its method and its path as sent,
// clipped and escaped.
func requestLine(r *http.Request) string {
	return r.Method + " " + echo(r.URL.EscapedPath())
}

// Bounds on text repeated from a request: maxEcho for one value (a path, a
// name) inside a message, maxMessage for a whole message. Daestro's messages
// are a sentence; these keep ours short whatever a client sends.
const (
	maxEcho    = 256
	maxMessage = 4096
)

// echo makes a value from a request safe to repeat in a message or the log:
// clipped to maxEcho, and control characters escaped so that it can neither
// move a terminal's cursor nor start a line of its own.
func echo(s string) string {
	return escape(clip(s, maxEcho))
}

// storedEnding reads the terminal state a journaled job asked for. Journals
// written before the emulator followed the API's container_env form may hold
// the string shorthand; both are read.
func storedEnding(body []byte) (state, error) {
	doc, err := decode(body)
	if err != nil {
		return "", err
	}
	m, _ := doc.(map[string]any)
	env, _ := m[keyEnv].(map[string]any)
	var value string
	switch v := env[resultVar].(type) {
	case string:
		value = v
	case map[string]any:
		value, _ = v["value"].(string)
	}
	return endingOf(value)
}

// sleep waits for d or until ctx is done, returning ctx.Err() then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
