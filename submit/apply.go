// Package submit is the apply use case, the third stage of a run: it turns a
// plan into requests, sends each valid job once (bounded concurrency, an
// optional rate limit, retries with backoff, a grace period on interrupt) and
// reports every job's outcome (package wait follows the jobs created, on
// request). Requests go through package apiclient's client; outcomes are
// package outcome's values. Nothing here prints.
package submit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// Apply is the apply use case. A plan with any error is reported and nothing
// is sent: its invalid jobs Invalid, the rest NotSubmitted. With
// Options.DryRun every job is Planned. Otherwise every valid job that is not
// a repeat of an earlier one is sent (the repeats are Duplicate) and ends
// Created, Exists, Failed or NotSubmitted; Options.OnResult sees each as it
// ends.
//
// The error is Run's: one wrapping ErrUnauthorized when the server refused
// the key, or ctx's when the run was interrupted (the report says so too).
// The report is complete in every case; options Run refuses leave every job
// NotSubmitted, with Run's error. Options.Clock is the clock of Elapsed.
func Apply(ctx context.Context, p *plan.Plan, c *apiclient.Client, o Options) (*outcome.Apply, error) {
	a := &outcome.Apply{Plan: p, DryRun: o.DryRun, Jobs: make([]outcome.Job, len(p.Jobs))}
	for i := range p.Jobs {
		a.Jobs[i] = outcome.Job{Job: &p.Jobs[i], Outcome: outcome.NotSubmitted}
	}
	if err := o.check(); err != nil {
		return a, err
	}
	start := o.Clock.Now()
	switch {
	case p.Errors() > 0:
		for i, j := range p.Jobs {
			if j.Invalid {
				a.Jobs[i].Outcome = outcome.Invalid
			}
		}
		return a, nil
	case o.DryRun:
		for i := range p.Jobs {
			a.Jobs[i].Outcome = outcome.Planned
			if !markUnchanged(a, i, o.Unchanged) {
				markDuplicate(a, i)
			}
		}
		return a, nil
	}
	var reqs []Request
	for i, j := range p.Jobs {
		if markUnchanged(a, i, o.Unchanged) || markDuplicate(a, i) {
			continue
		}
		body, err := json.Marshal(j.Body)
		if err != nil {
			return a, fmt.Errorf("encoding the body of %s/%s: %w", j.Queue, j.Name, err)
		}
		reqs = append(reqs, Request{Index: i, Body: body, Name: j.Name})
	}
	results, err := Run(ctx, c, reqs, o)
	for _, r := range results {
		j := &a.Jobs[r.Index]
		j.Outcome, j.ID, j.Attempts, j.Note = r.Outcome, r.ID, r.Attempts, r.Note
		if r.Err != nil {
			j.Error, j.Err = r.Err.Error(), r.Err
			var apiErr *apiclient.APIError
			j.Refused = errors.As(r.Err, &apiErr) && apiErr.Refused()
		}
	}
	a.Elapsed = o.Clock.Now().Sub(start)
	a.Interrupted = ctx.Err() != nil
	return a, err
}

// markDuplicate marks job i Duplicate if it repeats an earlier job, and
// reports whether it did.
func markDuplicate(a *outcome.Apply, i int) bool {
	j := a.Jobs[i].Job
	if j.DuplicateOf < 0 {
		return false
	}
	first := a.Jobs[j.DuplicateOf].Job
	a.Jobs[i].Outcome = outcome.Duplicate
	a.Jobs[i].Note = fmt.Sprintf("same job as %s:%d", first.File, first.Line)
	return true
}

// markUnchanged marks job i Unchanged if unchanged says so, and reports
// whether it did.
func markUnchanged(a *outcome.Apply, i int, unchanged []bool) bool {
	if i >= len(unchanged) || !unchanged[i] {
		return false
	}
	a.Jobs[i].Outcome = outcome.Unchanged
	return true
}

// Sendable counts the jobs Apply would send: the valid ones that repeat no
// earlier one.
func Sendable(p *plan.Plan) int {
	n := 0
	for _, j := range p.Jobs {
		if j.DuplicateOf < 0 && !j.Invalid {
			n++
		}
	}
	return n
}
