package manifest

import (
	"bytes"
	"unicode/utf8"
)

// tokenEnd returns the column (1-based, in runes, as yaml.v3 counts them)
// just past the YAML token that starts at column col of line n (1-based) of
// text, or 0 when there is no such line or column. A token that goes on past
// its line (a multi-line scalar or flow collection, a block scalar's text)
// ends with its first line: reports need an end on the same line, and the
// first line is what people look at.
func tokenEnd(text []byte, n, col int) int {
	line, ok := nthLine(text, n)
	if !ok {
		return 0
	}
	return lineTokenEnd(line, col)
}

// lineTokenEnd is tokenEnd on the text of the token's line.
func lineTokenEnd(text []byte, col int) int {
	if col < 1 {
		return 0
	}
	off, ok := runeOffset(text, 0, 1, col)
	if !ok {
		return 0
	}
	return tokenEndAt(text, off, col)
}

// runeOffset returns the byte offset of column col (1-based, in runes) of
// line, scanning from byte offset from, which is column fromCol; false when
// the line is shorter.
func runeOffset(line []byte, from, fromCol, col int) (int, bool) {
	i := from
	for c := fromCol; c < col; c++ {
		if i >= len(line) {
			return 0, false
		}
		if line[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(line[i:])
		i += size
	}
	return i, true
}

// tokenEndAt is the column just past the token that starts at byte off,
// column col, of line.
func tokenEndAt(line []byte, off, col int) int {
	text := bytes.TrimRight(line, "\r")
	if off >= len(text) {
		if off > len(text) {
			return 0
		}
		return col
	}
	text = text[off:]
	end := tokenLen(text)
	return col + utf8.RuneCount(text[:end])
}

// tokenLen is the length in bytes of the token text starts with, within
// the line.
func tokenLen(text []byte) int {
	switch text[0] {
	case '"':
		for i := 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(text)
	case '\'':
		for i := 1; i < len(text); i++ {
			if text[i] == '\'' {
				if i+1 < len(text) && text[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(text)
	case '{', '[':
		depth := 0
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			case '"', '\'':
				i += tokenLen(text[i:]) - 1
			}
		}
		return len(bytes.TrimRight(text, " \t"))
	case '|', '>', '&', '*', '!':
		// A block scalar's header, an anchor, an alias or a tag: up to the
		// next blank.
		if i := bytes.IndexAny(text, " \t"); i >= 0 {
			return i
		}
		return len(text)
	}
	// A plain scalar ends at ": ", " #", a flow indicator inside a flow
	// collection (we cannot tell, so at ",", "}" or "]" after the first
	// character) or the end of the line.
	end := len(text)
	for i := 1; i < len(text); i++ {
		c := text[i]
		if c == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t') ||
			c == '#' && (text[i-1] == ' ' || text[i-1] == '\t') ||
			c == ',' || c == '}' || c == ']' {
			end = i
			break
		}
	}
	return len(bytes.TrimRight(text[:end], " \t"))
}

// TokenEnd returns the column just past the token at line and col of the
// document's file (see tokenEnd), or 0 when unknown.
func (d *Document) TokenEnd(line, col int) int {
	if col < 1 {
		return 0
	}
	n := line - d.lineOffset
	text, ok := d.lines.line(d.text, n)
	if !ok {
		return 0
	}
	// Problems come in the order of their keys, so on a long line (a flow
	// mapping of thousands of keys) each column is found from the last one
	// rather than from the line's start.
	c := &d.lines.cursor
	from, fromCol := 0, 1
	if c.line == n && c.col <= col {
		from, fromCol = c.off, c.col
	}
	off, ok := runeOffset(text, from, fromCol, col)
	if !ok {
		return 0
	}
	*c = cursor{line: n, col: col, off: off}
	return tokenEndAt(text, off, col)
}
