// Package interp expands environment-variable references in manifest string
// values, with docker-compose's syntax:
//
//	$VAR, ${VAR}      the value of VAR
//	${VAR:-default}   default when VAR is unset or empty
//	${VAR-default}    default when VAR is unset
//	${VAR:?message}   a problem carrying message when VAR is unset or empty
//	${VAR?message}    a problem carrying message when VAR is unset
//	$$                a literal "$"
//
// Names match [A-Za-z_][A-Za-z0-9_]*. Unlike compose, a reference to an unset
// variable without a default is a problem rather than a silent empty string:
// a job submitted with an empty password or image tag fails far from the
// manifest line that caused it.
//
// A default may itself contain references (${A:-${B:-x}}); like compose, it
// is expanded only when it is used. Only "${" opens a nested level, so plain
// braces in a default are text ("${A:-{x}" has the default "{x"), and "$$"
// inside a default is an escape like anywhere else.
//
// Syntax is checked everywhere, also inside defaults and messages that the
// current environment does not use: whether a manifest is well formed must not
// depend on which machine validates it.
package interp

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/printable"
)

// MaxDepth bounds how deeply "${...}" references may nest inside each other's
// defaults and messages. Expansion recurses once per level, so the bound keeps
// hostile input from exhausting the stack; real manifests nest two or three
// levels at most.
const MaxDepth = 32

// Lookup returns the value of an environment variable and whether it is set.
type Lookup func(name string) (string, bool)

// ProblemKind classifies a Problem.
type ProblemKind int

const (
	// Unset is a reference, without a default, to a variable that is not set.
	Unset ProblemKind = iota + 1 // from 1, so a zero Problem is not mistaken for a real one
	// Required is a ${VAR:?message} or ${VAR?message} whose condition fired.
	Required
	// Syntax is a malformed reference, such as "$5", "${}" or an unclosed "${".
	Syntax
)

// String returns "unset", "required" or "syntax".
func (k ProblemKind) String() string {
	switch k {
	case Unset:
		return "unset"
	case Required:
		return "required"
	case Syntax:
		return "syntax"
	}
	return fmt.Sprintf("ProblemKind(%d)", int(k))
}

// Problem is one thing wrong with one reference in a string.
type Problem struct {
	Offset  int         // byte offset of the '$' that starts the reference in the input
	Var     string      // variable name; "" for syntax problems
	Kind    ProblemKind // Unset, Required or Syntax
	Message string      // for people; never contains any variable's value
}

// Error returns the message, so a Problem can travel as an error. The offset
// is left out: callers turn it into a line and column of their own source.
func (p Problem) Error() string { return p.Message }

// Var is a variable the expansion substituted.
type Var struct {
	Name  string
	Value string // may be empty: a set-but-empty variable is substituted too
}

// Result of expanding one string.
type Result struct {
	// Value is the expanded text. References that are unset, that fail or
	// that are malformed expand to "", so callers can keep checking the rest
	// of a manifest; Value is only meaningful when there were no problems.
	Value string
	// Refs names every variable the string references, in order of first
	// appearance and without duplicates. It is syntactic: it includes names
	// in defaults and messages whether or not they were used, and names that
	// fell back to a default. Malformed references contribute no names.
	Refs []string
	// Used lists, without duplicates and in order of first substitution, the
	// variables whose values were substituted into Value, so a caller can
	// scrub secrets derived from them. Values may be empty; a scrubber must
	// skip those.
	Used []Var
}

// Expand expands every reference in s. It reports every problem in s, not
// just the first, ordered by offset. A nil lookup is one where no variable is
// set.
//
// Text after a "${" that is never closed is still checked for syntax and
// still yields Refs, but nothing in it is looked up or added to Value: where
// the reference was meant to end is unknown, so "not set" reports would be
// guesses.
func Expand(s string, lookup Lookup) (Result, []Problem) {
	// Fast path: most manifest values hold no "$" at all. Returning s itself
	// keeps this free of allocations.
	if strings.IndexByte(s, '$') < 0 {
		return Result{Value: s}, nil
	}
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	e := expander{s: s, lookup: lookup}
	if strings.Contains(s, "${") {
		e.opens, e.closes = matchBraces(s)
	}
	e.out.Grow(len(s))
	e.expand(0, len(s), 0, true)
	e.res.Value = e.out.String()
	return e.res, e.problems
}

// HasReference reports whether s contains a '$' that is not part of a "$$"
// escape, that is, whether Expand would do anything but unescape "$$".
// Malformed references ("$5", "${") count: a caller that skips Expand for
// strings without references must not skip the ones Expand would reject.
func HasReference(s string) bool {
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			return false
		}
		if i+1 >= len(s) || s[i+1] != '$' {
			return true
		}
		s = s[i+2:]
	}
}

// expander holds the state of one Expand call.
type expander struct {
	s      string
	lookup Lookup
	// opens holds, in increasing order, the offset of every "${" in s as the
	// scan tokenizes it, and closes the offset of its matching "}" or -1.
	opens, closes []int
	out           strings.Builder
	res           Result
	refSet        nameSet // the names in res.Refs
	usedSet       nameSet // the names in res.Used
	problems      []Problem
}

// matchBraces pairs every "${" in s with the "}" that closes it, in one pass
// with a stack. Matching up front lets a malformed reference be skipped as a
// whole, and an unclosed one be recognised without rescanning the rest of the
// string for every "${" (which would be quadratic on hostile input).
//
// It tokenizes exactly as expand does: "$$" is one token, "${" opens, and
// every other byte is looked at alone (names hold no '$', '{' or '}').
func matchBraces(s string) (opens, closes []int) {
	var stack []int // indexes into opens
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "$}")
		if j < 0 {
			break
		}
		i += j
		if s[i] == '}' {
			if n := len(stack); n > 0 {
				closes[stack[n-1]] = i
				stack = stack[:n-1]
			}
			i++
			continue
		}
		if i+1 < len(s) {
			switch s[i+1] {
			case '$':
				i += 2
				continue
			case '{':
				stack = append(stack, len(opens))
				opens = append(opens, i)
				closes = append(closes, -1)
				i += 2
				continue
			}
		}
		i++
	}
	return opens, closes
}

// closeOf returns the offset of the "}" matching the "${" at p, or -1.
func (e *expander) closeOf(p int) int {
	if k, ok := slices.BinarySearch(e.opens, p); ok {
		return e.closes[k]
	}
	return -1 // unreachable while matchBraces and expand tokenize alike
}

// expand processes s[i:end], which lies at the given nesting depth. With eval
// false it only checks syntax and records names, emitting nothing and looking
// nothing up: that is how unused defaults, :? messages and the text after an
// unclosed "${" are handled.
func (e *expander) expand(i, end, depth int, eval bool) {
	s := e.s
	for i < end {
		j := strings.IndexByte(s[i:end], '$')
		if j < 0 {
			if eval {
				e.out.WriteString(s[i:end])
			}
			return
		}
		if eval {
			e.out.WriteString(s[i : i+j])
		}
		i += j
		// s[i] is '$'. Looking at s[i+1] rather than stopping at end is
		// deliberate: a region inside braces ends just before its '}', and a
		// '$' right before it is reported as "$" followed by "}".
		if i+1 >= len(s) {
			e.syntax(i, `"$" at the end of the text is not a variable reference`)
			return
		}
		switch c := s[i+1]; {
		case c == '$':
			if eval {
				e.out.WriteByte('$')
			}
			i += 2
		case c == '{':
			q := e.closeOf(i)
			if q < 0 {
				e.syntax(i, `"${" is never closed by "}"`)
				eval = false
				i += 2
				continue
			}
			i = e.braced(i, q, depth, eval)
		case isNameStart(c):
			n := nameEnd(s, i+1)
			e.simple(i, s[i+1:n], eval)
			i = n
		default:
			r, _ := utf8.DecodeRuneInString(s[i+1:])
			e.syntax(i, fmt.Sprintf(`"$" followed by %q is not a variable reference`, string(r)))
			i++
		}
	}
}

// braced handles the "${...}" starting at p and closed at q, and returns the
// offset just past the "}". A malformed one is reported once and skipped
// whole: its inside is not examined.
func (e *expander) braced(p, q, depth int, eval bool) int {
	s := e.s
	next := q + 1
	if depth >= MaxDepth {
		e.problems = append(e.problems, Problem{
			Offset:  p,
			Kind:    Syntax,
			Message: fmt.Sprintf("references are nested more than %d deep", MaxDepth),
		})
		return next
	}
	k := p + 2
	if k == q {
		e.syntax(p, `"${}" has no variable name`)
		return next
	}
	if !isNameStart(s[k]) {
		r, _ := utf8.DecodeRuneInString(s[k:])
		e.syntax(p, fmt.Sprintf(`a variable name cannot start with %q (names are letters, digits and "_", not starting with a digit)`, string(r)))
		return next
	}
	n := nameEnd(s, k)
	name := s[k:n]
	if n == q {
		e.simple(p, name, eval)
		return next
	}

	// The operator: ":-", "-", ":?" or "?".
	colon := s[n] == ':'
	opAt := n
	if colon {
		opAt++
	}
	if opAt >= q || (s[opAt] != '-' && s[opAt] != '?') {
		var got string
		if colon && opAt < q {
			r, _ := utf8.DecodeRuneInString(s[opAt:])
			got = ":" + string(r)
		} else if colon {
			got = ":"
		} else {
			r, _ := utf8.DecodeRuneInString(s[n:])
			got = string(r)
		}
		e.syntax(p, fmt.Sprintf(`unexpected %q after the name %q in "${...}" (expected "}", ":-", "-", ":?" or "?")`, got, name))
		return next
	}
	op := s[opAt]
	body := opAt + 1

	e.addRef(name)
	if !eval {
		e.expand(body, q, depth+1, false)
		return next
	}
	v, set := e.lookup(name)
	missing := !set || (colon && v == "")
	if op == '-' {
		if missing {
			e.expand(body, q, depth+1, true)
		} else {
			e.use(name, v)
			e.expand(body, q, depth+1, false)
		}
		return next
	}

	// op == '?'. The message is reported as written, references unexpanded:
	// expanding them would put variable values into a message, which must
	// never hold one. It is still checked for syntax and named in Refs.
	if missing {
		msg := s[body:q]
		switch {
		case msg != "":
			msg = clipName(name) + ": " + printable.Clip(msg, 200)
		case set:
			msg = fmt.Sprintf("variable %q is required but empty", clipName(name))
		default:
			msg = fmt.Sprintf("variable %q is required but not set", clipName(name))
		}
		e.problems = append(e.problems, Problem{Offset: p, Var: name, Kind: Required, Message: msg})
	} else {
		e.use(name, v)
	}
	e.expand(body, q, depth+1, false)
	return next
}

// simple handles $NAME and ${NAME} at offset p.
func (e *expander) simple(p int, name string, eval bool) {
	e.addRef(name)
	if !eval {
		return
	}
	v, ok := e.lookup(name)
	if !ok {
		e.problems = append(e.problems, Problem{
			Offset:  p,
			Var:     name,
			Kind:    Unset,
			Message: fmt.Sprintf("variable %q is not set", clipName(name)),
		})
		return
	}
	e.use(name, v)
}

// use substitutes v for name.
func (e *expander) use(name, v string) {
	e.out.WriteString(v)
	if e.usedSet.add(name) {
		e.res.Used = append(e.res.Used, Var{Name: name, Value: v})
	}
}

func (e *expander) addRef(name string) {
	if e.refSet.add(name) {
		e.res.Refs = append(e.res.Refs, name)
	}
}

// nameSet remembers the names seen in one string. Almost every string has
// one or two, so it scans a slice and only builds a map past
// nameSetThreshold; that keeps hostile strings with thousands of distinct
// names linear without costing the common case a map.
type nameSet struct {
	list []string
	set  map[string]struct{}
}

// nameSetThreshold is how many names a nameSet holds before it builds a map.
const nameSetThreshold = 16

// add records name and reports whether it was new.
func (n *nameSet) add(name string) bool {
	if n.set != nil {
		if _, ok := n.set[name]; ok {
			return false
		}
		n.set[name] = struct{}{}
		return true
	}
	if slices.Contains(n.list, name) {
		return false
	}
	n.list = append(n.list, name)
	if len(n.list) > nameSetThreshold {
		n.set = make(map[string]struct{}, 2*len(n.list))
		for _, s := range n.list {
			n.set[s] = struct{}{}
		}
		n.list = nil
	}
	return true
}

// syntax records a malformed reference at p. Every such message ends with
// the same hint, because the usual cause is a "$" meant literally (a password,
// a shell snippet, a price).
func (e *expander) syntax(p int, msg string) {
	e.problems = append(e.problems, Problem{
		Offset:  p,
		Kind:    Syntax,
		Message: msg + `; write "$$" for a literal "$"`,
	})
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9'
}

// nameEnd returns the offset just past the name that starts at i.
func nameEnd(s string, i int) int {
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	return i
}

// clipName shortens a variable name for a message: a 200,000-character name
// is named by its start and length, not repeated whole. A "${VAR:?message}"
// message is cut the same way, at 200 bytes.
func clipName(name string) string { return printable.Clip(name, 64) }
