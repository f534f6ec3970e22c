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
	if n < 1 || col < 1 {
		return 0
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(text, '\n')
		if j < 0 {
			return 0
		}
		text = text[j+1:]
	}
	if j := bytes.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	text = bytes.TrimRight(text, "\r")
	// Skip to the token's first byte.
	for c := 1; c < col; c++ {
		if len(text) == 0 {
			return 0
		}
		_, size := utf8.DecodeRune(text)
		text = text[size:]
	}
	if len(text) == 0 {
		return col
	}
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
func (d *Document) TokenEnd(line, col int) int { return tokenEnd(d.text, line-d.lineOffset, col) }
