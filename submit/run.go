package submit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/outcome"
)

// ErrUnauthorized is wrapped by the error Run returns when the server refuses the
// API key (401 or 403).
var ErrUnauthorized = errors.New("the server refused the API key")

// ErrUnreachable is wrapped, with the transport's error, by the error Run
// returns when the first requests of a run could not reach the server at all
// (see Unreachable).
var ErrUnreachable = errors.New("cannot reach the API")

// Request is one job to submit.
type Request struct {
	// Index identifies the job to the caller (its place in the manifests); it
	// is copied to the Result.
	Index int
	// Body is the JSON request body.
	Body []byte
	// Name is the job's name, as in Body: a 400 saying something "already
	// exists" means the job exists only when it is about this name.
	Name string
}

// Result is what happened to one Request.
type Result struct {
	// Index is the Request's Index.
	Index int
	// Outcome is what became of the job: Created, Exists, Failed or
	// NotSubmitted.
	Outcome outcome.Outcome
	// ID is the new job's id, set only for Created, as the server sent it.
	ID string
	// Attempts counts the requests started for the job.
	Attempts int
	// Status is the HTTP status of the last answer, 0 if none came.
	Status int
	// Err says why the job Failed. A server answer is a *apiclient.APIError,
	// whose Message the client scrubbed; other errors are the transport's,
	// to be scrubbed when printed.
	Err error
	// Note adds what the outcome alone does not say, such as why a job was not
	// submitted or that a job exists because an earlier attempt created it.
	Note string
}

// Options tunes Run and Apply. Every value means what it says (0 retries
// is none, a Timeout or Grace of 0 is none); start from DefaultOptions, the
// one place the defaults are written, and change what the run asks for.
type Options struct {
	// Concurrency is the number of requests in flight, at least 1.
	Concurrency int
	// Rate limits attempts (retries included) per second; rate.Inf for no
	// limit. Fractions are allowed: 0.5 is one request every two seconds.
	Rate rate.Limit
	// Retries is the number of retries after the first attempt.
	Retries int
	// Timeout bounds each attempt; 0 for no bound.
	Timeout time.Duration
	// DuplicatePattern overrides apiclient.DefaultDuplicatePattern for 400
	// answers; nil keeps it.
	DuplicatePattern *regexp.Regexp
	// Grace is how long in-flight requests may still run after ctx is
	// cancelled; 0 for none.
	Grace time.Duration
	// Abort, when closed after ctx is cancelled, ends the grace at once (a
	// second Ctrl-C): requests in flight are cancelled. nil for none.
	Abort <-chan struct{}
	// OnResult, if set, is called once for every job as it finishes (never-sent
	// jobs included), from any goroutine but never concurrently: it can drive a
	// progress bar without locking. It should return quickly; Run waits for it.
	OnResult func(Result)
	// DryRun sends nothing: Apply reports every valid job Planned.
	DryRun bool
	// Clock is what backoff, rate-limit waits and the grace period sleep on,
	// and what the rate limiter and Apply's Elapsed read.
	Clock clock.Clock
	// Unchanged, when set, marks by index the jobs of the plan that are
	// the same as at an earlier revision (apply --since): Apply reports
	// them Unchanged and sends none of them.
	Unchanged []bool

	// jitter returns a number in [0, 1) for the backoff jitter; nil is
	// math/rand/v2.Float64. Only tests set it.
	jitter func() float64
}

// DefaultOptions are the options of `daestro-jobs apply` without flags: 8
// requests in flight, no rate limit, 5 retries, apiclient.DefaultTimeout per
// attempt, 10s of grace after an interrupt, the system clock.
func DefaultOptions() Options {
	return Options{
		Concurrency: 8,
		Rate:        rate.Inf,
		Retries:     5,
		Timeout:     apiclient.DefaultTimeout,
		Grace:       10 * time.Second,
		Clock:       clock.System{},
	}
}

// check says what is wrong with o, if anything.
func (o Options) check() error {
	switch {
	case o.Concurrency < 1:
		return fmt.Errorf("submit: Concurrency is %d, must be at least 1", o.Concurrency)
	case !(o.Rate > 0):
		return fmt.Errorf("submit: Rate is %v, must be positive (rate.Inf for no limit)", o.Rate)
	case o.Retries < 0, o.Timeout < 0, o.Grace < 0:
		return fmt.Errorf("submit: Retries, Timeout and Grace must not be negative (%d, %v, %v)", o.Retries, o.Timeout, o.Grace)
	case o.Clock == nil:
		return errors.New("submit: no Clock (start from DefaultOptions)")
	}
	return nil
}

func (o Options) rand() float64 {
	if o.jitter == nil {
		return rand.Float64()
	}
	return o.jitter()
}

// Reasons a job was not sent, or not retried; they end up in Result.Note.
var (
	errInterrupted = errors.New("the run was interrupted")
	errRefused     = errors.New("the run stopped because the server refused the API key")
	errNoServer    = errors.New("the run stopped because the API could not be reached")
)

// Notes for results whose job may exist although no answer said so.
const (
	noteLostAnswer = "created by an earlier attempt of this run whose answer was lost"
	noteMaybe      = "the job may or may not have been created; applying again is safe (it will then be reported as exists)"
)

// Run submits every request and returns one Result per request, in the order of
// reqs whatever the concurrency.
//
// Transport failures, per-attempt timeouts and 429, 500, 502, 503 and 504 answers
// are retried with exponential backoff and full jitter (see BackoffBase), waiting
// at least as long as a Retry-After header asks (up to MaxRetryAfter). A retry
// after an answer that was lost ends in Exists, because the job's name is then
// taken by the job that earlier attempt created.
//
// When an attempt cannot reach the server at all (see Unreachable) before any
// attempt of the run did, the run stops as for a refused key: the URL is
// wrong or the server is down, and retrying every job would only say so a
// hundred times. No such job was received by the server, so every job is
// NotSubmitted, and the error returned wraps ErrUnreachable. Once the server
// has been reached, the same errors are retried as transient.
//
// A 401 or 403 stops the run at once: no new request is sent, requests in flight
// finish, jobs never sent are NotSubmitted, and the error returned wraps
// ErrUnauthorized.
//
// Cancelling ctx (Ctrl-C) also stops sending and retrying. Requests in flight run
// on a context detached from ctx for up to Options.Grace, then are cancelled. A
// job cut off that way Failed with a note that it may or may not have been
// created; applying again is safe, since the name makes the second attempt end
// in Exists. The error returned then wraps ctx.Err(), so the caller can tell an
// interruption (exit 130) with errors.Is.
//
// Any other error return means Run could not start (a nil or misconfigured
// Client); every job is then NotSubmitted. Failures of single jobs are in their
// Results, not in the error. Run leaves no goroutine behind.
func Run(ctx context.Context, c *apiclient.Client, reqs []Request, opts Options) ([]Result, error) {
	results := make([]Result, len(reqs))
	for i, req := range reqs {
		results[i] = Result{Index: req.Index, Outcome: outcome.NotSubmitted}
	}
	if c == nil {
		return results, errors.New("submit: nil Client")
	}
	if err := c.Check(); err != nil {
		return results, err
	}
	if err := opts.check(); err != nil {
		return results, err
	}
	r := &run{
		ctx:     ctx,
		c:       c,
		reqs:    reqs,
		opts:    opts,
		dup:     opts.DuplicatePattern,
		results: results,
		done:    make([]bool, len(reqs)),
	}
	if opts.Rate != rate.Inf {
		// Burst 1: requests are spaced evenly rather than sent in a burst
		// and then throttled.
		r.limiter = rate.NewLimiter(opts.Rate, 1)
	}

	// dispatch is done once no new attempt may start: ctx was cancelled
	// (cause context.Canceled or the like) or the key was refused (errRefused).
	r.dispatch, r.stop = context.WithCancelCause(ctx)
	defer r.stop(nil)
	// inflight carries the attempts: it survives ctx, so an answer that is
	// already on its way is not thrown away, until the grace period ends.
	var cancelInflight context.CancelFunc
	r.inflight, cancelInflight = context.WithCancel(context.WithoutCancel(ctx))
	defer cancelInflight()

	runCtx, endRun := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	bg.Go(func() { r.grace(runCtx, cancelInflight) })

	jobs := make(chan int)
	var workers sync.WaitGroup
	for range min(opts.Concurrency, len(reqs)) {
		workers.Go(func() {
			for i := range jobs {
				r.finish(i, r.job(i))
			}
		})
	}
feed:
	for i := range reqs {
		select {
		case <-r.dispatch.Done():
			break feed
		case jobs <- i:
		}
	}
	close(jobs)
	workers.Wait()
	endRun()
	bg.Wait()

	for i := range reqs {
		if !r.done[i] {
			r.finish(i, r.notSent(i, context.Cause(r.dispatch)))
		}
	}
	if ctx.Err() != nil {
		return results, fmt.Errorf("submission interrupted: %w", ctx.Err())
	}
	return results, r.authErr
}

// run is the state of one call to Run.
type run struct {
	c       *apiclient.Client
	reqs    []Request
	opts    Options
	dup     *regexp.Regexp
	limiter *rate.Limiter // nil when unlimited

	ctx      context.Context // Run's ctx
	dispatch context.Context
	stop     context.CancelCauseFunc
	inflight context.Context

	authOnce sync.Once
	authErr  error // set once, by the first 401/403 or an unreachable server

	reached atomic.Bool // some attempt got a connection or an answer

	mu      sync.Mutex // serialises finish, and so OnResult
	results []Result
	done    []bool
}

// grace cancels the in-flight attempts Options.Grace after ctx is cancelled,
// unless the run ends first.
func (r *run) grace(runCtx context.Context, cancelInflight context.CancelFunc) {
	select {
	case <-runCtx.Done():
		return
	case <-r.ctx.Done():
	}
	if r.opts.Grace == 0 {
		cancelInflight()
		return
	}
	// A second interrupt (Abort) ends the grace early.
	sleepCtx, wake := context.WithCancel(runCtx)
	var aborted atomic.Bool
	var watch sync.WaitGroup
	if r.opts.Abort != nil {
		watch.Go(func() {
			select {
			case <-r.opts.Abort:
				aborted.Store(true)
				wake()
			case <-sleepCtx.Done():
			}
		})
	}
	err := r.opts.Clock.Sleep(sleepCtx, r.opts.Grace)
	wake()
	watch.Wait()
	if err == nil || aborted.Load() {
		cancelInflight()
	}
}

func (r *run) finish(i int, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results[i] = res
	r.done[i] = true
	if r.opts.OnResult != nil {
		r.opts.OnResult(res)
	}
}

func (r *run) notSent(i int, why error) Result {
	return Result{Index: r.reqs[i].Index, Outcome: outcome.NotSubmitted, Note: "not sent: " + reason(why)}
}

func reason(why error) string {
	if errors.Is(why, errRefused) || errors.Is(why, errNoServer) {
		return why.Error()
	}
	return errInterrupted.Error()
}

// job submits one request, with retries, and says what became of it.
func (r *run) job(i int) Result {
	req := r.reqs[i]
	res := Result{Index: req.Index}
	// lost is set once an attempt failed in a way that leaves the job possibly
	// created: from then on "name taken" means this run created it.
	lost := false
	var last apiclient.Submitted
	for n := 0; ; n++ {
		if n > 0 {
			if n > r.opts.Retries {
				return r.failed(res, last.Err, fmt.Sprintf("gave up after %d attempts", res.Attempts), lost)
			}
			d := backoff(n-1, r.opts.rand(), retryAfter(last.Err))
			if r.opts.Clock.Sleep(r.dispatch, d) != nil {
				return r.halted(res, last.Err, lost)
			}
		}
		if !r.wait() {
			return r.halted(res, last.Err, lost)
		}
		res.Attempts++
		last = r.attempt(req.Body)
		res.Status = last.Status
		if last.Connected || last.Status != 0 {
			r.reached.Store(true)
		}
		if last.Err == nil {
			res.Outcome, res.ID = outcome.Created, last.ID
			return res
		}

		var apiErr *apiclient.APIError
		if !errors.As(last.Err, &apiErr) {
			// No answer: the connection failed, or the attempt timed out or
			// was cut off by the end of the grace period.
			if r.inflight.Err() != nil {
				return r.interrupted(res, last, lost)
			}
			if !lost && !last.Connected && !r.reached.Load() && Unreachable(last.Err) {
				r.unreachable(last.Err)
				res.Outcome = outcome.NotSubmitted // Run's error says why, once
				res.Note = "not sent: " + errNoServer.Error()
				return res
			}
			if permanentTransport(last.Err) {
				return r.failed(res, last.Err, "", lost)
			}
			lost = lost || last.Connected
			continue
		}
		switch s := apiErr.Status; {
		case s >= 200 && s < 300:
			return r.failed(res, apiErr, "the server accepted the request but its answer could not be read; "+noteMaybe, false)
		case apiErr.NameTaken(req.Name, r.dup):
			res.Outcome = outcome.Exists
			if lost {
				res.Note = noteLostAnswer
			}
			return res
		case apiErr.Refused():
			r.refuse(apiErr)
			return r.failed(res, apiErr, "", lost)
		case retryableStatus(s):
			lost = lost || ambiguousStatus(s)
			continue
		default:
			return r.failed(res, apiErr, "", lost)
		}
	}
}

// wait blocks until the rate limit lets the next attempt go, and reports whether
// it may go: false once the run is stopping.
func (r *run) wait() bool {
	if r.stopping() {
		return false
	}
	if r.limiter == nil {
		return true
	}
	now := r.opts.Clock.Now()
	res := r.limiter.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		if r.opts.Clock.Sleep(r.dispatch, d) != nil {
			res.CancelAt(r.opts.Clock.Now())
			return false
		}
	}
	return !r.stopping()
}

// stopping reports whether no new attempt may start. It checks ctx itself, not
// only dispatch: ctx's Done channel is closed before the cancellation reaches
// dispatch, and in that window the grace watcher may already have ended the
// grace period; a worker freed then must still see the run as stopping.
func (r *run) stopping() bool {
	return r.ctx.Err() != nil || r.dispatch.Err() != nil
}

// attempt sends the body once, bounded by Options.Timeout, on the in-flight
// context so that a cancelled ctx does not cut it off before the grace period.
func (r *run) attempt(body []byte) apiclient.Submitted {
	ctx, cancel := r.inflight, context.CancelFunc(func() {})
	if r.opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, r.opts.Timeout)
	}
	defer cancel()
	a := r.c.Submit(ctx, body)
	if a.Err != nil && r.inflight.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if a.Status != 0 {
			// The headers came, the body did not: say so, rather than
			// "no answer", which would send the reader looking at the network.
			a.Err = fmt.Errorf("the answer did not arrive in full within %v: %w", r.opts.Timeout, a.Err)
		} else {
			a.Err = fmt.Errorf("no answer within %v: %w", r.opts.Timeout, a.Err)
		}
	}
	return a
}

// refuse stops the run after a 401 or 403 and records the error Run returns.
func (r *run) refuse(apiErr *apiclient.APIError) {
	r.authOnce.Do(func() {
		// The answer is wrapped, not quoted: the output layer masks the
		// server's words as they came (report.Edge).
		r.authErr = fmt.Errorf("%w (%w): check that the API key is right and allowed to submit jobs",
			ErrUnauthorized, apiErr)
		r.stop(errRefused)
	})
}

// unreachable stops the run when the server could not be reached, and
// records the error Run returns.
func (r *run) unreachable(err error) {
	r.authOnce.Do(func() {
		r.authErr = fmt.Errorf("%w: %w", ErrUnreachable, err)
		r.stop(errNoServer)
	})
}

// failed reports a job that failed with err.
func (r *run) failed(res Result, err error, note string, lost bool) Result {
	res.Outcome = outcome.Failed
	res.Err = err
	if lost {
		note = joinNote(note, "an earlier attempt's answer was lost, so "+noteMaybe)
	}
	res.Note = note
	return res
}

// halted reports a job that was stopped before its next attempt (ctx cancelled
// or key refused).
func (r *run) halted(res Result, lastErr error, lost bool) Result {
	why := reason(context.Cause(r.dispatch))
	if res.Attempts == 0 {
		res.Outcome = outcome.NotSubmitted
		res.Note = "not sent: " + why
		return res
	}
	return r.failed(res, lastErr, "not retried: "+why, lost)
}

// interrupted reports a job whose attempt was cut off by the end of the grace
// period, with no answer.
func (r *run) interrupted(res Result, last apiclient.Submitted, lost bool) Result {
	if !last.Connected && !lost {
		// No connection was ever handed to a request of this job, so the
		// server cannot have seen it.
		res.Outcome = outcome.NotSubmitted
		res.Note = "not sent: " + errInterrupted.Error() + " before the request reached the server"
		return res
	}
	res.Outcome = outcome.Failed
	res.Err = fmt.Errorf("interrupted before the server answered: %w", last.Err)
	res.Note = noteMaybe
	return res
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// retryAfter is the Retry-After delay carried by err, if any.
func retryAfter(err error) time.Duration {
	var apiErr *apiclient.APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}
