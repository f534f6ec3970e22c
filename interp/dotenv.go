package interp

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxErrorsPerFile bounds how many errors one dotenv file reports. A binary
// or badly broken file would otherwise produce one error per line, burying
// the errors of every other file; the rest are counted in a last error.
const maxErrorsPerFile = 50

// dotenvParser reads one dotenv file the way compose-go's dotenv package
// does (see Env for the format). It is a parser of our own rather than
// compose-go's because compose-go's stops at the first error, gives no line
// for an error in a reference, quotes the offending line in its errors (a
// line of a .env file is usually a secret), logs unset variables from inside
// the library, and would bring the whole compose-go module into go.mod. Here
// every error is reported with its line, an error quotes at most one
// character, a variable name or a ${VAR:?message} message, and references
// follow Expand's rules.
type dotenvParser struct {
	path   string
	src    string
	pos    int
	line   int    // 1-based line of src[pos]
	lookup Lookup // what a reference in a value sees
	set    func(key, value string)

	errs       []error
	suppressed int // errors past maxErrorsPerFile
	statements int // statements seen, so tests can check that parsing advances
}

// parseDotenv parses src, the contents of the dotenv file path, calling set
// for every assignment in order and resolving references in values through
// lookup. It returns every error, each an *EnvFileError.
func parseDotenv(path, src string, lookup Lookup, set func(key, value string)) []error {
	p := &dotenvParser{path: path, src: src, line: 1, lookup: lookup, set: set}
	return p.parse()
}

// parse parses p.src from the start.
func (p *dotenvParser) parse() []error {
	// Editors on Windows write a byte-order mark; compose skips it too.
	p.src = strings.TrimPrefix(p.src, "\ufeff")
	if i := strings.IndexByte(p.src, 0); i >= 0 {
		// A NUL byte means a binary file (or a file in UTF-16), where every
		// "line" would be an error of its own; one error says it better.
		p.errorf(1+strings.Count(p.src[:i], "\n"), "", "dotenv file contains a NUL byte (is it a text file in UTF-8?)")
		return p.errs
	}
	for p.skipBlank() {
		p.statements++
		p.statement()
	}
	if p.suppressed > 0 {
		p.errs = append(p.errs, &EnvFileError{Path: p.path, Reason: fmt.Sprintf("%d more errors not shown", p.suppressed)})
	}
	return p.errs
}

// errorf records an error on line. Reasons never quote the file's values.
func (p *dotenvParser) errorf(line int, name, format string, args ...any) {
	p.report(&EnvFileError{Line: line, Var: name, Reason: fmt.Sprintf(format, args...)})
}

// report records e, an error in p's file, unless the file has reported
// maxErrorsPerFile already.
func (p *dotenvParser) report(e *EnvFileError) {
	if len(p.errs) >= maxErrorsPerFile {
		p.suppressed++
		return
	}
	e.Path = p.path
	p.errs = append(p.errs, e)
}

// skipBlank skips white space (line ends included) and comment lines, and
// reports whether a statement follows.
func (p *dotenvParser) skipBlank() bool {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == '#':
			p.skipLine()
		case c < utf8.RuneSelf:
			if !unicode.IsSpace(rune(c)) {
				return true
			}
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if !unicode.IsSpace(r) {
				return true
			}
			p.pos += size
		}
	}
	return false
}

// skipLine moves to the '\n' that ends the current line (or the end).
func (p *dotenvParser) skipLine() {
	if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
		p.pos += i
	} else {
		p.pos = len(p.src)
	}
}

// skipSpace skips white space within the line, compose's set: tab, VT, FF,
// CR, space, NEL and no-break space.
func (p *dotenvParser) skipSpace() {
	for p.pos < len(p.src) {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isLineSpace(r) {
			return
		}
		p.pos += size
	}
}

func isLineSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// isKeyRune reports the characters compose accepts in a key: letters and
// digits of any script, "_", ".", "-", "[" and "]". Keys that are not also
// valid variable names load but cannot be referenced from a manifest.
func isKeyRune(r rune) bool {
	switch r {
	case '_', '.', '-', '[', ']':
		return true
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// statement parses one "KEY=value" (or "KEY: value", or a bare "KEY"), with
// an optional "export " in front, starting at a non-blank character.
func (p *dotenvParser) statement() {
	line := p.line
	rest := p.src[p.pos:]
	// "export" followed by white space (a line end included, as in
	// compose's `^export\s+`) is a prefix; "exportFOO=1" is a key.
	if strings.HasPrefix(rest, "export") && len(rest) > 6 && strings.IndexByte("\t\n\f\r ", rest[6]) >= 0 {
		p.pos += len("export")
		p.skipSpace()
	}

	keyStart := p.pos
	inner := false // white space inside the key
	term := byte(0)
	for p.pos < len(p.src) && term == 0 {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		switch {
		case r == '=' || r == ':' || r == '\n':
			term = byte(r)
			continue
		case isLineSpace(r):
			inner = true
		case !isKeyRune(r):
			if r == utf8.RuneError && size == 1 {
				p.errorf(line, "", "dotenv syntax: invalid UTF-8 in variable name")
			} else {
				p.errorf(line, "", "dotenv syntax: unexpected character %q in variable name", string(r))
			}
			p.skipLine()
			return
		}
		p.pos += size
	}
	key := strings.TrimRightFunc(p.src[keyStart:p.pos], unicode.IsSpace)
	if inner && strings.IndexFunc(key, isLineSpace) >= 0 {
		// The key is not quoted: it may be a line of a secret that lost its
		// quotes.
		p.errorf(line, "", "dotenv syntax: a variable name cannot contain white space")
		p.skipLine()
		return
	}
	if term == 0 || term == '\n' {
		// A bare KEY takes the variable from the environment (compose's
		// "inherited" variable). The environment wins over every file
		// anyway, so there is nothing to record.
		return
	}
	if key == "" {
		p.errorf(line, "", `dotenv syntax: missing variable name before %q`, string(term))
		p.skipLine()
		return
	}
	p.pos++ // the '=' or ':'
	p.skipSpace()

	if p.pos < len(p.src) && (p.src[p.pos] == '"' || p.src[p.pos] == '\'') {
		p.quoted(key, line)
		return
	}

	// Unquoted: the rest of the line, up to an inline comment (" #", a
	// space first, so "a#b" keeps its "#"), without trailing white space,
	// with references expanded and no escapes.
	start := p.pos
	p.skipLine()
	value := p.src[start:p.pos]
	if i := strings.Index(value, " #"); i >= 0 {
		value = value[:i]
	}
	value = strings.TrimRightFunc(value, unicode.IsSpace)
	p.set(key, p.expand(value, line, nil))
}

// quoted parses a quoted value for key, starting at its opening quote on
// line. Single quotes are literal but for \' (a quote); double quotes take
// compose's escapes and expand references. Both may span lines.
func (p *dotenvParser) quoted(key string, line int) {
	q := p.src[p.pos]
	p.pos++
	var b strings.Builder
	var breaks []int // offsets in b at which a new line of the file begins
	closed := false
	for p.pos < len(p.src) && !closed {
		c := p.src[p.pos]
		switch {
		case c == q:
			closed = true
			p.pos++
		case c == '\\' && p.pos+1 < len(p.src):
			d := p.src[p.pos+1]
			p.pos += 2
			if q == '\'' {
				if d != '\'' {
					b.WriteByte('\\')
				}
				b.WriteByte(d)
			} else {
				p.escape(&b, d)
			}
			if d == '\n' {
				p.line++
				breaks = append(breaks, b.Len())
			}
		case c == '\\':
			p.pos++ // a final backslash: the quote is never closed
		default:
			b.WriteByte(c)
			p.pos++
			if c == '\n' {
				p.line++
				breaks = append(breaks, b.Len())
			}
		}
	}
	if !closed {
		// Everything after the opening quote belongs to the value, so
		// nothing after it can be parsed.
		p.errorf(line, "", "dotenv syntax: unterminated quoted value (the %s opened on this line is never closed)", map[byte]string{'"': "double quote", '\'': "single quote"}[q])
		return
	}
	value := b.String()
	if q == '"' {
		value = p.expand(value, line, breaks)
	}
	p.set(key, value)

	// After the closing quote only white space and a comment may follow.
	// Compose would read more text as the start of another statement
	// (`A="x" B=y` sets both; `A="x"y` sets A and ignores y), which hides a
	// misplaced quote; this is an error instead.
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '#' {
		p.errorf(p.line, "", "dotenv syntax: unexpected text after the closing quote (start a comment with \"#\")")
	}
	p.skipLine()
}

// escape writes the meaning of the escape "\" d inside double quotes,
// following compose-go: \a \b \f \n \r \t \v \\ \" are decoded, \$ is a
// literal "$" (written "$$" for Expand), \0 followed by three octal digits is
// that character, and any other backslash is kept as written ("\x07" stays
// four characters). The caller has consumed "\" and d; octal digits are
// consumed here.
func (p *dotenvParser) escape(b *strings.Builder, d byte) {
	switch d {
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '\\', '"':
		b.WriteByte(d)
	case '$':
		b.WriteString("$$")
	case '0':
		// Compose matches \0 and up to three decimal digits, drops the 0
		// and decodes the rest as a Go octal escape (\0123 is "S"); what
		// does not decode is kept without its 0 (\0 is "\", \08 is "\8").
		n := 0
		for n < 3 && p.pos+n < len(p.src) && p.src[p.pos+n] >= '0' && p.src[p.pos+n] <= '9' {
			n++
		}
		digits := p.src[p.pos : p.pos+n]
		p.pos += n
		if v, ok := octalByte(digits); ok {
			b.WriteRune(rune(v))
		} else {
			b.WriteByte('\\')
			b.WriteString(digits)
		}
	default:
		b.WriteByte('\\')
		b.WriteByte(d)
	}
}

// octalByte decodes three octal digits worth at most 0377.
func octalByte(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	v := 0
	for i := range 3 {
		if s[i] > '7' {
			return 0, false
		}
		v = v*8 + int(s[i]-'0')
	}
	return v, v <= 0377
}

// expand resolves the references in value, which starts on line and whose
// later lines start at the offsets in breaks, reporting problems with the
// line they are on.
func (p *dotenvParser) expand(value string, line int, breaks []int) string {
	res, problems := Expand(value, p.lookup)
	for _, pr := range problems {
		// Kind and Var tell the caller what the reference did: validate
		// warns of an unset variable and says it once with the manifest's
		// uses of the same variable.
		e := &EnvFileError{Line: line + sort.SearchInts(breaks, pr.Offset+1), Var: pr.Var, Kind: pr.Kind, Reason: pr.Message}
		switch pr.Kind {
		case Unset:
			e.Reason = fmt.Sprintf("%s; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${%s:-}", pr.Message, clipName(pr.Var))
		case Encoding:
			e.Var = "" // an error in validate too: no machine makes it right
		case Syntax:
			if strings.HasSuffix(e.Reason, syntaxHint) {
				e.Reason += " or put the value in single quotes"
			}
		}
		p.report(e)
	}
	return res.Value
}
