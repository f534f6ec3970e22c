package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/review"
)

// Diff is what `daestro-jobs diff` found.
type Diff struct {
	// Base is the revision as the user or the CI named it; Commit is the
	// commit id it resolved to.
	Base, Commit string
	Result       *review.Result
	// Diagnostics are the working tree's, then the base's (warnings: a
	// broken base does not stop a review).
	Diagnostics []diag.Diagnostic
}

// DiffReporter renders what `daestro-jobs diff` found.
type DiffReporter interface {
	Diff(d *Diff) error
}

func diffFormats() []row[DiffReporter] {
	return []row[DiffReporter]{
		{FormatInfo{Text, "for people: a line per job that changes, its fields indented, then a summary"}, func(s Streams, _ Options, sc scrub) DiffReporter {
			return &diffText{s: s, sc: sc}
		}},
		{FormatInfo{JSON, aboutJSON}, func(s Streams, _ Options, sc scrub) DiffReporter { return &diffJSON{s: s, sc: sc} }},
		{FormatInfo{GitHub, "text plus a warning on each edited job, a table in the step summary, outputs"}, func(s Streams, o Options, sc scrub) DiffReporter {
			return &diffGitHub{g: githubPrinter{s: s, sc: sc, o: o}, text: diffText{s: s, sc: sc}}
		}},
		{FormatInfo{Markdown, "the table on stdout, for a merge request comment"}, func(s Streams, o Options, sc scrub) DiffReporter {
			return &diffMarkdown{s: s, g: githubPrinter{s: s, sc: sc, o: o}}
		}},
	}
}

// NewDiff returns the diff report of format f. A format diff does not
// offer gives a report that writes nothing and returns why.
func NewDiff(f Format, s Streams, o Options) DiffReporter {
	if r, ok := build(diffFormats(), f, s, o); ok {
		return r
	}
	return unknownFormat{DiffCommand, f}
}

func (u unknownFormat) Diff(*Diff) error { return u.err() }

// Messages said at an edited and a removed job.
const (
	editedMessage  = "the edit will not reach Daestro: this name was submitted already (applying reports exists); rename the job to send it"
	removedMessage = "removing a manifest does not cancel a job submitted already"
)

// diffSummary is "diff against origin/main (abc1234): 2 new, 1 edited, 1
// removed, 17 unchanged".
func diffSummary(sc scrub, d *Diff) string {
	c := d.Result.Counts
	return fmt.Sprintf("diff against %s (%s): %d new, %d edited, %d removed, %d unchanged",
		sc.text(d.Base), short(d.Commit), c.New, c.Edited, c.Removed, c.Unchanged)
}

// short is a commit id's first 7 digits, as git shows it.
func short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

// diffText writes one located line per job that is not unchanged, its
// field differences indented, then the summary.
type diffText struct {
	s  Streams
	sc scrub
}

func (t *diffText) Diff(d *Diff) error {
	var b strings.Builder
	for _, x := range grouped(d.Diagnostics) {
		b.WriteString(t.sc.line(x))
		b.WriteByte('\n')
	}
	for _, e := range d.Result.Entries {
		if e.Change == review.Unchanged {
			continue
		}
		fmt.Fprintf(&b, "%-9s  %s/%s  %s:%d:%d", e.Change, t.sc.text(e.Queue), t.sc.text(e.Name), t.sc.text(e.File), e.Line, e.Col)
		switch {
		case e.Replaces != "":
			b.WriteString("  replaces " + t.sc.text(e.Replaces))
		case e.Change == review.Edited:
			b.WriteString(": " + editedMessage)
		case e.Change == review.Removed:
			b.WriteString(": " + removedMessage)
		}
		b.WriteByte('\n')
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "    %s: %s → %s\n", t.sc.text(f.Path), t.value(f.Before, f.HasBefore), t.value(f.After, f.HasAfter))
		}
	}
	b.WriteString(diffSummary(t.sc, d))
	b.WriteByte('\n')
	_, err := fmt.Fprint(t.s.Out, b.String())
	return err
}

// value is a field's value quoted, masked first, or (none).
func (t *diffText) value(v string, has bool) string {
	if !has {
		return "(none)"
	}
	return t.sc.text(strconv.Quote(t.sc.masked(v)))
}

// diffJSON writes one JSON document.
type diffJSON struct {
	s  Streams
	sc scrub
}

func (p *diffJSON) Diff(d *Diff) error {
	type field struct {
		Path   string  `json:"path"`
		Before *string `json:"before"`
		After  *string `json:"after"`
	}
	type change struct {
		Change   string  `json:"change"`
		Queue    string  `json:"queue"`
		Name     string  `json:"name"`
		File     string  `json:"file"`
		Line     int     `json:"line"`
		Replaces string  `json:"replaces,omitempty"`
		Fields   []field `json:"fields"`
	}
	jp := jsonPrinter{s: p.s, sc: p.sc}
	doc := struct {
		Base        string           `json:"base"`
		BaseCommit  string           `json:"base_commit"`
		Changes     []change         `json:"changes"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Summary     review.Counts    `json:"summary"`
	}{Base: p.sc.masked(d.Base), BaseCommit: d.Commit, Changes: []change{}, Diagnostics: jp.diagnostics(d.Diagnostics), Summary: d.Result.Counts}
	opt := func(v string, has bool) *string {
		if !has {
			return nil
		}
		v = p.sc.masked(v)
		return &v
	}
	for _, e := range d.Result.Entries {
		if e.Change == review.Unchanged {
			continue
		}
		c := change{Change: string(e.Change), Queue: p.sc.masked(e.Queue), Name: p.sc.masked(e.Name), File: p.sc.masked(e.File),
			Line: e.Line, Replaces: p.sc.masked(e.Replaces), Fields: []field{}}
		for _, f := range e.Fields {
			c.Fields = append(c.Fields, field{Path: p.sc.masked(f.Path), Before: opt(f.Before, f.HasBefore), After: opt(f.After, f.HasAfter)})
		}
		doc.Changes = append(doc.Changes, c)
	}
	return writeJSON(p.s.Out, doc)
}

// diffGitHub writes the text report preceded by a ::warning on each edited
// job's name: line (and an annotation per problem), the table in the step
// summary, and the counts as step outputs.
type diffGitHub struct {
	g    githubPrinter
	text diffText
}

const diffTitle = "daestro-jobs diff"

func (p *diffGitHub) Diff(d *Diff) error {
	var b strings.Builder
	for _, x := range grouped(d.Diagnostics) {
		p.g.diagnosticCommand(&b, x, diffTitle)
	}
	for _, e := range d.Result.Entries {
		if e.Change != review.Edited {
			continue
		}
		writeCommand(&b, "warning", []prop{{"file", p.g.file(e.File)}, {"line", strconv.Itoa(e.Line)},
			{"col", strconv.Itoa(e.Col)}, {"title", diffTitle}},
			p.g.sc.text(e.Queue+"/"+e.Name)+": "+editedMessage)
	}
	if _, err := fmt.Fprint(p.g.s.Out, b.String()); err != nil {
		return err
	}
	if err := p.text.Diff(d); err != nil {
		return err
	}
	p.g.summary("### " + diffTitle + "\n\n" + diffMarkdownTable(&p.g, d))
	c := d.Result.Counts
	p.g.outputs([]stepOutput{
		{"new", strconv.Itoa(c.New)}, {"edited", strconv.Itoa(c.Edited)}, {"removed", strconv.Itoa(c.Removed)},
		{"unchanged", strconv.Itoa(c.Unchanged)},
		{"base-commit", d.Commit},
	})
	return nil
}

// diffMarkdown writes the summary's table on stdout.
type diffMarkdown struct {
	s Streams
	g githubPrinter
}

func (p *diffMarkdown) Diff(d *Diff) error {
	_, err := fmt.Fprint(p.s.Out, "### "+diffTitle+"\n\n"+diffMarkdownTable(&p.g, d))
	return err
}

// diffTable is the summary line, a table of the jobs that are not
// unchanged, and a table of the problems.
func diffMarkdownTable(g *githubPrinter, d *Diff) string {
	var b strings.Builder
	b.WriteString(g.cell(diffSummary(g.sc, d)))
	b.WriteString("\n\n")
	var changed []review.Entry
	for _, e := range d.Result.Entries {
		if e.Change != review.Unchanged {
			changed = append(changed, e)
		}
	}
	if len(changed) == 0 {
		b.WriteString("Nothing to apply: every job is unchanged.\n\n")
	} else {
		b.WriteString("| Change | Job | File | Detail |\n| --- | --- | --- | --- |\n")
		// The jobs take at most half the summary, the problems the rest.
		rows(&b, len(changed), maxSummaryBytes/2, "jobs", "see the log", func(i int) string {
			e := changed[i]
			var detail []string
			switch {
			case e.Replaces != "":
				detail = append(detail, "replaces "+g.cell(e.Replaces))
			case e.Change == review.Edited:
				detail = append(detail, "**"+g.cell(editedMessage)+"**")
			case e.Change == review.Removed:
				detail = append(detail, g.cell(removedMessage))
			}
			for _, f := range e.Fields {
				detail = append(detail, g.cell(f.Path)+": "+g.cell(mdValue(g.sc, f.Before, f.HasBefore))+" → "+g.cell(mdValue(g.sc, f.After, f.HasAfter)))
			}
			return fmt.Sprintf("| %s | %s | %s | %s |\n", e.Change, g.cell(e.Queue+"/"+e.Name),
				g.cell(e.File+":"+strconv.Itoa(e.Line)), strings.Join(detail, "<br>"))
		})
	}
	if len(d.Diagnostics) > 0 {
		g.problemTable(&b, d.Diagnostics, maxSummaryBytes, "see the log")
	}
	return b.String()
}

func mdValue(sc scrub, v string, has bool) string {
	if !has {
		return "(none)"
	}
	return strconv.Quote(sc.masked(v))
}
