package main

import (
	"fmt"
	"io"
	"os"

	"github.com/daestro-jobs/daestro-jobs/output"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/urfave/cli/v2"
)

// The -o formats each command offers.
var (
	validateFormats = []output.Format{output.Text, output.JSON, output.GitHub, output.JUnit, output.SARIF}
	applyFormats    = []output.Format{output.Text, output.JSON, output.GitHub}
)

// chooseFormat reads -o. Without it, a run inside GitHub Actions
// (GITHUB_ACTIONS=true) writes -o github, so that problems show as
// annotations with no flag in the workflow; anywhere else, text.
func chooseFormat(c *cli.Context, e env, offered ...output.Format) (output.Format, error) {
	name := c.String("output")
	if !c.IsSet("output") {
		name = string(output.Text)
		if v, ok := e.lookup("GITHUB_ACTIONS"); ok && v == "true" {
			name = string(output.GitHub)
		}
	}
	f, err := output.ParseFormat(name, offered...)
	if err != nil {
		return "", &usageError{err}
	}
	return f, nil
}

// withStepSummary opens the file $GITHUB_STEP_SUMMARY names for appending
// when the format is github, and sets it as s.Summary, scrubbed of the run's
// secrets like the other streams. The returned func closes it. A summary
// that cannot be opened is said on stderr and skipped: it is an extra, not a
// reason to fail a run.
func withStepSummary(e env, format output.Format, s output.Streams, r *redact.Redactor) (output.Streams, func()) {
	if format != output.GitHub {
		return s, func() {}
	}
	path, ok := e.lookup("GITHUB_STEP_SUMMARY")
	if !ok || path == "" {
		return s, func() {}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(s.Err, "daestro-jobs: cannot write the GitHub step summary: %v\n", err)
		return s, func() {}
	}
	w := r.Writer(f)
	s.Summary = w
	return s, func() {
		closeSummary(w, f, s.Err)
	}
}

func closeSummary(w io.Closer, f *os.File, errw io.Writer) {
	err := w.Close()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(errw, "daestro-jobs: cannot write the GitHub step summary: %v\n", err)
	}
}
