package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// githubPrinter writes what the text printer writes, preceded by GitHub
// Actions workflow commands (::error, ::warning) so that each problem shows
// as an annotation on the file and line it is about, and appends a markdown
// table to the step summary when Streams.Summary is set.
//
// Every line that starts with "::" is one this printer meant: values inside
// a command are masked, then escaped as the runner reads them; values on the
// text lines cannot start a line (see scrub.lead).
type githubPrinter struct {
	s    Streams
	sc   scrub
	o    Options
	text textPrinter
}

// Titles of the annotations.
const (
	validateTitle = "daestro-jobs validate"
	applyTitle    = "daestro-jobs apply"
)

func (g *githubPrinter) Validate(p *plan.Plan) error {
	var b strings.Builder
	for _, e := range grouped(p.Diagnostics) {
		g.diagnosticCommand(&b, e, validateTitle)
	}
	if _, err := fmt.Fprint(g.s.Out, b.String()); err != nil {
		return err
	}
	if err := g.text.Validate(p); err != nil {
		return err
	}
	g.summary(g.validateSummary(p))
	g.outputs([]stepOutput{
		{"files", strconv.Itoa(p.Files)}, {"documents", strconv.Itoa(p.Documents)},
		{"valid", strconv.Itoa(p.Documents - p.Invalid)}, {"invalid", strconv.Itoa(p.Invalid)},
		{"errors", strconv.Itoa(p.Errors())}, {"warnings", strconv.Itoa(p.Warnings())},
	})
	return nil
}

func (g *githubPrinter) Apply(a *outcome.Apply) error {
	var b strings.Builder
	for _, e := range grouped(a.Plan.Diagnostics) {
		g.diagnosticCommand(&b, e, applyTitle)
	}
	if a.RunError != "" {
		// One annotation for the run, on no file: the run stopped (the key
		// refused, the API unreachable), not a job.
		writeCommand(&b, "error", []prop{{"title", applyTitle}}, g.sc.errMessage(a.RunErr, a.RunError))
	}
	for _, r := range a.Jobs {
		if r.Outcome != outcome.Failed || (a.RunError != "" && r.Refused) {
			continue
		}
		msg := "failed"
		if id := g.sc.identity(r.Job); id != "" {
			msg = id + " failed"
		}
		if r.Err != nil || r.Error != "" {
			msg += ": " + g.sc.errMessage(r.Err, r.Error)
		}
		writeCommand(&b, "error", []prop{
			{"file", g.file(r.Job.File)}, {"line", strconv.Itoa(r.Job.Line)}, {"title", applyTitle},
		}, msg)
	}
	if _, err := fmt.Fprint(g.s.Out, b.String()); err != nil {
		return err
	}
	if err := g.text.Apply(a); err != nil {
		return err
	}
	g.summary(g.applySummary(a))
	g.outputs(g.applyOutputs(a))
	return nil
}

// stepOutput is one name=value line of $GITHUB_OUTPUT.
type stepOutput struct{ name, value string }

// applyOutputs are the counts of every outcome, and the jobs created (with
// their ids) as a JSON array, for later steps: ${{ steps.X.outputs.created }},
// fromJSON(steps.X.outputs.jobs).
func (g *githubPrinter) applyOutputs(a *outcome.Apply) []stepOutput {
	c := a.Counts()
	type created struct {
		Queue string `json:"queue"`
		Name  string `json:"name"`
		ID    string `json:"id"`
		File  string `json:"file"`
		Line  int    `json:"line"`
	}
	jobs := []created{}
	for _, r := range a.Jobs {
		if r.Outcome == outcome.Created {
			j := r.Job
			jobs = append(jobs, created{Queue: g.sc.masked(j.Queue), Name: g.sc.masked(j.Name), ID: g.sc.masked(r.ID),
				File: g.sc.masked(j.File), Line: j.Line})
		}
	}
	b, _ := json.Marshal(jobs) // strings and ints always encode
	return []stepOutput{
		{"jobs-total", strconv.Itoa(c.Jobs)}, {"created", strconv.Itoa(c.Created)}, {"exists", strconv.Itoa(c.Exists)},
		{"duplicate", strconv.Itoa(c.Duplicate)}, {"planned", strconv.Itoa(c.Planned)}, {"failed", strconv.Itoa(c.Failed)},
		{"not-submitted", strconv.Itoa(c.NotSubmitted)}, {"invalid", strconv.Itoa(c.Invalid)},
		{"created-jobs", string(printable.JSON(b))}, {"unchanged", strconv.Itoa(c.Unchanged)},
	}
}

// outputs appends name=value lines to the step outputs, if there are any.
// Every value is one line: counts, or compact JSON, which escapes line
// breaks, so no value can start another output.
func (g *githubPrinter) outputs(outs []stepOutput) {
	if g.s.StepOutputs == nil {
		return
	}
	var b strings.Builder
	for _, o := range outs {
		b.WriteString(o.name + "=" + o.value + "\n")
	}
	if _, err := io.WriteString(g.s.StepOutputs, b.String()); err != nil {
		fmt.Fprintf(g.s.Err, "daestro-jobs: cannot write the GitHub step outputs: %v\n", err)
	}
}

func (g *githubPrinter) Wait(w *outcome.Wait) error { return g.text.Wait(w) }

// summary appends to the step summary, if there is one. The summary is an
// extra: failing to write it is said on Err but does not fail the run.
func (g *githubPrinter) summary(md string) {
	if g.s.Summary == nil {
		return
	}
	if _, err := fmt.Fprint(g.s.Summary, md); err != nil {
		fmt.Fprintf(g.s.Err, "daestro-jobs: cannot write the GitHub step summary: %v\n", err)
	}
}

type prop struct{ key, value string }

// file is an annotation's file: GitHub attaches an annotation to the file
// at that path in the repository, so it is relative to GITHUB_WORKSPACE
// (the checkout) or else the repository's root, whatever directory the
// tool ran in, as SARIF's and Code Quality's paths are.
func (g *githubPrinter) file(f string) string {
	o := g.o
	if o.Workspace != "" {
		o.Root = o.Workspace
	}
	rel, _ := o.relPath(g.sc.masked(f))
	return printable.Escape(rel)
}

// diagnosticCommand writes one ::error or ::warning for a diagnostic (an
// unset variable once, at its first place). The location goes in the
// properties, so the message is "path: message".
func (g *githubPrinter) diagnosticCommand(b *strings.Builder, e entry, title string) {
	d := e.Diagnostic
	cmd := "error"
	if d.Severity == diag.Warning {
		cmd = "warning"
	}
	props := []prop{{"file", g.file(d.File)}}
	if d.Line > 0 {
		props = append(props, prop{"line", strconv.Itoa(d.Line)})
		if d.Col > 0 {
			props = append(props, prop{"col", strconv.Itoa(d.Col)})
		}
	}
	props = append(props, prop{"title", title})
	msg := g.sc.text(d.Message)
	if d.Path != "" {
		msg = g.sc.text(d.Path) + ": " + msg
	}
	if e.places > 1 {
		msg = g.sc.groupMessage(e)
	}
	writeCommand(b, cmd, props, msg)
}

// writeCommand writes "::cmd k=v,k=v::data\n", escaped as the runner
// expects (the Actions toolkit's escapeData and escapeProperty), so that no
// value can end the command early or start another. Values must be masked
// and their control characters escaped already (scrub.text): escaping
// changes how a secret looks.
func writeCommand(b *strings.Builder, cmd string, props []prop, data string) {
	b.WriteString("::")
	b.WriteString(cmd)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(escapeProperty(p.value))
	}
	b.WriteString("::")
	b.WriteString(escapeData(data))
	b.WriteByte('\n')
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes the message of a workflow command.
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a property value of a workflow command.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// validateSummary is the step summary of a validation: the counts, then a
// table of the problems (an unset variable once).
func (g *githubPrinter) validateSummary(p *plan.Plan) string {
	var b strings.Builder
	b.WriteString("### " + validateTitle + "\n\n")
	b.WriteString(validationSummary(p))
	b.WriteString("\n\n")
	if len(p.Diagnostics) == 0 {
		b.WriteString("No problems found.\n\n")
		return b.String()
	}
	g.problemTable(&b, p.Diagnostics, maxSummaryBytes, "see the log or -o sarif")
	return b.String()
}

// GitHub refuses a step summary over 1 MiB ("Adding a job summary",
// docs.github.com/actions/reference/workflow-commands-for-github-actions):
// a table stops at maxSummaryRows rows, and before the summary would pass
// maxSummaryBytes, with a line saying how many rows were left out.
const (
	maxSummaryRows  = 1000
	maxSummaryBytes = 1<<20 - 64<<10
	maxSummaryCell  = 1000 // bytes of a cell's text, before markdown escapes
)

// rows writes n table rows, row(i) rendering each, within maxSummaryRows
// and until b would pass limit bytes, then says how many it left out.
func rows(b *strings.Builder, n, limit int, noun, where string, row func(i int) string) {
	i := 0
	for ; i < n && i < maxSummaryRows; i++ {
		r := row(i)
		if b.Len()+len(r) > limit {
			break
		}
		b.WriteString(r)
	}
	b.WriteByte('\n')
	if i < n {
		fmt.Fprintf(b, "%d more %s; %s.\n\n", n-i, noun, where)
	}
}

// problemTable writes a markdown table of diagnostics, within limit bytes
// of the summary, grouped as the text report is: an unset variable used in
// several places is one row, at its first place, saying how many places use
// it (the field column left empty: the places may differ in it).
func (g *githubPrinter) problemTable(b *strings.Builder, ds []diag.Diagnostic, limit int, where string) {
	es := grouped(ds)
	b.WriteString("| Severity | File | Line | Field | Problem |\n| --- | --- | --- | --- | --- |\n")
	rows(b, len(es), limit, "problems", where, func(i int) string {
		e := es[i]
		d := e.Diagnostic
		line := ""
		if d.Line > 0 {
			line = strconv.Itoa(d.Line)
			if d.Col > 0 {
				line += ":" + strconv.Itoa(d.Col)
			}
		}
		field, msg := g.cell(d.Path), g.cell(d.Message)
		if e.places > 1 {
			field, msg = "", g.cell(groupText(e))
		}
		return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", d.Severity, g.cell(d.File), line, field, msg)
	})
}

// applySummary is the step summary of an apply: the counts, then a table of
// every job's outcome.
func (g *githubPrinter) applySummary(a *outcome.Apply) string {
	var b strings.Builder
	b.WriteString("### " + applyTitle + "\n\n")
	b.WriteString(summary(a.Counts()))
	switch {
	case a.Plan.Errors() > 0:
		b.WriteString(" (nothing was submitted: fix the errors)")
	case a.DryRun:
		b.WriteString(" (dry run: nothing was sent)")
	}
	b.WriteString("\n\n")
	if a.Interrupted {
		b.WriteString("Interrupted: applying again submits the jobs not submitted, without duplicates.\n\n")
	}
	if len(a.Jobs) > 0 {
		b.WriteString("| Outcome | Job | File | Detail |\n| --- | --- | --- | --- |\n")
		// The jobs take at most half the summary, the problems the rest.
		rows(&b, len(a.Jobs), maxSummaryBytes/2, "jobs", "see the log", func(i int) string {
			r := a.Jobs[i]
			j := r.Job
			name := ""
			if j.Name != "" {
				name = j.Queue + "/" + j.Name
			}
			var detail []string
			if r.ID != "" {
				detail = append(detail, "id "+r.ID)
			}
			if r.Err != nil || r.Error != "" {
				detail = append(detail, g.sc.errMasked(r.Err, r.Error))
			}
			if r.Note != "" {
				detail = append(detail, r.Note)
			}
			return fmt.Sprintf("| %s | %s | %s | %s |\n", r.Outcome, g.cell(name),
				g.cell(j.File+":"+strconv.Itoa(j.Line)), g.cell(strings.Join(detail, "; ")))
		})
	}
	if len(a.Plan.Diagnostics) > 0 {
		g.problemTable(&b, a.Plan.Diagnostics, maxSummaryBytes, "see the log")
	}
	return b.String()
}

// cellEscaper keeps a value inside one markdown table cell, as text: pipes
// would end the cell, and markup would be rendered: emphasis, code, links,
// HTML, strike-through (~, GFM's extension) and math ($, which GitHub's
// "Writing mathematical expressions" says to escape as \$). Line breaks and
// other controls are escaped before it runs.
var cellEscaper = strings.NewReplacer(
	"|", `\|`, "&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\\", `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`,
	"~", `\~`, "$", `\$`,
)

// wordJoiner (U+2060) is invisible and joins what it sits between: put
// where GitHub would see a link, an emoji or a mention, it breaks the
// pattern, where a backslash would not (those are found in the rendered
// text, after escapes are gone).
const wordJoiner = "\u2060"

var (
	// GFM's extended autolinks: a scheme's "://", "www.", an e-mail's "@"
	// (and GitHub's @mentions).
	autolink = regexp.MustCompile(`(?i)(://|www\.|@)`)
	// A GitHub emoji shortcode, :name:, at the start of a text.
	emoji = regexp.MustCompile(`^:[A-Za-z0-9_+-]+:`)
)

// plainText breaks what GitHub would render in a text: bare URLs, e-mail
// addresses and mentions, emoji shortcodes.
func plainText(s string) string {
	s = autolink.ReplaceAllStringFunc(s, func(m string) string { return m[:1] + wordJoiner + m[1:] })
	// Shortcodes can share colons (":a:b:"): break each name's opening colon.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == ':' && emoji.MatchString(s[i:]) {
			b.WriteString(wordJoiner)
		}
	}
	return b.String()
}

// cell masks, escapes and marks up a value for a markdown table cell, as
// text: a file name, a server's message or a job's name is never markup.
func (g *githubPrinter) cell(s string) string {
	return plainText(cellEscaper.Replace(printable.Clip(g.sc.text(s), maxSummaryCell)))
}
