package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
	"github.com/daestro-jobs/daestro-jobs/interp"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// buildPlan runs the first two stages on the manifests the options name:
// load and decode (manifest), check and resolve (plan). want holds what the
// command decides (UnsetIsWarning, Keep); buildPlan fills in the rest from
// the flags and the environment. It returns the plan and the run's one "now".
func buildPlan(ctx context.Context, e env, o *manifestOptions, want plan.Options) (*plan.Plan, time.Time, error) {
	opts, err := planOptions(e, o, want)
	if err != nil {
		return nil, opts.Now, err
	}
	p, err := runPlan(ctx, opts)
	return p, opts.Now, err
}

// planOptions fills in want from the manifest flags and the environment,
// without running the plan: diff and apply --since plan two revisions with
// them.
func planOptions(e env, o *manifestOptions, want plan.Options) (plan.Options, error) {
	paths := o.paths.Value()
	if len(paths) == 0 {
		return plan.Options{}, usagef("no manifests given: pass -f PATH (a file, a directory or - for stdin)")
	}
	now, err := runNow(e, o)
	if err != nil {
		return plan.Options{Now: now}, err
	}
	lookup, envErr := interp.Env(o.envFiles.Value(), e.lookup)
	v, err := e.schema()
	if err != nil {
		return plan.Options{Now: now}, err
	}
	want.Source = manifest.Source{Paths: paths, Stdin: e.stdin}
	want.Env, want.EnvErr, want.Now, want.Validator = lookup, envErr, now, v
	want.AllowLiteralSecrets, want.AllowEmpty = o.allowLiteralSecrets, o.allowEmpty
	want.Forbidden = []string{envAPIKey}
	return want, nil
}

// runPlan runs the plan stage, mapping its errors to exit codes.
func runPlan(ctx context.Context, opts plan.Options) (*plan.Plan, error) {
	p, err := plan.Build(ctx, opts)
	switch {
	case errors.Is(err, context.Canceled):
		return nil, err
	case err != nil:
		return nil, usagef("%v", err)
	}
	return p, nil
}

// runNow is the run's one "now": --now, or the clock.
func runNow(e env, o *manifestOptions) (time.Time, error) {
	if o.now == "" {
		return e.now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, o.now)
	if err != nil {
		return time.Time{}, usagef("--%s %q is not an RFC 3339 time such as 2026-11-28T12:00:00Z", flagNow, o.now)
	}
	return t.UTC(), nil
}

// session is what a command prints through: the app's streams, the
// redactor of the run's secrets and, under -o github, the step summary and
// outputs.
type session struct {
	report.Streams
	red    *redact.Redactor
	files  []*os.File     // the step summary and outputs, to close
	report report.Options // what the reports need besides the redactor
}

// options are the report options of the session.
func (s *session) options() report.Options {
	o := s.report
	o.Redact = s.red
	return o
}

// edge is where everything the session prints besides its report is masked
// (report.Edge): messages, the status table, the live count of a wait.
func (s *session) edge() *report.Edge { return report.NewEdge(s.Streams, s.options()) }

// fail is exit 1 with a message rendered at the edge.
func (s *session) fail(format string, args ...any) error {
	return failAt(s.edge(), format, args...)
}

// reportRoot is the directory review tools' reports are relative to: the
// one given, or the root of the git repository holding the working
// directory (where code scanning and merge requests resolve paths), or the
// working directory outside any repository.
func reportRoot(given string) (root, cwd string) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", ""
	}
	if given != "" {
		if root, err := filepath.Abs(given); err == nil {
			return root, cwd
		}
	}
	for dir := cwd; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir, cwd
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return cwd, cwd
		}
		dir = parent
	}
}

// openSession starts the output of a run whose secrets are known. Under
// GitHub Actions it first asks the runner to mask every secret in the log
// (::add-mask::, on stderr, before anything else is written), so that even
// output this tool does not write (a wrapper script's set -x) shows them
// masked. A step summary that cannot be opened is said and skipped: it is
// an extra, not a reason to fail a run.
//
// The API key in the environment is always one of the secrets, in commands
// that never send it too (validate, apply --dry-run): a manifest can reach
// it through another variable (an env file's KEY=${DAESTRO_API_KEY}).
func openSession(e env, format report.Format, secrets []string) *session {
	secrets = append(secrets, envKeys(e)...)
	if e.getenv(envGitHubActions) == "true" {
		_ = report.GitHubMasks(e.stderr, secrets)
	}
	s := &session{Streams: report.Streams{Out: e.stdout, Err: e.stderr}, red: redact.New(secrets...)}
	if format == report.GitHub {
		// Annotations name files relative to the checkout, whatever
		// directory the tool runs in (validate sets Root again, from
		// --report-root).
		s.report.Root, s.report.Cwd = reportRoot("")
		if ws := e.getenv("GITHUB_WORKSPACE"); ws != "" {
			s.report.Workspace, _ = filepath.Abs(ws)
		}
		if f := s.appendTo(e.getenv(envStepSummary), "step summary"); f != nil {
			s.Summary = f
		}
		if f := s.appendTo(e.getenv(envStepOutputs), "step outputs"); f != nil {
			s.StepOutputs = f
		}
	}
	return s
}

// appendTo opens one of the files GitHub Actions names for appending, or
// says why not.
func (s *session) appendTo(path, what string) *os.File {
	if path == "" {
		return nil
	}
	// As every other path: without blocking, a regular file only. A FIFO
	// would block open(2) until a reader appears, and no signal ends that.
	f, err := safefile.OpenAppend(path, 0o644)
	if err != nil {
		s.warn("cannot write the GitHub %s: %v", what, err)
		return nil
	}
	s.files = append(s.files, f)
	return f
}

// close closes the step summary and outputs, saying on stderr if they could
// not be written.
func (s *session) close() {
	for _, f := range s.files {
		if err := f.Close(); err != nil {
			s.warn("cannot write %s: %v", f.Name(), err)
		}
	}
}

// warn says something on stderr that does not change the exit code.
func (s *session) warn(format string, args ...any) {
	fmt.Fprintln(s.Err, "daestro-jobs:", s.edge().Message(format, args...))
}

// wrote turns an error writing the report into exit 1: a pipeline must not
// pass with a report nobody could read (stdout on a full disk).
func wrote(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitFailure, msg: "writing the report: " + err.Error()}
}

// chooseFormat reads -o. Without it, a run inside GitHub Actions
// (GITHUB_ACTIONS=true) writes -o github, so that problems show as
// annotations with no flag in the workflow; anywhere else, the default.
func chooseFormat(e env, o *outputOption, c report.Command) (report.Format, error) {
	name := o.name
	if !o.set {
		name = report.FormatNames(c)[0]
		if e.getenv(envGitHubActions) == "true" {
			name = string(report.GitHub)
		}
	}
	f, err := report.ParseFormat(c, name)
	if err != nil {
		return "", &usageError{err: err}
	}
	return f, nil
}
