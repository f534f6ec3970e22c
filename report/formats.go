package report

import (
	"fmt"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/internal/suggest"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// Format names an output format.
type Format string

// The formats. Each command offers the ones in its table below.
const (
	Text   Format = "text"
	JSON   Format = "json"
	GitHub Format = "github" // text plus GitHub Actions annotations, step summary and outputs
	JUnit  Format = "junit"
	SARIF  Format = "sarif"
	GitLab Format = "gitlab" // a GitLab Code Quality report
	// Markdown is diff's table on stdout, for a merge request comment.
	Markdown Format = "markdown"
)

// Command is a command that writes a report. Each has one format table:
// the formats it offers, the default first, what each is, and how it is
// built. -o, --help, the manual and shell completion all read it, so a
// format is added in one row.
type Command string

// The commands that write reports.
const (
	ValidateCommand Command = "validate"
	ApplyCommand    Command = "apply"
	StatusCommand   Command = "status"
	DiffCommand     Command = "diff"
)

// Commands are the commands that write reports.
func Commands() []Command {
	return []Command{ValidateCommand, ApplyCommand, DiffCommand, StatusCommand}
}

// FormatInfo is one row of a format table as people read it.
type FormatInfo struct {
	Format Format
	// About says in a few words what the format is for.
	About string
}

// row is one row of a format table: what people read, and the printer of
// the command's report, R.
type row[R any] struct {
	FormatInfo
	build func(s Streams, o Options, sc scrub) R
}

// Short descriptions shared by the tables.
const (
	aboutText   = "for people: a line per problem or job, then a summary"
	aboutJSON   = "one JSON document with everything"
	aboutGitHub = "text plus GitHub Actions annotations, step summary and outputs"
)

func validateTable() []row[ValidateReporter] {
	return []row[ValidateReporter]{
		{FormatInfo{Text, aboutText}, func(s Streams, _ Options, sc scrub) ValidateReporter { return &textPrinter{s: s, sc: sc} }},
		{FormatInfo{JSON, aboutJSON}, func(s Streams, _ Options, sc scrub) ValidateReporter { return &jsonPrinter{s: s, sc: sc} }},
		{FormatInfo{GitHub, aboutGitHub}, func(s Streams, o Options, sc scrub) ValidateReporter {
			return &githubPrinter{s: s, sc: sc, o: o, text: textPrinter{s: s, sc: sc}}
		}},
		{FormatInfo{JUnit, "JUnit XML, a test case per document"}, func(s Streams, o Options, sc scrub) ValidateReporter {
			return &junitPrinter{s: s, sc: sc, o: o}
		}},
		{FormatInfo{SARIF, "SARIF 2.1.0 for GitHub code scanning"}, func(s Streams, o Options, sc scrub) ValidateReporter {
			return &sarifPrinter{s: s, sc: sc, o: o}
		}},
		{FormatInfo{GitLab, "a GitLab Code Quality report"}, func(s Streams, o Options, sc scrub) ValidateReporter {
			return &gitlabPrinter{s: s, sc: sc, o: o}
		}},
	}
}

func applyTable() []row[ApplyReporter] {
	return []row[ApplyReporter]{
		{FormatInfo{Text, aboutText}, func(s Streams, _ Options, sc scrub) ApplyReporter { return &textPrinter{s: s, sc: sc} }},
		{FormatInfo{JSON, aboutJSON}, func(s Streams, _ Options, sc scrub) ApplyReporter { return &jsonPrinter{s: s, sc: sc} }},
		{FormatInfo{GitHub, aboutGitHub}, func(s Streams, o Options, sc scrub) ApplyReporter {
			return &githubPrinter{s: s, sc: sc, o: o, text: textPrinter{s: s, sc: sc}}
		}},
	}
}

func statusTable() []row[statusPrinter] {
	return []row[statusPrinter]{
		{FormatInfo{Text, "a table for people: id, name, state, schedule and times"}, func(s Streams, _ Options, sc scrub) statusPrinter {
			return statusText{s: s, sc: sc}
		}},
		{FormatInfo{JSON, "one JSON document with every field"}, func(s Streams, _ Options, sc scrub) statusPrinter {
			return statusJSON{s: s, sc: sc}
		}},
	}
}

// infos is the people's half of a table.
func infos[R any](rows []row[R]) []FormatInfo {
	out := make([]FormatInfo, len(rows))
	for i, r := range rows {
		out[i] = r.FormatInfo
	}
	return out
}

// Formats is the format table of c as people read it, the default first.
func Formats(c Command) []FormatInfo {
	switch c {
	case ValidateCommand:
		return infos(validateTable())
	case ApplyCommand:
		return infos(applyTable())
	case StatusCommand:
		return infos(statusTable())
	case DiffCommand:
		return infos(diffFormats())
	}
	return nil
}

// FormatNames are the names of the formats c offers, the default first.
func FormatNames(c Command) []string {
	fs := Formats(c)
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f.Format)
	}
	return names
}

// ParseFormat checks a -o value against the formats command c offers. A
// format another command offers is named as that command's ("junit is for
// validate only"); a typo gets the nearest name.
func ParseFormat(c Command, s string) (Format, error) {
	names := FormatNames(c)
	for _, n := range names {
		if n == s {
			return Format(n), nil
		}
	}
	offers := fmt.Sprintf("%s offers %s", c, strings.Join(names, ", "))
	var elsewhere []string
	for _, other := range Commands() {
		for _, n := range FormatNames(other) {
			if n == s && other != c {
				elsewhere = append(elsewhere, string(other))
			}
		}
	}
	if len(elsewhere) > 0 {
		who := elsewhere[len(elsewhere)-1]
		if n := len(elsewhere); n > 1 {
			who = strings.Join(elsewhere[:n-1], ", ") + " and " + who
		}
		return "", fmt.Errorf("-o %s is for %s only; %s", s, who, offers)
	}
	msg := `unknown output format "` + printable.Escape(s) + `"`
	if near := suggest.Closest(s, names); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return "", fmt.Errorf("%s; %s", msg, offers)
}

// unknownFormat is the report of a format its command does not offer: it
// writes nothing and says so, rather than falling back to text.
type unknownFormat struct {
	c Command
	f Format
}

func (u unknownFormat) err() error {
	_, err := ParseFormat(u.c, string(u.f))
	if err == nil {
		err = fmt.Errorf("%s has no printer for -o %s", u.c, u.f)
	}
	return err
}

// build finds f in a table, or nil.
func build[R any](rows []row[R], f Format, s Streams, o Options) (R, bool) {
	for _, r := range rows {
		if r.Format == f {
			return r.build(s, o, scrub{o.Redact}), true
		}
	}
	var zero R
	return zero, false
}
