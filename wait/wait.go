// Package wait is --wait: it polls Job Detail for the jobs an apply created
// until each reaches a terminal state, or its context ends. It returns what it
// saw as package outcome's values; nothing here prints.
package wait

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/outcome"
)

// Options tune Poll and For. Every value means what it says; start from
// DefaultOptions, the one place the defaults are written.
type Options struct {
	// First and Cap bound the gap between polls: the first poll comes after
	// First, and the gap doubles up to Cap, so a short job is seen finishing
	// quickly while a long one costs a request every Cap at most. Both
	// positive.
	First, Cap time.Duration
	// Timeout is the longest one Job Detail request may take; 0 for no bound.
	Timeout time.Duration
	// OnPoll, when set, is called after each round with the latest details, in
	// the order of ids (a job not yet read has an empty State).
	OnPoll func(latest []api.Detail)
	// Scheduled follows scheduled jobs too (For only): they may not start
	// for a long time.
	Scheduled bool
	// Clock is what the gaps between rounds sleep on.
	Clock clock.Clock
}

// DefaultOptions are the options of --wait without flags: polls 0.5s
// apart, then 1s, 2s, ... up to 15s, apiclient.DefaultTimeout per request,
// the system clock.
func DefaultOptions() Options {
	return Options{First: 500 * time.Millisecond, Cap: 15 * time.Second, Timeout: apiclient.DefaultTimeout, Clock: clock.System{}}
}

// check says what is wrong with o, if anything.
func (o Options) check() error {
	switch {
	case o.First <= 0 || o.Cap <= 0:
		return fmt.Errorf("wait: First and Cap must be positive (%v, %v)", o.First, o.Cap)
	case o.Timeout < 0:
		return fmt.Errorf("wait: Timeout must not be negative (%v)", o.Timeout)
	case o.Clock == nil:
		return errors.New("wait: no Clock (start from DefaultOptions)")
	}
	return nil
}

// Poll polls Job Detail for every id until each reaches a terminal state, or
// ctx ends. It returns the latest detail of each id, in the order of ids. A
// job that could not be read keeps the last detail read (or an empty State)
// and its error, while the others go on; an error on every job in one round
// ends the wait only when ctx does, except a refused key (401/403), which ends
// it at once with that error. Otherwise the error is ctx's when it ended the
// wait.
func Poll(ctx context.Context, c *apiclient.Client, ids []string, o Options) ([]api.Detail, []error, error) {
	latest := make([]api.Detail, len(ids))
	errs := make([]error, len(ids))
	if err := o.check(); err != nil {
		return latest, errs, err
	}
	gap := o.First
	for {
		pending := 0
		for i, id := range ids {
			if latest[i].State.Terminal() {
				continue
			}
			rctx, cancel := context.WithCancel(ctx)
			if o.Timeout > 0 {
				rctx, cancel = context.WithTimeout(ctx, o.Timeout)
			}
			d, err := c.Job(rctx, id)
			cancel()
			if ctx.Err() != nil {
				return latest, errs, ctx.Err()
			}
			errs[i] = err
			var apiErr *apiclient.APIError
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
		if err := o.Clock.Sleep(ctx, gap); err != nil {
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
// skipped (scheduled ones are followed with o.Scheduled). The error is Poll's.
func For(ctx context.Context, c *apiclient.Client, applied *outcome.Apply, o Options) (*outcome.Wait, error) {
	w := &outcome.Wait{}
	var ids []string
	for _, r := range applied.Jobs {
		switch {
		case r.Outcome == outcome.Exists:
			w.SkippedExists++
		case r.Outcome != outcome.Created:
		case r.Job.ScheduleAt != "" && !o.Scheduled:
			w.SkippedScheduled++
		default:
			w.Jobs = append(w.Jobs, outcome.Waited{Job: r})
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return w, nil
	}
	latest, errs, err := Poll(ctx, c, ids, o)
	w.TimedOut = errors.Is(err, context.DeadlineExceeded)
	for i := range w.Jobs {
		w.Jobs[i].Detail = latest[i]
		if errs[i] != nil {
			w.Jobs[i].Error, w.Jobs[i].Err = errs[i].Error(), errs[i]
		}
	}
	return w, err
}
