package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
)

// found is what discovery found, in the order it will be reported: a path
// per entry, compactly (a run over 100,000 files holds them all), and, for
// the few entries that are not files to read, what they are.
type found struct {
	paths   Paths
	special map[int]special
	fsNames []string          // with Source.FS: each file's name in it, by index
	fsDirs  map[string]string // with Source.FS: directories as shown → their names in it
}

// special is an entry that is stdin, or a problem rather than a file.
type special struct {
	stdin    bool
	defaults bool // a defaults file named with -f: read as defaults, holding no job
	diag     *diag.Diagnostic
}

func (fd *found) file(path string) { fd.paths.Add(path) }

func (fd *found) problem(path string, d diag.Diagnostic) { fd.add(path, special{diag: &d}) }

func (fd *found) add(path string, s special) {
	if fd.special == nil {
		fd.special = map[int]special{}
	}
	fd.special[fd.paths.Len()] = s
	fd.paths.Add(path)
}

// fileDiag is a problem with a whole file.
func fileDiag(path, msg string) diag.Diagnostic {
	return diag.Diagnostic{File: path, Message: msg, Severity: diag.Error, Kind: diag.File}
}

// discover expands the -f paths into the list of files to read.
func discover(paths []string) (*found, error) {
	out := &found{}
	stdinSeen := false
	for _, p := range paths {
		if p == "-" {
			if stdinSeen {
				return nil, errors.New(`"-" (stdin) may be given only once`)
			}
			stdinSeen = true
			out.add(StdinName, special{stdin: true})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			out.problem(p, fileDiag(p, describeOpenError(err)))
			continue
		}
		if !info.IsDir() {
			// A file named explicitly is read whatever its extension, as kubectl
			// does; only directory walks filter by extension.
			if !info.Mode().IsRegular() {
				out.problem(p, fileDiag(p, fmt.Sprintf("not a regular file (%s); pass a YAML file, a directory or - for stdin", safefile.Kind(info.Mode()))))
				continue
			}
			if IsDefaultsName(filepath.Base(p)) {
				out.add(p, special{defaults: true})
				continue
			}
			out.file(p)
			continue
		}
		w := walker{}
		w.walk(p, info, out)
	}
	return out, nil
}

// walker walks one directory tree, following symbolic links but never into a
// directory that is already on the current path (a loop).
type walker struct {
	stack []os.FileInfo // directories from the root to the current one
}

func (w *walker) walk(dir string, info os.FileInfo, out *found) {
	for _, anc := range w.stack {
		if os.SameFile(anc, info) {
			out.problem(dir, diag.Diagnostic{File: dir, Severity: diag.Warning, Kind: diag.File,
				Message: "skipped: symbolic link loop (this directory is already being walked)"})
			return
		}
	}
	w.stack = append(w.stack, info)
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()

	names, err := os.ReadDir(dir) // sorted by name: lexical order
	if err != nil {
		out.problem(dir, fileDiag(dir, describeOpenError(err)))
		return
	}
	for _, de := range names {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue // .git, .cache, editor swap files
		}
		p := filepath.Join(dir, name)
		mode := de.Type()
		var fi os.FileInfo
		if mode&fs.ModeSymlink != 0 || mode.IsDir() {
			fi, err = os.Stat(p) // follows links
			if err != nil {
				if mode&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) && !isManifestName(name) {
					continue // a dangling link to something we would not read anyway
				}
				if errors.Is(err, syscall.ELOOP) {
					// Links that point at each other in a ring: a loop too.
					out.problem(p, diag.Diagnostic{File: p, Severity: diag.Warning, Kind: diag.File,
						Message: "skipped: symbolic link loop (too many levels of symbolic links)"})
					continue
				}
				out.problem(p, fileDiag(p, describeOpenError(err)))
				continue
			}
			mode = fi.Mode()
		}
		switch {
		case mode.IsDir():
			w.walk(p, fi, out)
		case !isManifestName(name) || IsDefaultsName(name):
			continue // defaults files are read as the chain of each manifest
		case !mode.IsRegular():
			out.problem(p, diag.Diagnostic{File: p, Severity: diag.Warning, Kind: diag.File,
				Message: fmt.Sprintf("skipped: not a regular file (%s)", safefile.Kind(mode))})
		default:
			out.file(p)
		}
	}
}

func isManifestName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied: cannot read it"
	case errors.Is(err, safefile.ErrTooLarge):
		return tooLarge
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var tooLarge = fmt.Sprintf("larger than the %d MiB limit for one manifest file; split it into several files", MaxFileSize>>20)

// openFile opens one manifest file and reads it whole if it is smaller than
// streamAt bytes; a larger one is returned open, to be read a group of
// documents at a time. What is opened is checked, not only the path the walk
// saw: a FIFO swapped in since is refused, never waited on; a file over
// MaxFileSize is refused on its size, unread.
func openFile(path string, streamAt int64) ([]byte, *os.File, *diag.Diagnostic) {
	problem := func(err error) ([]byte, *os.File, *diag.Diagnostic) {
		d := fileDiag(path, describeOpenError(err))
		return nil, nil, &d
	}
	f, info, err := safefile.OpenInfo(path)
	if err != nil {
		return problem(err)
	}
	switch {
	case info.Size() > MaxFileSize:
		f.Close()
		return problem(safefile.ErrTooLarge)
	case info.Size() >= streamAt:
		return nil, f, nil
	}
	defer f.Close()
	data, err := safefile.ReadSized(f, path, MaxFileSize, info.Size())
	if err != nil {
		return problem(err)
	}
	return data, nil, nil
}

// capped reads at most MaxFileSize bytes from a file being read a group at a
// time, and fails past them: a file can grow while it is read.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, safefile.ErrTooLarge
	}
	p = p[:min(int64(len(p)), c.left+1)]
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, safefile.ErrTooLarge
	}
	return n, err
}
