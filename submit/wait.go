package submit

import (
	"context"
	"errors"
	"time"
)

// Terminal reports whether a Job Detail state is final: the job will not
// change again.
func Terminal(state string) bool {
	switch state {
	case "completed", "failed", "error", "cancelled", "timeout":
		return true
	}
	return false
}

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
	OnPoll func(latest []Detail)
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
func Wait(ctx context.Context, c *Client, ids []string, o WaitOptions) ([]Detail, []error, error) {
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
		o.Sleep = sleep
	}
	latest := make([]Detail, len(ids))
	errs := make([]error, len(ids))
	gap := o.First
	for {
		pending := 0
		for i, id := range ids {
			if Terminal(latest[i].State) {
				continue
			}
			rctx, cancel := context.WithTimeout(ctx, o.Timeout)
			d, err := c.Job(rctx, id)
			cancel()
			if ctx.Err() != nil {
				return latest, errs, ctx.Err()
			}
			errs[i] = err
			var apiErr *APIError
			if errors.As(err, &apiErr) && apiErr.Refused() {
				// The key was refused: no later poll can succeed, and
				// waiting out --wait-timeout would only hide why.
				return latest, errs, err
			}
			if err == nil {
				latest[i] = d
			}
			if !Terminal(latest[i].State) {
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
