package manifest

import (
	"bytes"
	"unicode/utf8"
)

// maxSource is how much of a line Diagnostic.Source keeps: enough to tell
// lines apart, never a copy of a megabyte-long line per diagnostic.
const maxSource = 256

// nthLine returns line n (1-based) of text without its newline, and whether
// text has such a line.
func nthLine(text []byte, n int) ([]byte, bool) {
	if n < 1 {
		return nil, false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(text, '\n')
		if j < 0 {
			return nil, false
		}
		text = text[j+1:]
	}
	return restOfLine(text), true
}

// restOfLine is text up to its first newline.
func restOfLine(text []byte) []byte {
	if j := bytes.IndexByte(text, '\n'); j >= 0 {
		return text[:j]
	}
	return text
}

// lines finds line n (1-based) of one text many times over: a document with
// thousands of problems locates each one, and seeking from the top each
// time made that quadratic in the document's lines. The zero value indexes
// its text on first use.
type lines struct {
	starts []int  // byte offset of every line's start
	cursor cursor // where TokenEnd last found a column
}

// cursor is a column of a line and its byte offset.
type cursor struct{ line, col, off int }

// line returns line n of text (the same text at every call) like nthLine.
func (l *lines) line(text []byte, n int) ([]byte, bool) {
	if l.starts == nil {
		l.starts = append(make([]int, 0, 1+bytes.Count(text, []byte{'\n'})), 0)
		for i, c := range text {
			if c == '\n' {
				l.starts = append(l.starts, i+1)
			}
		}
	}
	if n < 1 || n > len(l.starts) {
		return nil, false
	}
	return restOfLine(text[l.starts[n-1]:]), true
}

// lineText returns line n (1-based) of text, white space trimmed and cut to
// maxSource bytes, or "".
func lineText(text []byte, n int) string {
	line, _ := nthLine(text, n)
	return sourceText(line)
}

// sourceText is line, white space trimmed and cut to maxSource bytes.
func sourceText(line []byte) string {
	line = bytes.TrimSpace(line)
	if len(line) > maxSource {
		cut := maxSource
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut]
	}
	return string(line)
}
