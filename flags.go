package main

import (
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// Flag names: flags are bound to options structs (Destination), and the few
// places that ask whether a flag was given name it through these, so a typo
// does not compile rather than reading zero.
const (
	flagFilename            = "filename"
	flagEnvFile             = "env-file"
	flagNow                 = "now"
	flagAllowLiteralSecrets = "allow-literal-secrets"
	flagAllowEmpty          = "allow-empty"
	flagOutput              = "output"
	flagDryRun              = "dry-run"
	flagConcurrency         = "concurrency"
	flagRate                = "rate"
	flagRetries             = "retries"
	flagDuplicatePattern    = "duplicate-pattern"
	flagAPIURL              = "api-url"
	flagAPIKeyFile          = "api-key-file"
	flagTimeout             = "timeout"
	flagWait                = "wait"
	flagWaitTimeout         = "wait-timeout"
	flagWaitScheduled       = "wait-scheduled"
	flagWaitPoll            = "wait-poll"
	flagDetailedExitcode    = "detailed-exitcode"
	flagReportRoot          = "report-root"
)

// Environment variables the tool reads.
const (
	envAPIKey        = "DAESTRO_API_KEY"
	envAPIURL        = "DAESTRO_API_URL"
	envGitHubActions = "GITHUB_ACTIONS"
	envStepSummary   = "GITHUB_STEP_SUMMARY"
	envStepOutputs   = "GITHUB_OUTPUT"
	envTerm          = "TERM"
)

// manifestOptions are the flags of the commands that read manifests.
type manifestOptions struct {
	paths               cli.StringSlice
	envFiles            cli.StringSlice
	now                 string
	allowLiteralSecrets bool
	allowEmpty          bool
}

func (o *manifestOptions) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: flagFilename, Aliases: []string{"f"}, Destination: &o.paths,
			Usage: "manifest `PATH`: a file, a directory (walked recursively for *.yaml and *.yml) or - for stdin; repeatable"},
		&cli.StringSliceFlag{Name: flagEnvFile, Destination: &o.envFiles,
			Usage: "dotenv `FILE` for $VAR references; repeatable, later files win, the process environment wins over all"},
		&cli.StringFlag{Name: flagNow, Destination: &o.now,
			Usage: "the run's `TIME` (RFC 3339) for relative schedules and past-time warnings, for reproducible plans"},
		&cli.BoolFlag{Name: flagAllowLiteralSecrets, Destination: &o.allowLiteralSecrets,
			Usage: "warn instead of failing when a sensitive value is written literally"},
		&cli.BoolFlag{Name: flagAllowEmpty, Destination: &o.allowEmpty,
			Usage: "warn instead of failing when the paths hold no manifest at all"},
	}
}

// outputOption is -o; set says whether it was given (GitHub Actions
// changes the default otherwise).
type outputOption struct {
	name string
	set  bool
}

func (o *outputOption) flag(c report.Command) cli.Flag {
	names := report.FormatNames(c)
	usage := "output `FORMAT`: " + strings.Join(names, ", ")
	if c != report.StatusCommand {
		usage += "; github when GITHUB_ACTIONS=true"
	}
	return &cli.StringFlag{Name: flagOutput, Aliases: []string{"o"}, Value: names[0], Destination: &o.name, Usage: usage}
}

// apiOptions are the flags of the commands that talk to the API.
type apiOptions struct {
	url     string
	urlSet  bool
	urlFrom string // where the URL came from: --api-url, DAESTRO_API_URL or the default
	keyFile string
	timeout time.Duration
}

const defaultAPIURL = "https://api.daestro.com"

func (o *apiOptions) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagAPIURL, Destination: &o.url,
			Usage: "Daestro API base `URL`, default $DAESTRO_API_URL or " + defaultAPIURL + " (plain http only to loopback, e.g. the emulator)"},
		&cli.StringFlag{Name: flagAPIKeyFile, Destination: &o.keyFile, Usage: "read the API key from `FILE` instead of $DAESTRO_API_KEY"},
		&cli.DurationFlag{Name: flagTimeout, Value: apiclient.DefaultTimeout, Destination: &o.timeout, Usage: "per-request `DURATION`"},
	}
}

// noArgs refuses positional arguments: manifests are named with -f.
func noArgs(c *cli.Context) error {
	if c.Args().Present() {
		return usagef("unexpected argument %q: name manifests with -f", c.Args().First())
	}
	return nil
}
