// Package wait is --wait: it polls Job Detail for the jobs an apply created
// until each reaches a terminal state, or its context ends. It returns what it
// saw as package outcome's values; nothing here prints.
package wait

import (
	"context"
	"errors"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/outcome"
)

// Poll intervals: the first poll comes after DefaultFirst, and the gap
// doubles up to DefaultCap, so a short job is seen finishing quickly while a long
// one costs a request every DefaultCap at most.
const (
	DefaultFirst = 500 * time.Millisecond
	DefaultCap   = 15 * time.Second
)

// Options tune Poll. Zero values take the defaults.
type Options struct {
	// First and Cap bound the gap between polls; default DefaultFirst and DefaultCap.
	First, Cap time.Duration
	// Timeout is the longest one Job Detail request may take; default
	// apiclient.DefaultTimeout.
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

// Poll polls Job Detail for every id until each reaches a terminal state, or
// ctx ends. It returns the latest detail of each id, in the order of ids. A
// job that could not be read keeps the last detail read (or an empty State)
// and its error, while the others go on; an error on every job in one round
// ends the wait only when ctx does, except a refused key (401/403), which ends
// it at once with that error. Otherwise the error is ctx's when it ended the
// wait.
func Poll(ctx context.Context, c *apiclient.Client, ids []string, o Options) ([]api.Detail, []error, error) {
	if o.First <= 0 {
		o.First = DefaultFirst
	}
	if o.Cap <= 0 {
		o.Cap = DefaultCap
	}
	if o.Timeout <= 0 {
		o.Timeout = apiclient.DefaultTimeout
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
