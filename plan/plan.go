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

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/manifest/interp"
	"github.com/daestro-jobs/daestro-jobs/manifest/schedule"
	"github.com/daestro-jobs/daestro-jobs/schema"
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
	// UnsetIsWarning makes unset variables warnings (daestro-jobs validate) instead of
	// errors (daestro-jobs apply, dry run included).
	UnsetIsWarning bool
	// AllowLiteralSecrets makes a sensitive value written literally a warning.
	AllowLiteralSecrets bool
	// Validator is the compiled schema; one serves the whole run.
	Validator *schema.Validator
	// NoBodies leaves Job.Body and Job.Masked empty (daestro-jobs validate needs only
	// their digests), so a run over many files holds little per job.
	NoBodies bool
	// NoJobs keeps no Job at all: Plan.Jobs stays empty and only the
	// diagnostics, the counts and the distinct secrets remain, for reports
	// that list problems rather than documents (daestro-jobs validate -o text). It
	// implies NoBodies.
	NoJobs bool

	zones *schedule.Zones // set by Build: one cache of time zones per run
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
	Files int
	// Jobs holds every document's job, in manifest order; empty with
	// Options.NoJobs.
	Jobs        []Job
	Diagnostics []manifest.Diagnostic // in file order, then by position
	// Documents and Invalid count the documents and the invalid ones, with
	// or without Jobs.
	Documents, Invalid int
	// secrets are the distinct secrets of jobs not kept (Options.NoJobs).
	secrets map[string]struct{}
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
	for s := range p.secrets {
		out = append(out, s)
	}
	slices.Sort(out)
	for _, j := range p.Jobs {
		out = append(out, j.Secrets...)
	}
	return out
}

// Build loads every manifest and plans every job in it. It returns an error
// only when the run cannot go on at all (bad -f usage, cancelled); problems in
// manifests are diagnostics in the plan.
//
// The documents of a file are checked on the worker that parsed it, and its
// node trees dropped then, so a run holds a few files' trees at a time rather
// than every tree of the run. A file of many documents is instead checked
// after loading, its documents spread over all cores. A file's results join
// the plan, in manifest order, as soon as every file before it has joined:
// identities are checked there, in one pass, and what the plan does not keep
// is let go.
func Build(ctx context.Context, opts Options) (*Plan, error) {
	if opts.NoJobs {
		opts.NoBodies = true
	}
	opts.zones = &schedule.Zones{}
	b := &builder{opts: opts, p: &Plan{}, first: map[identityKey]firstJob{}, pending: map[int]*fileResult{}}
	if err := manifest.LoadEach(ctx, opts.Source, b.start, b.loaded); err != nil {
		return nil, err
	}
	if err := b.checkLarge(ctx); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.advance()
	b.mu.Unlock()
	return b.p, nil
}

// inlineDocs is the most documents a file may hold to be checked by the worker
// that parsed it; larger files are checked across all cores afterwards.
const inlineDocs = 16

// builder is the state of one Build.
type builder struct {
	opts Options

	mu      sync.Mutex
	pending map[int]*fileResult // loaded, not yet joined, by file index
	next    int                 // files before next have joined p
	p       *Plan
	first   map[identityKey]firstJob
	paths   *manifest.Paths // of every file, by index
}

// fileResult is what loading and checking one file found.
type fileResult struct {
	file  manifest.File // its documents kept only while large
	jobs  []Job
	diags [][]manifest.Diagnostic // per document, Doc the index in the file
	large bool                    // waiting for checkLarge
}

func (b *builder) start(paths *manifest.Paths) {
	b.paths = paths
	b.p.Files = paths.Len()
}

// loaded checks a small file's documents at once, keeps a large one for
// checkLarge, and lets finished files join the plan.
func (b *builder) loaded(i int, f manifest.File) {
	r := &fileResult{}
	if len(f.Docs) > inlineDocs {
		r.file, r.large = f, true
	} else {
		r.file = manifest.File{Path: f.Path, Diagnostics: f.Diagnostics}
		r.jobs, r.diags = make([]Job, len(f.Docs)), make([][]manifest.Diagnostic, len(f.Docs))
		for k := range f.Docs {
			r.jobs[k], r.diags[k] = check(f.Docs[k], k, b.opts)
		}
	}
	b.mu.Lock()
	b.pending[i] = r
	b.advance()
	b.mu.Unlock()
}

// advance adds to the plan, in order, every file whose results are complete.
// b.mu is held.
func (b *builder) advance() {
	for {
		r, ok := b.pending[b.next]
		if !ok || r.large {
			return
		}
		b.join(b.next, r)
		delete(b.pending, b.next)
		b.next++
	}
}

// join adds file i's results to the plan: its own problems, then each
// document's, then the document's job.
func (b *builder) join(i int, r *fileResult) {
	p := b.p
	p.Diagnostics = append(p.Diagnostics, r.file.Diagnostics...)
	for k := range r.jobs {
		global := p.Documents
		ds := r.diags[k]
		for d := range ds {
			ds[d].Doc = global
		}
		slices.SortStableFunc(ds, func(a, b manifest.Diagnostic) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Col - b.Col
		})
		p.Diagnostics = append(p.Diagnostics, ds...)
		j := r.jobs[k]
		if d := b.identity(&j, global, i); d != nil {
			p.Diagnostics = append(p.Diagnostics, *d)
		}
		p.Documents++
		if j.Invalid {
			p.Invalid++
		}
		if !b.opts.NoJobs {
			p.Jobs = append(p.Jobs, j)
			continue
		}
		for _, s := range j.Secrets {
			if p.secrets == nil {
				p.secrets = map[string]struct{}{}
			}
			p.secrets[s] = struct{}{}
		}
	}
}

// checkLarge checks the documents of the files loaded sets aside, on all
// cores.
func (b *builder) checkLarge(ctx context.Context) error {
	type slot struct{ file, doc int }
	var slots []slot
	for fi, r := range b.pending {
		if !r.large {
			continue
		}
		r.jobs, r.diags = make([]Job, len(r.file.Docs)), make([][]manifest.Diagnostic, len(r.file.Docs))
		for k := range r.file.Docs {
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
				r := b.pending[s.file] // the map is only read while workers run; each slot is written by one worker
				r.jobs[s.doc], r.diags[s.doc] = check(r.file.Docs[s.doc], s.doc, b.opts)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, r := range b.pending {
		if r.large {
			r.file.Docs, r.large = nil, false
		}
	}
	return nil
}
