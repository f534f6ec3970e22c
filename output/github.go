package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// githubPrinter writes what the text printer writes, preceded by GitHub
// Actions workflow commands (::error, ::warning) so that each problem shows
// as an annotation on the file and line it is about, and appends a markdown
// table to the step summary when Streams.Summary is set.
type githubPrinter struct {
	s    Streams
	text textPrinter
}

func (g *githubPrinter) Validate(p *plan.Plan) error {
	var b strings.Builder
	for _, d := range p.Diagnostics {
		writeDiagnosticCommand(&b, d, "daestro-jobs validate")
	}
	if _, err := fmt.Fprint(g.s.Out, b.String()); err != nil {
		return err
	}
	if err := g.text.Validate(p); err != nil {
		return err
	}
	g.summary(validateSummary(p))
	return nil
}

func (g *githubPrinter) Apply(r *ApplyReport) error {
	var b strings.Builder
	for _, d := range r.Plan.Diagnostics {
		writeDiagnosticCommand(&b, d, "daestro-jobs apply")
	}
	for _, res := range r.Results {
		if res.Outcome != submit.Failed {
			continue
		}
		msg := "failed"
		if res.Job.Name != "" {
			msg = fmt.Sprintf("%s/%s failed", res.Job.Queue, res.Job.Name)
		}
		if res.Error != "" {
			msg += ": " + res.Error
		}
		writeCommand(&b, "error", []prop{
			{"file", res.Job.File}, {"line", itoa(res.Job.Line)}, {"title", "daestro-jobs apply"},
		}, msg)
	}
	if _, err := fmt.Fprint(g.s.Out, b.String()); err != nil {
		return err
	}
	if err := g.text.Apply(r); err != nil {
		return err
	}
	g.summary(applySummary(r))
	return nil
}

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

// writeDiagnosticCommand writes one ::error or ::warning for a diagnostic.
// The location goes in the properties, so the message is "path: message".
func writeDiagnosticCommand(b *strings.Builder, d manifest.Diagnostic, title string) {
	cmd := "error"
	if d.Severity == manifest.Warning {
		cmd = "warning"
	}
	props := []prop{{"file", d.File}}
	if d.Line > 0 {
		props = append(props, prop{"line", itoa(d.Line)})
		if d.Col > 0 {
			props = append(props, prop{"col", itoa(d.Col)})
		}
	}
	props = append(props, prop{"title", title})
	msg := d.Message
	if d.Path != "" {
		msg = d.Path + ": " + msg
	}
	writeCommand(b, cmd, props, msg)
}

// writeCommand writes "::cmd k=v,k=v::data\n", escaped as the runner
// expects, so that no value can end the command early or start another.
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

func itoa(n int) string { return strconv.Itoa(n) }

// validateSummary is the step summary of a validation: the counts, then a
// table of every problem.
func validateSummary(p *plan.Plan) string {
	var b strings.Builder
	c := CountValidation(p)
	b.WriteString("### daestro-jobs validate\n\n")
	fmt.Fprintf(&b, "%s in %s: %d valid, %d invalid", plural(c.Documents, "document", "documents"),
		plural(c.Files, "file", "files"), c.Valid, c.Invalid)
	if n := fileErrors(p); n > 0 {
		fmt.Fprintf(&b, ", %s", plural(n, "unreadable file", "unreadable files"))
	}
	fmt.Fprintf(&b, " (%s, %s)\n\n", plural(c.Errors, "error", "errors"), plural(c.Warnings, "warning", "warnings"))
	if len(p.Diagnostics) == 0 {
		b.WriteString("No problems found.\n\n")
		return b.String()
	}
	writeProblemTable(&b, p.Diagnostics)
	return b.String()
}

// writeProblemTable writes a markdown table of diagnostics.
func writeProblemTable(b *strings.Builder, ds []manifest.Diagnostic) {
	b.WriteString("| Severity | File | Line | Field | Problem |\n| --- | --- | --- | --- | --- |\n")
	for _, d := range ds {
		line := ""
		if d.Line > 0 {
			line = itoa(d.Line)
			if d.Col > 0 {
				line += ":" + itoa(d.Col)
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", d.Severity, cell(d.File), line, cell(d.Path), cell(d.Message))
	}
	b.WriteByte('\n')
}

// applySummary is the step summary of an apply: the counts, then a table of
// every job's outcome.
func applySummary(r *ApplyReport) string {
	var b strings.Builder
	b.WriteString("### daestro-jobs apply\n\n")
	b.WriteString(Count(r.Results).summary())
	switch {
	case r.Plan.Errors() > 0:
		b.WriteString(" (nothing was submitted: fix the errors)")
	case r.DryRun:
		b.WriteString(" (dry run: nothing was sent)")
	}
	b.WriteString("\n\n")
	if r.Interrupted {
		b.WriteString("Interrupted: applying again submits the jobs not submitted, without duplicates.\n\n")
	}
	if len(r.Results) > 0 {
		b.WriteString("| Outcome | Job | File | Detail |\n| --- | --- | --- | --- |\n")
		for _, res := range r.Results {
			j := res.Job
			name := ""
			if j.Name != "" {
				name = j.Queue + "/" + j.Name
			}
			var detail []string
			if res.ID != "" {
				detail = append(detail, "id "+res.ID)
			}
			if res.Error != "" {
				detail = append(detail, res.Error)
			}
			if res.Note != "" {
				detail = append(detail, res.Note)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", res.Outcome, cell(name),
				cell(j.File+":"+itoa(j.Line)), cell(strings.Join(detail, "; ")))
		}
		b.WriteByte('\n')
	}
	if len(r.Plan.Diagnostics) > 0 {
		writeProblemTable(&b, r.Plan.Diagnostics)
	}
	return b.String()
}

// cellEscaper keeps a value inside one markdown table cell, as text: pipes
// would end the cell, newlines the row, and markup would be rendered.
var cellEscaper = strings.NewReplacer(
	"|", `\|`, "\r\n", " ", "\n", " ", "\r", " ",
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\\", `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`,
)

func cell(s string) string { return cellEscaper.Replace(s) }
