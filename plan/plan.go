// Package plan turns manifest files into the jobs a run would submit: it
// converts each document, expands environment references, validates against
// the schema, checks what the schema cannot say, resolves schedule times and
// names, and finds duplicate identities. It sends nothing.
package plan

import (
	"context"
	"crypto/sha256"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
	// NoBodies leaves Job.Body and Job.Masked empty (jobs validate needs only
	// their digests), so a run over many files holds little per job.
	NoBodies bool
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

	Body    []byte            // the exact request body (empty with Options.NoBodies)
	Masked  []byte            // the body with sensitive values masked, for display (likewise)
	Digest  [sha256.Size]byte // of Body, to tell duplicates from conflicts
	Secrets []string          // values that must never be printed

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
	// The documents of a file are checked on the worker that parsed it, and
	// its node trees dropped then, so a run holds a few files' trees at a time
	// rather than every tree of the run. A file of many documents is instead
	// checked after loading, its documents spread over all cores. Results are
	// put in manifest order at the end; until then a document's diagnostics
	// carry its index within its file.
	checked := map[int]*fileResult{}
	var mu sync.Mutex
	files, err := manifest.LoadEach(ctx, opts.Source, func(i int, f *manifest.File) {
		if len(f.Docs) > inlineDocs {
			return
		}
		r := &fileResult{jobs: make([]Job, len(f.Docs)), diags: make([][]manifest.Diagnostic, len(f.Docs))}
		for k := range f.Docs {
			r.jobs[k], r.diags[k] = check(f.Docs[k], k, opts)
			f.Docs[k].Root = nil
		}
		mu.Lock()
		checked[i] = r
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	if err := checkLarge(ctx, files, checked, opts); err != nil {
		return nil, err
	}

	// Diagnostics in file order: each file's own problems, then its documents'.
	p := &Plan{Files: len(files)}
	total := 0
	for _, r := range checked {
		total += len(r.jobs)
	}
	p.Jobs = make([]Job, 0, total)
	for fi, f := range files {
		p.Diagnostics = append(p.Diagnostics, f.Diagnostics...)
		r := checked[fi]
		if r == nil {
			continue
		}
		delete(checked, fi) // its jobs are copied next: let them go
		for k, ds := range r.diags {
			global := len(p.Jobs)
			for d := range ds {
				ds[d].Doc += global - k
			}
			slices.SortStableFunc(ds, func(a, b manifest.Diagnostic) int {
				if a.Line != b.Line {
					return a.Line - b.Line
				}
				return a.Col - b.Col
			})
			p.Diagnostics = append(p.Diagnostics, ds...)
			p.Jobs = append(p.Jobs, r.jobs[k])
		}
	}
	p.Diagnostics = append(p.Diagnostics, identities(p.Jobs)...)
	return p, nil
}

// inlineDocs is the most documents a file may hold to be checked by the worker
// that parsed it; larger files are checked across all cores afterwards.
const inlineDocs = 16

// fileResult is what checking the documents of one file found.
type fileResult struct {
	jobs  []Job
	diags [][]manifest.Diagnostic // per document
}

// checkLarge checks the documents of the files LoadEach left unchecked, on all
// cores, and adds them to checked.
func checkLarge(ctx context.Context, files []manifest.File, checked map[int]*fileResult, opts Options) error {
	type slot struct{ file, doc int }
	var slots []slot
	for fi, f := range files {
		if checked[fi] != nil {
			continue
		}
		checked[fi] = &fileResult{jobs: make([]Job, len(f.Docs)), diags: make([][]manifest.Diagnostic, len(f.Docs))}
		for k := range f.Docs {
			slots = append(slots, slot{fi, k})
		}
	}
	if len(slots) == 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), len(slots))
	var claimed atomic.Int64 // as in manifest.LoadEach: no feeding goroutine
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(claimed.Add(1) - 1)
				if i >= len(slots) {
					return
				}
				s := slots[i]
				r := checked[s.file] // the map is only read while workers run
				r.jobs[s.doc], r.diags[s.doc] = check(files[s.file].Docs[s.doc], s.doc, opts)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
