package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/report"
)

// Shell completion. The scripts are thin: on every Tab they ask the binary
// itself (`daestro-jobs __complete WORDS... CURRENT`) what may come next, so
// bash, zsh and fish offer the same candidates, read from the command tree
// (commands, visible flags, the -o formats of each command), and stay true
// as commands and flags change. Paths are the shell's own business: the
// answer says which kind (any file, manifests, directories) and each shell
// completes it natively, so directories end in / and can be descended.
//
// The answer's first line is "MODE<TAB>LEAD": MODE is words (the lines that
// follow, "candidate<TAB>description"), files, yaml (directories and
// *.yaml/*.yml), dirs or none; LEAD is what the current word holds before
// the path to complete ("--env-file=" in --env-file=.e), usually empty.

// completeCommandName is the hidden command the scripts call.
const completeCommandName = "__complete"

// completion modes.
const (
	modeWords = "words"
	modeFiles = "files"
	modeYAML  = "yaml"
	modeDirs  = "dirs"
	modeNone  = "none"
)

// shells are the shells `completion` writes a script for.
func shells() []candidate {
	return []candidate{
		{"bash", "bash 4 or later"},
		{"zsh", "zsh, with or without compinit"},
		{"fish", "fish 3 or later"},
	}
}

// candidate is one completion, with what it is.
type candidate struct{ value, about string }

// valueMode is how the value of a flag is completed, by flag name; -o is
// completed from the command's format table, flags not named here take a
// value no list can offer (numbers, durations).
func valueMode(flag string) string {
	switch flag {
	case flagFilename:
		return modeYAML
	case flagEnvFile, flagAPIKeyFile, "state":
		return modeFiles
	case flagReportRoot, "sarif-root":
		return modeDirs
	}
	return modeNone
}

// apiURLs are offered for --api-url: the service and the emulator.
func apiURLs() []candidate {
	return []candidate{
		{defaultAPIURL, "Daestro (the default)"},
		{"http://127.0.0.1:8080", "daestro-jobs emulator"},
	}
}

// completeWords answers one Tab: words are the words typed after the
// program's name, the last one the word being completed.
func completeWords(app *cli.App, words []string) (mode, lead string, cands []candidate) {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	var cmd *cli.Command
	rest := before
	for i, w := range before {
		if strings.HasPrefix(w, "-") {
			continue // --help, --version: they take no value
		}
		cmd = app.Command(w)
		if cmd == nil || cmd.Hidden {
			return modeNone, "", nil
		}
		rest = before[i+1:]
		break
	}
	if cmd == nil {
		if strings.HasPrefix(cur, "-") {
			return modeWords, "", filter(flagCandidates(app.VisibleFlags(), nil), cur)
		}
		var cs []candidate
		for _, c := range app.VisibleCommands() {
			cs = append(cs, candidate{c.Name, c.Usage})
		}
		return modeWords, "", filter(cs, cur)
	}
	flags := append(visibleFlags(cmd.Flags), cli.HelpFlag)

	// Which flags were given, and does the last one wait for its value?
	given := map[string]bool{}
	var pending cli.Flag
	positional := 0
	endOfFlags := false
	for _, w := range rest {
		switch {
		case pending != nil:
			pending = nil
		case endOfFlags || !strings.HasPrefix(w, "-") || w == "-":
			positional++
		case w == "--":
			endOfFlags = true
		default:
			name, _, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			if f := flagNamed(flags, name); f != nil {
				given[f.Names()[0]] = true
				if takesValue(f) && !hasValue {
					pending = f
				}
			}
		}
	}
	if pending != nil {
		return flagValue(cmd, pending, "", cur)
	}
	if !endOfFlags && strings.HasPrefix(cur, "--") && strings.Contains(cur, "=") {
		name, value, _ := strings.Cut(cur[2:], "=")
		if f := flagNamed(flags, name); f != nil && takesValue(f) {
			return flagValue(cmd, f, "--"+name+"=", value)
		}
		return modeNone, "", nil
	}
	if !endOfFlags && strings.HasPrefix(cur, "-") {
		return modeWords, "", filter(flagCandidates(flags, given), cur)
	}
	switch cmd.Name {
	case "completion":
		if positional == 0 {
			return modeWords, "", filter(shells(), cur)
		}
	case "help":
		if positional == 0 {
			var cs []candidate
			for _, c := range app.VisibleCommands() {
				cs = append(cs, candidate{c.Name, c.Usage})
			}
			return modeWords, "", filter(cs, cur)
		}
	case "status":
		return modeNone, "", nil // job ids: only the server knows them
	}
	if endOfFlags {
		return modeNone, "", nil
	}
	// A command that takes no arguments: what it does take are flags.
	return modeWords, "", filter(flagCandidates(flags, given), cur)
}

// flagValue completes the value of flag f of cmd: value is what is typed of
// it so far, lead what precedes it in the word.
func flagValue(cmd *cli.Command, f cli.Flag, lead, value string) (string, string, []candidate) {
	name := f.Names()[0]
	var cs []candidate
	switch name {
	case flagOutput:
		for _, fi := range report.Formats(report.Command(cmd.Name)) {
			cs = append(cs, candidate{string(fi.Format), fi.About})
		}
	case flagAPIURL:
		cs = apiURLs()
	default:
		return valueMode(name), lead, nil
	}
	cs = filter(cs, value)
	for i := range cs {
		cs[i].value = lead + cs[i].value
	}
	return modeWords, lead, cs
}

// flagCandidates are the long forms of flags, each with its usage; a flag
// already given is left out unless it repeats.
func flagCandidates(flags []cli.Flag, given map[string]bool) []candidate {
	var cs []candidate
	for _, f := range flags {
		names := f.Names()
		if given[names[0]] && !repeats(f) {
			continue
		}
		about := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			about = strings.ReplaceAll(d.GetUsage(), "`", "")
		}
		for _, n := range names {
			if len(n) > 1 {
				cs = append(cs, candidate{"--" + n, about})
			}
		}
	}
	return cs
}

// filter keeps the candidates that begin with prefix.
func filter(cs []candidate, prefix string) []candidate {
	var out []candidate
	for _, c := range cs {
		if strings.HasPrefix(c.value, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// flagNamed is the flag of flags with the name or alias name.
func flagNamed(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether a flag takes a value (not a switch).
func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// repeats reports whether a flag may be given more than once.
func repeats(f cli.Flag) bool {
	_, ok := f.(*cli.StringSliceFlag)
	return ok
}

// completeCommand is the hidden command the scripts call on every Tab.
func completeCommand(e env) *cli.Command {
	return &cli.Command{
		Name:            completeCommandName,
		Hidden:          true,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			mode, lead, cands := completeWords(c.App, c.Args().Slice())
			var b strings.Builder
			b.WriteString(mode + "\t" + lead + "\n")
			for _, cd := range cands {
				// One line each: a description never holds a tab or newline.
				about := strings.NewReplacer("\t", " ", "\n", " ").Replace(cd.about)
				b.WriteString(cd.value + "\t" + about + "\n")
			}
			_, err := fmt.Fprint(e.stdout, b.String())
			return wrote(err)
		},
	}
}

const bashCompletion = `# bash completion for daestro-jobs; load with: source <(daestro-jobs completion bash)
# (bash 4 or later; the bash-completion package is not needed)
_daestro_jobs() {
  local i w cur lead mode line out
  local -a words=() lines=()
  COMPREPLY=()
  # bash splits --output=json at "="; join the pieces again.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((${#words[@]})) && [[ $w == "=" || ${words[${#words[@]}-1]} == -*= ]]; then
      words[${#words[@]}-1]+=$w
    else
      words+=("$w")
    fi
  done
  ((${#words[@]})) || words=("")
  cur=${words[${#words[@]}-1]}
  out=$("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null) || return 0
  mapfile -t lines <<<"$out"
  mode=${lines[0]%%$'\t'*}
  lead=${lines[0]#*$'\t'}
  case $mode in
  words)
    for line in "${lines[@]:1}"; do
      [[ -n $line ]] || continue
      line=${line%%$'\t'*}
      # readline completes only what follows the last "=" of the word.
      [[ $cur == *=* ]] && line=${line#"${cur%=*}="}
      COMPREPLY+=("$line")
    done
    ;;
  files | yaml | dirs)
    compopt -o filenames 2>/dev/null
    cur=${cur#"$lead"}
    case $mode in
    files) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dirs) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    yaml) mapfile -t COMPREPLY < <(compgen -d -- "$cur"; compgen -f -X '!*.yaml' -- "$cur"; compgen -f -X '!*.yml' -- "$cur") ;;
    esac
    ;;
  esac
  return 0
}
complete -F _daestro_jobs daestro-jobs
`

const zshCompletion = `#compdef daestro-jobs
# zsh completion for daestro-jobs; load with: source <(daestro-jobs completion zsh)
# (runs "autoload -Uz compinit && compinit -i" first if compinit has not run;
# or save it as _daestro_jobs in a directory of $fpath, before compinit runs)
_daestro_jobs() {
  local out mode lead line
  local -a lines values
  out=$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("${(@f)out}")
  mode=${lines[1]%%$'\t'*}
  lead=${lines[1]#*$'\t'}
  case $mode in
  words)
    for line in "${(@)lines[2,-1]}"; do
      [[ -n $line ]] || continue
      values+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    done
    (( ${#values} )) && _describe -t values 'daestro-jobs' values
    ;;
  files) compset -P "${(q)lead}"; _files ;;
  dirs) compset -P "${(q)lead}"; _files -/ ;;
  yaml) compset -P "${(q)lead}"; _files -g '*.(yaml|yml)' ;;
  *) return 1 ;;
  esac
}
if [[ $funcstack[1] == _daestro_jobs ]]; then
  _daestro_jobs "$@"
else
  if (( ! $+functions[compdef] )); then
    autoload -Uz compinit && compinit -i
  fi
  compdef _daestro_jobs daestro-jobs
fi
`

const fishCompletion = `# fish completion for daestro-jobs; load with: daestro-jobs completion fish | source
# (or save it as ~/.config/fish/completions/daestro-jobs.fish)
function __daestro_jobs_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] $cur 2>/dev/null)
    or return
    set -l head (string split -m 1 \t -- $out[1])
    set -l mode $head[1]
    set -l lead $head[2]
    switch $mode
        case words
            printf '%s\n' $out[2..-1]
        case files dirs yaml
            set -l path (string sub -s (math (string length -- "$lead") + 1) -- $cur)
            for line in (__fish_complete_path $path)
                set -l p (string split -m 1 \t -- $line)[1]
                switch $mode
                    case dirs
                        string match -q -- '*/' $p; or continue
                    case yaml
                        string match -q -r -- '(/|\.ya?ml)$' $p; or continue
                end
                printf '%s%s\n' $lead $line
            end
    end
end
complete -c daestro-jobs -f -a '(__daestro_jobs_complete)'
`

func completionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return helpUsage(c.Command.HelpName, "name one shell: bash, zsh or fish")
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				script = fishCompletion
			default:
				return helpUsage(c.Command.HelpName, "unknown shell %q: choose bash, zsh or fish", shell)
			}
			_, err := fmt.Fprint(e.stdout, script)
			return wrote(err)
		},
	}
}

func completionDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"bash|zsh|fish"},
		description: []string{
			"Prints a completion script for bash (4 or later), zsh or fish. It completes commands, flags, the -o formats of each command, files for --env-file and --api-key-file, and directories and *.yaml/*.yml files for -f. The zsh script runs compinit itself when it has not run.",
		},
		examples: []example{
			{"bash, in ~/.bashrc", "source <(daestro-jobs completion bash)"},
			{"zsh, in ~/.zshrc", "source <(daestro-jobs completion zsh)"},
			{"fish, in ~/.config/fish/config.fish", "daestro-jobs completion fish | source"},
		},
	}
}
