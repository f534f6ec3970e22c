package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
)

// textPrinter writes for people: one line per problem or job, then a
// summary.
type textPrinter struct {
	s  Streams
	sc scrub
}

func (t *textPrinter) Validate(p *plan.Plan) error {
	var b strings.Builder
	for _, e := range grouped(p.Diagnostics) {
		b.WriteString(t.sc.line(e))
		b.WriteByte('\n')
	}
	b.WriteString(validationSummary(p))
	b.WriteByte('\n')
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

func (t *textPrinter) Apply(a *outcome.Apply) error {
	var diag strings.Builder
	for _, e := range grouped(a.Plan.Diagnostics) {
		diag.WriteString(t.sc.line(e))
		diag.WriteByte('\n')
	}
	if diag.Len() > 0 {
		if _, err := fmt.Fprint(t.s.Err, diag.String()); err != nil {
			return err
		}
	}
	var b strings.Builder
	invalid := a.Plan.Errors() > 0
	if !invalid {
		for _, j := range a.Jobs {
			t.jobLine(&b, j)
			if a.DryRun && j.Outcome == outcome.Planned {
				b.WriteString("    ")
				b.Write(displayBody(t.sc, j.Job))
				b.WriteByte('\n')
			}
		}
	}
	b.WriteString(summary(a.Counts()))
	switch {
	case invalid:
		b.WriteString(" (nothing was submitted: fix the errors above)")
	case a.DryRun:
		b.WriteString(" (dry run: nothing was sent)")
	default:
		fmt.Fprintf(&b, " (%s)", roundElapsed(a.Elapsed))
	}
	b.WriteByte('\n')
	if a.Interrupted {
		b.WriteString("interrupted: jobs not submitted are listed above; applying again submits them without duplicates\n")
	}
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

// jobLine writes "outcome  queue/name  file:line  detail".
func (t *textPrinter) jobLine(b *strings.Builder, r outcome.Job) {
	j := r.Job
	fmt.Fprintf(b, "%-13s  ", r.Outcome)
	if id := t.sc.identity(j); id != "" {
		b.WriteString(id + "  ")
	}
	b.WriteString(t.sc.location(j))
	switch {
	case r.ID != "":
		b.WriteString("  id " + t.sc.text(r.ID))
	case r.Outcome == outcome.Duplicate && r.Note != "":
		b.WriteString("  " + t.sc.text(r.Note))
	}
	if r.Err != nil || r.Error != "" {
		b.WriteString("  " + t.sc.errMessage(r.Err, r.Error))
	}
	if r.Note != "" && r.Outcome != outcome.Duplicate {
		b.WriteString("  (" + t.sc.text(r.Note) + ")")
	}
	b.WriteByte('\n')
}

func (t *textPrinter) Wait(w *outcome.Wait) error {
	var b strings.Builder
	if w.SkippedExists > 0 {
		fmt.Fprintf(&b, "not waiting for %s: the API gives no id for a job found by its name\n",
			plural(w.SkippedExists, "existing job", "existing jobs"))
	}
	if w.SkippedScheduled > 0 {
		fmt.Fprintf(&b, "not waiting for %s (--wait-scheduled waits for them too)\n",
			plural(w.SkippedScheduled, "scheduled job", "scheduled jobs"))
	}
	if len(w.Jobs) == 0 {
		if b.Len() == 0 {
			return nil // nothing was created: nothing to say
		}
		_, err := fmt.Fprint(t.s.Out, b.String())
		return err
	}
	completed := 0
	for _, r := range w.Jobs {
		state := string(r.Detail.State)
		if r.Detail.State == api.Completed {
			completed++
		}
		if state == "" {
			state = "unknown"
		}
		fmt.Fprintf(&b, "%-13s  %s  %s  id %s", t.sc.lead(state), t.sc.identity(r.Job.Job), t.sc.location(r.Job.Job), t.sc.text(r.Job.ID))
		if n := r.Detail.SystemNote; n != nil && *n != "" && r.Detail.State != api.Completed {
			b.WriteString("  " + t.sc.message(*n))
		}
		if r.Err != nil || r.Error != "" {
			b.WriteString("  (" + t.sc.errMessage(r.Err, r.Error) + ")")
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "waited for %s: %d completed", plural(len(w.Jobs), "job", "jobs"), completed)
	if n := len(w.Jobs) - completed; n > 0 {
		fmt.Fprintf(&b, ", %d did not", n)
	}
	if w.TimedOut {
		b.WriteString(" (--wait-timeout reached)")
	}
	b.WriteByte('\n')
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

// roundElapsed keeps two or three significant digits: 12ms, 1.3s, 2m5s.
func roundElapsed(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
