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
