package manifest

import (
	"bytes"
	"unicode/utf8"
)

// maxSource is how much of a line Diagnostic.Source keeps: enough to tell
// lines apart, never a copy of a megabyte-long line per diagnostic.
const maxSource = 256

// lineText returns line n (1-based) of text, white space trimmed and cut to
// maxSource bytes, or "".
func lineText(text []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(text, '\n')
		if j < 0 {
			return ""
		}
		text = text[j+1:]
	}
	if n < 1 {
		return ""
	}
	if j := bytes.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	text = bytes.TrimSpace(text)
	if len(text) > maxSource {
		cut := maxSource
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return string(text)
}
