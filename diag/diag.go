// Package diag is the vocabulary every stage reports problems in: a
// Diagnostic is located in a file (line, column, field path), has a
// Severity, and says by its Kind whether it is about one document, a file as
// a whole or the run as a whole.
package diag

import (
	"fmt"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/printable"
)

// Severity tells an error, which stops a run, from a warning, which does not.
type Severity int

const (
	// Error makes the document invalid: nothing is submitted while one exists.
	Error Severity = iota
	// Warning is reported and the run goes on.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a manifest, located in its source.
type Diagnostic struct {
	File string // the path as the user gave it (or "<stdin>")
	Line int    // 1-based; 0 when the problem is about the file as a whole
	Col  int    // 1-based; 0 when unknown
	// EndCol is the column just past the token the diagnostic points at, on
	// Line (in runes, as Col); 0 when unknown.
	EndCol   int
	Path     string   // field path in the document, e.g. container_env.DB_PASSWORD.value; "" for the document or file
	Message  string   // what is wrong and, where it helps, what to do
	Severity Severity // Error or Warning
	Kind     Kind     // what the problem is about: a document, a file or the run
	Doc      int      // index of the document in the run when Kind is Document
	// Source is the text of the line the diagnostic points at, white space
	// trimmed ("" when it points at no line): what reports that track
	// problems across commits fingerprint, so a problem keeps its identity
	// when lines are added above it.
	Source string
	// Unset names the variable of a reference to an unset variable, ""
	// for any other diagnostic: text reports say each such variable once.
	Unset string
}

// Kind says what a diagnostic is about.
type Kind int

const (
	// Document is a problem in one document; Diagnostic.Doc says which.
	Document Kind = iota
	// File is a problem with a file as a whole: unreadable, too large, not
	// YAML.
	File
	// Run is a problem with the run as a whole: paths that hold no manifest
	// at all.
	Run
)

// String renders the diagnostic the way compilers do, so editors and CI logs
// can jump to it: "file:line:col: field.path: message", with "warning: "
// before the field path of warnings.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		fmt.Fprintf(&b, ":%d", d.Line)
		if d.Col > 0 {
			fmt.Fprintf(&b, ":%d", d.Col)
		}
	}
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Error lets a Diagnostic travel as an error.
func (d Diagnostic) Error() string { return d.String() }

// FieldPath renders path tokens as people write them: keys joined with dots,
// array indexes in brackets, and keys that are not plain words quoted in
// brackets (container_env["my.var"]).
func FieldPath(tokens []string, isIndex func(i int) bool) string {
	var b strings.Builder
	for i, t := range tokens {
		t = Clip(t)
		switch {
		case isIndex != nil && isIndex(i):
			b.WriteString("[" + t + "]")
		case plainKey(t):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(t)
		default:
			fmt.Fprintf(&b, "[%q]", t)
		}
	}
	return b.String()
}

// clipAt is how many bytes of a key or name a message repeats.
const clipAt = 64

// Clip shortens a key or name taken from a manifest for a message, so a
// 200,000-character key gives a message of a line, not of the key's size:
// "kkkk…(200000 characters)".
func Clip(s string) string { return printable.Clip(s, clipAt) }

func plainKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
