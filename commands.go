package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/manifest/interp"
	"github.com/daestro-jobs/daestro-jobs/output"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/schema"
	"github.com/daestro-jobs/daestro-jobs/submit"
	"github.com/urfave/cli/v2"
)

// manifestFlags are shared by validate and apply.
func manifestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "manifest `PATH`: a file, a directory (walked recursively for *.yaml and *.yml) or - for stdin; repeatable"},
		&cli.StringSliceFlag{Name: "env-file", Usage: "dotenv `FILE` for $VAR references; repeatable, later files win, the process environment wins over all"},
		&cli.StringFlag{Name: "now", Usage: "the run's `TIME` (RFC 3339) for relative schedules and past-time warnings, for reproducible plans"},
		&cli.BoolFlag{Name: "allow-literal-secrets", Usage: "warn instead of failing when a sensitive value is written literally"},
	}
}

func outputFlag(offered ...output.Format) cli.Flag {
	names := make([]string, len(offered))
	for i, f := range offered {
		names[i] = string(f)
	}
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: " + strings.Join(names, ", ") + "; github when GITHUB_ACTIONS=true"}
}

// buildPlan loads and checks the manifests named on the command line. validate
// is true for daestro-jobs validate (unset variables are warnings, no request bodies);
// noJobs keeps no per-document records, for reports that list only problems.
func buildPlan(c *cli.Context, e env, validate, noJobs bool) (*plan.Plan, time.Time, error) {
	paths := c.StringSlice("filename")
	if len(paths) == 0 {
		return nil, time.Time{}, usagef("no manifests given: pass -f PATH (a file, a directory or - for stdin)")
	}
	now := e.now().UTC()
	if s := c.String("now"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, time.Time{}, usagef("--now %q is not an RFC 3339 time such as 2026-11-28T12:00:00Z", s)
		}
		now = t.UTC()
	}
	lookup, err := interp.Env(c.StringSlice("env-file"), e.lookup)
	if err != nil {
		return nil, time.Time{}, usagef("--env-file: %v", err)
	}
	v, err := schema.New()
	if err != nil {
		return nil, time.Time{}, err
	}
	p, err := plan.Build(c.Context, plan.Options{
		Source:              manifest.Source{Paths: paths, Stdin: e.stdin},
		Env:                 lookup,
		Now:                 now,
		UnsetIsWarning:      validate,
		AllowLiteralSecrets: c.Bool("allow-literal-secrets"),
		Validator:           v,
		NoBodies:            validate, // nothing is sent or shown
		NoJobs:              noJobs,
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, now, err
		}
		return nil, now, usagef("%v", err)
	}
	return p, now, nil
}

func validateCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "load and validate manifests, offline; unset variables are warnings",
		ArgsUsage: " ",
		Flags:     append(manifestFlags(), outputFlag(validateFormats...)),
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unexpected argument %q: name manifests with -f", c.Args().First())
			}
			format, err := chooseFormat(c, e, validateFormats...)
			if err != nil {
				return err
			}
			// The text report lists problems and counts, not documents: on
			// 100,000 files, keeping no record per document is most of the
			// memory the run needs.
			p, _, err := buildPlan(c, e, true, format == output.Text)
			if err != nil {
				return err
			}
			streams, red, closeStreams := redactedStreams(e, p.Secrets())
			streams, closeSummary := withStepSummary(e, format, streams, red)
			err = output.New(format, streams).Validate(p)
			closeSummary()
			closeStreams()
			if err != nil {
				return err
			}
			if p.Errors() > 0 {
				return &exitError{code: exitFailure}
			}
			return nil
		},
	}
}

// redactedStreams wraps stdout and stderr so no secret of the run is printed,
// whatever a message or the server echoed. It returns the redactor, for the
// other writers of the run (the step summary), and a func that flushes them.
//
// Under GitHub Actions it first asks the runner to mask every secret in the
// log (::add-mask::), before anything else is written, so that even output
// this tool does not control (a wrapper script's set -x) shows them masked.
func redactedStreams(e env, secrets []string) (output.Streams, *redact.Redactor, func()) {
	if v, ok := e.lookup("GITHUB_ACTIONS"); ok && v == "true" {
		_ = output.GitHubMasks(e.stderr, secrets)
	}
	r := redact.New(secrets...)
	out, errw := r.Writer(e.stdout), r.Writer(e.stderr)
	return output.Streams{Out: out, Err: errw}, r, func() {
		out.Close()
		errw.Close()
	}
}

const defaultAPIURL = "https://api.daestro.com"

// apiFlags are shared by the commands that talk to the API.
func apiFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "api-url", Usage: "Daestro API base `URL`, default $DAESTRO_API_URL or " + defaultAPIURL + " (plain http only to loopback, e.g. the emulator)"},
		&cli.StringFlag{Name: "api-key-file", Usage: "read the API key from `FILE` instead of $DAESTRO_API_KEY"},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per-request `DURATION`"},
	}
}

// apiClient builds the client from flags and environment. The key never
// comes from a flag value, so it never lands in shell history or ps output.
func apiClient(c *cli.Context, e env, concurrency int) (*submit.Client, error) {
	raw := c.String("api-url")
	if !c.IsSet("api-url") {
		raw = defaultAPIURL
		// The environment comes through e.lookup, not os.Getenv, so that a run
		// sees exactly the environment main was given.
		if v, ok := e.lookup("DAESTRO_API_URL"); ok && v != "" {
			raw = v
		}
	}
	base, err := submit.CheckBaseURL(raw)
	if err != nil {
		return nil, usagef("--api-url: %v", err)
	}
	key, err := apiKey(c, e)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(concurrency, 2)
	return &submit.Client{
		HTTP:      &http.Client{Transport: tr},
		BaseURL:   base,
		APIKey:    key,
		UserAgent: "daestro-jobs/" + moduleVersion(),
	}, nil
}

func apiKey(c *cli.Context, e env) (string, error) {
	if path := c.String("api-key-file"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", usagef("--api-key-file: cannot read %s: %v", path, errors.Unwrap(err))
		}
		key := strings.TrimSpace(string(b))
		if key == "" {
			return "", usagef("--api-key-file: %s is empty", path)
		}
		return key, nil
	}
	if key, ok := e.lookup("DAESTRO_API_KEY"); ok && strings.TrimSpace(key) != "" {
		return strings.TrimSpace(key), nil
	}
	return "", usagef("no API key: set DAESTRO_API_KEY or pass --api-key-file FILE (or use --dry-run, which needs none)")
}

func applyCommand(e env) *cli.Command {
	flags := append(manifestFlags(), outputFlag(applyFormats...),
		&cli.BoolFlag{Name: "dry-run", Usage: "print the resolved request bodies (secrets masked) and send nothing; needs no API key"},
		&cli.IntFlag{Name: "concurrency", Value: 8, Usage: "`N` requests in flight"},
		&cli.Float64Flag{Name: "rate", Usage: "at most `R` requests per second (0: unlimited)"},
		&cli.IntFlag{Name: "retries", Value: 5, Usage: "retry a request up to `N` times on connection errors, timeouts, 429 and 5xx"},
		&cli.StringFlag{Name: "duplicate-pattern", Usage: "`REGEX` matched against a 400 message to recognise a name that is already taken"},
	)
	flags = append(flags, apiFlags()...)
	flags = append(flags, afterApplyFlags()...)
	return &cli.Command{
		Name:      "apply",
		Usage:     "load, validate, resolve and submit each job once; existing names are skipped",
		ArgsUsage: " ",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unexpected argument %q: name manifests with -f", c.Args().First())
			}
			format, err := chooseFormat(c, e, applyFormats...)
			if err != nil {
				return err
			}
			dry := c.Bool("dry-run")
			var client *submit.Client
			opts := submit.Options{
				Concurrency: c.Int("concurrency"),
				Rate:        c.Float64("rate"),
				Retries:     c.Int("retries"),
				Timeout:     c.Duration("timeout"),
			}
			if opts.Concurrency < 1 || opts.Retries < 0 || opts.Rate < 0 || opts.Timeout <= 0 {
				return usagef("--concurrency must be at least 1, --retries and --rate at least 0, --timeout positive")
			}
			if opts.Retries == 0 {
				opts.Retries = -1 // --retries 0 means no retry; submit treats 0 as its default
			}
			if s := c.String("duplicate-pattern"); s != "" {
				re, err := regexp.Compile(s)
				if err != nil {
					return usagef("--duplicate-pattern: %v", err)
				}
				opts.DuplicatePattern = re
			}
			if !dry {
				if client, err = apiClient(c, e, opts.Concurrency); err != nil {
					return err
				}
			}
			start := time.Now()
			p, _, err := buildPlan(c, e, false, false)
			if err != nil {
				return err
			}
			secrets := p.Secrets()
			if client != nil {
				secrets = append(secrets, client.APIKey)
			}
			streams, red, closeStreams := redactedStreams(e, secrets)
			defer closeStreams()
			streams, closeSummary := withStepSummary(e, format, streams, red)
			defer closeSummary()
			report := &output.ApplyReport{Plan: p, DryRun: dry, Results: make([]output.JobResult, len(p.Jobs))}
			for i := range p.Jobs {
				report.Results[i] = output.JobResult{Job: &p.Jobs[i], Outcome: submit.NotSubmitted}
			}
			invalid := p.Errors() > 0
			var runErr error
			switch {
			case invalid:
				for i, j := range p.Jobs {
					if j.Invalid {
						report.Results[i].Outcome = submit.Invalid
					}
				}
			case dry:
				for i, j := range p.Jobs {
					report.Results[i].Outcome = submit.Planned
					if j.DuplicateOf >= 0 {
						markDuplicate(&report.Results[i], p)
					}
				}
			default:
				var clearBar func()
				opts.OnResult, clearBar = progress(e, format, sendable(p))
				runErr = submitAll(c.Context, client, p, opts, secrets, report)
				clearBar()
			}
			if !dry && !invalid {
				report.Elapsed = time.Since(start)
			}
			report.Interrupted = errors.Is(runErr, context.Canceled)
			if err := output.New(format, streams).Apply(report); err != nil {
				return err
			}
			switch {
			case report.Interrupted:
				return &exitError{code: exitInterrupted}
			case errors.Is(runErr, submit.ErrUnauthorized):
				fmt.Fprintf(streams.Err, "daestro-jobs: %v\n", runErr)
				return &exitError{code: exitFailure}
			case runErr != nil:
				fmt.Fprintf(streams.Err, "daestro-jobs: %v\n", runErr)
				return &exitError{code: exitFailure}
			}
			cnt := output.Count(report.Results)
			if cnt.Invalid+cnt.Failed+cnt.NotSubmitted > 0 {
				return &exitError{code: exitFailure}
			}
			return afterApply(c, client, report, streams, format)
		},
	}
}

func markDuplicate(r *output.JobResult, p *plan.Plan) {
	first := p.Jobs[r.Job.DuplicateOf]
	r.Outcome = submit.Duplicate
	r.Note = fmt.Sprintf("same job as %s:%d", first.File, first.Line)
}

// submitAll sends every valid job that is not a duplicate and fills in the
// report's results.
func submitAll(ctx context.Context, client *submit.Client, p *plan.Plan, opts submit.Options, secrets []string, report *output.ApplyReport) error {
	var reqs []submit.Request
	var index []int // request -> plan job
	key := redact.New(client.APIKey)
	// Jobs mostly share their secrets (the same ${DB_PASSWORD} in every
	// manifest): one redactor per distinct set, rather than one per job, is
	// work the first request no longer waits for.
	bySecrets := map[string]*redact.Redactor{}
	for i, j := range p.Jobs {
		if j.DuplicateOf >= 0 {
			markDuplicate(&report.Results[i], p)
			continue
		}
		var sb strings.Builder // length-prefixed: no two lists share a key
		for _, sec := range j.Secrets {
			fmt.Fprintf(&sb, "%d:%s", len(sec), sec)
		}
		set := sb.String()
		red, ok := bySecrets[set]
		if !ok {
			red = key.With(j.Secrets...)
			bySecrets[set] = red
		}
		reqs = append(reqs, submit.Request{Index: len(reqs), Body: j.Body, Redact: red})
		index = append(index, i)
	}
	results, err := submit.Run(ctx, client, reqs, opts)
	all := redact.New(secrets...)
	for _, r := range results {
		jr := &report.Results[index[r.Index]]
		jr.Outcome, jr.ID, jr.Attempts, jr.Note = r.Outcome, r.ID, r.Attempts, r.Note
		if r.Err != nil {
			// Scrub with every secret of the run, not only the job's own: a
			// server may echo anything.
			jr.Error = all.String(r.Err.Error())
		}
	}
	return err
}

func schemaCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of a job manifest (for editors and other validators)",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprint(e.stdout, schema.JSON())
			return err
		},
	}
}
