// Package plan is the second stage of a run: it turns the documents the
// manifest stage decodes into the jobs a run would submit. For each document
// it expands environment references, validates against the schema, checks
// what the schema cannot say, resolves schedule times and names; across
// documents it finds duplicate identities. It knows nothing of YAML (the
// manifest stage locates every problem) and sends nothing.
package plan

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/interp"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/schedule"
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
	// Keep says how much of each document the plan keeps: its job and
	// request body (the zero value), its job without the body, or no job.
	Keep Keep
	// AllowEmpty makes paths that hold no manifest at all a warning rather
	// than an error (a repository that starts with an empty jobs/).
	AllowEmpty bool
	// KeepWritten keeps, in Job.Written, the values as written of the
	// fields a review compares unresolved (daestro-jobs diff): sensitive
	// values and values with an unset reference.
	KeepWritten bool
	// EnvErr is what reading the --env-file files found (interp.Env's
	// error): each problem is reported first, unset variables as warnings
	// when UnsetIsWarning.
	EnvErr error
	// Forbidden names variables a manifest may not reference at all (the
	// API key's, DAESTRO_API_KEY): a reference to one is an error, in
	// validate too, wherever it is and whether or not it is set.
	Forbidden []string

	zones *schedule.Zones // set by Build: one cache of time zones per run
}

// Keep says how much of each document a plan keeps. A run over many files
// holds little per document when it keeps less.
type Keep int

const (
	// KeepBodies keeps every document's Job with its Body: what apply
	// sends and a dry run shows.
	KeepBodies Keep = iota
	// KeepJobs keeps every Job without its Body (digests are still
	// computed): for reports that list every document.
	KeepJobs
	// KeepProblems keeps no Job: Plan.Jobs stays empty and only the
	// diagnostics, the counts and the distinct secrets remain, for reports
	// that list problems rather than documents (daestro-jobs validate -o text).
	KeepProblems
)

// Job is one document of the run and, when valid, the request it becomes.
type Job struct {
	File     string // as the user named it
	Line     int    // where the document starts
	Col      int
	DocIndex int // position of the document in its file, from 0
	// NameLine and NameCol are where the name is written, or where the
	// document starts when the name is generated: a conflict points there.
	NameLine, NameCol int

	Name          string // given or generated
	NameGenerated bool
	Queue         string
	ScheduleAt    string // normal form sent, "" when unscheduled

	Body    Body              // the request (zero unless Options.Keep is KeepBodies)
	Digest  [sha256.Size]byte // of Body, to tell duplicates from conflicts
	Secrets []string          // values that must never be printed
	// Written holds, with Options.KeepWritten, the value as written of
	// each sensitive value and each value with an unset reference, by its
	// field path joined with "." (container_env.DB_PASSWORD.value).
	Written map[string]string

	// Defaults are the _defaults.yaml files applied to the document,
	// farthest first.
	Defaults []string

	Invalid bool
	// DuplicateOf is the index of an earlier job with the same identity and
	// body, or -1.
	DuplicateOf int
}

// Plan is everything a run found in its manifests.
type Plan struct {
	Files int
	// Jobs holds every document's job, in manifest order; empty with
	// KeepProblems.
	Jobs        []Job
	Diagnostics []diag.Diagnostic // in file order, then by position
	// Documents and Invalid count the documents and the invalid ones, with
	// or without Jobs.
	Documents, Invalid int
	// secrets are the distinct secrets of jobs not kept (KeepProblems).
	secrets map[string]struct{}
}

// Errors counts diagnostics of severity Error.
func (p *Plan) Errors() int { return p.count(diag.Error) }

// Warnings counts diagnostics of severity Warning.
func (p *Plan) Warnings() int { return p.count(diag.Warning) }

func (p *Plan) count(s diag.Severity) int {
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
// Documents are checked by manifest.Stream as they are decoded, on all cores,
// and join the plan file by file in manifest order: identities are checked
// there, in one pass, and what the plan does not keep is let go.
func Build(ctx context.Context, opts Options) (*Plan, error) {
	opts.zones = &schedule.Zones{}
	b := &builder{opts: opts, p: &Plan{Diagnostics: envDiagnostics(opts.EnvErr, opts.UnsetIsWarning)}, first: map[identityKey]firstJob{}}
	err := manifest.Stream(ctx, opts.Source, manifest.Handler[checked]{
		Start: b.start,
		Check: func(d *manifest.Document) checked { return check(d, opts) },
		Join:  b.join,
	})
	if err != nil {
		return nil, err
	}
	b.nothingFound()
	return b.p, nil
}

// checked is one document, checked: its job and its problems.
type checked struct {
	job      Job
	diags    []diag.Diagnostic
	defaults []*manifest.DefaultsFile
}

// builder is the state of one Build; Stream calls its methods one at a time.
type builder struct {
	opts  Options
	p     *Plan
	first map[identityKey]firstJob
	paths *manifest.Paths // of every file, by index
	// reported holds the defaults files whose own problems are reported:
	// once a run, before the first document they apply to.
	reported map[*manifest.DefaultsFile]bool
}

func (b *builder) start(paths *manifest.Paths) {
	b.paths = paths
	b.p.Files = paths.Len()
}

// join adds a file's results to the plan: its own problems, then each
// document's, then the document's job.
func (b *builder) join(f manifest.File[checked]) {
	p := b.p
	p.Diagnostics = append(p.Diagnostics, f.Problems...)
	if f.Defaults != nil {
		b.defaultsProblems([]*manifest.DefaultsFile{f.Defaults}, -1)
	}
	for k, c := range f.Docs {
		global := p.Documents
		b.defaultsProblems(c.defaults, global)
		ds := c.diags
		for d := range ds {
			ds[d].Doc = global
		}
		own := f.Path
		slices.SortStableFunc(ds, func(a, b diag.Diagnostic) int {
			if a.File != b.File { // the document's own file first, then its defaults
				switch {
				case a.File == own:
					return -1
				case b.File == own:
					return 1
				}
				return strings.Compare(a.File, b.File)
			}
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Col - b.Col
		})
		p.Diagnostics = append(p.Diagnostics, ds...)
		j := c.job
		j.DocIndex = f.Indexes[k]
		if d := b.identity(&j, global, f.Index); d != nil {
			p.Diagnostics = append(p.Diagnostics, *d)
		}
		p.Documents++
		if j.Invalid {
			p.Invalid++
		}
		if b.opts.Keep != KeepProblems {
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

// defaultsProblems reports the problems of each defaults file not reported
// yet: with the first document it applies to (doc, its index in the run),
// or as about the file when it was named with -f and applies to none.
func (b *builder) defaultsProblems(files []*manifest.DefaultsFile, doc int) {
	for _, f := range files {
		if b.reported[f] {
			continue
		}
		if b.reported == nil {
			b.reported = map[*manifest.DefaultsFile]bool{}
		}
		b.reported[f] = true
		for _, d := range f.Problems {
			switch {
			case d.Kind != diag.Document:
			case doc < 0:
				d.Kind = diag.File
			default:
				d.Doc = doc
			}
			b.p.Diagnostics = append(b.p.Diagnostics, d)
		}
	}
}

// nothingFound reports paths that hold no manifest at all, as kubectl does
// ("no objects passed to apply"): a pipeline pointed at the wrong directory
// must not pass having checked nothing. A file that could not be read or
// parsed is reported already.
func (b *builder) nothingFound() {
	p := b.p
	if p.Documents > 0 || p.Files > 0 && p.Errors() > 0 {
		return
	}
	var paths []string
	for _, s := range b.opts.Source.Paths {
		if s == "-" {
			s = manifest.StdinName
		}
		paths = append(paths, s)
	}
	d := diag.Diagnostic{File: strings.Join(paths, ", "), Severity: diag.Error, Kind: diag.Run,
		Message: "no job manifests found (files ending in .yaml or .yml, holding a document); pass --allow-empty if that is expected"}
	if b.opts.AllowEmpty {
		d.Severity = diag.Warning
		d.Message = "no job manifests found (files ending in .yaml or .yml, holding a document)"
	}
	p.Diagnostics = append(p.Diagnostics, d)
}

// envDiagnostics reports what reading the dotenv files found, each problem
// located at its file and line.
func envDiagnostics(err error, unsetIsWarning bool) []diag.Diagnostic {
	var errs []error
	switch e := err.(type) {
	case nil:
		return nil
	case interface{ Unwrap() []error }:
		errs = e.Unwrap()
	default:
		errs = []error{err}
	}
	out := make([]diag.Diagnostic, 0, len(errs))
	for _, e := range errs {
		d := diag.Diagnostic{Message: e.Error(), Severity: diag.Error, Kind: diag.File}
		var fe *interp.EnvFileError
		if errors.As(e, &fe) {
			d.File, d.Line, d.Message = fe.Path, fe.Line, fe.Reason
			if fe.Var != "" && unsetIsWarning {
				d.Severity = diag.Warning
			}
			if fe.Kind == interp.Unset {
				// Said once with the manifest's uses of the same variable.
				d.Unset = fe.Var
			}
		}
		out = append(out, d)
	}
	return out
}
