package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
)

// discoverFS is discover for Source.FS: the same walk (lexical order,
// *.yaml and *.yml, hidden entries skipped, a file named explicitly read
// whatever its extension), except that a symbolic link is never followed:
// it is skipped with a warning, named or met in a walk. FS is a revision
// of a repository, where a link may point anywhere on the machine that
// reads it.
func discoverFS(src Source) (*found, error) {
	if len(src.FSPaths) != len(src.Paths) {
		return nil, errors.New("manifest: Source.FSPaths must name each of Source.Paths")
	}
	out := &found{}
	for i, shown := range src.Paths {
		if shown == "-" {
			return nil, errors.New(`"-" (stdin) has no earlier revision: name files or directories`)
		}
		name := src.FSPaths[i]
		info, err := fsStat(src.FS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // nothing there at that revision: every job is new
		}
		if err != nil {
			out.problem(shown, fileDiag(shown, describeOpenError(err)))
			continue
		}
		switch {
		case info.IsDir():
			walkFS(src.FS, name, shown, out)
		case info.Mode()&fs.ModeSymlink != 0:
			out.problem(shown, symlinkSkipped(shown))
		case !info.Mode().IsRegular():
			out.problem(shown, fileDiag(shown, fmt.Sprintf("not a regular file (%s)", safefile.Kind(info.Mode()))))
		case IsDefaultsName(path.Base(name)):
			out.nameFS(shown, name)
			out.add(shown, special{defaults: true})
		default:
			out.fileFS(shown, name)
		}
	}
	return out, nil
}

// fsStat is fs.Stat without following a symbolic link, when the FS can say
// (gittree.Tree's Stat never follows one).
func fsStat(fsys fs.FS, name string) (fs.FileInfo, error) {
	return fs.Stat(fsys, name)
}

func symlinkSkipped(shown string) diag.Diagnostic {
	return diag.Diagnostic{File: shown, Severity: diag.Warning, Kind: diag.File,
		Message: "skipped: a symbolic link in the revision is not followed"}
}

func walkFS(fsys fs.FS, dir, shown string, out *found) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		out.problem(shown, fileDiag(shown, describeOpenError(err)))
		return
	}
	for _, de := range entries {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p, s := path.Join(dir, name), filepath.Join(shown, name)
		mode := de.Type()
		switch {
		case mode.IsDir():
			walkFS(fsys, p, s, out)
		case !isManifestName(name) || IsDefaultsName(name):
			continue // defaults files are read as the chain of each manifest
		case mode&fs.ModeSymlink != 0:
			out.problem(s, symlinkSkipped(s))
		case !mode.IsRegular():
			out.problem(s, diag.Diagnostic{File: s, Severity: diag.Warning, Kind: diag.File,
				Message: fmt.Sprintf("skipped: not a regular file (%s)", safefile.Kind(mode))})
		default:
			out.fileFS(s, p)
		}
	}
}

// fileFS adds a file of the FS: shown as the user would name it, read by
// name.
func (fd *found) fileFS(shown, name string) {
	fd.nameFS(shown, name)
	fd.paths.Add(shown)
}

// nameFS records the FS name of the next entry, by index, and of its
// directory, by the name shown.
func (fd *found) nameFS(shown, name string) {
	i := fd.paths.Len()
	for len(fd.fsNames) < i {
		fd.fsNames = append(fd.fsNames, "")
	}
	fd.fsNames = append(fd.fsNames, name)
	if fd.fsDirs == nil {
		fd.fsDirs = map[string]string{}
	}
	fd.fsDirs[filepath.Dir(shown)] = path.Dir(name)
}

// fsTree is the Tree of defaults files of Source.FS: a chain runs up to
// the root of the FS (the root of the revision's repository), and a
// defaults file is read under the rules of manifests, a symbolic link not
// followed. Directories are FS names; a defaults file is shown as
// "REV-relative" names are: relative to the working directory's place in
// the FS, found from the manifests' own names.
type fsTree struct {
	fsys fs.FS
	dirs map[string]string // a manifest's directory as shown → its FS name
}

func newFSTree(src Source, fd *found) *fsTree {
	return &fsTree{fsys: src.FS, dirs: fd.fsDirs}
}

// DirOf returns the FS directory of a manifest, "." when unknown (stdin
// is refused in FS mode).
func (t *fsTree) DirOf(manifest string) string {
	if d, ok := t.dirs[filepath.Dir(manifest)]; ok {
		return d
	}
	return "."
}

// Up returns dir's parent, up to the root of the FS.
func (t *fsTree) Up(dir string) (string, bool) {
	if dir == "." || dir == "" {
		return "", false
	}
	return path.Dir(dir), true
}

// Defaults reads dir's _defaults.yaml or _defaults.yml; both is an error.
func (t *fsTree) Defaults(dir string) (string, []byte, bool, error) {
	var name string
	var data []byte
	var readErr error
	found := false
	for _, n := range defaultsNames {
		p := path.Join(dir, n)
		if _, err := fsStat(t.fsys, p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if found {
			return name, nil, true, fmt.Errorf("both %s and %s are in %s; keep one", defaultsNames[0], defaultsNames[1], dir)
		}
		var d *diag.Diagnostic
		b, d := readFS(t.fsys, p, p)
		name, data, found = p, b, true
		if d != nil {
			readErr = errors.New(d.Message)
		}
	}
	return name, data, found, readErr
}

// readFS reads a file of the FS under the limits of a file on disk: a
// regular file of at most MaxFileSize bytes, refused on its size unread.
func readFS(fsys fs.FS, name, shown string) ([]byte, *diag.Diagnostic) {
	problem := func(err error) ([]byte, *diag.Diagnostic) {
		d := fileDiag(shown, describeOpenError(err))
		return nil, &d
	}
	f, err := fsys.Open(name)
	if err != nil {
		return problem(err)
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return problem(err)
	case !info.Mode().IsRegular():
		return problem(fmt.Errorf("not a regular file (%s)", safefile.Kind(info.Mode())))
	case info.Size() > MaxFileSize:
		return problem(safefile.ErrTooLarge)
	}
	data, err := safefile.ReadLimited(f, shown, MaxFileSize)
	if err != nil {
		return problem(err)
	}
	return data, nil
}
