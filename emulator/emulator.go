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
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/daestro-jobs/daestro-jobs/schema"
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
	// are never logged.
	Log func(format string, args ...any)
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
}

// Server is the emulator. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts      Options
	validator *schema.Validator
	limiter   *rate.Limiter // nil when unlimited
	mux       *http.ServeMux

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
	ending string // terminal state: completed, or what EMULATOR_RESULT asked for
}

// maxBody caps a Job Submit body. Real bodies are a few kilobytes; the cap keeps
// a runaway client from filling memory.
const maxBody = 1 << 20

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
	v, err := schema.New()
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s := &Server{
		opts:      opts,
		validator: v,
		rng:       rand.New(rand.NewPCG(uint64(opts.Seed), 0x6a6f6273)),
		byID:      map[string]*record{},
		names:     map[queueName]bool{},
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
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/v1/client/job", s.handleSubmit)
	s.mux.HandleFunc("/v1/client/job/{id}", s.handleDetail)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "not found: "+r.URL.Path)
	})
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
	}
	return nil
}

// load adds a job read back from the journal.
func (s *Server) load(job Job) error {
	doc, err := decode(job.Body)
	if err != nil {
		return fmt.Errorf("job %s: %w", job.ID, err)
	}
	ending, err := endingOf(doc)
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
			return
		}
		s.logf("%s %s abandoned by the client while sending: %v", r.Method, r.URL.Path, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if d > 0 {
		// Latency comes before any processing, as if the request were still
		// travelling: a client that gives up during it leaves nothing behind,
		// and the handler returns at once instead of sleeping for nobody.
		if err := s.opts.Sleep(r.Context(), d); err != nil {
			s.logf("%s %s abandoned by the client during latency", r.Method, r.URL.Path)
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
	s.mux.ServeHTTP(w, r)
}

// sleep is the default Options.Sleep: a real timer that stops early when ctx
// is done, so an abandoned request does not keep a goroutine waiting.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(format, args...)
	}
}
