package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

func versionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print version and build information (also --version)",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintln(e.stdout, "daestro-jobs "+versionString())
			return wrote(err)
		},
	}
}

// moduleVersion is the module version from build information: the tag for
// `go install …@v1.2.3`, a pseudo-version for a build in a clone, "(devel)"
// when the build knows none.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// versionString is "v1.2.3 (commit 0123456789ab, built from 2026-11-29T…,
// go1.26.8)": the module version, then what the build knows of its commit.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown build)"
	}
	var parts []string
	var rev, when, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" {
		parts = append(parts, "commit "+rev[:min(len(rev), 12)]+modified)
	}
	if when != "" {
		parts = append(parts, "built from "+when)
	}
	parts = append(parts, bi.GoVersion)
	return moduleVersion() + " (" + strings.Join(parts, ", ") + ")"
}

func versionDoc() commandDoc {
	return commandDoc{
		description: []string{"Prints the module version, the commit it was built from when known, and the Go version."},
		examples:    []example{{"which build is this", "daestro-jobs version"}},
	}
}
