package main

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// validateOptions are the flags of `daestro-jobs validate`.
type validateOptions struct {
	manifests  manifestOptions
	output     outputOption
	reportRoot string
	category   string // -o sarif's automationDetails.id
}

func validateCommand(e env) *cli.Command {
	o := &validateOptions{}
	return &cli.Command{
		Name:      "validate",
		Usage:     "load and validate manifests, offline; unset variables are warnings",
		ArgsUsage: " ",
		Flags: append(o.manifests.flags(), o.output.flag(report.ValidateCommand),
			&cli.StringFlag{Name: flagReportRoot, Aliases: []string{"sarif-root"}, Destination: &o.reportRoot,
				Usage: "make the paths of -o sarif, gitlab and junit relative to `DIR` (default: the git repository's root)"},
			&cli.StringFlag{Name: "sarif-category", Destination: &o.category,
				Usage: "set -o sarif's automationDetails.id to `CATEGORY`, which tells analyses of one commit apart in GitHub code scanning (default: none, so upload-sarif's category input applies)"}),
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			o.output.set = c.IsSet(flagOutput)
			return runValidate(c.Context, e, o)
		},
	}
}

// runValidate loads and checks the manifests and reports what it found:
// exit 1 on any error, a file that does not parse and paths holding no
// manifest included.
func runValidate(ctx context.Context, e env, o *validateOptions) error {
	format, err := chooseFormat(e, &o.output, report.ValidateCommand)
	if err != nil {
		return err
	}
	// Nothing is sent or shown: no request bodies. The text report lists
	// problems and counts, not documents: on 100,000 files, keeping no
	// record per document is most of the memory the run needs.
	keep := plan.KeepJobs
	if format == report.Text {
		keep = plan.KeepProblems
	}
	p, _, err := buildPlan(ctx, e, &o.manifests, plan.Options{UnsetIsWarning: true, Keep: keep})
	if err != nil {
		return err
	}
	s := openSession(e, format, p.Secrets())
	defer s.close()
	s.report.Root, s.report.Cwd = reportRoot(o.reportRoot)
	s.report.Category, s.report.Version = o.category, moduleVersion()
	if err := wrote(report.NewValidate(format, s.Streams, s.options()).Validate(p)); err != nil {
		return err
	}
	if p.Errors() > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

func validateDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"-f PATH... [--env-file FILE]... [-o FORMAT] [OPTIONS]"},
		description: []string{
			"Loads every manifest the paths name and checks it offline, as apply would, without an API key: the schema, references to the environment, schedule times, sensitive values, duplicate names. Every problem of every file is reported, as file:line:col: field.path: message. An unset variable is a warning here (a pull request's pipeline rarely holds production secrets); apply takes it as an error.",
			"Exit status 0 when every document is valid, 1 on any error (warnings alone do not fail), 2 on a usage error.",
		},
		examples: []example{
			{"check every manifest under jobs/", "daestro-jobs validate -f jobs/"},
			{"with the variables of a dotenv file", "daestro-jobs validate --env-file .env -f jobs/"},
			{"a report for GitHub code scanning", "daestro-jobs validate -o sarif -f jobs/ > daestro-jobs.sarif"},
			{"a GitLab Code Quality report and JUnit XML", "daestro-jobs validate -o gitlab -f jobs/ > gl-code-quality.json\ndaestro-jobs validate -o junit -f jobs/ > jobs-report.xml"},
			{"a manifest from stdin", "cat job.yaml | daestro-jobs validate -f -"},
		},
		env: []string{envGitHubActions, envStepSummary, envStepOutputs, "GITHUB_WORKSPACE", "any $VAR a manifest names"},
	}
}
