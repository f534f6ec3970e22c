package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/internal/suggest"
)

// Typos get what kubectl gives them: the nearest name ("did you mean"), the
// flag named as it is written (--dry-run, not -dry-run), and the way to the
// command's help. All are usage errors: exit 2.

// helpUsage is a usage error that points at the help of helpName
// ("daestro-jobs apply") on a line of its own.
func helpUsage(helpName, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), help: fmt.Sprintf("Run '%s --help' for usage.", helpName)}
}

// unknownCommand is the error for `daestro-jobs aply`.
func unknownCommand(app *cli.App, typed string) error {
	msg := fmt.Sprintf("unknown command %q", typed)
	if near := suggest.Closest(typed, commandNames(app)); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return helpUsage(app.Name, "%s", msg)
}

// commandNames are the commands people may type, help included.
func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return names
}

// flagNames are the long names (and aliases) of a command's visible flags,
// help included.
func flagNames(flags []cli.Flag) []string {
	names := []string{"help"}
	for _, f := range flags {
		if !visible(f) {
			continue
		}
		for _, n := range f.Names() {
			if len(n) > 1 {
				names = append(names, n)
			}
		}
	}
	return names
}

// visible reports whether a flag is shown in help and completion.
func visible(f cli.Flag) bool {
	v, ok := f.(cli.VisibleFlag)
	return !ok || v.IsVisible()
}

// dashed is a flag name as it is written: -f, --dry-run.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagError patterns: the messages of the standard flag package, with the
// flag's name as it quotes it (one dash, whatever was typed).
var (
	notDefined = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	needsValue = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
	badValue   = regexp.MustCompile(`^invalid value "(.*)" for flag -([^:]*): (.*)$`)
	badBoolean = regexp.MustCompile(`^invalid boolean value "(.*)" for -([^:]*): (.*)$`)
)

// flagUsageError turns an error of the flag parser into one for people.
func flagUsageError(c *cli.Context, err error) error {
	helpName := c.App.Name
	var flags []cli.Flag = c.App.Flags
	if c.Command != nil {
		flags = c.Command.Flags
		if c.Command.HelpName != "" {
			helpName = c.Command.HelpName
		}
	}
	msg := err.Error()
	switch m := []string(nil); {
	case notDefined.MatchString(msg):
		m = notDefined.FindStringSubmatch(msg)
		name, _, _ := strings.Cut(m[1], "=")
		if name == "api-key" && !hasFlag(flags, "api-key") {
			return helpUsage(helpName, "--api-key is not a flag: the API key is read from %s or from a file named with --%s FILE, never from the command line, where shell history and ps would keep it",
				envAPIKey, flagAPIKeyFile)
		}
		msg = fmt.Sprintf("unknown flag %s", dashed(name))
		if near := suggest.Closest(name, flagNames(flags)); near != "" {
			msg += fmt.Sprintf("; did you mean %s?", dashed(near))
		} else if owners := flagOwners(c.App, name); len(owners) > 0 {
			msg += fmt.Sprintf(": it is a flag of %s", strings.Join(owners, " and "))
		}
	case needsValue.MatchString(msg):
		m = needsValue.FindStringSubmatch(msg)
		msg = fmt.Sprintf("%s needs a value", dashed(m[1]))
		if p := placeholder(flags, m[1]); p != "" {
			msg += ": " + dashed(m[1]) + " " + p
		}
	case badValue.MatchString(msg):
		m = badValue.FindStringSubmatch(msg)
		why := ""
		if m[3] != "parse error" {
			why = ": " + m[3]
		}
		msg = fmt.Sprintf("%s: %q is not a valid value%s", dashed(m[2]), m[1], why)
		if p := placeholder(flags, m[2]); p != "" {
			msg = fmt.Sprintf("%s %s: %q is not a valid %s%s", dashed(m[2]), p, m[1], p, why)
			if p == "DURATION" {
				msg += " (such as 30s, 5m or 1h30m)"
			}
		}
	case badBoolean.MatchString(msg):
		m = badBoolean.FindStringSubmatch(msg)
		msg = fmt.Sprintf("%s takes no value (%q given): write %s alone, or %s=false", dashed(m[2]), m[1], dashed(m[2]), dashed(m[2]))
	}
	return helpUsage(helpName, "%s", msg)
}

// flagOwners are the commands that have a visible flag named name.
func flagOwners(app *cli.App, name string) []string {
	var owners []string
	for _, c := range app.Commands {
		if !c.Hidden && hasFlag(visibleFlags(c.Flags), name) {
			owners = append(owners, c.Name)
		}
	}
	return owners
}

// visibleFlags are the flags help and completion show.
func visibleFlags(flags []cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		if visible(f) {
			out = append(out, f)
		}
	}
	return out
}

// hasFlag reports whether flags hold one named name.
func hasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// placeholder is the `PLACEHOLDER` of a flag's usage ("N", "DURATION"), or
// "" for a flag with none.
func placeholder(flags []cli.Flag, name string) string {
	for _, f := range flags {
		if !hasFlag([]cli.Flag{f}, name) {
			continue
		}
		if d, ok := f.(cli.DocGenerationFlag); ok {
			if _, p, ok := strings.Cut(d.GetUsage(), "`"); ok {
				p, _, _ = strings.Cut(p, "`")
				return p
			}
		}
	}
	return ""
}
