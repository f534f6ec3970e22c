package interp

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/joho/godotenv"
)

// EnvFileError is a dotenv file that Env could not read or parse.
//
// For a syntax error the message is Env's own and the parser's error is not
// kept: godotenv v1.5.1 quotes the file's text in its messages (up to the
// rest of the whole file), and dotenv files are where secrets live.
type EnvFileError struct {
	Path   string // the file as given to Env
	Line   int    // 1-based line of the offending statement; 0 when unknown or for read errors
	Reason string // what is wrong; never quotes the file's contents
	Err    error  // the cause for a file that could not be read; nil for syntax errors
}

// Error renders "path:line: reason" (the line left out when unknown), the
// way compilers do, so editors and CI logs can jump to it.
func (e *EnvFileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Reason)
	}
	return e.Path + ": " + e.Reason
}

// Unwrap returns the I/O error for an unreadable file, so errors.Is(err,
// fs.ErrNotExist) works.
func (e *EnvFileError) Unwrap() error { return e.Err }

// Env builds a Lookup from dotenv files and the process environment: files
// are read in order, a later file overrides an earlier one, and the process
// environment (the given lookup, normally os.LookupEnv) wins over every file.
// A nil process means no process environment. Errors name the file and, for
// syntax errors, the line; every file is checked and all errors are returned
// joined, each an *EnvFileError.
//
// Dotenv values are taken literally: "$" in a value is just a character.
// godotenv v1.5.1 would otherwise expand $NAME and ${NAME} in unquoted and
// double-quoted values, but only from keys earlier in the same file (not the
// process environment, not other files), only for upper-case names, with an
// unset name silently becoming "", and without understanding ${NAME:-x}
// (which turns into the value followed by ":-x}"). That would quietly mangle
// the passwords and connection strings .env files hold, so "$" is hidden from
// the parser and restored in the values. Quoting, "export", comments and
// escapes in double quotes work as godotenv documents, with one difference:
// in an unquoted value a backslash before "$" is kept as written
// (godotenv drops it), since unquoted values have no escapes at all here.
//
// The returned Lookup never changes and is safe for concurrent use if process
// is.
func Env(files []string, process Lookup) (Lookup, error) {
	vars := make(map[string]string)
	var errs []error
	for _, path := range files {
		m, err := readDotenv(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for k, v := range m {
			vars[k] = v
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return func(name string) (string, bool) {
		if process != nil {
			if v, ok := process(name); ok {
				return v, true
			}
		}
		v, ok := vars[name]
		return v, ok
	}, nil
}

// dollarStandIn replaces '$' while godotenv parses, so that its expansion
// finds nothing to expand. NUL can be used because godotenv treats it as an
// ordinary character everywhere (not space, quote, backslash or name byte),
// and a text file has none of its own (readDotenv rejects those that do).
const dollarStandIn = "\x00"

// locateBudget bounds the bytes locateStatement hands to the parser while
// hunting for the line of an error. The search re-parses a growing multi-line
// value once per line, which is quadratic in the value's length; past the
// budget the line is reported as unknown rather than spending seconds on it.
const locateBudget = 16 << 20

// readDotenv parses one dotenv file with literal values.
func readDotenv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		reason := "cannot read dotenv file"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason += ": " + pe.Err.Error() // the path is already in the message
		} else {
			reason += ": " + err.Error()
		}
		return nil, &EnvFileError{Path: path, Reason: reason, Err: err}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &EnvFileError{Path: path, Line: 1 + bytes.Count(data[:i], []byte("\n")), Reason: "dotenv file contains a NUL byte"}
	}
	// Editors on Windows write a byte-order mark, which godotenv would take
	// as part of the first name and reject.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("$"), []byte(dollarStandIn))
	// A final line without "=" and without a newline is taken by godotenv
	// as a value for the name "" instead of being rejected; a newline makes
	// it an error like on any other line.
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}

	m, err := godotenv.UnmarshalBytes(data)
	if err != nil || hasEmptyName(m) {
		return nil, &EnvFileError{Path: path, Line: locateStatement(data), Reason: "dotenv syntax: " + reason(err)}
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = strings.ReplaceAll(v, dollarStandIn, "$")
	}
	return out, nil
}

// hasEmptyName reports a statement like "=value", which godotenv accepts
// as setting the variable "".
func hasEmptyName(m map[string]string) bool {
	_, ok := m[""]
	return ok
}

// reason turns a godotenv error into a message that does not quote the
// file. A nil err stands for a statement without a name.
func reason(err error) string {
	if err == nil {
		return `missing variable name before "="`
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unterminated quoted value") {
		return "unterminated quoted value"
	}
	// "unexpected character %q in variable name near %q": keep the character,
	// drop the text near it.
	if rest, ok := strings.CutPrefix(msg, "unexpected character "); ok {
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			if c, err := strconv.Unquote(q); err == nil {
				if c == "\n" {
					return `expected NAME=value`
				}
				return fmt.Sprintf("unexpected character %q in variable name", strings.ReplaceAll(c, dollarStandIn, "$"))
			}
		}
	}
	return "invalid syntax"
}

// isUnterminated reports godotenv's error for a quoted value that does not
// end, which is also what a multi-line value cut short looks like.
func isUnterminated(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "unterminated quoted value")
}

// locateStatement returns the 1-based line on which the first statement that
// godotenv rejects (or that has no name) starts, or 0 if it cannot tell.
// godotenv reports no positions, so the file is parsed again a statement at a
// time: chunks end at line ends, and a chunk that fails only because it cuts
// a multi-line quoted value short grows by a line and is tried again.
// Statements are independent once "$" is hidden, so parsing a chunk alone
// gives the same answer as parsing it in place. The work is bounded by
// locateBudget; only a very long multi-line value can exhaust it.
func locateStatement(data []byte) int {
	budget := locateBudget
	start := 0
	for start < len(data) {
		end := lineEnd(data, start)
		for {
			budget -= end - start
			if budget < 0 {
				return 0
			}
			m, err := godotenv.UnmarshalBytes(data[start:end])
			if err == nil && !hasEmptyName(m) {
				break
			}
			if isUnterminated(err) && end < len(data) {
				if end == lineEnd(data, start) {
					// Before growing a line at a time (quadratic), ask
					// whether the statement here is the one that never
					// ends: godotenv returns what it parsed before an
					// error, so an empty map means it failed first.
					budget -= len(data) - start
					if m, err := godotenv.UnmarshalBytes(data[start:]); err != nil && len(m) == 0 {
						return statementLine(data, start)
					}
				}
				end = lineEnd(data, end)
				continue
			}
			return statementLine(data, start)
		}
		start = end
	}
	return 0
}

// lineEnd returns the offset just past the line that starts at i.
func lineEnd(data []byte, i int) int {
	if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(data)
}

// statementLine returns the line of the first statement at or after start,
// a line start, skipping blank and comment lines as godotenv does.
func statementLine(data []byte, start int) int {
	line := 1 + bytes.Count(data[:start], []byte("\n"))
	for i := start; i < len(data); line++ {
		end := lineEnd(data, i)
		t := bytes.TrimLeftFunc(data[i:end], unicode.IsSpace)
		if len(t) > 0 && t[0] != '#' {
			return line
		}
		i = end
	}
	return 1 + bytes.Count(data[:start], []byte("\n"))
}
