package main

import (
	"io"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// isTerminal reports whether w is a terminal that can take a progress bar:
// not a pipe, file or CI log, and not TERM=dumb.
func isTerminal(w io.Writer, e env) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	return e.getenv(envTerm) != "dumb"
}

// progress drives a progress bar on stderr while apply sends jobs, when stderr
// is a terminal, the report is for people and there is more than one job to
// send. It returns the OnResult hook and a function that clears the bar
// before the report is printed; both are no-ops when there is no bar. The bar
// shows only counts.
func progress(e env, format report.Format, jobs int) (func(submit.Result), func()) {
	if jobs < 2 || format == report.JSON || !isTerminal(e.stderr, e) {
		return nil, func() {}
	}
	bar := progressbar.NewOptions(jobs,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription("submitting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(0),
		progressbar.OptionClearOnFinish(),
		// No colour codes at all: NO_COLOR and plain terminals need nothing.
		progressbar.OptionEnableColorCodes(false),
		progressbar.OptionUseANSICodes(true),
	)
	return func(submit.Result) { _ = bar.Add(1) }, func() { _ = bar.Finish(); _ = bar.Clear() }
}
