// Package printable makes text that came from a manifest, a file name or a
// server safe to print: control characters escaped so that nothing can move a
// terminal's cursor, start a line of its own or pose as a GitHub Actions
// workflow command, and long values cut to a readable length.
//
// Redact before escaping: a secret is recognised in the text as it came, not
// in the escaped form a format gives it.
package printable

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clip cuts s to at most n bytes, on a character boundary, saying how long it
// was: "kkkk…(200000 characters)". Keys, names and messages repeated from the
// input are clipped so that output never grows with the input.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s…(%d characters)", s[:boundary(s, n)], utf8.RuneCountInString(s))
}

// Excerpt reduces s to one line of at most n bytes: invalid UTF-8 replaced,
// every run of white space and control characters turned into one space, and
// the rest cut on a character boundary with "…". It is for quoting text that
// was never meant as one line, such as an HTML error page.
func Excerpt(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || mustEscape(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) <= n {
		return out
	}
	return out[:boundary(out, n)] + "…"
}

// boundary is the largest cut <= n that does not split a character of s.
func boundary(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// mustEscape reports the characters that are never printed as they are: C0
// and C1 controls and DEL, which terminals act on; the line and paragraph
// separators, which some readers take as line ends; and the bidirectional
// controls, which make a terminal show text in another order than it is
// stored (CVE-2021-42574).
func mustEscape(r rune) bool {
	return r < 0x20 || r >= 0x7f && r < 0xa0 || r == '\u2028' || r == '\u2029' ||
		unicode.Is(unicode.Bidi_Control, r)
}

// Escape returns s with every character mustEscape names written as an escape
// (\n, \r, \t, \x1b, \u202e) and every byte that is not UTF-8 as \xNN, so the
// result is one line of plain text whatever s holds. A backslash is left as it
// is: the escapes are for reading, not for decoding back.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
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
		case r < 0x80 && mustEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case mustEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			// Non-ASCII is common and mostly fine: look closer only then.
			if c < 0x80 || !utf8.ValidString(s[i:]) {
				return true
			}
			for _, r := range s[i:] {
				if mustEscape(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// Lead is Escape for text that begins a line of output (a file name, a job id
// from a server): besides escaping, a leading "::" has its first ':' written
// as \x3a, so the line cannot be read as a GitHub Actions workflow command.
func Lead(s string) string {
	s = Escape(s)
	if strings.HasPrefix(s, "::") {
		return `\x3a` + s[1:]
	}
	return s
}

// JSON makes encoded JSON safe to print: encoding/json escapes the C0
// controls and U+2028/U+2029 but writes DEL, the C1 controls and the
// bidirectional controls as they are, which a terminal acts on. They can only
// stand inside strings, so writing them as \uXXXX escapes keeps the document
// valid and its data the same.
func JSON(b []byte) []byte {
	clean := true
	for _, r := range string(b) {
		if mustEscape(r) && r != '\n' {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for _, r := range string(b) {
		if mustEscape(r) && r != '\n' {
			out = fmt.Appendf(out, `\u%04x`, r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}
