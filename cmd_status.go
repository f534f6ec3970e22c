package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// statusOptions are the flags of `daestro-jobs status`.
type statusOptions struct {
	api    apiOptions
	output outputOption
	ids    []string
}

func statusCommand(e env) *cli.Command {
	o := &statusOptions{}
	return &cli.Command{
		Name:      "status",
		Usage:     "show jobs by id (Job Detail API): state, schedule, timestamps",
		ArgsUsage: "ID...",
		Flags:     append(o.api.flags(), o.output.flag(report.StatusCommand)),
		Action: func(c *cli.Context) error {
			o.ids, o.output.set, o.api.urlSet = c.Args().Slice(), c.IsSet(flagOutput), c.IsSet(flagAPIURL)
			return runStatus(c.Context, e, o)
		},
	}
}

// runStatus reads each job back from the Job Detail API. A refused key
// stops at once; a job that cannot be read is a row with its error, exit 1.
func runStatus(ctx context.Context, e env, o *statusOptions) error {
	if len(o.ids) == 0 {
		return usagef("status needs at least one job ID (printed by daestro-jobs apply)")
	}
	o.output.set = true // GitHub Actions changes nothing here
	format, err := chooseFormat(e, &o.output, report.StatusCommand)
	if err != nil {
		return err
	}
	client, err := newClient(e, &o.api, 1)
	if err != nil {
		return err
	}
	s := openSession(e, format, []string{client.APIKey})
	defer s.close()
	rows := make([]report.StatusRow, 0, len(o.ids))
	failed := false
	for _, id := range o.ids {
		rctx, cancel := context.WithTimeout(ctx, o.api.timeout)
		d, err := client.Job(rctx, id)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %v: %w", o.api.timeout, err)
		}
		if errors.Is(err, context.Canceled) {
			return err
		}
		if len(rows) == 0 && submit.Unreachable(err) {
			return unreachable(s.edge(), client.BaseURL, o.api.urlFrom, err)
		}
		var apiErr *apiclient.APIError
		if errors.As(err, &apiErr) && apiErr.Refused() {
			return s.fail("the server refused the API key (%v): check %s or --%s", err, envAPIKey, flagAPIKeyFile)
		}
		r := report.StatusRow{Detail: d}
		if err != nil {
			r.ID, r.Err, failed = id, err, true
		}
		rows = append(rows, r)
	}
	if err := wrote(s.edge().Status(format, rows)); err != nil {
		return err
	}
	if failed {
		return &exitError{code: exitFailure}
	}
	return nil
}

func statusDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"ID... [-o FORMAT] [OPTIONS]"},
		description: []string{
			"Reads jobs back from the Job Detail API by the ids apply printed: one line each with id, name, state, schedule_at, created_at and updated_at (times in UTC, with milliseconds, as apply writes them); -o json gives every field. A job that cannot be read is a line with its error and exit status 1.",
		},
		examples: []example{
			{"the state of a job", "daestro-jobs status 01a22979-a752-7738-970b-281e6d1b20c5"},
			{"every field, as JSON", "daestro-jobs status -o json 01a22979-a752-7738-970b-281e6d1b20c5"},
		},
		env: []string{envAPIKey, envAPIURL, "HTTPS_PROXY, NO_PROXY", "SSL_CERT_FILE, SSL_CERT_DIR"},
	}
}
