package report

import (
	"fmt"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// maxName is how much of a variable's name a grouped line repeats.
const maxName = 128

// Reports for people say an unset variable once: a repository whose jobs
// all use ${DB_PASSWORD} would otherwise bury its real errors under one line
// per use. -o json, SARIF, JUnit and Code Quality keep every place.

// entry is one line of a report for people: a diagnostic, or the first
// place of an unset variable with how many places use it.
type entry struct {
	diag.Diagnostic
	places int // > 1 for an unset variable used in several places
}

// grouped is ds with every unset variable said once, at its first place,
// in the order of the first places.
func grouped(ds []diag.Diagnostic) []entry {
	count := map[string]int{}
	for _, d := range ds {
		if d.Unset != "" {
			count[unsetKey(d)]++
		}
	}
	out := make([]entry, 0, len(ds))
	said := map[string]bool{}
	for _, d := range ds {
		if d.Unset == "" || count[unsetKey(d)] == 1 {
			out = append(out, entry{Diagnostic: d, places: 1})
			continue
		}
		k := unsetKey(d)
		if said[k] {
			continue
		}
		said[k] = true
		out = append(out, entry{Diagnostic: d, places: count[k]})
	}
	return out
}

// unsetKey groups by variable and severity (validate warns, apply fails).
func unsetKey(d diag.Diagnostic) string {
	return d.Severity.String() + "\x00" + d.Unset
}

// where is "file:line:col" of a diagnostic.
func where(d diag.Diagnostic) string {
	s := d.File
	if d.Line > 0 {
		s += fmt.Sprintf(":%d", d.Line)
		if d.Col > 0 {
			s += fmt.Sprintf(":%d", d.Col)
		}
	}
	return s
}

// groupMessage is what a report says of an unset variable used in several
// places: "DB_PASSWORD is unset: used in 9 places, first at
// jobs/a.yaml:7:12; export it or put it in an --env-file", scrubbed.
func (s scrub) groupMessage(e entry) string {
	return fmt.Sprintf(groupFormat, printable.Clip(s.text(e.Unset), maxName), e.places, s.text(where(e.Diagnostic)))
}

// groupText is groupMessage not yet scrubbed, for a format that masks and
// escapes a whole value at once (a markdown cell).
func groupText(e entry) string {
	return fmt.Sprintf(groupFormat, printable.Clip(e.Unset, maxName), e.places, where(e.Diagnostic))
}

const groupFormat = "%s is unset: used in %d places, first at %s; export it or put it in an --env-file"

// line is one line of a text report for an entry.
func (s scrub) line(e entry) string {
	if e.places == 1 {
		return s.diagnostic(e.Diagnostic)
	}
	return e.Severity.String() + ": " + s.groupMessage(e)
}
