// Package redact scrubs secret values out of text before anything is printed.
//
// The secrets are sensitive container_env values, the API key and the values of
// variables substituted into sensitive entries. A secret rarely reaches the output
// verbatim: a server that echoes the request body shows it JSON-escaped, a URL
// shows it percent-escaped, an HTML error page shows it as character
// references, and each server chooses its own escapes (\/ for '/', \u00E4 or
// \u00e4, %40 but a raw '/'). A Redactor therefore does not look for a list of
// encoded forms: it reads the text as decoded, in several ways at once (see
// chains in decode.go), looks for every secret in every reading with one
// Aho–Corasick automaton, and masks the original text that a match was decoded
// from.
package redact

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Mask replaces every secret. It has a fixed width so that the output does not
// reveal how long a secret is.
const Mask = "***"

// Redactor replaces every known secret in text with Mask.
//
// A Redactor is immutable after New or With and safe for concurrent use. A nil
// *Redactor is valid and changes nothing, so callers that have no secrets need no
// special case.
type Redactor struct {
	// secrets holds the raw values, deduplicated, so that With can rebuild
	// the automaton.
	secrets []string
	// ac matches every secret; nil when there are none.
	ac *automaton
}

// New returns a Redactor for the given secrets. Empty strings are ignored.
//
// A secret is masked wherever it appears in the text as written or as decoded
// from the escapes a server or this program may write around it:
//   - backslash escapes of JSON strings, Go's %q, JavaScript and Python
//     (\" \/ \n \u00e4 \u00E4 \ud83d\ude00 \x41 \U0001F600);
//   - percent-encoding of any subset of the bytes, either hex case, '+' for a
//     space;
//   - HTML character references (&amp; &quot; &#39; &#x27; &auml; ...);
//   - the nestings that occur when one document quotes another: JSON in JSON
//     (\\\" and \\u0026), a URL in JSON or in JSON in JSON, JSON in HTML,
//     HTML in JSON.
//
// ASCII letters match regardless of case, as a server may lower-case what it
// echoes, and '+' matches a space, as query escaping writes one for the other
// (see fold). A secret that is not valid UTF-8 is also masked with each invalid
// byte replaced by U+FFFD, as encoding/json writes it, so that the valid rest of
// it does not show.
//
// Masking is never gated on length: a very short secret (a single letter, say)
// masks every occurrence of that letter. That is the price of never printing it.
func New(secrets ...string) *Redactor {
	return (*Redactor)(nil).With(secrets...)
}

// With returns a new Redactor that masks r's secrets and the given ones. r is not
// changed. With on a nil Redactor is New.
func (r *Redactor) With(secrets ...string) *Redactor {
	var old []string
	if r != nil {
		old = r.secrets
	}
	seen := make(map[string]bool, len(old)+len(secrets))
	raw := make([]string, 0, len(old)+len(secrets))
	for _, s := range slices.Concat(old, secrets) {
		if s != "" && !seen[s] {
			seen[s] = true
			raw = append(raw, s)
		}
	}
	if r != nil && len(raw) == len(r.secrets) {
		// Nothing new: r is immutable, so sharing it is safe and saves
		// rebuilding the automaton (submit calls With once per job).
		return r
	}
	if len(raw) == 0 {
		return &Redactor{}
	}
	patterns := slices.Clip(raw) // appending must not write into raw's spare capacity
	for _, s := range raw {
		if !utf8.ValidString(s) {
			patterns = append(patterns, invalidAsReplacement(s))
		}
	}
	return &Redactor{secrets: raw, ac: newAutomaton(patterns)}
}

// String returns s with every occurrence of every secret, in any reading,
// replaced by Mask.
//
// A mask covers the whole of the original text a secret was decoded from, and
// never part of an escape sequence. Occurrences that overlap or touch (two
// secrets sharing characters, or one repeated) become a single Mask, so no piece
// of any secret is left between masks. When nothing matches, s itself is
// returned, and nothing is allocated unless s holds an HTML reference by a name
// outside the common ones (&rarr;), which package html looks up.
func (r *Redactor) String(s string) string {
	if r == nil || r.ac == nil || !r.ac.matches(s) {
		return s
	}
	var m marks
	m.reset(len(s), r.ac)
	r.ac.scan(s, &m, true)
	var b strings.Builder
	b.Grow(len(s))
	writeMasked(&b, s, m.flags)
	return b.String()
}

// Format keeps the secrets out of fmt output: without it, printing a value that
// holds a *Redactor (a submit.Request with %+v, say) would print every secret.
func (r *Redactor) Format(f fmt.State, verb rune) {
	n := 0
	if r != nil {
		n = len(r.secrets)
	}
	fmt.Fprintf(f, "redact.Redactor{%d secrets}", n)
}
