package manifest

import "bytes"

// chunk is a run of whole lines of a file holding one document, or none (the
// comments before the first "---"), or now and then several (documents that
// the split below does not see apart, such as lines ended by a lone "\r").
type chunk struct {
	start, end int // byte offsets in the file
	line       int // lines of the file before start
}

// split cuts data before every line that starts a document: "---" at the
// start of a line, followed by a space, a tab, a line break or the end. The
// YAML scanner takes such a line as a document start wherever it stands (in
// a block scalar it ends the scalar; in a quoted one it is an error), so the
// chunks decode to the documents the whole stream would, each with a parser
// of its own. Two deliberate consequences: decoding can spread one file's
// documents over every core, and an alias can only name an anchor of its own
// document, as YAML says (yaml.v3 reading a whole stream lets one reach into
// an earlier document). A file with a directive line ("%YAML", "%TAG"),
// which governs the document after it, is not cut.
func split(data []byte) []chunk {
	chunks := make([]chunk, 0, 1)
	start, line := 0, 0
	for i, n := 0, 0; i < len(data); n++ {
		if data[i] == '%' {
			return []chunk{{start: 0, end: len(data), line: 0}}
		}
		if i > start && isDocumentStart(data[i:]) {
			chunks = append(chunks, chunk{start: start, end: i, line: line})
			start, line = i, n
		}
		next := bytes.IndexByte(data[i:], '\n')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return append(chunks, chunk{start: start, end: len(data), line: line})
}

// isDocumentStart reports whether a line begins with the document start
// marker.
func isDocumentStart(b []byte) bool {
	if len(b) < 3 || b[0] != '-' || b[1] != '-' || b[2] != '-' {
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
