// Package manifest is the first stage of a run: it finds job manifests, reads
// them within limits, and decodes each YAML document into plain values with
// a locator that turns any field path back into the line and column where it
// is written. It owns everything that knows YAML; later stages see values.
//
// Documents are decoded as a stream on all cores (Stream): each is handed to
// the caller's check as soon as it is decoded and its node tree is dropped
// when the check returns, so a run holds a few trees at a time whatever the
// number of files or documents. A file of many documents is cut at its "---"
// lines and its documents decoded by every core, like many small files.
//
// Its subpackages resolve what the documents say: interp expands environment
// references and schedule parses schedule_at.
package manifest

import (
	"io"
	"io/fs"
)

// Limits that keep hostile or mistaken input from exhausting the machine. Each
// is reported with a message naming the limit and the file.
const (
	// MaxFileSize bounds one manifest file (or stdin). Real manifests are a few
	// kilobytes; a 10,000-job file is about 4 MiB.
	MaxFileSize = 10 << 20
	// MaxDocuments bounds the documents in one file.
	MaxDocuments = 50_000
	// MaxDepth bounds nesting inside one document. A job body is four levels
	// deep; the YAML parser's own limit (10,000) is far past anything useful.
	MaxDepth = 32
	// MaxNodes bounds the values one document expands to once aliases are
	// followed, which is what defeats "billion laughs" alias bombs.
	MaxNodes = 100_000
)

// StdinName is how standard input is named in messages.
const StdinName = "<stdin>"

// Source names the inputs of a run.
type Source struct {
	Paths []string  // files, directories and "-" for stdin, as given with -f
	Stdin io.Reader // read when a path is "-"
	// Dir is the working directory: where the chain of defaults of stdin
	// starts and, outside a git repository, where every chain stops; ""
	// for the process's, which relative Paths are read from in any case.
	Dir string
	// Tree is where _defaults.yaml files are read; nil for the disk as
	// seen from Dir (OSTree).
	Tree Tree
	// FS, when set, is read instead of the disk: a git revision's tree
	// (package gittree), for `daestro-jobs diff`. FSPaths then names each of
	// Paths in FS (fs.ValidPath names); Paths stay the names shown, so a
	// file is named alike at both revisions. FS's symbolic links are never
	// followed (see fsys.go).
	FS      fs.FS
	FSPaths []string
}
