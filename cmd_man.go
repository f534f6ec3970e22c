package main

import (
	_ "embed"
	"fmt"

	"github.com/urfave/cli/v2"
)

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

func manDoc() commandDoc {
	return commandDoc{
		description: []string{"Prints the manual page (roff): every command and option, the manifest format, references, schedule times, exit status and environment."},
		examples:    []example{{"read it", "daestro-jobs man > daestro-jobs.1 && man ./daestro-jobs.1"}},
	}
}
