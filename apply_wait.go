package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/output"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// exitChanged is --detailed-exitcode's "something was created", as in
// terraform plan -detailed-exitcode.
const exitChanged = 2

// afterApplyFlags are the flags of what apply does once every job is sent.
func afterApplyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "wait", Usage: "after submitting, follow the jobs created in this run until each ends; exit 0 only if all completed"},
		&cli.DurationFlag{Name: "wait-timeout", Value: 30 * time.Minute, Usage: "give up waiting after `DURATION` (exit 1)"},
		&cli.BoolFlag{Name: "wait-scheduled", Usage: "with --wait, wait for scheduled jobs too (they may not start for a long time)"},
		&cli.DurationFlag{Name: "wait-poll", Value: submit.WaitFirst, Usage: "first gap between polls; it doubles up to 15s", Hidden: true},
		&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 0 when nothing was created, 2 when something was, 1 on any error"},
	}
}

// afterApply runs --wait and maps --detailed-exitcode, once an apply has
// succeeded.
func afterApply(c *cli.Context, client *submit.Client, report *output.ApplyReport, streams output.Streams, format output.Format) error {
	created := output.Count(report.Results).Created
	if c.Bool("wait") && !report.DryRun && client != nil {
		if err := waitFor(c, client, report, streams, format); err != nil {
			return err
		}
	}
	if c.Bool("detailed-exitcode") && created > 0 {
		return &exitError{code: exitChanged}
	}
	return nil
}

func waitFor(c *cli.Context, client *submit.Client, report *output.ApplyReport, streams output.Streams, format output.Format) error {
	wr := &output.WaitReport{}
	var ids []string
	for _, r := range report.Results {
		switch {
		case r.Outcome == submit.Exists:
			wr.SkippedExists++
		case r.Outcome != submit.Created:
		case r.Job.ScheduleAt != "" && !c.Bool("wait-scheduled"):
			wr.SkippedScheduled++
		default:
			wr.Results = append(wr.Results, output.WaitResult{Job: r})
			ids = append(ids, r.ID)
		}
	}
	ctx, cancel := context.WithTimeout(c.Context, c.Duration("wait-timeout"))
	defer cancel()
	last := ""
	latest, errs, err := submit.Wait(ctx, client, ids, submit.WaitOptions{
		First:   c.Duration("wait-poll"),
		Timeout: c.Duration("timeout"),
		OnPoll: func(latest []submit.Detail) {
			// One line per change: readable in a CI log, quiet while nothing moves.
			if line := output.WaitProgress(latest); line != last {
				fmt.Fprintln(streams.Err, line)
				last = line
			}
		},
	})
	interrupted := errors.Is(err, context.Canceled) && c.Context.Err() != nil
	wr.TimedOut = errors.Is(err, context.DeadlineExceeded)
	scrub := redact.New(client.APIKey)
	allDone := true
	for i := range wr.Results {
		wr.Results[i].Detail = latest[i]
		if errs[i] != nil {
			wr.Results[i].Error = scrub.String(errs[i].Error())
		}
		if latest[i].State != "completed" {
			allDone = false
		}
	}
	if perr := output.Wait(format, streams, wr); perr != nil {
		return perr
	}
	switch {
	case interrupted:
		return &exitError{code: exitInterrupted}
	case err != nil && !wr.TimedOut:
		fmt.Fprintf(streams.Err, "daestro-jobs: waiting: %v\n", scrub.Error(err))
		return &exitError{code: exitFailure}
	case !allDone:
		return &exitError{code: exitFailure}
	}
	return nil
}
