package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/submit"
)

// TestExitDecision is the exit code of an apply from its report and error,
// without the CLI framework: verdict, then exitCode.
func TestExitDecision(t *testing.T) {
	clean := &plan.Plan{}
	broken := &plan.Plan{Diagnostics: []manifest.Diagnostic{{File: "a.yaml", Message: "invalid YAML", Severity: manifest.Error, Doc: manifest.FileProblem}}}
	jobs := func(os ...report.Outcome) []report.Job {
		var out []report.Job
		for _, o := range os {
			out = append(out, report.Job{Outcome: o})
		}
		return out
	}
	refused := fmt.Errorf("%w (HTTP 401: invalid key dk_test_secret)", submit.ErrUnauthorized)
	for _, tc := range []struct {
		name     string
		a        *report.Apply
		err      error
		detailed bool
		want     int
	}{
		{name: "all created", a: &report.Apply{Plan: clean, Jobs: jobs(report.Created, report.Exists)}, want: 0},
		{name: "a file that does not parse, nothing loaded", a: &report.Apply{Plan: broken}, want: 1},
		{name: "a failed job", a: &report.Apply{Plan: clean, Jobs: jobs(report.Created, report.Failed)}, want: 1},
		{name: "the key refused", a: &report.Apply{Plan: clean, Jobs: jobs(report.Failed, report.NotSubmitted)}, err: refused, want: 1},
		{name: "interrupted", a: &report.Apply{Plan: clean, Jobs: jobs(report.NotSubmitted), Interrupted: true}, err: context.Canceled, want: 130},
		{name: "a failed job, detailed", a: &report.Apply{Plan: clean, Jobs: jobs(report.Failed)}, detailed: true, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			got := exitCode(verdict(tc.a, tc.err, redact.New("dk_test_secret")), &stderr, tc.detailed)
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
