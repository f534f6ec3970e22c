package redact

import (
	"html"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// The reference readings: plain string-to-string decoders, written without the
// streaming machinery of decode.go, for the tests to check it against. The HTML
// one is the standard library's.

// refBackslash undoes the backslash escapes of JSON, Go, JavaScript and Python
// string literals that decode.go reads.
func refBackslash(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			if dec, n, ok := refEscape(s[i:]); ok {
				b.WriteString(dec)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

var simpleEscapes = map[byte]string{'"': `"`, '\\': `\`, '/': "/", '\'': "'", 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v"}

func refEscape(s string) (string, int, bool) {
	if len(s) < 2 {
		return "", 0, false
	}
	if dec, ok := simpleEscapes[s[1]]; ok {
		return dec, 2, true
	}
	hex := func(from, n int) (uint64, bool) {
		if len(s) < from+n {
			return 0, false
		}
		v, err := strconv.ParseUint(s[from:from+n], 16, 64)
		return v, err == nil
	}
	switch s[1] {
	case 'x':
		if v, ok := hex(2, 2); ok {
			return string([]byte{byte(v)}), 4, true
		}
	case 'u':
		v, ok := hex(2, 4)
		if !ok {
			break
		}
		if utf16.IsSurrogate(rune(v)) {
			if v < 0xDC00 && len(s) >= 12 && s[6:8] == `\u` {
				if lo, ok := hex(8, 4); ok && 0xDC00 <= lo && lo <= 0xDFFF {
					return string(utf16.DecodeRune(rune(v), rune(lo))), 12, true
				}
			}
			return string(utf8.RuneError), 6, true
		}
		return string(rune(v)), 6, true
	case 'U':
		v, ok := hex(2, 8)
		if !ok {
			break
		}
		if v > utf8.MaxRune || utf16.IsSurrogate(rune(v)) {
			return string(utf8.RuneError), 10, true
		}
		return string(rune(v)), 10, true
	}
	return "", 0, false
}

// refPercent undoes %XX. It leaves '+' alone: the matcher folds '+' and space
// (see fold), and so does every comparison in these tests.
func refPercent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+3 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// refReading is one reading of a text, as the tests compute it.
type refReading struct {
	name   string
	decode func(string) string
}

var refStages = map[stageKind]refReading{
	backslash: {"json", refBackslash},
	percent:   {"percent", refPercent},
	entity:    {"html", html.UnescapeString},
}

// refReadings returns the raw reading and one per chain, each the composition
// of the reference decoders of the chain's stages.
func refReadings() []refReading {
	out := []refReading{{"raw", func(s string) string { return s }}}
	for _, c := range chains {
		var names []string
		var fs []func(string) string
		for _, k := range c.stages[:c.n] {
			names = append(names, refStages[k].name)
			fs = append(fs, refStages[k].decode)
		}
		out = append(out, refReading{strings.Join(names, "+"), func(s string) string {
			for _, f := range fs {
				s = f(s)
			}
			return s
		}})
	}
	return out
}

// foldBytes folds as the matcher does: ASCII letters to lower case, '+' to
// space.
func foldBytes(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '+':
			b[i] = ' '
		}
	}
	return string(b)
}

// patternsOf lists what is matched for secret s: s, and for invalid UTF-8
// also s with each invalid byte as U+FFFD.
func patternsOf(s string) []string {
	out := []string{s}
	if !utf8.ValidString(s) {
		var b strings.Builder
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += n
		}
		out = append(out, b.String())
	}
	return out
}

// findSecret returns a reading of text in which some secret occurs (up to
// folding), and that secret, or ok false.
func findSecret(text string, secrets []string) (reading, secret string, ok bool) {
	for _, rd := range refReadings() {
		dec := foldBytes(rd.decode(text))
		for _, s := range secrets {
			for _, p := range patternsOf(s) {
				if strings.Contains(dec, foldBytes(p)) {
					return rd.name, s, true
				}
			}
		}
	}
	return "", "", false
}

// decodeChain runs the streaming reader of chain c over text and returns its
// reading and units. With final false, only the units before the point from
// which the reading is provisional are returned, and that point.
func decodeChain(text string, c *chain, final bool) (string, []unit, int) {
	rd := new(reader)
	rd.reset(text, c, final)
	var b strings.Builder
	var units []unit
	for {
		u, ok := rd.next(c.n - 1)
		if !ok || u.start >= rd.prov {
			break
		}
		b.WriteByte(u.b)
		units = append(units, u)
	}
	return b.String(), units, min(rd.prov, len(text))
}

// checkUnits checks that units tile text: each starts where the one before
// ended, or shares its span (the bytes of one decoded character).
func checkUnits(t *testing.T, text string, units []unit, upTo int) {
	t.Helper()
	end := 0
	for i, u := range units {
		if i > 0 && u.start == units[i-1].start && u.end == units[i-1].end {
			continue
		}
		if u.start != end || u.end <= u.start {
			t.Fatalf("unit %d of %q spans [%d,%d), want a start at %d", i, text, u.start, u.end, end)
		}
		end = u.end
	}
	if end != upTo {
		t.Fatalf("units of %q end at %d, want %d", text, end, upTo)
	}
}

// checkDecoders compares every chain's streaming reading of text with the
// reference, and the provisional reading of each prefix of text with the final
// reading of the whole.
func checkDecoders(t *testing.T, text string, prefixes []int) {
	t.Helper()
	refs := refReadings()[1:]
	for i := range chains {
		c := &chains[i]
		got, units, _ := decodeChain(text, c, true)
		if want := refs[i].decode(text); got != want {
			t.Fatalf("%s reading of %q:\n got %q\nwant %q", refs[i].name, text, got, want)
		}
		checkUnits(t, text, units, len(text))
		for _, p := range prefixes {
			_, part, prov := decodeChain(text[:p], c, false)
			checkUnits(t, text[:p], part, prov)
			// Every unit the partial text calls final is a unit of the
			// whole text.
			for j, u := range part {
				if j >= len(units) || units[j] != u {
					t.Fatalf("%s reading of %q cut at %d: unit %d is %+v, but the whole text has %+v there (provisional from %d)", refs[i].name, text, p, j, u, units[min(j, len(units)-1)], prov)
				}
			}
		}
	}
}

// bytewise splits text into one-byte strings, for one Write per byte.
func bytewise(text string) []string {
	out := make([]string, len(text))
	for i := range len(text) {
		out[i] = text[i : i+1]
	}
	return out
}
