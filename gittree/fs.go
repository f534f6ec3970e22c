package gittree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrSymlink is the error of opening a symbolic link of a tree: links in a
// revision are never followed.
var ErrSymlink = errors.New("a symbolic link in the revision (not followed)")

// prefetchBudget bounds the bytes Tree reads ahead in one batch; files past
// it are read when opened, through the same process.
const prefetchBudget = 64 << 20

// entry is one line of git ls-tree.
type entry struct {
	mode, kind, oid string
	size            int64 // -1 for trees and submodules
	path            string
}

// Tree is the files of one commit under some paths, as an fs.FS: names are
// slash-separated paths from the root of the repository ("." is the root).
// Directories list only what was asked for and what leads to it. Close it
// when done.
type Tree struct {
	// Commit is the commit id the tree is of.
	Commit   string
	entries  map[string]entry
	children map[string][]string

	mu        sync.Mutex
	repo      *Repo
	ctx       context.Context
	maxSize   int64
	data      map[string][]byte // contents read ahead, by object id
	b         *batch
	named     map[string]bool // the paths Tree was given
	aheadDone bool
}

// Tree lists the files of commit under paths (slash-separated, relative to
// the root of the repository; "." for all of it), and every _defaults.yaml
// or _defaults.yml on the way from each path up to the root. On the first
// read, the blobs whose name ends in .yaml or .yml, or that are named in
// paths, are read ahead, in one `git cat-file --batch` that later reads go
// through too; none over maxSize is read at all (opening it gives its
// size, for the caller to refuse).
func (r *Repo) Tree(ctx context.Context, commit string, paths []string, maxSize int64) (*Tree, error) {
	if !isHex(commit) {
		return nil, fmt.Errorf("%q is not a commit id: resolve it first", commit)
	}
	args := []string{"ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit, "--"}
	named := map[string]bool{}
	whole := false
	for _, p := range paths {
		if p == "." {
			whole = true
		}
		named[p] = true
	}
	if !whole {
		specs := map[string]bool{}
		for _, p := range paths {
			specs[p] = true
			for dir := path.Dir(p); ; dir = path.Dir(dir) {
				prefix := ""
				if dir != "." {
					prefix = dir + "/"
				}
				specs[prefix+"_defaults.yaml"], specs[prefix+"_defaults.yml"] = true, true
				if dir == "." {
					break
				}
			}
		}
		args = append(args, slices.Sorted(maps.Keys(specs))...)
	}
	out, err := r.git(ctx, nil, args...)
	if err != nil {
		return nil, err
	}
	t := &Tree{Commit: commit, entries: map[string]entry{".": {mode: "040000", kind: "tree", size: -1, path: "."}},
		children: map[string][]string{}, repo: r, ctx: ctx, maxSize: maxSize, data: map[string][]byte{}}
	err = parseTree(out, func(e entry) {
		if !fs.ValidPath(e.path) {
			return // git allows no such path; never let one through
		}
		t.entries[e.path] = e
		dir := path.Dir(e.path)
		t.children[dir] = append(t.children[dir], path.Base(e.path))
	})
	if err != nil {
		return nil, err
	}
	for _, c := range t.children {
		slices.Sort(c)
	}
	t.named = named
	return t, nil
}

// readAheadOnce reads, on the first read of a blob, every blob Tree said
// it would read ahead that is still in the tree (DropSame may have taken
// most out); t.mu is held.
func (t *Tree) readAheadOnce() error {
	if t.aheadDone {
		return nil
	}
	t.aheadDone = true
	var ahead []entry
	var total int64
	seen := map[string]bool{}
	for _, e := range t.entries {
		if !e.regular() || e.size > t.maxSize || seen[e.oid] || !(isManifestName(e.path) || t.named[e.path]) {
			continue
		}
		if total+e.size > prefetchBudget {
			continue
		}
		seen[e.oid] = true
		total += e.size
		ahead = append(ahead, e)
	}
	if len(ahead) == 0 {
		return nil
	}
	return t.readAhead(ahead)
}

func isManifestName(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func (e entry) regular() bool { return e.kind == "blob" && (e.mode == "100644" || e.mode == "100755") }

func (e entry) symlink() bool { return e.kind == "blob" && e.mode == "120000" }

// readAhead reads blobs in one stream: ids written by one goroutine while
// the answers are read, so neither pipe fills up.
func (t *Tree) readAhead(es []entry) error {
	b, err := t.batch()
	if err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		for _, e := range es {
			buf.WriteString(e.oid)
			buf.WriteByte('\n')
		}
		_, err := b.in.Write(buf.Bytes())
		werr <- err
	}()
	for _, e := range es {
		data, err := b.read(e.oid, t.maxSize)
		if err != nil {
			<-werr
			return err
		}
		t.data[e.oid] = data
	}
	return <-werr
}

// batch starts the cat-file process on first use; t.mu is held or the tree
// is not yet shared.
func (t *Tree) batch() (*batch, error) {
	if t.b != nil {
		return t.b, nil
	}
	b, err := t.repo.startBatch(t.ctx)
	if err != nil {
		return nil, err
	}
	t.b = b
	return b, nil
}

// blob returns the contents of e.
func (t *Tree) blob(e entry) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.readAheadOnce(); err != nil {
		return nil, err
	}
	if d, ok := t.data[e.oid]; ok {
		return d, nil
	}
	b, err := t.batch()
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(b.in, e.oid+"\n"); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return b.read(e.oid, t.maxSize)
}

// Close stops the cat-file process.
func (t *Tree) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.b == nil {
		return nil
	}
	err := t.b.close()
	t.b = nil
	return err
}

// Open opens a file or directory of the tree. A symbolic link is an error
// wrapping ErrSymlink, never followed.
func (t *Tree) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	e, ok := t.entries[name]
	switch {
	case !ok:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case e.symlink():
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSymlink}
	case e.kind == "tree":
		return &dirFile{t: t, info: info{e}}, nil
	}
	return &blobFile{t: t, info: info{e}}, nil
}

// Stat describes an entry without following a symbolic link (it is one, of
// mode fs.ModeSymlink), as os.Lstat would.
func (t *Tree) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	e, ok := t.entries[name]
	if !ok {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return info{e}, nil
}

// ReadDir lists a directory, sorted by name.
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	e, ok := t.entries[name]
	if !fs.ValidPath(name) || !ok || e.kind != "tree" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return t.list(name), nil
}

func (t *Tree) list(dir string) []fs.DirEntry {
	names := t.children[dir]
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		p := n
		if dir != "." {
			p = dir + "/" + n
		}
		out = append(out, fs.FileInfoToDirEntry(info{t.entries[p]}))
	}
	return out
}

// info is an entry as fs.FileInfo.
type info struct{ e entry }

func (i info) Name() string { return path.Base(i.e.path) }
func (i info) Size() int64  { return max(i.e.size, 0) }
func (i info) Mode() fs.FileMode {
	switch {
	case i.e.kind == "tree":
		return fs.ModeDir | 0o755
	case i.e.symlink():
		return fs.ModeSymlink | 0o777
	case i.e.regular():
		return 0o644
	}
	return fs.ModeIrregular // a submodule
}
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.e.kind == "tree" }
func (i info) Sys() any           { return nil }

// blobFile is an open file; its contents are read on the first Read, so
// that a file refused on its size is never read.
type blobFile struct {
	t    *Tree
	info info
	r    *bytes.Reader
}

func (f *blobFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *blobFile) Close() error               { return nil }
func (f *blobFile) Read(p []byte) (int, error) {
	if f.r == nil {
		if !f.info.e.regular() {
			return 0, &fs.PathError{Op: "read", Path: f.info.e.path, Err: fs.ErrInvalid}
		}
		if f.info.e.size > f.t.maxSize {
			return 0, &fs.PathError{Op: "read", Path: f.info.e.path, Err: errTooLarge}
		}
		data, err := f.t.blob(f.info.e)
		if err != nil {
			return 0, err
		}
		f.r = bytes.NewReader(data)
	}
	return f.r.Read(p)
}

var errTooLarge = errors.New("file too large")

// dirFile is an open directory.
type dirFile struct {
	t    *Tree
	info info
	read int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.e.path, Err: fs.ErrInvalid}
}
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	all := d.t.list(d.info.e.path)[d.read:]
	if n > 0 && len(all) > n {
		all = all[:n]
	}
	d.read += len(all)
	if n > 0 && len(all) == 0 {
		return nil, io.EOF
	}
	return all, nil
}
