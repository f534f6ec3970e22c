package main

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/gittree"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/report"
	"github.com/daestro-jobs/daestro-jobs/review"
)

const (
	flagBase  = "base"
	flagSince = "since"
)

// The CI variables diff takes its base from when --base is absent.
const (
	envGitHubBaseRef = "GITHUB_BASE_REF"                // pull requests: the target branch
	envGitLabBaseSHA = "CI_MERGE_REQUEST_DIFF_BASE_SHA" // merge requests: the merge base
)

// diffOptions are the flags of `daestro-jobs diff`.
type diffOptions struct {
	manifests        manifestOptions
	output           outputOption
	base             string
	detailedExitcode bool
}

func diffCommand(e env) *cli.Command {
	o := &diffOptions{}
	return &cli.Command{
		Name:      "diff",
		Usage:     "what applying the working tree will do, against a git revision: new, edited, removed jobs; offline",
		ArgsUsage: " ",
		Flags: append(o.manifests.flags(), o.output.flag(report.DiffCommand),
			&cli.StringFlag{Name: flagBase, Destination: &o.base,
				Usage: "the git `REV` to compare with (default: origin/$GITHUB_BASE_REF in a GitHub pull request, $CI_MERGE_REQUEST_DIFF_BASE_SHA in a GitLab merge request)"},
			&cli.BoolFlag{Name: flagDetailedExitcode, Destination: &o.detailedExitcode,
				Usage: "exit 0 when nothing is new, 2 when something is, 1 on any error (usage errors included)"}),
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			o.output.set = c.IsSet(flagOutput)
			return runDiff(c.Context, e, o)
		},
	}
}

// runDiff is `daestro-jobs diff`: the jobs of the working tree against
// those of the same paths at the base revision, as review classifies them.
// Unset variables are warnings, as in validate: a pull request's pipeline
// rarely holds production secrets, and values are compared as written.
func runDiff(ctx context.Context, e env, o *diffOptions) error {
	format, err := chooseFormat(e, &o.output, report.DiffCommand)
	if err != nil {
		return err
	}
	rev := o.base
	if rev == "" {
		if rev = ciBase(e); rev == "" {
			return usagef("no base revision: pass --%s REV (e.g. --%s origin/main); it defaults to origin/$%s in a GitHub pull request and $%s in a GitLab merge request",
				flagBase, flagBase, envGitHubBaseRef, envGitLabBaseSHA)
		}
	}
	opts, err := planOptions(e, &o.manifests, plan.Options{UnsetIsWarning: true, Keep: plan.KeepBodies, KeepWritten: true})
	if err != nil {
		return err
	}
	base, err := planBase(ctx, opts, rev)
	if err != nil {
		return err
	}
	head, err := runPlan(ctx, opts)
	if err != nil {
		return err
	}
	s := openSession(e, format, append(head.Secrets(), base.plan.Secrets()...))
	defer s.close()
	d := &report.Diff{Base: rev, Commit: base.commit, Result: base.compare(head),
		Diagnostics: append(head.Diagnostics, base.diagnostics()...)}
	if err := wrote(report.NewDiff(format, s.Streams, s.options()).Diff(d)); err != nil {
		return err
	}
	switch {
	case head.Errors() > 0:
		return &exitError{code: exitFailure}
	case o.detailedExitcode && d.Result.Counts.New > 0:
		return errChanged
	}
	return nil
}

// ciBase is the base revision a CI run names: the target branch of a
// GitHub pull request (as actions/checkout fetches it, under origin/), or
// the merge base of a GitLab merge request; "" elsewhere.
func ciBase(e env) string {
	if ref := e.getenv(envGitHubBaseRef); ref != "" {
		return "origin/" + ref
	}
	return e.getenv(envGitLabBaseSHA)
}

// basePlan is the plan of the manifests at a revision.
type basePlan struct {
	plan   *plan.Plan
	commit string
	// same names the files of the working tree whose bytes are those at
	// the revision (and no defaults file differs): left out of the plan,
	// their jobs are unchanged.
	same func(file string) bool
}

// compare classifies the jobs of head against the base.
func (b *basePlan) compare(head *plan.Plan) *review.Result {
	return review.Compare(b.plan, head, b.same)
}

// diagnostics are the base's errors as warnings, and its warnings about
// whole files (a symbolic link not followed), each named by the commit
// (git show's REV:path): a broken base does not stop a review, and its
// other warnings say nothing about the change.
func (b *basePlan) diagnostics() []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range b.plan.Diagnostics {
		if d.Severity != diag.Error && d.Kind != diag.File {
			continue
		}
		d.Severity = diag.Warning
		d.File = short(b.commit) + ":" + d.File
		d.Message = "at the base revision: " + d.Message
		out = append(out, d)
	}
	return out
}

func short(id string) string { return id[:min(len(id), 7)] }

// planBase plans the paths of opts at rev, read through git: rev resolved
// to a commit id first (never read as an option), its files read under the
// limits of working files, its symbolic links not followed. Values are kept
// as written where review compares them so.
func planBase(ctx context.Context, opts plan.Options, rev string) (*basePlan, error) {
	repo, err := gittree.Open(ctx, "")
	if errors.Is(err, gittree.ErrNotRepository) {
		return nil, failf(nil, "not inside a git repository: the base revision is read with git; run from a clone")
	} else if err != nil {
		return nil, failf(nil, "%v", err)
	}
	commit, err := repo.Resolve(ctx, rev)
	if errors.Is(err, gittree.ErrUnknownRevision) {
		hint := ""
		if repo.Shallow {
			hint = " (this is a shallow clone)"
		}
		return nil, failf(nil, "base revision %q is not in this clone%s; fetch the history: actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch origin", rev, hint)
	} else if err != nil {
		return nil, failf(nil, "%v", err)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, failf(nil, "%v", err)
	}
	paths := opts.Source.Paths
	fsPaths := make([]string, len(paths))
	for i, p := range paths {
		if p == "-" {
			return nil, usagef(`-f - (stdin) has no earlier revision to compare with: name files or directories`)
		}
		if fsPaths[i], err = treePath(wd, repo.Prefix, p); err != nil {
			return nil, failf(nil, "%v", err)
		}
	}
	tree, err := repo.Tree(ctx, commit, fsPaths, manifest.MaxFileSize)
	if err != nil {
		return nil, failf(nil, "reading %s: %v", rev, err)
	}
	defer tree.Close()
	// Files the same at both revisions need not be read at the base.
	dropped := tree.DropSame(func(name string) string { return workPath(repo.Prefix, name) })
	same := func(file string) bool {
		p, err := treePath(wd, repo.Prefix, file)
		return err == nil && dropped[p]
	}
	opts.Source = manifest.Source{Paths: paths, FS: tree, FSPaths: fsPaths}
	opts.EnvErr = nil // reported with the working tree
	opts.UnsetIsWarning, opts.AllowEmpty, opts.Keep, opts.KeepWritten = true, true, plan.KeepBodies, true
	p, err := runPlan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &basePlan{plan: p, commit: commit, same: same}, nil
}

// treePath names a path as given (relative to the working directory, or
// absolute) in the repository's tree, from the working directory's place in
// it.
func treePath(wd, prefix, p string) (string, error) {
	if filepath.IsAbs(p) {
		var err error
		if p, err = filepath.Rel(wd, p); err != nil {
			return "", err
		}
	}
	q := path.Clean(prefix + filepath.ToSlash(p))
	if q == ".." || strings.HasPrefix(q, "../") || strings.HasPrefix(q, "/") {
		return "", errors.New(p + " is outside the git repository")
	}
	return q, nil
}

func diffDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"-f PATH... [--base REV] [-o FORMAT] [OPTIONS]"},
		description: []string{
			"Compares the jobs of the working tree with the jobs at a git revision, offline: which jobs applying will create (new), which manifests changed under a name that is already taken (edited: not sent again) and which were removed.",
		},
		examples: []example{
			{"what applying will do, against main", "daestro-jobs diff --base main -f jobs/"},
			{"a table for a merge request comment", "daestro-jobs diff -o markdown --base origin/main -f jobs/"},
		},
		env: []string{envGitHubActions, "GITHUB_BASE_REF", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "any $VAR a manifest names"},
	}
}

// workPath names a path of the repository's tree on disk, relative to the
// working directory.
func workPath(prefix, name string) string {
	rel, err := filepath.Rel(filepath.FromSlash("/"+prefix), filepath.FromSlash("/"+name))
	if err != nil {
		return name
	}
	return rel
}
