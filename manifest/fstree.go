package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
)

// FSTree is a Tree over an fs.FS holding a whole repository, its root at
// the FS's ".": the tree of a git revision, for `diff --base` to resolve
// each base manifest with the defaults it had then. The chain of every
// directory stops at the repository's root. A defaults file that is a
// symbolic link in the FS is refused, not followed (a revision's link may
// point anywhere on the machine that reads it).
type FSTree struct {
	fsys fs.FS
	root string // the repository's root on disk, absolute
	cwd  string // the working directory, absolute
}

// NewFSTree returns the tree of fsys, a repository whose root is at root on
// disk, as seen from the working directory cwd (both absolute): manifests
// are named as the run names them, relative to cwd or absolute, and so are
// the defaults files in messages.
func NewFSTree(fsys fs.FS, root, cwd string) *FSTree {
	return &FSTree{fsys: fsys, root: filepath.Clean(root), cwd: filepath.Clean(cwd)}
}

// outside names a directory outside the repository: it has no defaults.
const outside = "\x00outside"

// DirOf returns the manifest's directory as the FS names it.
func (t *FSTree) DirOf(manifest string) string {
	d := t.cwd
	if manifest != StdinName {
		d = filepath.Dir(manifest)
		if !filepath.IsAbs(d) {
			d = filepath.Join(t.cwd, d)
		}
	}
	rel, err := filepath.Rel(t.root, d)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return outside
	}
	return filepath.ToSlash(rel)
}

// Up returns the directory above dir, up to the repository's root.
func (t *FSTree) Up(dir string) (string, bool) {
	if dir == "." || dir == outside {
		return "", false
	}
	return path.Dir(dir), true
}

// Defaults reads dir's _defaults.yaml or _defaults.yml from the FS.
func (t *FSTree) Defaults(dir string) (string, []byte, bool, error) {
	if dir == outside {
		return "", nil, false, nil
	}
	var name string
	var data []byte
	var readErr error
	found := false
	for _, n := range defaultsNames {
		p := path.Join(dir, n)
		b, err := t.read(p)
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

// read reads a file of the FS under the rules of a manifest file.
func (t *FSTree) read(name string) ([]byte, error) {
	info, err := fs.Lstat(t.fsys, name) // a link is never followed
	switch {
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, errors.New("a symbolic link in the revision is not followed")
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("not a regular file (%s)", safefile.Kind(info.Mode()))
	case info.Size() > MaxFileSize:
		return nil, safefile.ErrTooLarge
	}
	f, err := t.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safefile.ReadLimited(f, name, MaxFileSize)
}

// display names a file of the FS as the run names files: relative to the
// working directory.
func (t *FSTree) display(name string) string {
	p := filepath.Join(t.root, filepath.FromSlash(name))
	if rel, err := filepath.Rel(t.cwd, p); err == nil {
		return rel
	}
	return p
}
