// Package report is the last stage of a run: it renders what the run found
// and did, one unexported type per format, each in its own file, chosen once
// by NewValidate or NewApply. Commands hand it values; it is the only layer
// besides main that writes to the terminal.
//
// Everything it prints that came from input or a server (file names, names,
// values, messages, ids) goes one way: secrets masked first, on the text as
// it came, then escaped for the format (control characters, a workflow
// command's %, a markdown cell's |, JSON, XML). Structured formats are built
// from values already masked, so they stay valid whatever a secret is.
package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/printable"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

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
	// StepOutputs, when not nil, receives the GitHub Actions step outputs
	// (name=value lines) of -o github, for later steps of a workflow: the
	// caller opens $GITHUB_OUTPUT for appending. Like the summary, a failure
	// to write them is reported on Err.
	StepOutputs io.Writer
}

// ValidateReporter renders what `daestro-jobs validate` found.
type ValidateReporter interface {
	Validate(p *plan.Plan) error
}

// ApplyReporter renders what `daestro-jobs apply` did and, with --wait,
// what became of the jobs it created.
type ApplyReporter interface {
	Apply(a *outcome.Apply) error
	Wait(w *outcome.Wait) error
}

// Options are what reports need besides the streams.
type Options struct {
	// Redact masks the run's secrets (and the API key) in everything
	// printed.
	Redact *redact.Redactor
	// Root is the directory the paths of the reports that code review tools
	// read (SARIF, GitLab, JUnit) are made relative to: the repository's
	// root. Paths outside it stay absolute; "" leaves every path as given.
	Root string
	// Cwd is the directory relative paths were given from.
	Cwd string
	// Category, when set, is SARIF's automationDetails.id (--sarif-category):
	// what tells two analyses of one commit apart in GitHub code scanning.
	Category string
	// Workspace is GITHUB_WORKSPACE, the checkout -o github's annotation
	// paths are relative to; "" uses Root.
	Workspace string
	// Version is the tool's version, from the build.
	Version string
}

// relPath is a path as the reports for review tools write it: relative to
// Root, with forward slashes, and whether it is (stdin and paths outside
// Root are not).
func (o Options) relPath(p string) (string, bool) {
	if p == manifest.StdinName {
		return p, false
	}
	if o.Root == "" {
		return filepath.ToSlash(p), !filepath.IsAbs(p)
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(o.Cwd, p)
	}
	rel, err := filepath.Rel(o.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(filepath.Clean(abs)), false
	}
	return filepath.ToSlash(rel), true
}

// NewValidate returns the validate report of format f. A format validate
// does not offer gives a report that writes nothing and returns why.
func NewValidate(f Format, s Streams, o Options) ValidateReporter {
	if r, ok := build(validateTable(), f, s, o); ok {
		return r
	}
	return unknownFormat{ValidateCommand, f}
}

// NewApply returns the apply report of format f. A format apply does not
// offer gives a report that writes nothing and returns why.
func NewApply(f Format, s Streams, o Options) ApplyReporter {
	if r, ok := build(applyTable(), f, s, o); ok {
		return r
	}
	return unknownFormat{ApplyCommand, f}
}

func (u unknownFormat) Validate(*plan.Plan) error  { return u.err() }
func (u unknownFormat) Apply(*outcome.Apply) error { return u.err() }
func (u unknownFormat) Wait(*outcome.Wait) error   { return u.err() }
func (u unknownFormat) status([]StatusRow) error   { return u.err() }

// maxError is how much of an error message a job line repeats.
const maxError = 4096

// scrub is how every printer treats text that came from input or a server.
type scrub struct{ red *redact.Redactor }

// masked masks secrets only: for encoders that escape the rest themselves
// (JSON, XML attributes).
func (s scrub) masked(v string) string { return s.red.String(v) }

// text masks secrets, then escapes control characters: one line of plain
// text whatever v holds.
func (s scrub) text(v string) string { return printable.Escape(s.red.String(v)) }

// lead is text for a value that starts a line: it cannot start a GitHub
// Actions workflow command either.
func (s scrub) lead(v string) string { return printable.Lead(s.red.String(v)) }

// message is text cut to a readable length.
func (s scrub) message(v string) string { return printable.Clip(s.text(v), maxError) }

// diagnostic renders d as compilers do, "file:line:col: field.path:
// message" ("warning: " before the field path of a warning), scrubbed.
func (s scrub) diagnostic(d diag.Diagnostic) string {
	d.File, d.Path, d.Message = s.lead(d.File), s.text(d.Path), s.text(d.Message)
	return d.String()
}

// location is "file:line" of a job, scrubbed.
func (s scrub) location(j *plan.Job) string {
	return fmt.Sprintf("%s:%d", s.text(j.File), j.Line)
}

// identity is "queue/name" of a job, scrubbed, or "" for one without a name
// (an invalid document).
func (s scrub) identity(j *plan.Job) string {
	if j.Name == "" {
		return ""
	}
	return printable.Clip(s.text(j.Queue), maxJobName) + "/" + printable.Clip(s.text(j.Name), maxJobName)
}

// maxJobName is how much of a queue or job name a line for people repeats: a
// name is the API's to limit, and one of 100,000 characters is valid here,
// but a line of output does not grow with it. JSON keeps it whole.
const maxJobName = 1024

// summary renders counts as "14 jobs: 12 created, 1 exists, 1 duplicate".
func summary(c outcome.Counts) string {
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
	add(c.Unchanged, "unchanged")
	noun := plural(c.Jobs, "job", "jobs")
	if len(parts) == 0 {
		return noun
	}
	return noun + ": " + strings.Join(parts, ", ")
}

// validationSummary renders "4 documents in 3 files: 2 valid, 2 invalid, 1
// unreadable file (4 errors, 1 warning)".
func validationSummary(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s: %d valid, %d invalid", plural(p.Documents, "document", "documents"),
		plural(p.Files, "file", "files"), p.Documents-p.Invalid, p.Invalid)
	if n := fileErrors(p); n > 0 {
		fmt.Fprintf(&b, ", %s", plural(n, "unreadable file", "unreadable files"))
	}
	fmt.Fprintf(&b, " (%s, %s)", plural(p.Errors(), "error", "errors"), plural(p.Warnings(), "warning", "warnings"))
	return b.String()
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
		if d.Kind == diag.File && d.Severity == diag.Error {
			n++
		}
	}
	return n
}
