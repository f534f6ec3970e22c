package manifest

// Design note: the document cutter (split, and cutter for a file read a
// group at a time).
//
// What it guarantees. A file is cut before every line where the YAML
// scanner starts a document (see cutState), so that decoding the chunks one
// by one, each with a parser of its own, gives the documents the whole
// stream gives, at the same lines. The cutter cuts a file read a group of
// chunks at a time exactly where split cuts it whole, holding only that
// group's lines.
//
// The simple alternative: one yaml.v3 Decoder over the whole file, document
// after document. It needs no cut, but a file's documents are then decoded
// one after another on one core, the file is held whole, and an alias can
// reach an anchor of an earlier document, which YAML does not allow.
//
// What keeps it honest: FuzzSplitAgrees holds the chunks to what the
// Decoder makes of the whole stream; FuzzCutterAgreesWithSplit holds the
// cutter to split; FuzzStreamAgrees (stream_test.go) covers both inside
// Stream. BenchmarkSplit and BenchmarkCutter time them.

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/daestro-jobs/daestro-jobs/diag"
)

// chunk is a run of whole lines of a file holding one document, or none (the
// comments before the first "---"), or now and then several (documents that
// the cut does not see apart, such as lines ended by a lone "\r").
type chunk struct {
	start, end int // byte offsets in the text the chunk was cut from
	line       int // lines of the file before start
}

// The cut: a file is cut before every line that starts a document, "---" at
// the start of a line followed by a space, a tab, a line break or the end.
// The YAML scanner takes such a line as a document start wherever it stands
// (in a block scalar it ends the scalar; in a quoted one it is an error), so
// the chunks decode to the documents the whole stream would, each with a
// parser of its own. Directive lines ("%YAML", "%TAG") govern the document
// after them: the cut comes before them, not between them and their "---".
// A line starting with "%" is a directive only at the start of the stream or
// after a document end marker ("..."), as YAML says; anywhere else it is
// content (the continuation of a plain scalar) and no cut.
//
// Two deliberate consequences: decoding can spread one file's documents over
// every core, and an alias can only name an anchor of its own document, as
// YAML says (yaml.v3 reading a whole stream lets one reach into an earlier
// document).
type cutState struct {
	directive bool // in directives, before their "---"
	ended     bool // after a "..." line (or blank and comment lines after one)
}

// startsChunk reports whether line begins a new chunk.
func (st *cutState) startsChunk(line []byte) bool {
	ended := st.ended
	st.ended = ended && isBlankOrComment(line) || isMarker(line, '.')
	switch {
	case len(line) > 0 && line[0] == '%' && (ended || st.directive):
		if st.directive {
			return false
		}
		st.directive = true
		return true
	case isDocumentStart(line):
		if st.directive {
			st.directive = false
			return false
		}
		return true
	}
	return false
}

// isBlankOrComment reports a line holding only white space or a comment.
func isBlankOrComment(line []byte) bool {
	t := bytes.TrimLeft(line, " \t\r\n")
	return len(t) == 0 || t[0] == '#'
}

// split cuts the whole of data into chunks.
func split(data []byte) []chunk {
	chunks := make([]chunk, 0, 1)
	st := cutState{ended: true} // the start of a stream may hold directives
	start, line := 0, 0
	for i, n := 0, 0; i < len(data); n++ {
		end := len(data)
		if next := bytes.IndexByte(data[i:], '\n'); next >= 0 {
			end = i + next + 1
		}
		if st.startsChunk(data[i:end]) && i > start {
			chunks = append(chunks, chunk{start: start, end: i, line: line})
			start, line = i, n
		}
		n += breaks(data[i:end]) - 1 // the loop counts the "\n"
		i = end
	}
	return append(chunks, chunk{start: start, end: len(data), line: line})
}

// isDocumentStart reports whether a line begins with the document start
// marker.
func isDocumentStart(b []byte) bool { return isMarker(b, '-') }

// isMarker reports whether a line begins with a document marker of c:
// "---" or "...", followed by white space or the end.
func isMarker(b []byte, c byte) bool {
	if len(b) < 3 || b[0] != c || b[1] != c || b[2] != c {
		return false
	}
	if len(b) == 3 {
		return true
	}
	switch b[3] {
	case ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// cutter reads a large file a group of chunks at a time, so that the file is
// never held whole: each group is a copy of its own lines.
type cutter struct {
	r     *bufio.Reader
	path  string
	st    cutState
	line  int    // lines read
	carry []byte // a line read that begins the next group
	// carryLine is the number of lines before carry.
	carryLine int
	chunks    int // chunks cut so far, to enforce MaxDocuments
	done      bool
}

func newCutter(path string, r io.Reader) *cutter {
	return &cutter{r: bufio.NewReaderSize(r, 64<<10), path: path, st: cutState{ended: true}}
}

// next returns the next group of at most n chunks: its text, the chunks in
// it (offsets in the text, lines in the file), and a problem that ends the
// file (unreadable, too many documents). ok is false once nothing is left.
func (c *cutter) next(n int) (text []byte, chunks []chunk, problem *diag.Diagnostic, ok bool) {
	if c.done {
		return nil, nil, nil, false
	}
	if c.carry != nil {
		text = append(text, c.carry...)
		chunks = append(chunks, chunk{start: 0, line: c.carryLine})
		c.carry = nil
	}
	for {
		line, err := c.r.ReadBytes('\n')
		if len(line) > 0 {
			before := c.line
			c.line += breaks(line)
			if c.st.startsChunk(line) || len(chunks) == 0 {
				if len(chunks) == n {
					c.carry, c.carryLine = line, before
					break
				}
				if c.chunks++; c.chunks > MaxDocuments {
					d := tooManyDocuments(c.path)
					c.done = true
					return text, closeChunks(text, chunks), &d, true
				}
				chunks = append(chunks, chunk{start: len(text), line: before})
			}
			text = append(text, line...)
		}
		if errors.Is(err, io.EOF) {
			c.done = true
			break
		}
		if err != nil {
			d := fileDiag(c.path, "reading: "+describeOpenError(err))
			c.done = true
			return text, closeChunks(text, chunks), &d, true
		}
	}
	if len(chunks) == 0 {
		return nil, nil, nil, false
	}
	return text, closeChunks(text, chunks), nil, true
}

// closeChunks sets each chunk's end to the next one's start.
func closeChunks(text []byte, chunks []chunk) []chunk {
	for i := range chunks {
		if i+1 < len(chunks) {
			chunks[i].end = chunks[i+1].start
		} else {
			chunks[i].end = len(text)
		}
	}
	return chunks
}

// breaks counts the line breaks in one line of text as YAML counts them (and
// so the line numbers of its parser): "\n" or "\r\n", a lone "\r", NEL, LS
// and PS. A line that ends without a break counts one, as the start of the
// next line would; chunks start only after a "\n", so every count of lines
// before a chunk matches the parser's.
func breaks(line []byte) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\n':
			n++
		case c == '\r' && (i+1 == len(line) || line[i+1] != '\n'):
			n++
		case c == 0xc2 && i+1 < len(line) && line[i+1] == 0x85: // NEL
			n++
		case c == 0xe2 && i+2 < len(line) && line[i+1] == 0x80 && (line[i+2] == 0xa8 || line[i+2] == 0xa9): // LS, PS
			n++
		}
	}
	if len(line) > 0 && line[len(line)-1] != '\n' && n == 0 {
		n = 1
	}
	return n
}
