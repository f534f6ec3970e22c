// Package outcome holds what a run did, as values: the outcome of every job of
// an apply, and what a wait saw. The submit stage fills them in; the output
// stage renders them; main decides the exit code from them. It holds no HTTP
// and no printing.
package outcome

import (
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// Outcome is what became of one job.
type Outcome string

// The outcomes of docs/contract.md, Outcomes.
const (
	Created      Outcome = "created"       // the server accepted the job; Job.ID is its id
	Exists       Outcome = "exists"        // a job with this name is already in the queue
	Duplicate    Outcome = "duplicate"     // the same job appeared twice in the manifests; sent once
	Failed       Outcome = "failed"        // the server refused the job, or no attempt succeeded
	NotSubmitted Outcome = "not submitted" // never sent: the run stopped first
	Planned      Outcome = "planned"       // dry run: would be sent
	Invalid      Outcome = "invalid"       // the manifest did not validate
	Unchanged    Outcome = "unchanged"     // apply --since: the same as at that revision; not sent
)

// Job is what became of one document of an apply.
type Job struct {
	Job      *plan.Job
	Outcome  Outcome
	ID       string // the server's id for Created, as it sent it: scrub and escape to print
	Attempts int
	Error    string // why it failed (Err.Error() when Err is set: not masked, print Err through package report)
	Err      error  // why it failed, as the client returned it: the server's words as they came
	Note     string // what the outcome alone does not say
	// Refused is set when the job failed because the server refused the
	// API key: the run's error says so once.
	Refused bool
}

// Apply is what an apply did.
type Apply struct {
	Plan        *plan.Plan
	Jobs        []Job // one per plan job, in manifest order
	DryRun      bool
	Elapsed     time.Duration // from the start of the run to the last answer; 0 when nothing was sent
	Interrupted bool
	// RunError, when set, is why the run stopped as a whole (the key
	// refused, the API unreachable): said once, not per job.
	RunError string
	// RunErr is RunError as an error, the server's words in it as they
	// came: printers render it (package report), masked.
	RunErr error
}

// Counts tallies outcomes, in the order the summary line lists them.
type Counts struct {
	Jobs         int `json:"jobs"`
	Created      int `json:"created"`
	Exists       int `json:"exists"`
	Duplicate    int `json:"duplicate"`
	Planned      int `json:"planned"`
	Failed       int `json:"failed"`
	NotSubmitted int `json:"not_submitted"`
	Invalid      int `json:"invalid"`
	Unchanged    int `json:"unchanged,omitempty"`
}

// Counts tallies the apply's outcomes.
func (a *Apply) Counts() Counts {
	c := Counts{Jobs: len(a.Jobs)}
	for _, j := range a.Jobs {
		switch j.Outcome {
		case Created:
			c.Created++
		case Exists:
			c.Exists++
		case Duplicate:
			c.Duplicate++
		case Planned:
			c.Planned++
		case Failed:
			c.Failed++
		case NotSubmitted:
			c.NotSubmitted++
		case Invalid:
			c.Invalid++
		case Unchanged:
			c.Unchanged++
		}
	}
	return c
}

// Failed reports whether the apply must not pass: any error diagnostic (a
// file that did not parse counts, even with no job loaded), or any job
// invalid, failed or not submitted.
func (a *Apply) Failed() bool {
	if a.Plan != nil && a.Plan.Errors() > 0 {
		return true
	}
	c := a.Counts()
	return c.Invalid+c.Failed+c.NotSubmitted > 0
}

// Wait is what apply --wait saw after the apply.
type Wait struct {
	Jobs []Waited // the jobs followed, in manifest order
	// SkippedExists and SkippedScheduled count the jobs not followed: a job
	// found by its name has no id, a scheduled one may not start for long.
	SkippedExists, SkippedScheduled int
	TimedOut                        bool
}

// Waited is one job followed to its end (or as far as the wait went).
type Waited struct {
	Job    Job
	Detail api.Detail // the last one read; State is "" if none could be
	Error  string     // the last read error (Err.Error(): not masked)
	Err    error      // the last read error, as the client returned it
}

// Completed reports whether every job followed completed.
func (w *Wait) Completed() bool {
	for _, j := range w.Jobs {
		if j.Detail.State != api.Completed {
			return false
		}
	}
	return true
}
