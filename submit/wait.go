package submit

import (
	"context"
	"errors"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/daestro"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// Poll intervals of Wait: the first poll comes after WaitFirst, and the gap
// doubles up to WaitCap, so a short job is seen finishing quickly while a long
// one costs a request every WaitCap at most.
const (
	WaitFirst = 500 * time.Millisecond
	WaitCap   = 15 * time.Second
)

// WaitOptions tune Wait. Zero values take the defaults.
type WaitOptions struct {
	// First and Cap bound the gap between polls; default WaitFirst and WaitCap.
	First, Cap time.Duration
	// Timeout is the longest one Job Detail request may take; default
	// DefaultTimeout.
	Timeout time.Duration
	// OnPoll, when set, is called after each round with the latest details, in
	// the order of ids (a job not yet read has an empty State).
	OnPoll func(latest []api.Detail)
	// Scheduled follows scheduled jobs too (For only): they may not start
	// for a long time.
	Scheduled bool
	// Sleep waits between rounds; default a timer that stops with ctx. Tests
	// pass one that moves a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Wait polls Job Detail for every id until each reaches a terminal state, or
// ctx ends. It returns the latest detail of each id, in the order of ids. A
// job that could not be read keeps the last detail read (or an empty State)
// and its error, while the others go on; an error on every job in one round
// ends the wait only when ctx does, except a refused key (401/403), which ends
// it at once with that error. Otherwise the error is ctx's when it ended the
// wait.
func Wait(ctx context.Context, c *daestro.Client, ids []string, o WaitOptions) ([]api.Detail, []error, error) {
	if o.First <= 0 {
		o.First = WaitFirst
	}
	if o.Cap <= 0 {
		o.Cap = WaitCap
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Sleep == nil {
		o.Sleep = clock.Sleep
	}
	latest := make([]api.Detail, len(ids))
	errs := make([]error, len(ids))
	gap := o.First
	for {
		pending := 0
		for i, id := range ids {
			if latest[i].State.Terminal() {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, o.Timeout)
			d, err := c.Job(rctx, id)
			cancel()
			if ctx.Err() != nil {
				return latest, errs, ctx.Err()
			}
			errs[i] = err
			var apiErr *daestro.APIError
			if errors.As(err, &apiErr) && apiErr.Refused() {
				// The key was refused: no later poll can succeed, and
				// waiting out --wait-timeout would only hide why.
				return latest, errs, err
			}
			if err == nil {
				latest[i] = d
			}
			if !latest[i].State.Terminal() {
				pending++
			}
		}
		if o.OnPoll != nil {
			o.OnPoll(latest)
		}
		if pending == 0 {
			return latest, errs, nil
		}
		if err := o.Sleep(ctx, gap); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return latest, errs, ctxErr
			}
			return latest, errs, err
		}
		gap = min(2*gap, o.Cap)
	}
}

// For follows the jobs an apply created until each ends, or ctx does: the
// jobs found by their name have no id (the Submit API gave none) and
// scheduled jobs may not start for a long time, so both are counted as
// skipped (scheduled ones are followed with o.Scheduled). The error is Wait's.
func For(ctx context.Context, c *daestro.Client, applied *report.Apply, o WaitOptions) (*report.Wait, error) {
	w := &report.Wait{}
	var ids []string
	for _, r := range applied.Jobs {
		switch {
		case r.Outcome == report.Exists:
			w.SkippedExists++
		case r.Outcome != report.Created:
		case r.Job.ScheduleAt != "" && !o.Scheduled:
			w.SkippedScheduled++
		default:
			w.Jobs = append(w.Jobs, report.Waited{Job: r})
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return w, nil
	}
	latest, errs, err := Wait(ctx, c, ids, o)
	w.TimedOut = errors.Is(err, context.DeadlineExceeded)
	for i := range w.Jobs {
		w.Jobs[i].Detail = latest[i]
		if errs[i] != nil {
			w.Jobs[i].Error = errs[i].Error()
		}
	}
	return w, err
}
