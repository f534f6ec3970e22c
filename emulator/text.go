package emulator

// Text repeated from a request (a path, a job name, a key of the body) goes
// into answers and into the log. The emulator has its own small escaping
// rather than the CLI's: it is a test double of the API, and shares no code
// with the tool it tests (docs/contract.md, Emulator). The rules are the
// usual ones for text shown on a terminal: no control character, no line or
// paragraph separator, no bidirectional or invisible format character, and
// every byte that is not UTF-8 written as an escape.

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// escape writes every character a terminal or a log reader could act on as
// an escape (\n, \x1b, \u202e), and every byte that is not UTF-8 as \xNN, so
// the result is one line of plain text.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafe reports the characters escape never writes as they are: controls
// (C0, DEL, C1), the line and paragraph separators, and the format
// characters (bidirectional controls, zero-width and invisible ones).
func unsafe(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// clip cuts s to at most n bytes on a character boundary, saying how long it
// was, so that a message never grows with the request.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d characters)", s[:cut], utf8.RuneCountInString(s))
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
