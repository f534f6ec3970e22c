package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"gopkg.in/yaml.v3"
)

// yamlErrLine pulls the line number out of yaml.v3's error text.
var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Decode checks what the YAML parser lets through (NUL bytes, invalid UTF-8,
// the document limit), cuts data into its documents (see split) and decodes
// each in turn, calling each on every non-empty one while its node tree is
// alive. It returns the problems of the file as a whole, YAML syntax errors
// included, and how many documents it read, empty ones included. Stream does
// the same work spread over all cores; Decode is the single-threaded form,
// for tests and fuzzing.
func Decode(path string, data []byte, each func(*Document)) ([]diag.Diagnostic, int) {
	return DecodeWithDefaults(path, data, nil, each)
}

// DecodeWithDefaults is Decode with a chain of defaults applied under every
// document (nil: none), as Stream applies the chain of each file: for a
// caller that reads manifests from elsewhere than the disk, such as the tree
// of a git revision, with a Resolver over that tree.
func DecodeWithDefaults(path string, data []byte, chain *Chain, each func(*Document)) ([]diag.Diagnostic, int) {
	chunks, d := prepare(path, data)
	if d != nil {
		return []diag.Diagnostic{*d}, 0
	}
	var problems []diag.Diagnostic
	n := 0
	for _, c := range chunks {
		p, docs := decodeChunk(path, data, c, n, chain, each)
		problems = append(problems, p...)
		n += docs
	}
	return problems, n
}

// prepare refuses a file that is not text or holds too many documents, and
// otherwise cuts it into its documents.
func prepare(path string, data []byte) ([]chunk, *diag.Diagnostic) {
	if d := checkText(path, data, 0); d != nil {
		return nil, d
	}
	chunks := split(data)
	if len(chunks) > MaxDocuments {
		d := tooManyDocuments(path)
		return nil, &d
	}
	return chunks, nil
}

// checkText refuses text that is not UTF-8 or holds a NUL byte, which the
// YAML parser would not locate; line is the number of lines of the file
// before text.
func checkText(path string, text []byte, line int) *diag.Diagnostic {
	if i := bytes.IndexByte(text, 0); i >= 0 {
		l, col := position(text, i)
		return &diag.Diagnostic{File: path, Line: line + l, Col: col, Severity: diag.Error, Kind: diag.File,
			Message: "contains a NUL byte: this is not a text file", Source: lineText(text, l)}
	}
	if !utf8.Valid(text) {
		l, col := position(text, firstInvalidUTF8(text))
		return &diag.Diagnostic{File: path, Line: line + l, Col: col, Severity: diag.Error, Kind: diag.File,
			Message: "invalid UTF-8: manifests must be UTF-8 text", Source: strings.ToValidUTF8(lineText(text, l), "\uFFFD")}
	}
	return nil
}

func tooManyDocuments(path string) diag.Diagnostic {
	return fileDiag(path, fmt.Sprintf("more than %d documents in one file; split it into several files", MaxDocuments))
}

// decodeChunk decodes the documents of one chunk, calling each on every
// non-empty one, with chain applied under it; first is the index in the
// file of the chunk's first document. A syntax error ends the chunk, as it
// ends a YAML stream.
func decodeChunk(path string, data []byte, c chunk, first int, chain *Chain, each func(*Document)) ([]diag.Diagnostic, int) {
	text := data[c.start:c.end]
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for n := 0; ; n++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return nil, n
		}
		if err != nil {
			d := yamlDiag(path, text, err)
			anchorHint(&d, data, c)
			if d.Line > 0 {
				d.Source = lineText(text, d.Line)
				d.Line += c.line
			}
			return []diag.Diagnostic{d}, n
		}
		if first+n >= MaxDocuments {
			return []diag.Diagnostic{tooManyDocuments(path)}, n + 1
		}
		if isEmpty(&root) {
			continue
		}
		each(newDocument(path, first+n, &root, text, c.line, chain))
	}
}

// yamlDiag turns a parser error into a located diagnostic.
func yamlDiag(path string, data []byte, err error) diag.Diagnostic {
	msg := err.Error()
	d := diag.Diagnostic{File: path, Severity: diag.Error, Kind: diag.File}
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

// anchorHint adds to an unknown anchor the rule people trip on: an anchor
// reaches only its own document. data is the text the chunk c was cut from,
// searched for the anchor elsewhere, to say where it is.
func anchorHint(d *diag.Diagnostic, data []byte, c chunk) {
	m := unknownAnchor.FindStringSubmatch(strings.TrimPrefix(d.Message, "invalid YAML: "))
	if m == nil {
		return
	}
	where := ""
	re := regexp.MustCompile(`&` + regexp.QuoteMeta(m[1]) + `(?:[\s,\]}]|$)`)
	for _, loc := range re.FindAllIndex(data, -1) {
		if loc[0] < c.start || loc[0] >= c.end {
			line, _ := position(data, loc[0])
			first, _ := position(data, c.start)
			where = fmt.Sprintf(" (it is defined at line %d, in another document)", c.line+1+line-first)
			break
		}
	}
	d.Message += where + "; an anchor reaches only its own document: put shared values under an x- key of this document (x-common: &common ...), or in a _defaults.yaml for several documents or files"
}

// maxImplicitKey is YAML's limit on the length of a key written without "? ".
const maxImplicitKey = 1024

// longKey finds a key longer than YAML allows before its ":" and returns its
// 1-based line and column, or 0, 0. It is only a guess at what the parser
// tripped on, used to explain an error the parser already found.
func longKey(data []byte) (line, col int) {
	start := 0 // where the current key candidate begins
	for i := range data {
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
