package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
	"gopkg.in/yaml.v3"
)

// Shared settings: a _defaults.yaml (or _defaults.yml) in a directory holds
// one mapping of body keys that applies to every manifest document in that
// directory and below. The chain of a directory runs from the top of its tree
// (the root of its git repository) down to it; nearer files override farther
// ones and a document's own keys override all (see merge.go).

// defaultsNames are the names of a defaults file, in the order looked for.
var defaultsNames = [...]string{"_defaults.yaml", "_defaults.yml"}

// IsDefaultsName reports whether a file's base name is that of a defaults
// file: such a file is never a job.
func IsDefaultsName(base string) bool {
	return base == defaultsNames[0] || base == defaultsNames[1]
}

// A Tree is where defaults files are looked up: the working tree on disk
// (OSTree), or the tree of a git revision (diff's base). Directories are
// named in the tree's own form, which only the tree interprets; the
// Resolver caches by them and calls each method at most once per directory
// and run.
type Tree interface {
	// DirOf returns the directory of a manifest as the run names it
	// (StdinName for standard input), in the tree's form.
	DirOf(manifest string) string
	// Up returns the directory above dir in dir's chain, and false when dir
	// is the top of its chain: the root of its repository, or outside any
	// repository the working directory (or dir itself, when it is not
	// below the working directory).
	Up(dir string) (string, bool)
	// Defaults returns dir's defaults file: its name as messages print it,
	// and its text, read under the rules of manifests (a regular file, at
	// most MaxFileSize bytes). found is false when dir has none; err is a
	// problem reading the one it has.
	Defaults(dir string) (name string, data []byte, found bool, err error)
}

// DefaultsFile is one defaults file of a run, read and checked once.
type DefaultsFile struct {
	Name string // as messages print it
	// Problems are about the file itself (unreadable, not YAML, not a
	// mapping, a name, !reset with nothing to reset): reported once per
	// run, however many manifests it applies to.
	Problems []diag.Diagnostic

	text    []byte // of its document, once parsed
	offset  int    // lines of the file before text
	pairs   []pair // its top-level entries, x- keys and name left out
	invalid bool   // an error among Problems: documents below it are not checked
}

// Chain is the defaults that apply to the manifests of one directory,
// merged. It is immutable once built and shared by every document of the
// directory.
type Chain struct {
	// Files are the defaults files applied, farthest first.
	Files []*DefaultsFile
	pairs []pair // the merged entries
	index map[string]int
	// origins maps the nodes of the merged entries (each top-level key and
	// value, and each entry of a mapping value) to the file they come from.
	origins map[*yaml.Node]*DefaultsFile
	invalid *DefaultsFile // the first file of the chain with an error
}

// Names returns the names of the files applied, farthest first.
func (c *Chain) Names() []string {
	if c == nil || len(c.Files) == 0 {
		return nil
	}
	out := make([]string, len(c.Files))
	for i, f := range c.Files {
		out[i] = f.Name
	}
	return out
}

// empty reports whether the chain adds nothing.
func (c *Chain) empty() bool { return c == nil || len(c.Files) == 0 }

// Resolver finds the chain of defaults of each manifest, reading each
// defaults file once per run and merging each directory's chain once. It is
// safe for concurrent use.
type Resolver struct {
	tree  Tree
	mu    sync.Mutex
	dirs  map[string]*dirEntry // by directory, in the tree's form
	given map[string]*Chain    // by a manifest's directory as the run names it
}

type dirEntry struct {
	once  sync.Once
	chain *Chain
	file  *DefaultsFile // the directory's own file, nil when none
}

// NewResolver returns a Resolver reading defaults files from tree.
func NewResolver(tree Tree) *Resolver {
	return &Resolver{tree: tree, dirs: map[string]*dirEntry{}, given: map[string]*Chain{}}
}

// For returns the chain of defaults of a manifest named as the run names it
// (StdinName for standard input: the working directory's chain).
func (r *Resolver) For(file string) *Chain {
	if r == nil {
		return nil
	}
	key := file
	if file != StdinName {
		key = filepath.Dir(file)
	}
	r.mu.Lock()
	c, ok := r.given[key]
	r.mu.Unlock()
	if ok {
		return c
	}
	c = r.entry(r.tree.DirOf(file)).chain
	r.mu.Lock()
	r.given[key] = c
	r.mu.Unlock()
	return c
}

// File returns the defaults file of the directory of a file named as a
// defaults file, read as defaults; nil when that directory has none.
func (r *Resolver) File(file string) *DefaultsFile {
	return r.entry(r.tree.DirOf(file)).file
}

// entry returns the directory's entry, its chain built.
func (r *Resolver) entry(dir string) *dirEntry {
	r.mu.Lock()
	e := r.dirs[dir]
	if e == nil {
		e = &dirEntry{}
		r.dirs[dir] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		var parent *Chain
		if up, ok := r.tree.Up(dir); ok && up != dir {
			parent = r.entry(up).chain
		}
		e.file = r.load(dir)
		if e.file == nil {
			e.chain = parent
			return
		}
		e.chain = extend(parent, e.file)
	})
	return e
}

// load reads and checks dir's defaults file; nil when it has none.
func (r *Resolver) load(dir string) *DefaultsFile {
	name, data, found, err := r.tree.Defaults(dir)
	if !found && err == nil {
		return nil
	}
	f := &DefaultsFile{Name: name, text: data}
	if err != nil {
		f.fail(fileDiag(name, describeOpenError(err)))
		return f
	}
	f.parse()
	return f
}

func (f *DefaultsFile) fail(d diag.Diagnostic) {
	f.Problems = append(f.Problems, d)
	if d.Severity == diag.Error {
		f.invalid = true
	}
}

// parse checks the file as a manifest is checked (text, YAML, nesting,
// aliases), then as defaults: one mapping, no name.
func (f *DefaultsFile) parse() {
	chunks, d := prepare(f.Name, f.text)
	if d != nil {
		f.fail(*d)
		return
	}
	var docs []*Document
	for _, c := range chunks {
		problems, _ := decodeChunk(f.Name, f.text, c, len(docs), asWritten, func(d *Document) { docs = append(docs, d) })
		for _, p := range problems {
			f.fail(p)
		}
	}
	if f.invalid {
		return
	}
	if len(docs) > 1 {
		f.fail(diag.Diagnostic{File: f.Name, Line: docs[1].Line, Col: docs[1].Col, EndCol: docs[1].TokenEnd(docs[1].Line, docs[1].Col), Severity: diag.Error, Source: docs[1].LineText(docs[1].Line),
			Message: "a defaults file holds one mapping of body keys, not several documents"})
		return
	}
	if len(docs) == 0 {
		return // empty: nothing to apply
	}
	doc := docs[0]
	f.text, f.offset = doc.text, doc.lineOffset // node lines count from there
	for _, p := range doc.Problems {
		f.fail(p)
	}
	if f.invalid || doc.root == nil || doc.root.Kind != yaml.MappingNode {
		return
	}
	for _, p := range flatten(doc.root, 0) {
		switch {
		case strings.HasPrefix(p.key, "x-"):
			continue
		case p.key == "name":
			// An error of the run, but the manifests below are still
			// checked, without it.
			f.Problems = append(f.Problems, diag.Diagnostic{File: f.Name, Line: p.k.Line + f.offset, Col: p.k.Column, EndCol: tokenEnd(f.text, p.k.Line, p.k.Column), Path: "name", Severity: diag.Error, Source: lineText(f.text, p.k.Line),
				Message: "a defaults file cannot hold a name: names are per job; write name in each manifest, or leave it out to have one generated"})
			continue
		}
		f.pairs = append(f.pairs, p)
	}
}

// extend returns the chain of parent with f applied on top of it.
func extend(parent *Chain, f *DefaultsFile) *Chain {
	c := &Chain{index: map[string]int{}, origins: map[*yaml.Node]*DefaultsFile{}}
	if parent != nil {
		c.Files = append(c.Files, parent.Files...)
		c.pairs = append(c.pairs, parent.pairs...)
		for k, v := range parent.index {
			c.index[k] = v
		}
		for n, o := range parent.origins {
			c.origins[n] = o
		}
		c.invalid = parent.invalid
	}
	c.Files = append(c.Files, f)
	if f.invalid {
		if c.invalid == nil {
			c.invalid = f
		}
		return c
	}
	for _, p := range f.pairs {
		c.origins[p.k], c.origins[p.v] = f, f
		if m := deref(p.v); m != nil && m.Kind == yaml.MappingNode {
			for _, e := range flatten(m, 0) {
				c.origins[e.k], c.origins[e.v] = f, f
			}
		}
	}
	warn := func(n *yaml.Node, path []string, msg string) {
		f.Problems = append(f.Problems, diag.Diagnostic{File: f.Name, Line: n.Line + f.offset, Col: n.Column, EndCol: tokenEnd(f.text, n.Line, n.Column), Path: diag.FieldPath(path, nil),
			Severity: diag.Warning, Source: lineText(f.text, n.Line), Message: msg})
	}
	c.pairs = mergePairs(c.pairs, f.pairs, func(n *yaml.Node) { c.origins[n] = f }, warn)
	c.index = make(map[string]int, len(c.pairs))
	for i, p := range c.pairs {
		c.index[p.key] = i
	}
	return c
}

// OSTree is the working tree on disk. A chain stops at the root of the git
// repository holding the directory (a directory holding .git, found by
// walking up, never by running git), and outside any repository at the
// working directory, or at the manifest's own directory when it is not
// below the working directory: a stray /tmp/_defaults.yaml written by
// someone else never reaches into a job.
type OSTree struct {
	cwd string // absolute, clean
	mu  sync.Mutex
	git map[string]bool // directory → it holds .git
}

// NewOSTree returns the working tree seen from the working directory cwd
// ("" for the process's).
func NewOSTree(cwd string) (*OSTree, error) {
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding the working directory for _defaults.yaml: %w", err)
		}
		cwd = wd
	}
	abs, err := filepath.Abs(cwd)
	if err != nil {
		return nil, err
	}
	return &OSTree{cwd: abs, git: map[string]bool{}}, nil
}

// DirOf returns the absolute directory of a manifest.
func (t *OSTree) DirOf(manifest string) string {
	if manifest == StdinName {
		return t.cwd
	}
	d := filepath.Dir(manifest)
	if !filepath.IsAbs(d) {
		d = filepath.Join(t.cwd, d)
	}
	return filepath.Clean(d)
}

// Up returns dir's parent unless dir is the top of its chain.
func (t *OSTree) Up(dir string) (string, bool) {
	parent := filepath.Dir(dir)
	if parent == dir || t.hasGit(dir) {
		return "", false
	}
	if t.inRepository(parent) {
		return parent, true
	}
	if dir != t.cwd && within(dir, t.cwd) {
		return parent, true
	}
	return "", false
}

// inRepository reports whether dir or a directory above it holds .git.
func (t *OSTree) inRepository(dir string) bool {
	for {
		if t.hasGit(dir) {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

func (t *OSTree) hasGit(dir string) bool {
	t.mu.Lock()
	has, ok := t.git[dir]
	t.mu.Unlock()
	if ok {
		return has
	}
	_, err := os.Lstat(filepath.Join(dir, ".git")) // a directory, or a file in a worktree or submodule
	has = err == nil
	t.mu.Lock()
	t.git[dir] = has
	t.mu.Unlock()
	return has
}

// within reports whether dir is root or below it.
func within(dir, root string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Defaults reads dir's _defaults.yaml or _defaults.yml; both is an error.
func (t *OSTree) Defaults(dir string) (string, []byte, bool, error) {
	var name string
	var data []byte
	var readErr error
	found := false
	for _, n := range defaultsNames {
		p := filepath.Join(dir, n)
		b, err := safefile.ReadFile(p, MaxFileSize)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if found {
			return name, nil, true, fmt.Errorf("both %s and %s are in %s; keep one", defaultsNames[0], defaultsNames[1], t.display(dir))
		}
		name, data, readErr, found = t.display(p), b, err, true
	}
	return name, data, found, readErr
}

// display names a path as messages print it: relative to the working
// directory when in the working directory's repository (../_defaults.yaml
// above it) or below the working directory, else absolute.
func (t *OSTree) display(p string) string {
	top := t.cwd
	for d := t.cwd; ; d = filepath.Dir(d) {
		if t.hasGit(d) {
			top = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if within(p, top) {
		if rel, err := filepath.Rel(t.cwd, p); err == nil {
			return rel
		}
	}
	return p
}
