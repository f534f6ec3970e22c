package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/time/rate"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/submit"
	"github.com/daestro-jobs/daestro-jobs/wait"
)

// applyOptions are the flags of `daestro-jobs apply`.
type applyOptions struct {
	manifests        manifestOptions
	output           outputOption
	api              apiOptions
	wait             waitOptions
	dryRun           bool
	concurrency      int
	rate             float64
	retries          int
	duplicatePattern string
	detailedExitcode bool
	since            string
}

// waitOptions are the flags of --wait.
type waitOptions struct {
	enabled   bool
	timeout   time.Duration
	scheduled bool
	poll      time.Duration
}

func (o *applyOptions) flags() []cli.Flag {
	d := submit.DefaultOptions()
	flags := append(o.manifests.flags(), o.output.flag(report.ApplyCommand),
		&cli.BoolFlag{Name: flagDryRun, Destination: &o.dryRun, Usage: "print the resolved request bodies (secrets masked) and send nothing; needs no API key"},
		&cli.IntFlag{Name: flagConcurrency, Value: d.Concurrency, Destination: &o.concurrency, Usage: "`N` requests in flight"},
		&cli.Float64Flag{Name: flagRate, Destination: &o.rate, Usage: "at most `RATE` requests per second, e.g. 2.5 (0: unlimited)"},
		&cli.IntFlag{Name: flagRetries, Value: d.Retries, Destination: &o.retries, Usage: "retry a request up to `N` times on connection errors, timeouts, 429 and 5xx"},
		&cli.StringFlag{Name: flagDuplicatePattern, Destination: &o.duplicatePattern, Usage: "`REGEX` matched against a 400 message to recognise a name that is already taken"},
	)
	flags = append(flags, o.api.flags()...)
	return append(flags,
		&cli.BoolFlag{Name: flagWait, Destination: &o.wait.enabled, Usage: "after submitting, follow the jobs created in this run until each ends; exit 0 only if all completed"},
		&cli.DurationFlag{Name: flagWaitTimeout, Value: 30 * time.Minute, Destination: &o.wait.timeout, Usage: "give up waiting after `DURATION` (exit 1)"},
		&cli.BoolFlag{Name: flagWaitScheduled, Destination: &o.wait.scheduled, Usage: "with --wait, wait for scheduled jobs too (they may not start for a long time)"},
		&cli.DurationFlag{Name: flagWaitPoll, Value: wait.DefaultOptions().First, Destination: &o.wait.poll, Usage: "first gap between polls; it doubles up to 15s", Hidden: true},
		&cli.BoolFlag{Name: flagDetailedExitcode, Destination: &o.detailedExitcode, Usage: "exit 0 when nothing was created, 2 when something was, 1 on any error (usage errors included)"},
		&cli.StringFlag{Name: flagSince, Destination: &o.since,
			Usage: "send only the jobs new or edited since the git `REV` (what diff --base REV reports); the rest are unchanged, not sent. All zeros (a first push) sends everything"},
	)
}

func applyCommand(e env) *cli.Command {
	o := &applyOptions{}
	return &cli.Command{
		Name:      "apply",
		Usage:     "load, validate, resolve and submit each job once; existing names are skipped",
		ArgsUsage: " ",
		Flags:     o.flags(),
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			o.output.set, o.api.urlSet = c.IsSet(flagOutput), c.IsSet(flagAPIURL)
			return runApply(c.Context, e, o)
		},
	}
}

// runApply is `daestro-jobs apply`: plan, send (or show, with --dry-run),
// report, then follow the created jobs with --wait.
func runApply(ctx context.Context, e env, o *applyOptions) error {
	format, err := chooseFormat(e, &o.output, report.ApplyCommand)
	if err != nil {
		return err
	}
	opts, err := o.submitOptions(e)
	if err != nil {
		return err
	}
	var client *apiclient.Client
	if !o.dryRun {
		if client, err = newClient(e, &o.api, o.concurrency); err != nil {
			return err
		}
	}
	p, unchanged, baseSecrets, err := o.planSince(ctx, e)
	if err != nil {
		return err
	}
	opts.Unchanged = unchanged
	secrets := append(p.Secrets(), baseSecrets...)
	if client != nil {
		secrets = append(secrets, client.APIKey)
	} else {
		secrets = append(secrets, keyFileSecret(&o.api))
	}
	s := openSession(e, format, secrets)
	defer s.close()
	sending := 0 // jobs the bar counts: none when nothing is sent
	if !o.dryRun && p.Errors() == 0 {
		sending = submit.Sendable(p)
		for i, u := range unchanged {
			if u && p.Jobs[i].DuplicateOf < 0 {
				sending--
			}
		}
	}
	var clearBar func()
	opts.OnResult, clearBar = progress(e, format, sending)
	a, runErr := submit.Apply(ctx, p, client, opts)
	clearBar()
	if errors.Is(runErr, submit.ErrUnreachable) {
		runErr = unreachable(s.edge(), client.BaseURL, o.api.urlFrom, runErr)
	}
	if errors.Is(runErr, submit.ErrUnauthorized) || errors.As(runErr, new(*exitError)) {
		// Said once for the run (one annotation under -o github), then
		// on stderr as the verdict.
		a.RunError, a.RunErr = runErr.Error(), runErr
	}
	rep := report.NewApply(format, s.Streams, s.options())
	if err := wrote(rep.Apply(a)); err != nil {
		return err
	}
	if err := verdict(a, runErr, s.edge()); err != nil {
		return err
	}
	if o.wait.enabled && !o.dryRun {
		if err := runWait(ctx, client, a, rep, s, o); err != nil {
			return err
		}
	}
	if o.detailedExitcode && a.Counts().Created > 0 {
		return errChanged
	}
	return nil
}

// planSince plans the manifests and, with --since REV, the same paths at
// REV, and marks by index the jobs the same at both (review.Unchanged):
// those are not sent. A REV of all zeros (what GitHub and GitLab give for a
// first push) sends everything.
func (o *applyOptions) planSince(ctx context.Context, e env) (*plan.Plan, []bool, []string, error) {
	opts, err := planOptions(e, &o.manifests, plan.Options{Keep: plan.KeepBodies})
	if err != nil {
		return nil, nil, nil, err
	}
	opts.KeepWritten = o.since != ""
	p, err := runPlan(ctx, opts)
	if err != nil || o.since == "" || p.Errors() > 0 {
		return p, nil, nil, err
	}
	if strings.Trim(o.since, "0") == "" {
		fmt.Fprintf(e.stderr, "daestro-jobs: --%s is all zeros (a first push, or a branch just created): every job is sent\n", flagSince)
		return p, nil, nil, nil
	}
	base, err := planBase(ctx, opts, o.since)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, base.compare(p).Unchanged(len(p.Jobs)), base.plan.Secrets(), nil
}

// submitOptions checks the sending flags.
func (o *applyOptions) submitOptions(e env) (submit.Options, error) {
	opts := submit.DefaultOptions()
	if o.concurrency < 1 || o.retries < 0 || o.rate < 0 || o.api.timeout <= 0 {
		return opts, usagef("--%s must be at least 1, --%s and --%s at least 0, --%s positive", flagConcurrency, flagRetries, flagRate, flagTimeout)
	}
	if o.wait.poll <= 0 {
		return opts, usagef("--%s must be positive", flagWaitPoll)
	}
	opts.Concurrency, opts.Retries, opts.Timeout, opts.DryRun = o.concurrency, o.retries, o.api.timeout, o.dryRun
	if math.IsNaN(o.rate) || o.rate > 0 && o.rate < 1.0/3600 {
		return opts, usagef("--%s %v is not a rate of at least one request per hour (0.000278): give a larger one, or 0 for no limit", flagRate, o.rate)
	}
	if o.rate > 0 { // --rate 0 is no limit
		opts.Rate = rate.Limit(o.rate)
	}
	opts.Clock = clock.NowFunc(e.now)
	opts.Abort = e.abort
	if o.duplicatePattern != "" {
		re, err := regexp.Compile(o.duplicatePattern)
		if err != nil {
			return opts, usagef("--%s: %v", flagDuplicatePattern, err)
		}
		opts.DuplicatePattern = re
	}
	return opts, nil
}

// verdict is the exit decision of an apply, once its report is printed:
// interrupted 130; the key refused or the run broken 1, with why; any error
// diagnostic or any job invalid, failed or not submitted 1; else success.
func verdict(a *outcome.Apply, runErr error, edge *report.Edge) error {
	switch {
	case a.Interrupted:
		return &exitError{code: exitInterrupted}
	case errors.As(runErr, new(*exitError)):
		return runErr // already said for people (an unreachable API)
	case runErr != nil:
		return failAt(edge, "%v", runErr)
	case a.Failed():
		return &exitError{code: exitFailure}
	}
	return nil
}

// runWait follows the jobs the apply created, with a line on stderr each
// time the count of states changes, and reports how they ended.
func runWait(ctx context.Context, client *apiclient.Client, a *outcome.Apply, rep report.ApplyReporter, s *session, o *applyOptions) error {
	wctx, cancel := context.WithTimeout(ctx, o.wait.timeout)
	defer cancel()
	last := ""
	wo := wait.DefaultOptions()
	wo.First, wo.Timeout, wo.Scheduled = o.wait.poll, o.api.timeout, o.wait.scheduled
	wo.OnPoll = func(latest []api.Detail) {
		// One line per change: readable in a CI log, quiet while nothing moves.
		if line := s.edge().WaitProgress(latest); line != last {
			fmt.Fprintln(s.Err, line)
			last = line
		}
	}
	w, err := wait.For(wctx, client, a, wo)
	if err := wrote(rep.Wait(w)); err != nil {
		return err
	}
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return &exitError{code: exitInterrupted}
	case err != nil && !w.TimedOut:
		return s.fail("waiting: %v", err)
	case !w.Completed():
		return &exitError{code: exitFailure}
	}
	return nil
}

func applyDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"-f PATH... [--env-file FILE]... [--dry-run] [--wait] [OPTIONS]"},
		description: []string{
			"Loads, validates and resolves every manifest, then submits each job once: a job whose (queue, name) is already taken is reported exists and skipped, so applying twice changes nothing. If any document is invalid or any variable unset, nothing is sent. --dry-run prints the request bodies (secrets masked) and needs no API key.",
			"Connection errors, timeouts, 429 and 5xx are retried with backoff; a refused key (401, 403) or an API that cannot be reached at all stops the run, and the jobs not sent are reported not submitted. --wait then follows the jobs created until each ends.",
			"Exit status 0 when every job was created, exists, duplicate or planned; 1 on any error; 2 on a usage error; 130 when interrupted. With --detailed-exitcode: 0 nothing created, 2 something created, 1 every error.",
		},
		examples: []example{
			{"show what would be sent, secrets masked; no key needed", "daestro-jobs apply --dry-run --env-file .env -f jobs/"},
			{"submit every job under jobs/", "export DAESTRO_API_KEY=...\ndaestro-jobs apply -f jobs/"},
			{"submit, then wait until every created job has ended", "daestro-jobs apply --wait --wait-timeout 1h -f jobs/"},
			{"against the emulator, the key read from a file", "daestro-jobs apply --api-url http://127.0.0.1:8080 --api-key-file key.txt -f jobs/"},
			{"in a pipeline that wants to know whether anything was created", "daestro-jobs apply --detailed-exitcode -f jobs/ || test $? -eq 2"},
		},
		env: []string{envAPIKey, envAPIURL, envGitHubActions, envStepSummary, envStepOutputs, "GITHUB_WORKSPACE", envTerm, "HTTPS_PROXY, NO_PROXY", "SSL_CERT_FILE, SSL_CERT_DIR", "any $VAR a manifest names"},
	}
}
