package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// TestExitDecision is the exit code of an apply from its report and error,
// without the CLI framework: verdict, then exitCode.
func TestExitDecision(t *testing.T) {
	clean := &plan.Plan{}
	broken := &plan.Plan{Diagnostics: []diag.Diagnostic{{File: "a.yaml", Message: "invalid YAML", Severity: diag.Error, Kind: diag.File}}}
	jobs := func(os ...outcome.Outcome) []outcome.Job {
		var out []outcome.Job
		for _, o := range os {
			out = append(out, outcome.Job{Outcome: o})
		}
		return out
	}
	refused := fmt.Errorf("%w (HTTP 401: invalid key dk_test_secret)", submit.ErrUnauthorized)
	for _, tc := range []struct {
		name     string
		a        *outcome.Apply
		err      error
		detailed bool
		want     int
	}{
		{name: "all created", a: &outcome.Apply{Plan: clean, Jobs: jobs(outcome.Created, outcome.Exists)}, want: 0},
		{name: "a file that does not parse, nothing loaded", a: &outcome.Apply{Plan: broken}, want: 1},
		{name: "a failed job", a: &outcome.Apply{Plan: clean, Jobs: jobs(outcome.Created, outcome.Failed)}, want: 1},
		{name: "the key refused", a: &outcome.Apply{Plan: clean, Jobs: jobs(outcome.Failed, outcome.NotSubmitted)}, err: refused, want: 1},
		{name: "interrupted", a: &outcome.Apply{Plan: clean, Jobs: jobs(outcome.NotSubmitted), Interrupted: true}, err: context.Canceled, want: 130},
		{name: "a failed job, detailed", a: &outcome.Apply{Plan: clean, Jobs: jobs(outcome.Failed)}, detailed: true, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			got := exitCode(verdict(tc.a, tc.err, report.NewEdge(report.Streams{}, report.Options{Redact: redact.New("dk_test_secret")})), &stderr, tc.detailed)
			if got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
			if strings.Contains(stderr.String(), "dk_test_secret") {
				t.Errorf("stderr shows the key: %s", stderr.String())
			}
		})
	}
	// --detailed-exitcode: 2 only for "created", usage errors 1.
	for _, tc := range []struct {
		err      error
		detailed bool
		want     int
	}{
		{err: errChanged, detailed: true, want: 2},
		{err: usagef("bad flag"), detailed: false, want: 2},
		{err: usagef("bad flag"), detailed: true, want: 1},
		{err: errors.New("flag provided but not defined: -x"), detailed: true, want: 1},
		{err: wrote(errors.New("no space left on device")), detailed: true, want: 1},
	} {
		if got := exitCode(tc.err, io.Discard, tc.detailed); got != tc.want {
			t.Errorf("exitCode(%v, detailed %v) = %d, want %d", tc.err, tc.detailed, got, tc.want)
		}
	}
	for args, want := range map[string]bool{
		"apply --detailed-exitcode -f x":        true,
		"apply -detailed-exitcode=true":         true,
		"apply --detailed-exitcode=false":       false,
		"apply -f x -- --detailed-exitcode":     false,
		"apply --detailed-exitcodes -f x":       false,
		"apply --no-such --detailed-exitcode=1": true,
	} {
		if got := detailedExitcode(strings.Fields(args)); got != want {
			t.Errorf("detailedExitcode(%q) = %v, want %v", args, got, want)
		}
	}
}
