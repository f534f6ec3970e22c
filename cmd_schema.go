package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/schema"
)

func schemaCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of a job manifest (for editors and other validators)",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprint(e.stdout, schema.JSON())
			return wrote(err)
		},
	}
}

func schemaDoc() commandDoc {
	return commandDoc{
		description: []string{"Prints the JSON Schema (draft 2020-12) of a job manifest, as written: for editors (the YAML language server) and other validators. It accepts every manifest the tool accepts."},
		examples:    []example{{"save it for an editor", "daestro-jobs schema > jobs.schema.json"}},
	}
}
