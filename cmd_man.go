package main

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/report"
)

// manual holds the man page's sections on the manifest format, references,
// schedule forms and exit status, in the little markdown roffManual reads
// (# headings, paragraphs, indented code, two-column tables, `code`). The
// README's tables of the same things are checked against it
// (TestManualMatchesReadme). The rest of the page (synopsis, commands,
// options, environment, examples) is rendered from the command tree, as
// --help is.
//
//go:embed manual.md
var manual string

// manualDate is the date in the page's header: the last time the manual's
// words changed (a build date would make every build's page differ).
const manualDate = "2026-12-04"

func manCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff); e.g. daestro-jobs man > daestro-jobs.1 && man ./daestro-jobs.1",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprint(e.stdout, manPage(c.App))
			return wrote(err)
		},
	}
}

func manDoc() commandDoc {
	return commandDoc{
		description: []string{"Prints the manual page (roff): every command and option, the manifest format, references, schedule times, exit status and environment."},
		examples:    []example{{"read it", "daestro-jobs man > daestro-jobs.1 && man ./daestro-jobs.1"}},
	}
}

// roffEscaper escapes text for roff: a backslash is \e, and every hyphen a
// minus (\-), so options can be copied and searched for.
var roffEscaper = strings.NewReplacer(`\`, `\e`, "-", `\-`)

// roffText is a line of running text: escaped, with `code` in bold, and a
// line that would start with a control character made safe.
func roffText(s string) string {
	var b strings.Builder
	parts := strings.Split(s, "`")
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString(`\fB` + roffEscaper.Replace(p) + `\fR`)
			continue
		}
		if i%2 == 1 {
			b.WriteString("`")
		}
		b.WriteString(roffEscaper.Replace(p))
	}
	return roffFill(b.String())
}

// roffFill breaks running text into input lines of at most 78 bytes, at
// spaces (fill mode joins them again), each safe to start a line.
func roffFill(s string) string {
	var lines []string
	for _, w := range strings.Fields(s) {
		if n := len(lines); n > 0 && len(lines[n-1])+1+len(w) <= 78 {
			lines[n-1] += " " + w
			continue
		}
		lines = append(lines, w)
	}
	for i, l := range lines {
		lines[i] = roffLine(l)
	}
	return strings.Join(lines, "\n")
}

// shellLines breaks a long command line for the page: at spaces, each
// piece but the last ending in a backslash, as a shell reads it.
func shellLines(cmd string, width int) []string {
	if len(cmd) <= width {
		return []string{cmd}
	}
	var out []string
	cur := ""
	for _, w := range strings.Fields(cmd) {
		if cur != "" && len(cur)+1+len(w) > width-2 {
			out = append(out, cur+" \\")
			cur = "  " + w
			continue
		}
		if cur != "" && cur != "  " {
			cur += " "
		}
		cur += w
	}
	return append(out, cur)
}

// roffLine keeps a line from starting a request.
func roffLine(s string) string {
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		return `\&` + s
	}
	return s
}

// synopsisWords are flags (bold) and placeholders (italic) in a synopsis.
var synopsisWords = regexp.MustCompile(`--?[a-z][a-z-]*|\b[A-Z][A-Z_]+\b`)

// roffSynopsis renders a usage line: flags bold, placeholders italic.
func roffSynopsis(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range synopsisWords.FindAllStringIndex(s, -1) {
		b.WriteString(roffEscaper.Replace(s[last:m[0]]))
		w := s[m[0]:m[1]]
		font := `\fB`
		if !strings.HasPrefix(w, "-") {
			font = `\fI`
		}
		b.WriteString(font + roffEscaper.Replace(w) + `\fR`)
		last = m[1]
	}
	b.WriteString(roffEscaper.Replace(s[last:]))
	return roffLine(b.String())
}

// manPage renders the whole manual page.
func manPage(app *cli.App) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	var commands []*cli.Command
	for _, c := range app.Commands {
		if !c.Hidden && c.Name != "help" {
			commands = append(commands, c)
		}
	}

	line(`.TH DAESTRO\-JOBS 1 ` + manualDate + ` "daestro\-jobs ` + roffEscaper.Replace(moduleVersion()) + `" "User Commands"`)
	line(".nh")   // no hyphenation: options and placeholders stay whole
	line(".ad l") // ragged right: no stretched spaces
	line(".SH NAME")
	line(roffFill(roffEscaper.Replace(app.Name) + ` \- ` + roffEscaper.Replace(app.Usage)))

	line(".SH SYNOPSIS")
	for i, c := range commands {
		if i > 0 {
			line(".br")
		}
		syn := docOf(c.Name).synopsis
		if len(syn) == 0 {
			syn = []string{""}
		}
		for j, s := range syn {
			if j > 0 {
				line(".br")
			}
			line(strings.TrimSpace(`\fB` + roffEscaper.Replace(app.Name+" "+c.Name) + `\fR ` + roffSynopsis(s)))
		}
	}
	line(".br")
	line(`\fB` + roffEscaper.Replace(app.Name) + `\fR \fB\-\-help\fR | \fB\-\-version\fR`)

	line(".SH DESCRIPTION")
	line(roffText(rootDescription))
	line(".PP")
	line(roffText("Every problem in every file is reported in one run, as `file:line:col: field.path: message`; if any document is invalid, nothing is submitted. Secrets (sensitive values, the API key) never appear in any output."))

	line(".SH COMMANDS")
	for _, c := range commands {
		line(".TP")
		line(`\fB` + roffEscaper.Replace(c.Name) + `\fR`)
		line(roffText(upperFirst(c.Usage) + "."))
		for _, p := range docOf(c.Name).description {
			line(".IP")
			line(roffText(p))
		}
	}

	line(".SH OPTIONS")
	line(roffText("Options follow the command they belong to. A flag's value may follow it as the next word or after = (`--output=json`)."))
	for _, c := range commands {
		flags := flagDocs(c.Flags)
		if len(flags) <= 1 {
			continue // --help alone
		}
		line(`.SS "` + roffEscaper.Replace(app.Name+" "+c.Name) + `"`)
		for _, f := range flags {
			line(".TP")
			names := make([]string, len(f.names))
			for i, n := range f.names {
				names[i] = `\fB` + roffEscaper.Replace(n) + `\fR`
			}
			if len(names) > 1 {
				names = append(names[1:], names[0])
			}
			tag := strings.Join(names, ", ")
			if f.placeholder != "" {
				tag += ` \fI` + roffEscaper.Replace(f.placeholder) + `\fR`
			}
			line(tag)
			text := f.text()
			if f.names[0] == "--output" {
				text = "the report's FORMAT: " + strings.Join(report.FormatNames(report.Command(c.Name)), ", ") + " (the first is the default)"
				if c.Name != "status" {
					text += "; github when GITHUB_ACTIONS=true"
				}
			}
			line(roffText(upperFirst(text) + "."))
		}
	}

	roffManual(&b, manual)

	line(".SH ENVIRONMENT")
	for _, v := range environment() {
		line(".TP")
		line(`\fB` + roffEscaper.Replace(v.name) + `\fR`)
		line(roffText(upperFirst(v.means) + "."))
	}

	line(".SH EXAMPLES")
	first := true
	examples := rootExamples()
	seen := map[string]bool{}
	for _, e := range examples {
		seen[e.line] = true
	}
	for _, c := range commands {
		for _, e := range docOf(c.Name).examples {
			if !seen[e.line] && c.Name != "man" && c.Name != "version" {
				examples = append(examples, e)
				seen[e.line] = true
			}
		}
	}
	for _, e := range examples {
		if !first {
			line(".PP")
		}
		first = false
		line(roffText(upperFirst(e.says) + ":"))
		line(".PP")
		line(".RS 4")
		line(".nf")
		for _, l := range strings.Split(e.line, "\n") {
			for _, piece := range shellLines(l, 66) {
				line(roffLine(roffEscaper.Replace(piece)))
			}
		}
		line(".fi")
		line(".RE")
	}

	line(`.SH "SEE ALSO"`)
	line(".BR git (1),")
	line(".BR kubectl (1)")
	line(".PP")
	line(roffText("The README of https://github.com/daestro-jobs/daestro-jobs, with the GitHub Actions action, GitLab CI and pre-commit set-ups, and the Daestro API documentation at https://daestro.com."))
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// roffManual renders manual.md's markdown: # headings become sections,
// paragraphs stay paragraphs, indented lines are shown as written, and a
// table becomes a list whose tag is the first cell (a list fits any width,
// where a table wider than the line makes man warn).
func roffManual(b *strings.Builder, md string) {
	line := func(s string) { b.WriteString(s + "\n") }
	afterHeading := false
	inPara := false
	inCode := false
	endCode := func() {
		if inCode {
			line(".fi")
			line(".RE")
			inCode = false
		}
	}
	startBlock := func() {
		if !afterHeading {
			line(".PP")
		}
		afterHeading = false
	}
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		// A table's header is the row above its | --- | line.
		header := i+1 < len(lines) && strings.HasPrefix(lines[i+1], "| ---")
		switch {
		case strings.HasPrefix(l, "# "):
			endCode()
			line(`.SH "` + roffEscaper.Replace(strings.TrimPrefix(l, "# ")) + `"`)
			afterHeading, inPara = true, false
		case strings.HasPrefix(l, "    "):
			if !inCode {
				startBlock()
				line(".RS 4")
				line(".nf")
				inCode = true
			}
			line(roffLine(roffEscaper.Replace(strings.TrimPrefix(l, "    "))))
			inPara = false
		case strings.TrimSpace(l) == "":
			endCode()
			inPara = false
		case strings.HasPrefix(l, "|"):
			endCode()
			cells := tableCells(l)
			if strings.HasPrefix(cells[0], "---") || header {
				continue
			}
			line(".TP")
			line(roffText(cells[0]))
			line(roffText(upperFirst(strings.Join(cells[1:], "; "))))
			afterHeading, inPara = false, false
		default:
			endCode()
			if !inPara {
				startBlock()
				inPara = true
			}
			line(roffText(l))
		}
	}
	endCode()
}

// tableCells are the cells of a markdown table row.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	cells := strings.Split(row, " | ")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}
