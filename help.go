package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/report"
)

// Help and the manual page are rendered here from the command tree: the
// usage, flags, placeholders and defaults come from the commands
// themselves, the output formats from report's tables, and each command's
// file says its description and examples (xxxDoc). --help and `daestro-jobs
// man` say the same things, so neither can drift from the flags.

// commandDoc is what a command's help says besides its flags.
type commandDoc struct {
	// synopsis is the usage after the command's name, with placeholders.
	synopsis []string
	// description says what the command does, in paragraphs.
	description []string
	examples    []example
	// env names the environment variables the command reads.
	env []string
}

// example is one command line and what it does.
type example struct{ says, line string }

// envVar is one environment variable the tool reads.
type envVar struct{ name, means string }

// environment is every variable the tool reads, for --help and the manual.
func environment() []envVar {
	return []envVar{
		{envAPIKey, "the API key (apply, status; or --api-key-file FILE, never a flag value); masked in every output of every command"},
		{envAPIURL, "the API's base URL, without /v1 (default " + defaultAPIURL + "; plain http only to loopback, e.g. the emulator); --api-url wins"},
		{envGitHubActions, "true makes -o github the default of validate and apply, and hands every secret to the runner as ::add-mask:: first"},
		{envStepSummary, "with -o github, a markdown summary is appended to this file"},
		{envStepOutputs, "with -o github, the counts and the created jobs are appended to this file as step outputs"},
		{"GITHUB_WORKSPACE", "with -o github, annotations name files relative to this directory"},
		{"GITHUB_BASE_REF", "diff's default --base in a GitHub pull request: origin/$GITHUB_BASE_REF"},
		{"CI_MERGE_REQUEST_DIFF_BASE_SHA", "diff's default --base in a GitLab merge request"},
		{envTerm, "dumb turns the progress bar off (it is drawn only on a terminal anyway)"},
		{"HTTPS_PROXY, NO_PROXY", "the proxy of the API requests, as Go's HTTP client reads them"},
		{"SSL_CERT_FILE, SSL_CERT_DIR", "the CA certificates the API's certificate is checked against"},
		{"any $VAR a manifest names", "the values of references (an --env-file supplies more; the environment wins)"},
	}
}

// docOf is the doc of command name.
func docOf(name string) commandDoc {
	switch name {
	case "validate":
		return validateDoc()
	case "apply":
		return applyDoc()
	case "status":
		return statusDoc()
	case "emulator":
		return emulatorDoc()
	case "schema":
		return schemaDoc()
	case "version":
		return versionDoc()
	case "completion":
		return completionDoc()
	case "man":
		return manDoc()
	case "diff":
		return diffDoc()
	case "help":
		return commandDoc{
			synopsis:    []string{"[COMMAND]"},
			description: []string{"Shows the help of daestro-jobs, or of COMMAND (the same as daestro-jobs COMMAND --help)."},
			examples:    []example{{"the options of apply", "daestro-jobs help apply"}},
		}
	}
	return commandDoc{}
}

// rootExamples are the examples of daestro-jobs --help and the manual.
func rootExamples() []example {
	return []example{
		{"check every manifest under jobs/, offline", "daestro-jobs validate -f jobs/"},
		{"show the request bodies, secrets masked, and send nothing", "daestro-jobs apply --dry-run --env-file .env -f jobs/"},
		{"submit each job once", "DAESTRO_API_KEY=... daestro-jobs apply -f jobs/"},
		{"try it all locally against the emulator, then stop it", "daestro-jobs emulator &\nexport DAESTRO_API_URL=http://127.0.0.1:8080\nexport DAESTRO_API_KEY=dk_test_5f0c2a9e7b41d836\ndaestro-jobs apply -f jobs/\nkill %1"},
		{"shell completion", "source <(daestro-jobs completion bash)"},
	}
}

// flagDoc is one flag as help shows it.
type flagDoc struct {
	names       []string // long first, then short: --filename, -f
	placeholder string   // PATH, N, DURATION; "" for a switch
	usage       string   // without backticks
	def         string   // the default, "" when none worth saying
	repeats     bool
}

// flagDocs are the visible flags of a command as help shows them, --help
// last.
func flagDocs(flags []cli.Flag) []flagDoc {
	var out []flagDoc
	for _, f := range append(visibleFlags(flags), cli.HelpFlag) {
		d := flagDoc{repeats: repeats(f)}
		for _, n := range f.Names() {
			if len(n) > 1 {
				d.names = append([]string{"--" + n}, d.names...)
			} else {
				d.names = append(d.names, "-"+n)
			}
		}
		if g, ok := f.(cli.DocGenerationFlag); ok {
			d.usage = g.GetUsage()
			if _, p, ok := strings.Cut(d.usage, "`"); ok && g.TakesValue() {
				d.placeholder, _, _ = strings.Cut(p, "`")
			}
			d.usage = strings.ReplaceAll(d.usage, "`", "")
			if g.TakesValue() {
				d.def = defaultText(g.GetValue())
			}
		}
		out = append(out, d)
	}
	return out
}

// defaultText is a default as help says it: none for empty, zero or false
// values; durations without their zero units (30m, not 30m0s).
func defaultText(v string) string {
	switch v {
	case "", "0", "false", "0s":
		return ""
	}
	if strings.HasSuffix(v, "m0s") {
		v = strings.TrimSuffix(v, "0s")
	}
	if strings.HasSuffix(v, "h0m") {
		v = strings.TrimSuffix(v, "0m")
	}
	return v
}

// left is the flag column of help: "-f, --filename PATH".
func (d flagDoc) left() string {
	s := strings.Join(d.names, ", ")
	if len(d.names) == 1 {
		s = "    " + s // long-only flags line up with the long names
	} else {
		// short first, as most tools print them
		s = strings.Join(append(d.names[1:], d.names[0]), ", ")
	}
	if d.placeholder != "" {
		s += " " + d.placeholder
	}
	return s
}

// text is the help column: the usage and the default.
func (d flagDoc) text() string {
	s := d.usage
	if d.def != "" {
		s += " (default " + d.def + ")"
	}
	return s
}

// helpWidth is the width help is wrapped to.
const helpWidth = 80

// wrap breaks s into lines of at most width columns, the first prefixed by
// first and the rest by indent.
func wrap(s string, width int, first, indent string) string {
	var b strings.Builder
	line := first
	empty := true
	for _, w := range strings.Fields(s) {
		if !empty && len(line)+1+len(w) > width {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

// table writes two columns, the second wrapped and aligned; a left cell
// too wide puts its text on the next line.
func table(b *strings.Builder, rows [][2]string) {
	col := 0
	for _, r := range rows {
		if n := len(r[0]); n <= 30 && n > col {
			col = n
		}
	}
	indent := strings.Repeat(" ", 2+col+2)
	for _, r := range rows {
		left := "  " + r[0]
		if len(r[0]) > col {
			b.WriteString(left + "\n")
			b.WriteString(wrap(r[1], helpWidth, indent, indent))
			continue
		}
		b.WriteString(wrap(r[1], helpWidth, left+strings.Repeat(" ", col-len(r[0])+2), indent))
	}
}

// formatsNote lists the formats of c, and says whose the others are.
func formatsSection(b *strings.Builder, c report.Command) {
	fmt.Fprintf(b, "\nOutput formats (-o FORMAT; the first is the default):\n")
	var rows [][2]string
	mine := map[string]bool{}
	for _, f := range report.Formats(c) {
		rows = append(rows, [2]string{string(f.Format), f.About})
		mine[string(f.Format)] = true
	}
	table(b, rows)
	// The formats of the other commands, grouped by who offers them.
	var groups []string
	byOwners := map[string][]string{}
	for _, oc := range report.Commands() {
		for _, n := range report.FormatNames(oc) {
			if mine[n] || containsString(byOwners[ownersOf(n)], n) {
				continue
			}
			o := ownersOf(n)
			if byOwners[o] == nil {
				groups = append(groups, o)
			}
			byOwners[o] = append(byOwners[o], n)
		}
	}
	for _, o := range groups {
		verb := "is"
		if len(byOwners[o]) > 1 {
			verb = "are"
		}
		b.WriteString(wrap(strings.Join(byOwners[o], ", ")+" "+verb+" for "+o+" only.", helpWidth, "  ", "  "))
	}
}

// ownersOf is "validate and apply": the commands that offer format n.
func ownersOf(n string) string {
	var owners []string
	for _, c := range report.Commands() {
		if containsString(report.FormatNames(c), n) {
			owners = append(owners, string(c))
		}
	}
	return joinAnd(owners)
}

// joinAnd is "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// examplesSection writes examples: what each does, then the command.
func examplesSection(b *strings.Builder, ex []example) {
	if len(ex) == 0 {
		return
	}
	b.WriteString("\nExamples:\n")
	for i, e := range ex {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(wrap(e.says, helpWidth, "  # ", "  # "))
		for _, l := range strings.Split(e.line, "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
}

// envSection writes the variables named, or all of them.
func envSection(b *strings.Builder, names []string) {
	var rows [][2]string
	for _, v := range environment() {
		if names == nil || containsString(names, v.name) {
			rows = append(rows, [2]string{v.name, v.means})
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\nEnvironment:\n")
	table(b, rows)
}

func containsString(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// commandHelp is the text of `daestro-jobs CMD --help`.
func commandHelp(app *cli.App, c *cli.Command) string {
	d := docOf(c.Name)
	var b strings.Builder
	b.WriteString(wrap(app.Name+" "+c.Name+" - "+c.Usage, helpWidth, "", "  "))
	b.WriteString("\nUsage:\n")
	syn := d.synopsis
	if len(syn) == 0 {
		syn = []string{""}
	}
	for _, s := range syn {
		b.WriteString("  " + strings.TrimSpace(app.Name+" "+c.Name+" "+s) + "\n")
	}
	for _, p := range d.description {
		b.WriteByte('\n')
		b.WriteString(wrap(p, helpWidth, "", ""))
	}
	b.WriteString("\nOptions:\n")
	var rows [][2]string
	for _, f := range flagDocs(c.Flags) {
		rows = append(rows, [2]string{f.left(), f.text()})
	}
	table(&b, rows)
	if containsString(report.FormatNames(report.Command(c.Name)), "text") {
		formatsSection(&b, report.Command(c.Name))
	}
	if d.env != nil {
		envSection(&b, d.env)
	}
	examplesSection(&b, d.examples)
	return b.String()
}

// rootHelp is the text of `daestro-jobs --help`.
func rootHelp(app *cli.App) string {
	var b strings.Builder
	b.WriteString(wrap(app.Name+" - "+app.Usage, helpWidth, "", "  "))
	b.WriteString("\nUsage:\n  " + app.Name + " COMMAND [OPTIONS]\n")
	b.WriteByte('\n')
	b.WriteString(wrap(rootDescription, helpWidth, "", ""))
	b.WriteString("\nCommands:\n")
	var rows [][2]string
	for _, c := range app.Commands {
		if !c.Hidden {
			rows = append(rows, [2]string{c.Name, c.Usage})
		}
	}
	table(&b, rows)
	b.WriteString("\nOptions:\n")
	table(&b, [][2]string{{"-h, --help", "show help"}, {"-v, --version", "print the version"}})
	envSection(&b, nil)
	examplesSection(&b, rootExamples())
	b.WriteString("\n" + wrap("Run 'daestro-jobs COMMAND --help' for the options of a command, and 'daestro-jobs man' for the manual (manifests, references, schedule times, exit status).", helpWidth, "", ""))
	return b.String()
}

// rootDescription says what the tool does, for --help and the manual.
const rootDescription = "daestro-jobs keeps Daestro batch jobs as YAML manifests in git. validate checks every manifest offline against the Job Submit API's schema, reporting each problem as file:line:col; apply resolves $VAR references and schedule times and submits each job exactly once: a job whose name is already taken in its queue is skipped, so applying twice changes nothing."

// asTemplate makes help text safe to hand urfave/cli as a help template:
// it is printed as written.
func asTemplate(text string) string {
	return strings.ReplaceAll(text, "{{", `{{"{{"}}`)
}

// setHelp renders the help of the app and of every command.
func setHelp(app *cli.App) {
	app.CustomAppHelpTemplate = asTemplate(rootHelp(app))
	for _, c := range app.Commands {
		c.CustomHelpTemplate = asTemplate(commandHelp(app, c))
	}
}
