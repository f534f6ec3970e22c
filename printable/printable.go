// Package printable makes text that came from a manifest, a file name or a
// server safe to print: control characters escaped so that nothing can move a
// terminal's cursor, start a line of its own or pose as a GitHub Actions
// workflow command, and long values cut to a readable length.
//
// Redact before escaping: a secret is recognised in the text as it came, not
// in the escaped form a format gives it.
package printable

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
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
// separators, which some readers take as line ends; the bidirectional
// controls, which make a terminal show text in another order than it is
// stored (CVE-2021-42574); and the characters that show as nothing or as a
// blank, so that two names that look identical are never two names: format
// characters (U+200B, U+2060, U+FEFF, U+00AD, the tag characters), white
// space other than the ASCII space (U+00A0, U+3000, ... which the GitHub
// Actions runner also strips before it looks for "::"), the Hangul fillers,
// the combining grapheme joiner, variation selectors and the blank braille
// pattern.
func mustEscape(r rune) bool {
	if r < 0x80 {
		return r < 0x20 || r == 0x7f
	}
	switch {
	case r < 0xa0, r == '\u2028', r == '\u2029':
		return true
	case unicode.Is(unicode.Bidi_Control, r), unicode.Is(unicode.Cf, r), unicode.IsSpace(r):
		return true
	}
	return invisible(r)
}

// invisible reports the characters outside the format and space classes that
// render as nothing or a blank.
func invisible(r rune) bool {
	switch r {
	case '\u034f', // combining grapheme joiner
		'\u115f', '\u1160', '\u3164', '\uffa0', // Hangul fillers
		'\u180e', // Mongolian vowel separator (a space in older Unicode)
		'\u2800': // braille pattern blank
		return true
	}
	return r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0100 && r <= 0xe01ef // variation selectors
}

// ActionsSpace reports the characters the GitHub Actions runner strips from
// the start of a line before it looks for a "::" workflow command: .NET's
// String.TrimStart, which drops every char.IsWhiteSpace, Unicode spaces
// included (actions/runner, src/Runner.Common/ActionCommand.cs,
// TryParseV2). U+180E, U+200B and U+FEFF, which older .NET counted as
// white space, are included to be safe.
func ActionsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u180e' || r == '\u200b' || r == '\ufeff'
}

// v1Prefix is the older form of workflow command, "##[command]data", which
// the runner obeys anywhere in a line (actions/runner, ActionCommand.TryParse:
// message.IndexOf("##[")), "##[stop-commands]" included. No value may print
// it; it is written with its second '#' escaped.
const v1Prefix = "##["

// Escape returns s with every character mustEscape names written as an escape
// (\n, \r, \t, \x1b, \u202e, \U000e0041) and every byte that is not UTF-8
// as \xNN, so the result is one line of plain, visible text whatever s holds;
// and with the older form of workflow command, "##[", written "#\x23[", which
// the GitHub Actions runner would obey anywhere in a line. A backslash is
// left as it is: the escapes are for reading, not for decoding back.
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
		case r == '#' && strings.HasPrefix(s[i:], v1Prefix):
			b.WriteString(`#\x23`)
			size = 2
		case r < 0x80 && mustEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0xffff && mustEscape(r):
			fmt.Fprintf(&b, `\U%08x`, r)
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
	if strings.Contains(s, v1Prefix) {
		return true
	}
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
// from a server): besides escaping, a ':' that would come first once the
// runner has stripped the line's leading white space is written \x3a, so the
// line cannot be read as a GitHub Actions workflow command ("::error::",
// after blanks or not), whatever the text after the value adds.
func Lead(s string) string {
	s = Escape(s)
	// Escape has written every white space but ' ' as an escape.
	if i := len(s) - len(strings.TrimLeft(s, " ")); i < len(s) && s[i] == ':' {
		return s[:i] + `\x3a` + s[i+1:]
	}
	return s
}

// JSON makes encoded JSON safe to print: encoding/json escapes the C0
// controls and U+2028/U+2029 but writes DEL, the C1 controls, the
// bidirectional controls and the invisible characters (mustEscape) as they
// are, and "##[" (a workflow command the GitHub Actions runner obeys anywhere
// in a line). They can only stand inside strings, so writing them as \uXXXX
// escapes (surrogate pairs past U+FFFF, and '#' as \u0023) keeps the
// document valid and its data the same. Lines of encoded JSON start with
// white space and a quote or a bracket, never with "::".
func JSON(b []byte) []byte {
	clean := !bytes.Contains(b, []byte(v1Prefix))
	for _, r := range string(b) {
		if !clean {
			break
		}
		clean = !mustEscape(r) || r == '\n'
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == '#' && bytes.HasPrefix(b[i:], []byte(v1Prefix)):
			out = append(out, `#\u0023`...)
			size = 2
		case r == '\n' || !mustEscape(r):
			out = append(out, b[i:i+size]...)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	return out
}
