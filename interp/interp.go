// Package interp expands environment-variable references in manifest string
// values, and reads the dotenv files (--env-file) that supply them, the way
// docker compose does (compose-go's template and dotenv packages):
//
//	$VAR, ${VAR}      the value of VAR
//	${VAR:-default}   default when VAR is unset or empty
//	${VAR-default}    default when VAR is unset
//	${VAR:?message}   a problem carrying message when VAR is unset or empty
//	${VAR?message}    a problem carrying message when VAR is unset
//	${VAR:+alt}       alt when VAR is set and not empty, else ""
//	${VAR+alt}        alt when VAR is set (even to ""), else ""
//	$$                a literal "$"
//
// Names match [A-Za-z_][A-Za-z0-9_]*; a bare $NAME takes the longest such
// name ("$FOO-bar" is FOO followed by "-bar").
//
// Defaults and alternates may hold references of their own
// (${A:-${B:-x}}, ${A:+${A},}) and are expanded only when they are used.
// They may also hold braces: as in compose, every "{" and "}" after the "${"
// counts, so ${JSON:-{"a":1}} ends at the last brace and the default is
// {"a":1}. A reference ends on the line it starts on; if its braces do not
// balance there, it ends at the last "}" of the line, which is also what
// compose does (${A:-{x} has the default "{x").
//
// Deliberate differences from compose, because each of compose's behaviours
// hides a mistake until a job runs with the wrong value:
//
//   - A reference to an unset variable without a default is a problem (kind
//     Unset). Compose substitutes "" and logs a warning: a job submitted with
//     an empty password or image tag fails far from the line that caused it.
//     ${VAR:-} and ${VAR-} say "empty is fine" explicitly.
//
//   - A "$" that starts no reference ("price 5$", "^re$", "$}") is a problem
//     (kind Syntax) whose message says to write "$$". Compose keeps such a "$"
//     as it is, so a typo such as "$(FOO)" passes silently.
//
//   - The message of ${VAR:?message} is reported as written, references
//     unexpanded. Compose expands them, which can carry one variable's value
//     (a secret) into an error message that ends up in CI logs.
//
//   - Compose pairs braces with a scanner that skips the character after each
//     "{", so a default holding "{{" or "{}" can end one brace too early or
//     late (${A:-{{x}}} with A set gives "a}"). Here every brace counts.
//
//   - Syntax is checked everywhere, also inside defaults, alternates and
//     messages that the current environment does not use; compose expands
//     them only when used, so ${TAG:-${1}} passes wherever TAG is set. Whether
//     a manifest is well formed must not depend on which machine validates
//     it.
//
// (The items of container_cmd are not expanded at all; that is the caller's
// rule, see package plan.)
//
// Every problem in a string is reported, not just the first (compose stops at
// the first), ordered by offset.
//
// Expand runs in time linear in its input (up to a logarithmic factor), also
// for hostile input, and bounds nesting at MaxDepth.
//
// Env reads dotenv files as compose reads .env, with the same references in
// their values and the same differences; its documentation lists the format.
// The cases in testdata/compat are compose-go's and joho/godotenv's own test
// vectors, run against this package.
package interp

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/printable"
)

// MaxDepth bounds how deeply "${...}" references may nest inside each other's
// defaults, alternates and messages. Expansion recurses once per level, so the
// bound keeps hostile input from exhausting the stack; real manifests nest two
// or three levels at most.
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
	// Encoding is a reference to a variable whose value is not UTF-8. It is
	// refused rather than substituted: a request body is JSON text, which
	// would carry each bad byte as U+FFFD, so two different values could
	// name one job and a password would be sent wrong.
	Encoding
)

// String returns "unset", "required", "syntax" or "encoding".
func (k ProblemKind) String() string {
	switch k {
	case Unset:
		return "unset"
	case Required:
		return "required"
	case Syntax:
		return "syntax"
	case Encoding:
		return "encoding"
	}
	return fmt.Sprintf("ProblemKind(%d)", int(k))
}

// Problem is one thing wrong with one reference in a string.
type Problem struct {
	Offset  int         // byte offset of the '$' that starts the reference in the input
	Var     string      // variable name; "" for syntax problems
	Kind    ProblemKind // Unset, Required, Syntax or Encoding
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
	// in defaults, alternates and messages whether or not they were used, and
	// names that fell back to a default. Malformed references contribute no
	// names.
	Refs []string
	// Used lists, without duplicates and in order of first substitution, the
	// variables whose values were substituted into Value, wherever the
	// reference sat (at the top, in a used default or in a used alternate),
	// so a caller can scrub secrets derived from them. The variable that
	// decides a ${VAR:+alt} is not listed: its value is not substituted.
	// Values may be empty; a scrubber must skip those.
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
		e.scanBraces()
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
	// scan tokenizes it, and closes the offset of the "}" that balances its
	// "{" (counting every brace, as compose does) or -1.
	opens, closes []int
	// rbraces and newlines hold the offsets of every "}" and "\n" in s, in
	// increasing order, for the end-of-line rules of references.
	rbraces, newlines []int
	out               strings.Builder
	res               Result
	refSet            nameSet // the names in res.Refs
	usedSet           nameSet // the names in res.Used
	problems          []Problem
}

// scanBraces pairs braces and records line ends in one pass with a stack.
// Pairing up front lets a reference's end be found without rescanning the
// rest of the string for every "${", which would be quadratic on hostile
// input.
//
// It tokenizes exactly as expand does: "$$" is one token, "${" opens, and
// every other byte is looked at alone (names hold no '$', '{', '}' or '\n').
// Any other "{" is pushed too, so that braces in a default count.
func (e *expander) scanBraces() {
	s := e.s
	var stack []int // indexes into opens, or -1 for a "{" that opens no reference
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], "${}\n")
		if j < 0 {
			break
		}
		i += j
		switch s[i] {
		case '\n':
			e.newlines = append(e.newlines, i)
		case '{':
			stack = append(stack, -1)
		case '}':
			e.rbraces = append(e.rbraces, i)
			if n := len(stack); n > 0 {
				if k := stack[n-1]; k >= 0 {
					e.closes[k] = i
				}
				stack = stack[:n-1]
			}
		case '$':
			if i+1 < len(s) {
				switch s[i+1] {
				case '$':
					i += 2
					continue
				case '{':
					stack = append(stack, len(e.opens))
					e.opens = append(e.opens, i)
					e.closes = append(e.closes, -1)
					i += 2
					continue
				}
			}
		}
		i++
	}
}

// balancedClose returns the offset of the "}" that balances the "${" at p,
// or -1.
func (e *expander) balancedClose(p int) int {
	if k, ok := slices.BinarySearch(e.opens, p); ok {
		return e.closes[k]
	}
	return -1 // unreachable while scanBraces and expand tokenize alike
}

// lineEnd returns the offset of the first '\n' after p, or len(s).
func (e *expander) lineEnd(p int) int {
	k := sort.SearchInts(e.newlines, p)
	if k < len(e.newlines) {
		return e.newlines[k]
	}
	return len(e.s)
}

// lastBrace returns the offset of the last "}" in s[from:to], or -1.
func (e *expander) lastBrace(from, to int) int {
	k := sort.SearchInts(e.rbraces, to) - 1
	if k >= 0 && e.rbraces[k] >= from {
		return e.rbraces[k]
	}
	return -1
}

// expand processes s[i:end], which lies at the given nesting depth. With eval
// false it only checks syntax and records names, emitting nothing and looking
// nothing up: that is how unused defaults and alternates, :? messages and the
// text after an unclosed "${" are handled.
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
			i = e.braced(i, end, depth, &eval)
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

// braced handles the "${" at p, inside a region that ends at end, and
// returns the offset at which to continue. A malformed reference is reported
// once and skipped whole when its end is known: its inside is not examined.
// When it has no end, the rest of the region is only checked (*eval is
// cleared) and scanning continues after the "${".
func (e *expander) braced(p, end, depth int, eval *bool) int {
	s := e.s
	// A reference ends on its own line and inside the region holding it:
	// compose matches it with a regular expression whose "." stops at a
	// line end, and expands a default as a string of its own.
	limit := min(end, e.lineEnd(p))
	q := e.balancedClose(p)
	if q >= limit {
		q = -1
	}

	if depth >= MaxDepth {
		if q < 0 {
			q = e.lastBrace(p+2, limit)
		}
		e.problems = append(e.problems, Problem{
			Offset:  p,
			Kind:    Syntax,
			Message: fmt.Sprintf("references are nested more than %d deep", MaxDepth),
		})
		if q < 0 {
			*eval = false
			return p + 2
		}
		return q + 1
	}

	k := p + 2
	if k < limit && s[k] == '}' {
		e.syntax(p, `"${}" has no variable name`)
		return k + 1
	}
	if k >= limit || !isNameStart(s[k]) {
		if k >= limit {
			return e.unclosed(p, end, eval)
		}
		r, _ := utf8.DecodeRuneInString(s[k:])
		e.syntax(p, fmt.Sprintf(`a variable name cannot start with %q (names are letters, digits and "_", not starting with a digit)`, string(r)))
		return e.skip(p, q, eval)
	}
	n := nameEnd(s, k)
	name := s[k:n]
	if n < limit && s[n] == '}' {
		e.simple(p, name, *eval)
		return n + 1
	}

	// The operator: ":-", "-", ":?", "?", ":+" or "+".
	colon := n < limit && s[n] == ':'
	opAt := n
	if colon {
		opAt++
	}
	if opAt >= limit || (s[opAt] != '-' && s[opAt] != '?' && s[opAt] != '+') {
		if n >= limit {
			return e.unclosed(p, end, eval)
		}
		var got string
		if colon && opAt < limit && s[opAt] != '}' {
			r, _ := utf8.DecodeRuneInString(s[opAt:])
			got = ":" + string(r)
		} else if colon {
			got = ":"
		} else {
			r, _ := utf8.DecodeRuneInString(s[n:])
			got = string(r)
		}
		e.syntax(p, fmt.Sprintf(`unexpected %q after the name %q in "${...}" (expected "}", ":-", "-", ":?", "?", ":+" or "+")`, got, clipName(name)))
		return e.skip(p, q, eval)
	}
	op := s[opAt]
	body := opAt + 1
	if q < 0 {
		// Compose's pattern takes everything up to the last "}" of the line
		// and only then looks for the balancing brace, so when the braces
		// do not balance the reference ends at that last "}".
		q = e.lastBrace(body, limit)
		if q < 0 {
			return e.unclosed(p, end, eval)
		}
	}

	e.addRef(name)
	if !*eval {
		e.expand(body, q, depth+1, false)
		return q + 1
	}
	v, set := e.lookup(name)
	empty := !set || (colon && v == "")
	switch op {
	case '-':
		if empty {
			e.expand(body, q, depth+1, true)
		} else {
			e.use(p, name, v)
			e.expand(body, q, depth+1, false)
		}
	case '+':
		// The alternate replaces the value; otherwise the result is
		// empty (compose returns the value, which is "" then).
		e.expand(body, q, depth+1, !empty)
	case '?':
		// The message is reported as written, references unexpanded:
		// expanding them would put variable values into a message, which
		// must never hold one. It is still checked for syntax and named in
		// Refs.
		if empty {
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
			e.use(p, name, v)
		}
		e.expand(body, q, depth+1, false)
	}
	return q + 1
}

// skip continues after a malformed reference at p: past its closing brace q
// when it has one, else as for an unclosed one (without a second report).
func (e *expander) skip(p, q int, eval *bool) int {
	if q >= 0 {
		return q + 1
	}
	*eval = false
	return p + 2
}

// unclosed reports the "${" at p, which has no end, and continues after it
// in check-only mode.
func (e *expander) unclosed(p, end int, eval *bool) int {
	msg := `"${" is never closed by "}"`
	if q := e.balancedClose(p); q >= 0 && q < end {
		msg = `"${" is not closed on its line (a reference cannot span lines)`
	}
	e.syntax(p, msg)
	*eval = false
	return p + 2
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
	e.use(p, name, v)
}

// use substitutes v for name, referenced at offset p, or reports a value
// that is not UTF-8 there and substitutes nothing.
func (e *expander) use(p int, name, v string) {
	if !utf8.ValidString(v) {
		e.problems = append(e.problems, Problem{
			Offset: p,
			Var:    name,
			Kind:   Encoding,
			Message: fmt.Sprintf("the value of %q is not UTF-8 text (byte %d of it is not); a request is JSON text, so it cannot be sent as it is",
				clipName(name), firstInvalid(v)+1),
		})
		return
	}
	e.out.WriteString(v)
	if e.usedSet.isNew(name, len(e.res.Used), func(i int) string { return e.res.Used[i].Name }) {
		e.res.Used = append(e.res.Used, Var{Name: name, Value: v})
	}
}

func (e *expander) addRef(name string) {
	if e.refSet.isNew(name, len(e.res.Refs), func(i int) string { return e.res.Refs[i] }) {
		e.res.Refs = append(e.res.Refs, name)
	}
}

// nameSet tells whether a name is already in a list of the result
// (res.Refs, res.Used). Almost every string has one or two names, so it
// scans the list itself and only builds a map past nameSetThreshold; that
// keeps hostile strings with thousands of distinct names linear without
// costing the common case a map, or a second list.
type nameSet struct {
	set map[string]struct{}
}

// nameSetThreshold is how many names a list holds before a nameSet builds a
// map of them.
const nameSetThreshold = 16

// isNew reports whether name is not among the count names of the list
// (nth gives the i-th), and records it as seen; the caller adds it to the
// list when it is new.
func (n *nameSet) isNew(name string, count int, nth func(int) string) bool {
	if n.set == nil {
		for i := range count {
			if nth(i) == name {
				return false
			}
		}
		if count < nameSetThreshold {
			return true
		}
		n.set = make(map[string]struct{}, 2*(count+1))
		for i := range count {
			n.set[nth(i)] = struct{}{}
		}
	} else if _, ok := n.set[name]; ok {
		return false
	}
	n.set[name] = struct{}{}
	return true
}

// syntaxHint ends every syntax message but the nesting one, because the usual
// cause is a "$" meant literally (a password, a shell snippet, a price).
const syntaxHint = `; write "$$" for a literal "$"`

// syntax records a malformed reference at p.
func (e *expander) syntax(p int, msg string) {
	e.problems = append(e.problems, Problem{
		Offset:  p,
		Kind:    Syntax,
		Message: msg + syntaxHint,
	})
}

// firstInvalid is the offset of the first byte of s that does not start a
// valid UTF-8 sequence, or -1.
func firstInvalid(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
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
