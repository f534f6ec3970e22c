package output

import (
	"fmt"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// textPrinter writes for people: one line per job, then a summary.
type textPrinter struct{ s Streams }

func (t *textPrinter) Validate(p *plan.Plan) error {
	var b strings.Builder
	for _, d := range p.Diagnostics {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	c := CountValidation(p)
	fmt.Fprintf(&b, "%s in %s: %d valid, %d invalid", plural(c.Documents, "document", "documents"),
		plural(c.Files, "file", "files"), c.Valid, c.Invalid)
	if n := fileErrors(p); n > 0 {
		fmt.Fprintf(&b, ", %s", plural(n, "unreadable file", "unreadable files"))
	}
	fmt.Fprintf(&b, " (%s, %s)\n", plural(c.Errors, "error", "errors"), plural(c.Warnings, "warning", "warnings"))
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

func (t *textPrinter) Apply(r *ApplyReport) error {
	var diag strings.Builder
	for _, d := range r.Plan.Diagnostics {
		diag.WriteString(d.String())
		diag.WriteByte('\n')
	}
	if diag.Len() > 0 {
		if _, err := fmt.Fprint(t.s.Err, diag.String()); err != nil {
			return err
		}
	}
	var b strings.Builder
	invalid := r.Plan.Errors() > 0
	if !invalid {
		for _, res := range r.Results {
			writeJobLine(&b, res)
			if r.DryRun && res.Outcome == submit.Planned {
				b.WriteString("    ")
				b.Write(res.Job.Masked)
				b.WriteByte('\n')
			}
		}
	}
	c := Count(r.Results)
	b.WriteString(c.summary())
	switch {
	case invalid:
		b.WriteString(" (nothing was submitted: fix the errors above)")
	case r.DryRun:
		b.WriteString(" (dry run: nothing was sent)")
	default:
		fmt.Fprintf(&b, " (%s)", roundElapsed(r.Elapsed))
	}
	b.WriteByte('\n')
	if r.Interrupted {
		b.WriteString("interrupted: jobs not submitted are listed above; applying again submits them without duplicates\n")
	}
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

// writeJobLine writes "outcome  queue/name  file:line  detail".
func writeJobLine(b *strings.Builder, r JobResult) {
	j := r.Job
	fmt.Fprintf(b, "%-13s  ", r.Outcome)
	if j.Name != "" {
		fmt.Fprintf(b, "%s/%s  ", j.Queue, j.Name)
	}
	fmt.Fprintf(b, "%s:%d", j.File, j.Line)
	switch {
	case r.ID != "":
		fmt.Fprintf(b, "  id %s", r.ID)
	case r.Outcome == submit.Duplicate && r.Note != "":
		fmt.Fprintf(b, "  %s", r.Note)
	}
	if r.Error != "" {
		fmt.Fprintf(b, "  %s", r.Error)
	}
	if r.Note != "" && r.Outcome != submit.Duplicate {
		fmt.Fprintf(b, "  (%s)", r.Note)
	}
	b.WriteByte('\n')
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
