// Package manifest finds job manifests, reads them within limits and parses
// them into YAML node trees that keep the line and column of every value.
//
// Its subpackages resolve what the documents say: interp expands environment
// references and schedule parses schedule_at.
package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
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

// Document is one non-empty YAML document of a manifest file.
type Document struct {
	File  string     // the path as the user gave it, or StdinName
	Index int        // position of the document in its file, from 0, empty ones included
	Root  *yaml.Node // the document's top-level node (a mapping for a valid manifest)
}

// File is one manifest file, read and split into documents.
type File struct {
	Path        string
	Docs        []Document
	Diagnostics []Diagnostic // file-level problems: unreadable, too large, not YAML
}

// Source names the inputs of a run.
type Source struct {
	Paths []string  // files, directories and "-" for stdin, as given with -f
	Stdin io.Reader // read when a path is "-"
}

// found is what discovery found, in the order it will be reported: a path
// per entry, compactly (a run over 100,000 files holds them all), and, for
// the few entries that are not files to read, what they are.
type found struct {
	paths   Paths
	special map[int]special
}

// special is an entry that is stdin, or a problem rather than a file.
type special struct {
	stdin bool
	diag  *Diagnostic
}

func (fd *found) file(path string) { fd.paths.Add(path) }

func (fd *found) problem(path string, d Diagnostic) { fd.add(path, special{diag: &d}) }

func (fd *found) add(path string, s special) {
	if fd.special == nil {
		fd.special = map[int]special{}
	}
	fd.special[fd.paths.Len()] = s
	fd.paths.Add(path)
}

// Load finds every manifest named by src, reads and parses them on all cores,
// and returns them in the order the paths were given and directories walked
// (lexical), whatever order the work finished in.
func Load(ctx context.Context, src Source) ([]File, error) {
	var files []File
	err := LoadEach(ctx, src, func(p *Paths) { files = make([]File, p.Len()) }, func(i int, f File) { files[i] = f })
	if err != nil {
		return nil, err
	}
	return files, nil
}

// LoadEach is Load for callers that need not hold every file at once. It
// calls start once with the paths of every file to be read (Len is their
// number; they do not change afterwards, so start may keep them to name file
// i later), then each on every file as soon as it is parsed, on the worker
// that parsed it (so concurrently, in no particular order; i is the file's
// place in Load's order). The file is each's: LoadEach keeps nothing else,
// so a run over many files holds only what each keeps.
func LoadEach(ctx context.Context, src Source, start func(paths *Paths), each func(i int, f File)) error {
	fd, err := discover(src.Paths)
	if err != nil {
		return err
	}
	n := fd.paths.Len()
	start(&fd.paths)
	var stdinData []byte
	var stdinErr error
	for _, sp := range fd.special {
		if sp.stdin {
			stdinData, stdinErr = readLimited(src.Stdin, StdinName)
			break
		}
	}

	// Workers claim files by an atomic counter rather than receiving them
	// from a feeding goroutine: with a channel, every handover woke a third
	// goroutine on machines with few cores, and the workers waited for it.
	workers := min(runtime.GOMAXPROCS(0), n)
	var claimed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if ctx.Err() != nil {
					return
				}
				i := int(claimed.Add(1) - 1)
				if i >= n {
					return
				}
				path := fd.paths.Get(i) // lives as long as what each keeps of it
				sp := fd.special[i]     // only read while workers run
				var f File
				switch {
				case sp.diag != nil:
					f = File{Path: path, Diagnostics: []Diagnostic{*sp.diag}}
				case sp.stdin && stdinErr != nil:
					f = File{Path: path, Diagnostics: []Diagnostic{fileDiag(path, stdinErr.Error())}}
				case sp.stdin:
					f = Parse(path, stdinData)
				default:
					f = loadFile(path)
				}
				each(i, f)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// fileDiag is a problem with a whole file.
func fileDiag(path, msg string) Diagnostic {
	return Diagnostic{File: path, Message: msg, Severity: Error, Doc: -1}
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
				out.problem(p, fileDiag(p, fmt.Sprintf("not a regular file (%s); pass a YAML file, a directory or - for stdin", kind(info.Mode()))))
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
			out.problem(dir, Diagnostic{File: dir, Severity: Warning, Doc: -1,
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
					out.problem(p, Diagnostic{File: p, Severity: Warning, Doc: -1,
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
		case !isManifestName(name):
			continue
		case !mode.IsRegular():
			out.problem(p, Diagnostic{File: p, Severity: Warning, Doc: -1,
				Message: fmt.Sprintf("skipped: not a regular file (%s)", kind(mode))})
		default:
			out.file(p)
		}
	}
}

func isManifestName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	}
	return "mode " + m.String()
}

func describeOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied: cannot read it"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func loadFile(path string) File {
	f, err := os.Open(path)
	if err != nil {
		return File{Path: path, Diagnostics: []Diagnostic{fileDiag(path, describeOpenError(err))}}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > MaxFileSize {
		// Refused on its size, without reading it; readLimited still bounds a
		// file that grows or lies about its size (/proc).
		return File{Path: path, Diagnostics: []Diagnostic{fileDiag(path, tooLarge)}}
	}
	data, err := readLimited(f, path)
	if err != nil {
		return File{Path: path, Diagnostics: []Diagnostic{fileDiag(path, err.Error())}}
	}
	return Parse(path, data)
}

var tooLarge = fmt.Sprintf("larger than the %d MiB limit for one manifest file; split it into several files", MaxFileSize>>20)

// readLimited reads all of r, refusing more than MaxFileSize bytes.
func readLimited(r io.Reader, name string) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %s", describeOpenError(err))
	}
	if len(data) > MaxFileSize {
		return nil, errors.New(tooLarge)
	}
	return data, nil
}

// yamlErrLine pulls the line number out of yaml.v3's error text.
var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse splits data into documents and checks what the YAML parser lets
// through: NUL bytes, invalid UTF-8 and the document limit. Keys and values are
// checked later, against the node tree.
func Parse(path string, data []byte) File {
	out := File{Path: path}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := position(data, i)
		out.Diagnostics = append(out.Diagnostics, Diagnostic{File: path, Line: line, Col: col, Severity: Error, Doc: -1,
			Message: "contains a NUL byte: this is not a text file"})
		return out
	}
	if !utf8.Valid(data) {
		i := firstInvalidUTF8(data)
		line, col := position(data, i)
		out.Diagnostics = append(out.Diagnostics, Diagnostic{File: path, Line: line, Col: col, Severity: Error, Doc: -1,
			Message: "invalid UTF-8: manifests must be UTF-8 text"})
		return out
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for index := 0; ; index++ {
		if index >= MaxDocuments {
			out.Diagnostics = append(out.Diagnostics, fileDiag(path,
				fmt.Sprintf("more than %d documents in one file; split it into several files", MaxDocuments)))
			return out
		}
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Diagnostics = append(out.Diagnostics, yamlDiag(path, data, err))
			return out
		}
		if isEmpty(&n) {
			continue
		}
		out.Docs = append(out.Docs, Document{File: path, Index: index, Root: &n})
	}
}

// yamlDiag turns a parser error into a located diagnostic.
func yamlDiag(path string, data []byte, err error) Diagnostic {
	msg := err.Error()
	d := Diagnostic{File: path, Severity: Error, Doc: -1}
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	switch {
	case parserProblems[msg]:
		// yaml.v3 prints the parser's 0-based line (the scanner's is
		// 1-based) and no line at all for the first one.
		d.Line++
	case d.Line == 0 && scannerProblem(msg):
		d.Line = 1
	}
	if n := lineCount(data); d.Line > n {
		d.Line = n // the end of the file, past its last newline
	}
	// The parser says "found character that cannot start any token" for a tab
	// in indentation; say what to do, and where.
	if col := indentTab(data, d.Line); col > 0 {
		d.Col = col
		msg = "a tab in indentation; indent with spaces (" + msg + ")"
	} else if strings.Contains(msg, "tab") {
		msg += " (indent with spaces, not tabs)"
	}
	if strings.HasPrefix(msg, "exceeded max depth of ") {
		// The parser's own limit, far past MaxDepth: say which limit matters.
		d.Message = fmt.Sprintf("nested more than %d levels deep (the YAML parser %s)", MaxDepth, strings.Replace(msg, "exceeded", "gave up past its", 1))
		return d
	}
	if line, col := longKey(data); line > 0 && (d.Line == 0 || line >= d.Line-1 && line <= d.Line+1) {
		// YAML allows at most 1024 characters before the ":" of a key; the
		// parser's message ("could not find expected ':'", "mapping values are
		// not allowed in this context") does not say so.
		d.Line, d.Col = line, col
		d.Message = fmt.Sprintf("invalid YAML: a key longer than %d characters (YAML's limit for keys not written with \"? \"; the parser said: %s)", maxImplicitKey, msg)
		return d
	}
	if msg == "control characters are not allowed" {
		if i := firstControl(data); i >= 0 {
			d.Line, d.Col = position(data, i)
			r, _ := utf8.DecodeRune(data[i:])
			msg = fmt.Sprintf("control character %U is not allowed", r)
		}
	}
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil && d.Line == 0 {
		if loc := regexp.MustCompile(`\*` + regexp.QuoteMeta(m[1]) + `(?:[\s,\]}]|$)`).FindIndex(data); loc != nil {
			d.Line, d.Col = position(data, loc[0])
		}
	}
	d.Message = "invalid YAML: " + msg
	return d
}

// lineCount counts the lines of data as YAML does, a last one without a line
// break included: "\r\n", a lone "\r", "\n", NEL, LS and PS all end a line.
func lineCount(data []byte) int {
	n := 0
	last := rune('\n')
	for i, r := range string(data) {
		switch r {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				continue
			}
			n++
		case '\n', 0x85, 0x2028, 0x2029:
			n++
		}
		last = r
	}
	if len(data) > 0 && !strings.ContainsRune("\r\n\u0085\u2028\u2029", last) {
		n++
	}
	return max(n, 1)
}

// parserProblems are the messages of yaml.v3's parser (parserc.go), whose
// line numbers it prints 0-based; its scanner's are 1-based.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// scannerProblem reports whether msg comes from the parser's scanner, which
// omits the line when it is the first one. Other errors (unknown anchors,
// control characters) never carry a line.
func scannerProblem(msg string) bool {
	for _, p := range []string{"could not find", "did not find", "found ", "mapping values are not allowed", "block sequence entries are not allowed", "exceeded max depth"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// maxImplicitKey is YAML's limit on the length of a key written without "? ".
const maxImplicitKey = 1024

// longKey finds a key longer than YAML allows before its ":" and returns its
// 1-based line and column, or 0, 0. It is only a guess at what the parser
// tripped on, used to explain an error the parser already found.
func longKey(data []byte) (line, col int) {
	start := 0 // where the current key candidate begins
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n', '{', '[', ',':
			start = i + 1
		case ':':
			if i+1 < len(data) && !strings.ContainsRune(" \t\r\n,]}", rune(data[i+1])) {
				continue
			}
			s := start
			for s < i && strings.ContainsRune(" \t\"'?-", rune(data[s])) {
				s++
			}
			if i-s > maxImplicitKey {
				return position(data, s)
			}
			start = i + 1
		}
	}
	return 0, 0
}

// firstControl returns the offset of the first character YAML does not allow
// (C0 and C1 controls other than tab, newline, carriage return and NEL), or -1.
func firstControl(data []byte) int {
	for i, r := range string(data) {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r < 0xa0 && r != 0x85 || r == 0xfffe || r == 0xffff {
			return i
		}
	}
	return -1
}

// isEmpty reports whether a document holds nothing: a bare "---", comments
// only, or an explicit null.
func isEmpty(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		n = n.Content[0]
	}
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// position converts a byte offset into a 1-based line and a 1-based column
// counted in characters.
func position(data []byte, off int) (line, col int) {
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col = 1 + utf8.RuneCount(data[start:off])
	return line, col
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// indentTab returns the 1-based column of a tab in the indentation of a line,
// or 0.
func indentTab(data []byte, line int) int {
	if line < 1 {
		return 0
	}
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return 0
		}
		data = data[j+1:]
	}
	for i, c := range data {
		switch c {
		case ' ':
			continue
		case '\t':
			return i + 1
		}
		return 0
	}
	return 0
}
