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
