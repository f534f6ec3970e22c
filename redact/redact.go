// Package redact scrubs secret values out of text before anything is printed.
//
// The secrets are sensitive container_env values, the API key and the values of
// variables substituted into sensitive entries. A secret rarely reaches the output
// verbatim: a server that echoes the request body shows it JSON-escaped, and a URL
// shows it percent-escaped. A Redactor therefore looks for every form a secret can
// take on its way out, not just the raw bytes.
package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
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
	// secrets holds the raw values, deduplicated, so that With can rebuild forms.
	secrets []string
	// forms holds every encoded form of every secret, deduplicated, longest first.
	forms []string
}

// New returns a Redactor for the given secrets. Empty strings are ignored.
//
// Besides the raw value, each secret is also masked in the forms it takes on the
// way out of the program:
//   - inside a JSON string, as encoding/json writes it (quotes, backslashes and
//     control characters escaped, and <, >, & as \u003c, \u003e, \u0026), both
//     with and without that HTML escaping, and with non-ASCII runes written as
//     \uXXXX as many other JSON encoders do;
//   - inside a JSON string inside a JSON string: a server's message quoting our
//     JSON body is JSON-escaped once more when it is itself written as JSON
//     (-o json, or an error body echoing a body);
//   - HTML-escaped, as an HTML error page quoting the request shows it
//     (&lt; &amp; &#34; &#39; as Go writes them, &quot; and &#x27; as others do);
//   - URL query-escaped (url.QueryEscape) and path-escaped (url.PathEscape).
//
// A very short secret (a single letter, say) masks every occurrence of those
// characters; that is the price of never printing it.
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
		// re-encoding every secret (submit calls With once per job).
		return r
	}

	formSet := make(map[string]bool, len(raw)*4)
	for _, s := range raw {
		for _, f := range encodedForms(s) {
			if f != "" {
				formSet[f] = true
			}
		}
	}
	forms := make([]string, 0, len(formSet))
	for f := range formSet {
		forms = append(forms, f)
	}
	// Longest first. Matching marks every occurrence of every form (see cover), so
	// the order does not change the result; it is fixed for deterministic work.
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return &Redactor{secrets: raw, forms: forms}
}

// encodedForms lists the ways secret s can appear in text this program prints.
func encodedForms(s string) []string {
	forms := []string{
		s,
		jsonForm(s, true),
		jsonForm(s, false),
		jsonASCIIForm(s),
		url.QueryEscape(s),
		url.PathEscape(s),
		html.EscapeString(s),
		htmlQuot.Replace(s),
	}
	// JSON in JSON: each JSON form escaped once more. Only a secret that JSON
	// escapes at all has new forms here; the set drops the repeats.
	for _, inner := range forms[1:4] {
		if inner != s {
			forms = append(forms, jsonForm(inner, true), jsonForm(inner, false))
		}
	}
	return forms
}

// htmlQuot escapes like html.EscapeString but with the named entity for '"'
// and a hex one for the apostrophe, as many other HTML writers do.
var htmlQuot = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// jsonForm is s as encoding/json writes it inside a JSON string, without the
// surrounding quotes. A server echoing our request body most likely uses one of
// the two escapeHTML settings.
func jsonForm(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		// Encoding a string cannot fail; the raw form is still masked.
		return ""
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	return string(out[1 : len(out)-1])
}

// jsonASCIIForm is the form written by encoders that escape every non-ASCII rune
// as \uXXXX (Python's json.dumps, many Java encoders), lower-case hex, with
// surrogate pairs above U+FFFF. It is the HTML-escaped Go form with the
// remaining non-ASCII runes escaped.
func jsonASCIIForm(s string) string {
	base := jsonForm(s, true)
	var b strings.Builder
	for _, r := range base {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// String returns s with every occurrence of every secret, in any of its forms,
// replaced by Mask.
//
// Occurrences that overlap or touch (two secrets sharing characters, or a form
// repeated) become a single Mask, so no piece of any secret is left between
// masks. When nothing matches, s itself is returned without allocating.
func (r *Redactor) String(s string) string {
	if r == nil || len(r.forms) == 0 || s == "" {
		return s
	}
	covered := r.cover(s)
	if covered == nil {
		return s
	}
	return mask(s, covered)
}

// cover marks every byte of s that belongs to an occurrence of any form, or
// returns nil if there is none. Marking bytes instead of replacing strings one
// after another is what makes overlapping secrets safe: replacing "abcd" first
// in "abcdef" would leave "ef" of a second secret "cdef" behind.
func (r *Redactor) cover(s string) []bool {
	var covered []bool
	for _, f := range r.forms {
		if len(f) > len(s) {
			continue
		}
		// done is how far this form has already marked: occurrences of one form
		// are found left to right, so each byte is marked once per form.
		done := 0
		for i := 0; ; {
			j := strings.Index(s[i:], f)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(f)
			if covered == nil {
				covered = make([]bool, len(s))
			}
			for k := max(start, done); k < end; k++ {
				covered[k] = true
			}
			done = end
			// Step one byte, not len(f): occurrences of a form may overlap
			// ("aa" in "aaa") and each one must be covered.
			i = start + 1
		}
	}
	return covered
}

// mask writes s with each run of covered bytes replaced by one Mask.
func mask(s string, covered []bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !covered[i] {
			j := i
			for j < len(s) && !covered[j] {
				j++
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		for i < len(s) && covered[i] {
			i++
		}
		b.WriteString(Mask)
	}
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
