// Command jobs keeps Daestro jobs as code: it loads YAML job manifests,
// validates them against the Job Submit API's schema and submits each job
// once. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		lookup: os.LookupEnv,
		now:    time.Now,
	})
	stop()
	os.Exit(code)
}

// env is everything a command takes from the process, so tests can run the
// app in-process with their own streams, environment and clock.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)
	now    func() time.Time
}

// Exit codes, SPEC §7.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// exitError carries an exit code chosen by a command, with an optional
// message already meant for people.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError is a bad flag, argument or missing setting: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run builds the app and maps its outcome to an exit code, in one place.
func run(ctx context.Context, args []string, e env) int {
	app := newApp(e)
	err := app.RunContext(ctx, args)
	return exitCode(err, e.stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "daestro-jobs:", ee.msg)
		}
		return ee.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "daestro-jobs:", ue.err)
		return exitUsage
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "daestro-jobs: interrupted")
		return exitInterrupted
	}
	// urfave/cli reports unknown flags and commands as plain errors before any
	// action runs; treat whatever reaches here without a type as usage.
	fmt.Fprintln(stderr, "daestro-jobs:", err)
	return exitUsage
}

// newApp builds the command tree. Nothing is package-level, so a test can
// build and run it many times in one process.
func newApp(e env) *cli.App {
	app := &cli.App{
		Name:                      "daestro-jobs",
		Usage:                     "keep Daestro jobs as code: validate YAML job manifests and submit each job once",
		Reader:                    e.stdin,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		HideVersion:               true,
		DisableSliceFlagSeparator: true, // -f a,b.yaml is one path, not two
		// The default handler calls os.Exit inside Run; exit codes are
		// chosen by run instead.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &usageError{err}
		},
		Commands: []*cli.Command{
			validateCommand(e),
			applyCommand(e),
			schemaCommand(e),
			statusCommand(e),
			emulatorCommand(e),
			versionCommand(e),
			completionCommand(e),
			manCommand(e),
		},
		EnableBashCompletion: true,
	}
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
	}
	return app
}
