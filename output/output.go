// Package output renders what a run found and did: one unexported type per
// format, each in its own file, chosen once by New. Commands hand it values;
// it is the only layer besides main that writes to the terminal.
package output

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// Format names an output format.
type Format string

// The formats. Not every command offers every one.
const (
	Text   Format = "text"
	JSON   Format = "json"
	GitHub Format = "github" // text plus GitHub Actions annotations and step summary
	JUnit  Format = "junit"  // validate only
	SARIF  Format = "sarif"  // validate only
)

// ParseFormat checks a -o value against the formats a command offers.
func ParseFormat(s string, offered ...Format) (Format, error) {
	names := make([]string, 0, len(offered))
	for _, f := range offered {
		if string(f) == s {
			return f, nil
		}
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown output format %q; choose one of %s", s, strings.Join(names, ", "))
}

// Streams are where a command writes: results to Out, diagnostics and
// progress to Err.
type Streams struct {
	Out io.Writer
	Err io.Writer
	// Summary, when not nil, receives the GitHub Actions step summary
	// (markdown) of -o github. The caller opens $GITHUB_STEP_SUMMARY for
	// appending; a failure to write it is reported on Err and does not fail
	// the run.
	Summary io.Writer
}

// JobResult is the outcome of one document of an apply.
type JobResult struct {
	Job      *plan.Job
	Outcome  submit.Outcome
	ID       string
	Attempts int
	Error    string // already scrubbed of secrets
	Note     string
}

// ApplyReport is what `daestro-jobs apply` has to say.
type ApplyReport struct {
	Plan        *plan.Plan
	Results     []JobResult // one per plan job, in manifest order
	DryRun      bool
	Elapsed     time.Duration
	Interrupted bool
}

// Printer renders reports in one format.
type Printer interface {
	// Validate reports the outcome of `daestro-jobs validate`.
	Validate(p *plan.Plan) error
	// Apply reports the outcome of `daestro-jobs apply`.
	Apply(r *ApplyReport) error
}

// New returns the printer for a format.
func New(f Format, s Streams) Printer {
	switch f {
	case JSON:
		return &jsonPrinter{s: s}
	case GitHub:
		return &githubPrinter{s: s, text: textPrinter{s: s}}
	case JUnit:
		return &junitPrinter{s: s}
	case SARIF:
		return &sarifPrinter{s: s}
	default:
		return &textPrinter{s: s}
	}
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
}

// Count tallies an apply's outcomes.
func Count(results []JobResult) Counts {
	c := Counts{Jobs: len(results)}
	for _, r := range results {
		switch r.Outcome {
		case submit.Created:
			c.Created++
		case submit.Exists:
			c.Exists++
		case submit.Duplicate:
			c.Duplicate++
		case submit.Planned:
			c.Planned++
		case submit.Failed:
			c.Failed++
		case submit.NotSubmitted:
			c.NotSubmitted++
		case submit.Invalid:
			c.Invalid++
		}
	}
	return c
}

// summary renders counts as "14 jobs: 12 created, 1 exists, 1 duplicate".
func (c Counts) summary() string {
	parts := []string{}
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(c.Created, "created")
	add(c.Exists, "exists")
	add(c.Duplicate, "duplicate")
	add(c.Planned, "planned")
	add(c.Failed, "failed")
	add(c.NotSubmitted, "not submitted")
	add(c.Invalid, "invalid")
	noun := "jobs"
	if c.Jobs == 1 {
		noun = "job"
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d %s", c.Jobs, noun)
	}
	return fmt.Sprintf("%d %s: %s", c.Jobs, noun, strings.Join(parts, ", "))
}

// ValidateCounts tallies a validation.
type ValidateCounts struct {
	Files, Documents, Valid, Invalid, Errors, Warnings int
}

// CountValidation tallies a plan.
func CountValidation(p *plan.Plan) ValidateCounts {
	return ValidateCounts{Files: p.Files, Documents: p.Documents, Valid: p.Documents - p.Invalid, Invalid: p.Invalid,
		Errors: p.Errors(), Warnings: p.Warnings()}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// fileErrors counts diagnostics about whole files (unreadable, not YAML).
func fileErrors(p *plan.Plan) int {
	n := 0
	for _, d := range p.Diagnostics {
		if d.Doc < 0 && d.Severity == manifest.Error {
			n++
		}
	}
	return n
}
