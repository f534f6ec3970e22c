package main

import (
	_ "embed"
	"fmt"

	"github.com/urfave/cli/v2"
)

// Shell completion: bash and zsh ask the binary itself for candidates
// (urfave/cli's hidden --generate-bash-completion flag), so they stay true as
// commands and flags change; fish gets a static script generated from the app.
const bashCompletion = `# bash completion for daestro-jobs; load with: source <(daestro-jobs completion bash)
_daestro_jobs_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == "-"* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
complete -o default -F _daestro_jobs_complete daestro-jobs
`

const zshCompletion = `#compdef daestro-jobs
# zsh completion for daestro-jobs; load with: source <(daestro-jobs completion zsh)
_daestro_jobs() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} "$cur" --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ -n "${opts[1]}" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _daestro_jobs daestro-jobs
`

func completionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish)",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("name one shell: bash, zsh or fish")
			}
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = bashCompletion
			case "zsh":
				script = zshCompletion
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				script = s
			default:
				return usagef("unknown shell %q: choose bash, zsh or fish", shell)
			}
			_, err := fmt.Fprint(e.stdout, script)
			return wrote(err)
		},
	}
}

// manual is the man page's description: the manifest format, references,
// schedule forms, exit codes, environment and an example. The README's
// tables of the same things are checked against it (TestManualMatchesReadme).
//
//go:embed manual.md
var manual string

func manCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff); e.g. daestro-jobs man > daestro-jobs.1 && man ./daestro-jobs.1",
		Action: func(c *cli.Context) error {
			// The manual's sections go in the page only, not in --help.
			c.App.Description = manual
			s, err := c.App.ToManWithSection(1)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(e.stdout, s)
			return wrote(err)
		},
	}
}
