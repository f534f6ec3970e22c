// Command daestro-jobs keeps Daestro jobs as code: it loads YAML job
// manifests, validates them against the Job Submit API's schema and submits
// each job once. See README.md.
//
// This package is wiring only: one file per command turns flags into an
// options struct and calls the stages (manifest → plan → submit → output);
// exit codes are decided in one place, exitCode.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/schema"
)

func main() {
	if err := checkOpenFiles(); err != nil {
		// Before anything opens a file: past this point a limit this low is
		// a runtime abort with a stack trace, not a message.
		fmt.Fprintln(os.Stderr, "daestro-jobs:", err)
		os.Exit(exitFailure)
	}
	ctx, abort, stop := interrupts()
	code := run(ctx, os.Args, env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		lookup: os.LookupEnv,
		now:    time.Now,
		abort:  abort,
	})
	stop()
	os.Exit(code)
}

// interrupts turns SIGINT and SIGTERM into a context cancelled by the
// first (stop sending; requests in flight have a grace period) and a
// channel closed by the second (end the grace at once: a second Ctrl-C is
// "stop now", and the run still reports and exits 130).
func interrupts() (context.Context, <-chan struct{}, func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			close(abort)
		case <-done:
		}
	}()
	return ctx, abort, func() { signal.Stop(sigs); close(done); cancel() }
}

// env is everything a command takes from the process, so tests can run the
// app in-process with their own streams, environment and clock.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	lookup func(string) (string, bool)
	now    func() time.Time
	// abort is closed by a second interrupt: the grace for requests in
	// flight ends at once. nil for none.
	abort <-chan struct{}
	// dial opens the API client's connections; nil means the network. Tests
	// serve the emulator on in-memory connections through it, so that a run
	// can go in virtual time (testing/synctest).
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// validator is the compiled manifest schema; nil means compile it
	// (schema.New) for the run. It is immutable, so tests that run the app
	// hundreds of times in one process share one.
	validator *schema.Validator
}

// schema is the compiled manifest schema of the run.
func (e env) schema() (*schema.Validator, error) {
	if e.validator != nil {
		return e.validator, nil
	}
	return schema.New()
}

// getenv is the value of name in the app's environment, "" when unset.
func (e env) getenv(name string) string {
	v, _ := e.lookup(name)
	return v
}

// run builds the app, runs it and maps its outcome to an exit code.
func run(ctx context.Context, args []string, e env) int {
	app := newApp(e)
	err := app.RunContext(ctx, args)
	return exitCode(err, e.stderr, detailedExitcode(args))
}

// newApp builds the command tree. Nothing is package-level, so a test can
// build and run it many times in one process.
func newApp(e env) *cli.App {
	app := &cli.App{
		Name:                      "daestro-jobs",
		Usage:                     "keep Daestro jobs as code: validate YAML job manifests and submit each job once",
		Version:                   versionString(),
		Reader:                    e.stdin,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		DisableSliceFlagSeparator: true, // -f a,b.yaml is one path, not two
		// urfave/cli adds --help only with its own help command; ours
		// replaces that one.
		Flags: []cli.Flag{cli.HelpFlag},
		// The default handler calls os.Exit inside Run; exit codes are
		// chosen by run instead.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return flagUsageError(c, err)
		},
		// A word that names no command: "did you mean"; none: the help.
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c.App, c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			validateCommand(e),
			applyCommand(e),
			diffCommand(e),
			schemaCommand(e),
			statusCommand(e),
			emulatorCommand(e),
			versionCommand(e),
			completionCommand(e),
			manCommand(e),
			helpCommand(),
			completeCommand(e),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
		// No "help" subcommand under each command: `apply help` is not a
		// way in, and completion would offer it.
		c.HideHelpCommand = true
	}
	setHelp(app)
	return app
}

// helpCommand replaces urfave/cli's (help, h): no one-letter alias, and a
// command it does not know is a typo to answer, not a help topic missing.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the help of daestro-jobs or of one command (also --help)",
		ArgsUsage: "[COMMAND]",
		Action: func(c *cli.Context) error {
			switch name := c.Args().First(); {
			case c.NArg() > 1:
				return helpUsage(c.App.Name, "help takes one command, not %d words", c.NArg())
			case name == "":
				return cli.ShowAppHelp(c)
			case c.App.Command(name) == nil || c.App.Command(name).Hidden:
				return unknownCommand(c.App, name)
			default:
				return cli.ShowCommandHelp(c, name)
			}
		},
	}
}
