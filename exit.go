package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/printable"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// Exit codes, docs/contract.md.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
	// exitChanged is --detailed-exitcode's "something was created", as in
	// terraform plan -detailed-exitcode.
	exitChanged = 2
)

// exitError carries an exit code chosen by a command, with an optional
// message for people, already scrubbed and escaped.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// failf is exit 1 with a message, scrubbed of red's secrets and escaped.
func failf(red *redact.Redactor, format string, args ...any) error {
	return &exitError{code: exitFailure, msg: scrubbed(red, fmt.Sprintf(format, args...))}
}

// failAt is exit 1 with a message rendered at the output edge: every secret
// masked, a server's words as they came (report.Edge.Message), then escaped.
func failAt(edge *report.Edge, format string, args ...any) error {
	return &exitError{code: exitFailure, msg: edge.Message(format, args...)}
}

// usageError is a bad flag, argument or missing setting: exit 2. help,
// when set, is a line of its own after the message, pointing at --help.
type usageError struct {
	err  error
	help string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// changed is the error of a run that succeeded and created something, for
// --detailed-exitcode.
var errChanged = &exitError{code: exitChanged}

// exitCode maps what a command returned to the exit code, and says why on
// stderr. With --detailed-exitcode 2 means only "created": a usage error
// exits 1 instead, as terraform's does.
func exitCode(err error, stderr io.Writer, detailed bool) int {
	if err == nil {
		return exitOK
	}
	if err == errChanged {
		return exitChanged
	}
	code := exitUsage
	var ee *exitError
	var ue *usageError
	switch {
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintln(stderr, "daestro-jobs:", ee.msg)
		}
		code = ee.code
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "daestro-jobs:", printable.Escape(ue.err.Error()))
		if ue.help != "" {
			fmt.Fprintln(stderr, ue.help)
		}
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "daestro-jobs: interrupted")
		code = exitInterrupted
	default:
		// urfave/cli reports unknown flags and commands as plain errors
		// before any action runs: usage.
		fmt.Fprintln(stderr, "daestro-jobs:", printable.Escape(err.Error()))
	}
	if detailed && code == exitUsage {
		return exitFailure
	}
	return code
}

// detailedExitcode reports whether the command line asks for
// --detailed-exitcode, read from the arguments themselves: a usage error
// stops the flag parser before it would say.
func detailedExitcode(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == flagDetailedExitcode {
			if !hasValue {
				return true
			}
			on, err := strconv.ParseBool(value) // as the flag parser reads it
			return err == nil && on
		}
	}
	return false
}

// scrubbed is a message for stderr: secrets masked, then control
// characters escaped.
func scrubbed(red *redact.Redactor, msg string) string {
	return printable.Escape(red.String(msg))
}
