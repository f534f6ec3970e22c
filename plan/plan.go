// Package plan turns manifest files into the jobs a run would submit: it
// converts each document, expands environment references, validates against
// the schema, checks what the schema cannot say, resolves schedule times and
// names, and finds duplicate identities. It sends nothing.
package plan

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/daestro-jobs/jobs/manifest"
	"github.com/daestro-jobs/jobs/manifest/interp"
	"github.com/daestro-jobs/jobs/schema"
)

// Options configure a plan.
type Options struct {
	Source manifest.Source
	// Env looks up variables for $VAR references (process environment over
	// --env-file files).
	Env interp.Lookup
	// Now is the single "now" of the run: relative schedules and the past-time
	// warning use it.
	Now time.Time
	// UnsetIsWarning makes unset variables warnings (jobs validate) instead of
	// errors (jobs apply, dry run included).
	UnsetIsWarning bool
	// AllowLiteralSecrets makes a sensitive value written literally a warning.
	AllowLiteralSecrets bool
	// Validator is the compiled schema; one serves the whole run.
	Validator *schema.Validator
}

// Job is one document of the run and, when valid, the request it becomes.
type Job struct {
	File     string // as the user named it
	Line     int    // where the document starts
	Col      int
	DocIndex int // position of the document in its file, from 0

	Name          string // given or generated
	NameGenerated bool
	Queue         string
	ScheduleAt    string // normal form sent, "" when unscheduled

	Body    []byte   // the exact request body
	Masked  []byte   // the body with sensitive values masked, for display
	Secrets []string // values that must never be printed

	Invalid bool
	// DuplicateOf is the index of an earlier job with the same identity and
	// body, or -1.
	DuplicateOf int
}

// Plan is everything a run found in its manifests.
type Plan struct {
	Files       int
	Jobs        []Job
	Diagnostics []manifest.Diagnostic // in file order, then by position
}

// Errors counts diagnostics of severity Error.
func (p *Plan) Errors() int { return p.count(manifest.Error) }

// Warnings counts diagnostics of severity Warning.
func (p *Plan) Warnings() int { return p.count(manifest.Warning) }

func (p *Plan) count(s manifest.Severity) int {
	n := 0
	for _, d := range p.Diagnostics {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Secrets lists every secret value of the run, for scrubbing output.
func (p *Plan) Secrets() []string {
	var out []string
	for _, j := range p.Jobs {
		out = append(out, j.Secrets...)
	}
	return out
}

// Build loads every manifest and plans every job in it. It returns an error
// only when the run cannot go on at all (bad -f usage, cancelled); problems in
// manifests are diagnostics in the plan.
func Build(ctx context.Context, opts Options) (*Plan, error) {
	files, err := manifest.Load(ctx, opts.Source)
	if err != nil {
		return nil, err
	}
	p := &Plan{Files: len(files)}

	// Give every document its place in the run before checking them in
	// parallel, so results land in manifest order without sorting.
	type slot struct {
		doc   manifest.Document
		index int
	}
	var slots []slot
	fileDiags := make([][]manifest.Diagnostic, len(files))
	docDiags := [][]manifest.Diagnostic{}
	for fi, f := range files {
		fileDiags[fi] = f.Diagnostics
		for _, d := range f.Docs {
			slots = append(slots, slot{doc: d, index: len(slots)})
		}
	}
	p.Jobs = make([]Job, len(slots))
	docDiags = make([][]manifest.Diagnostic, len(slots))

	workers := min(runtime.GOMAXPROCS(0), max(1, len(slots)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := slots[i]
				p.Jobs[i], docDiags[i] = check(s.doc, s.index, opts)
			}
		}()
	}
	var cancelled error
feed:
	for i := range slots {
		select {
		case next <- i:
		case <-ctx.Done():
			cancelled = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if cancelled != nil {
		return nil, cancelled
	}

	// Diagnostics in file order: each file's own problems, then its documents'.
	di := 0
	for fi, f := range files {
		p.Diagnostics = append(p.Diagnostics, fileDiags[fi]...)
		for range f.Docs {
			ds := docDiags[di]
			slices.SortStableFunc(ds, func(a, b manifest.Diagnostic) int {
				if a.Line != b.Line {
					return a.Line - b.Line
				}
				return a.Col - b.Col
			})
			p.Diagnostics = append(p.Diagnostics, ds...)
			di++
		}
	}
	p.Diagnostics = append(p.Diagnostics, identities(p.Jobs)...)
	return p, nil
}
