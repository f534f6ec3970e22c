package interp

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mapLookup is a Lookup over a fixed map, so tests never read the process
// environment.
func mapLookup(m map[string]string) Lookup {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// testEnv is the environment of the Expand table. NOPE and NOPE2 are never
// set. A function rather than a variable, so no test can change it for another.
func testEnv() Lookup {
	return mapLookup(map[string]string{
		"A":     "a",
		"B":     "b",
		"EMPTY": "",
		"HOST":  "db.local",
		"PORT":  "5432",
		"U":     "ü",
		"_X1":   "x1",
		"DOLLY": "$5", // a value with "$" is substituted as is, never expanded again
	})
}

// hint ends every syntax message but the nesting one.
const hint = `; write "$$" for a literal "$"`

func TestExpand(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Result
		probs []Problem // compared without Message; TestMessages checks those
	}{
		// No references.
		{name: "empty", in: "", want: Result{Value: ""}},
		{name: "plain", in: "plain text {x} }", want: Result{Value: "plain text {x} }"}},

		// $VAR and ${VAR}.
		{name: "bare", in: "$A", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "braced", in: "${A}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "underscore and digits", in: "$_X1", want: Result{Value: "x1", Refs: []string{"_X1"}, Used: []Var{{Name: "_X1", Value: "x1"}}}},
		{name: "bare name stops at dot", in: "$A.b", want: Result{Value: "a.b", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "bare name stops at dash", in: "$A-b", want: Result{Value: "a-b", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "bare name is greedy", in: "$Ax", want: Result{Value: "", Refs: []string{"Ax"}}, probs: []Problem{{Offset: 0, Var: "Ax", Kind: Unset}}},
		{name: "adjacent bare", in: "$A$B", want: Result{Value: "ab", Refs: []string{"A", "B"}, Used: []Var{{Name: "A", Value: "a"}, {Name: "B", Value: "b"}}}},
		{name: "braced then text", in: "${A}x", want: Result{Value: "ax", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "adjacent braced", in: "${A}${B}", want: Result{Value: "ab", Refs: []string{"A", "B"}, Used: []Var{{Name: "A", Value: "a"}, {Name: "B", Value: "b"}}}},
		{name: "url", in: "postgres://$HOST:${PORT}/db", want: Result{
			Value: "postgres://db.local:5432/db", Refs: []string{"HOST", "PORT"},
			Used: []Var{{Name: "HOST", Value: "db.local"}, {Name: "PORT", Value: "5432"}},
		}},
		{name: "empty value substituted", in: "[${EMPTY}]", want: Result{Value: "[]", Refs: []string{"EMPTY"}, Used: []Var{{Name: "EMPTY", Value: ""}}}},
		{name: "value with dollar is not re-expanded", in: "$DOLLY", want: Result{Value: "$5", Refs: []string{"DOLLY"}, Used: []Var{{Name: "DOLLY", Value: "$5"}}}},
		{name: "duplicates listed once", in: "$A ${A} ${A:-x}", want: Result{Value: "a a a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},

		// Unset.
		{name: "unset bare", in: "$NOPE", want: Result{Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 0, Var: "NOPE", Kind: Unset}}},
		{name: "unset braced mid-text", in: "x-${NOPE}-y", want: Result{Value: "x--y", Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 2, Var: "NOPE", Kind: Unset}}},

		// ${VAR:-default}: unset or empty.
		{name: "colon-dash unset", in: "${NOPE:-d}", want: Result{Value: "d", Refs: []string{"NOPE"}}},
		{name: "colon-dash empty", in: "${EMPTY:-d}", want: Result{Value: "d", Refs: []string{"EMPTY"}}},
		{name: "colon-dash set", in: "${A:-d}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "colon-dash empty default", in: "<${NOPE:-}>", want: Result{Value: "<>", Refs: []string{"NOPE"}}},
		// ${VAR-default}: unset only.
		{name: "dash unset", in: "${NOPE-d}", want: Result{Value: "d", Refs: []string{"NOPE"}}},
		{name: "dash empty", in: "<${EMPTY-d}>", want: Result{Value: "<>", Refs: []string{"EMPTY"}, Used: []Var{{Name: "EMPTY", Value: ""}}}},
		{name: "dash set", in: "${A-d}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "default with colon and dash", in: "${NOPE:-a:-b-c}", want: Result{Value: "a:-b-c", Refs: []string{"NOPE"}}},

		// Braces in defaults count, as in compose (issue 13).
		{name: "braces in a used default", in: "${NOPE:-{x}}", want: Result{Value: "{x}", Refs: []string{"NOPE"}}},
		{name: "braces in an unused default", in: `${A:-{"json":1}}`, want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "nested braces in a default", in: `${A-{"a":{"b":[1]}}}!`, want: Result{Value: "a!", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "double brace in a default", in: "${A:-{{x}}}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "empty braces in a default", in: "${NOPE:-{}}{}", want: Result{Value: "{}{}", Refs: []string{"NOPE"}}},
		// Compose skips the character after each "{" when pairing, so it
		// would not count the "}" of "{}" and end this reference at the
		// last brace ("a"); every brace counts here.
		{name: "every brace counts", in: "${A:-{}x} y}", want: Result{Value: "a y}", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "brace after the reference is text", in: "${A:-x}}", want: Result{Value: "a}", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		// Unbalanced: the reference ends at the last "}" of the line, as in compose.
		{name: "unbalanced default ends at the last brace", in: "${NOPE:-{x}", want: Result{Value: "{x", Refs: []string{"NOPE"}}},
		{name: "unbalanced default ends at the last brace of its line", in: "${NOPE:-{x} y}\n}", want: Result{Value: "{x} y\n}", Refs: []string{"NOPE"}}},
		{name: "reference cannot span lines", in: "${NOPE:-x\ny}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},

		// ${VAR:+alt}: alt when set and not empty, else "".
		{name: "colon-plus set", in: "<${A:+alt}>", want: Result{Value: "<alt>", Refs: []string{"A"}}},
		{name: "colon-plus empty", in: "<${EMPTY:+alt}>", want: Result{Value: "<>", Refs: []string{"EMPTY"}}},
		{name: "colon-plus unset", in: "<${NOPE:+alt}>", want: Result{Value: "<>", Refs: []string{"NOPE"}}},
		// ${VAR+alt}: alt when set, even to "", else "".
		{name: "plus set", in: "<${A+alt}>", want: Result{Value: "<alt>", Refs: []string{"A"}}},
		{name: "plus empty", in: "<${EMPTY+alt}>", want: Result{Value: "<alt>", Refs: []string{"EMPTY"}}},
		{name: "plus unset", in: "<${NOPE+alt}>", want: Result{Value: "<>", Refs: []string{"NOPE"}}},
		{name: "alternate with its own variable", in: "${A:+${A},}B", want: Result{Value: "a,B", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "alternate substitutions are reported as used", in: "${A:+postgres://$HOST:${PORT}}", want: Result{
			Value: "postgres://db.local:5432", Refs: []string{"A", "HOST", "PORT"},
			Used: []Var{{Name: "HOST", Value: "db.local"}, {Name: "PORT", Value: "5432"}},
		}},
		{name: "unused alternate is not looked up", in: "${NOPE:+$NOPE2}", want: Result{Refs: []string{"NOPE", "NOPE2"}}},
		{name: "used alternate reports unset", in: "${A+$NOPE}", want: Result{Refs: []string{"A", "NOPE"}}, probs: []Problem{{Offset: 4, Var: "NOPE", Kind: Unset}}},
		{name: "alternate with braces", in: `${A:+{"a":"$B"}}`, want: Result{Value: `{"a":"b"}`, Refs: []string{"A", "B"}, Used: []Var{{Name: "B", Value: "b"}}}},
		{name: "default inside alternate", in: "${A:+${NOPE:-d}}", want: Result{Value: "d", Refs: []string{"A", "NOPE"}}},
		{name: "syntax in unused alternate", in: "${NOPE:+$5}", want: Result{Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 8, Kind: Syntax}}},

		// ${VAR:?message}: unset or empty.
		{name: "colon-question unset", in: "${NOPE:?set it}", want: Result{Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 0, Var: "NOPE", Kind: Required}}},
		{name: "colon-question empty", in: "x${EMPTY:?set it}", want: Result{Value: "x", Refs: []string{"EMPTY"}}, probs: []Problem{{Offset: 1, Var: "EMPTY", Kind: Required}}},
		{name: "colon-question set", in: "${A:?set it}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		// ${VAR?message}: unset only.
		{name: "question unset", in: "${NOPE?}", want: Result{Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 0, Var: "NOPE", Kind: Required}}},
		{name: "question empty", in: "<${EMPTY?set it}>", want: Result{Value: "<>", Refs: []string{"EMPTY"}, Used: []Var{{Name: "EMPTY", Value: ""}}}},
		{name: "question set", in: "${A?set it}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "message references are listed, not looked up", in: "${NOPE:?set $HOME or ${NOPE2}}", want: Result{Refs: []string{"NOPE", "HOME", "NOPE2"}}, probs: []Problem{{Offset: 0, Var: "NOPE", Kind: Required}}},

		// Nested defaults.
		{name: "nested both unset", in: "${NOPE:-${NOPE2:-x}}", want: Result{Value: "x", Refs: []string{"NOPE", "NOPE2"}}},
		{name: "nested inner set", in: "${NOPE:-${B:-x}}", want: Result{Value: "b", Refs: []string{"NOPE", "B"}, Used: []Var{{Name: "B", Value: "b"}}}},
		{name: "nested unused default is not looked up", in: "${A:-${NOPE}}", want: Result{Value: "a", Refs: []string{"A", "NOPE"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "nested used default reports unset", in: "${NOPE:-$NOPE2}", want: Result{Refs: []string{"NOPE", "NOPE2"}}, probs: []Problem{{Offset: 8, Var: "NOPE2", Kind: Unset}}},
		{name: "nested required fires when used", in: "${NOPE:-${NOPE2:?x}}", want: Result{Refs: []string{"NOPE", "NOPE2"}}, probs: []Problem{{Offset: 8, Var: "NOPE2", Kind: Required}}},
		{name: "default mixing text and refs", in: "${NOPE:-http://$HOST:${PORT}/}", want: Result{
			Value: "http://db.local:5432/", Refs: []string{"NOPE", "HOST", "PORT"},
			Used: []Var{{Name: "HOST", Value: "db.local"}, {Name: "PORT", Value: "5432"}},
		}},
		{name: "three levels", in: "${NOPE:-${NOPE2:-${EMPTY:-deep}}}!", want: Result{Value: "deep!", Refs: []string{"NOPE", "NOPE2", "EMPTY"}}},

		// $$.
		{name: "escape alone", in: "$$", want: Result{Value: "$"}},
		{name: "escape before name", in: "$$A", want: Result{Value: "$A"}},
		{name: "escape then ref", in: "$$$A", want: Result{Value: "$a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "two escapes", in: "$$$$", want: Result{Value: "$$"}},
		{name: "escape before brace", in: "$${A}", want: Result{Value: "${A}"}},
		{name: "escape in default", in: "${NOPE:-$$5}", want: Result{Value: "$5", Refs: []string{"NOPE"}}},
		// "$${" is an escape, not an opener, so the first "}" closes the reference.
		{name: "escaped brace opener in default", in: "${NOPE:-$${x}}", want: Result{Value: "${x}", Refs: []string{"NOPE"}}},

		// Unicode around references; offsets are in bytes.
		{name: "unicode around", in: "é$A€", want: Result{Value: "éa€", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "unicode value", in: "${U}ü", want: Result{Value: "üü", Refs: []string{"U"}, Used: []Var{{Name: "U", Value: "ü"}}}},
		{name: "unicode ends a bare name", in: "$Aé", want: Result{Value: "aé", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}},
		{name: "unicode offset", in: "日本$NOPE語", want: Result{Value: "日本語", Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 6, Var: "NOPE", Kind: Unset}}},
		{name: "unicode after dollar", in: "€$€", want: Result{Value: "€€"}, probs: []Problem{{Offset: 3, Kind: Syntax}}},

		// Syntax.
		{name: "dollar at end", in: "cost 5$", want: Result{Value: "cost 5"}, probs: []Problem{{Offset: 6, Kind: Syntax}}},
		{name: "dollar digit", in: "$5", want: Result{Value: "5"}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "dollar space", in: "a $ b", want: Result{Value: "a  b"}, probs: []Problem{{Offset: 2, Kind: Syntax}}},
		{name: "empty braces", in: "x${}y", want: Result{Value: "xy"}, probs: []Problem{{Offset: 1, Kind: Syntax}}},
		{name: "name starts with digit", in: "${1X}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "unterminated", in: "ab${A", want: Result{Value: "ab"}, probs: []Problem{{Offset: 2, Kind: Syntax}}},
		{name: "unterminated after colon", in: "${A:", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "unknown operator", in: "${A:x}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "colon then close", in: "${A:}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "space in braces", in: "${A B}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "dot in braces", in: "${A.B}", want: Result{}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "malformed skipped whole", in: "${A:x${B}}z", want: Result{Value: "z"}, probs: []Problem{{Offset: 0, Kind: Syntax}}},
		{name: "syntax in unused default", in: "${A:-$5}", want: Result{Value: "a", Refs: []string{"A"}, Used: []Var{{Name: "A", Value: "a"}}}, probs: []Problem{{Offset: 5, Kind: Syntax}}},
		{name: "dollar before closing brace", in: "${NOPE:-x$}", want: Result{Value: "x", Refs: []string{"NOPE"}}, probs: []Problem{{Offset: 9, Kind: Syntax}}},
		// The outer "{" is never balanced, so the reference ends at the last
		// "}" (compose too): A is set, the default is only checked.
		{name: "unbalanced outer ends at the last brace", in: "${A:-x $5 $NOPE ${B}", want: Result{Value: "a", Refs: []string{"A", "NOPE"}, Used: []Var{{Name: "A", Value: "a"}}}, probs: []Problem{{Offset: 7, Kind: Syntax}, {Offset: 16, Kind: Syntax}}},
		{name: "after unterminated only syntax", in: "${A:-x $5 $NOPE $B", want: Result{Refs: []string{"NOPE", "B"}}, probs: []Problem{{Offset: 0, Kind: Syntax}, {Offset: 7, Kind: Syntax}}},
		{name: "unterminated outer, closed inner", in: "${A ${B}", want: Result{Refs: []string{"B"}}, probs: []Problem{{Offset: 0, Kind: Syntax}}},

		// Every problem is reported, in order, with its offset.
		{
			name: "many problems",
			in:   "$NOPE ${A:x} $5 ${NOPE2:?gone} ${} ${EMPTY:?} $",
			want: Result{Value: "  5    ", Refs: []string{"NOPE", "NOPE2", "EMPTY"}},
			probs: []Problem{
				{Offset: 0, Var: "NOPE", Kind: Unset},
				{Offset: 6, Kind: Syntax},
				{Offset: 13, Kind: Syntax},
				{Offset: 16, Var: "NOPE2", Kind: Required},
				{Offset: 31, Kind: Syntax},
				{Offset: 35, Var: "EMPTY", Kind: Required},
				{Offset: 46, Kind: Syntax},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, probs := Expand(tt.in, testEnv())
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Expand(%q) result (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.probs, probs, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Problem{}, "Message")); diff != "" {
				t.Errorf("Expand(%q) problems (-want +got):\n%s", tt.in, diff)
			}
			for _, p := range probs {
				if p.Offset < 0 || p.Offset >= len(tt.in) || tt.in[p.Offset] != '$' {
					t.Errorf("problem %+v: offset does not point at a '$' in %q", p, tt.in)
				}
				if p.Kind == Syntax && !strings.HasSuffix(p.Message, hint) {
					t.Errorf("syntax message %q does not end with the $$ hint", p.Message)
				}
			}
		})
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "unset", in: "$DB_PASSWORD", want: []string{`variable "DB_PASSWORD" is not set`}},
		{name: "required with message", in: "${DB_PASSWORD:?set it in .env}", want: []string{`DB_PASSWORD: set it in .env`}},
		{name: "required message kept as written", in: "${NOPE?use $$HOME or $HOME}", want: []string{`NOPE: use $$HOME or $HOME`}},
		{name: "required unset no message", in: "${NOPE:?}", want: []string{`variable "NOPE" is required but not set`}},
		{name: "required empty no message", in: "${EMPTY:?}", want: []string{`variable "EMPTY" is required but empty`}},
		{name: "dollar at end", in: "5$", want: []string{`"$" at the end of the text is not a variable reference` + hint}},
		{name: "dollar digit", in: "$5", want: []string{`"$" followed by "5" is not a variable reference` + hint}},
		{name: "dollar unicode", in: "$€", want: []string{`"$" followed by "€" is not a variable reference` + hint}},
		{name: "empty name", in: "${}", want: []string{`"${}" has no variable name` + hint}},
		{name: "digit name", in: "${1X}", want: []string{`a variable name cannot start with "1" (names are letters, digits and "_", not starting with a digit)` + hint}},
		{name: "unterminated", in: "${A", want: []string{`"${" is never closed by "}"` + hint}},
		{name: "unknown operator", in: "${A:x}", want: []string{`unexpected ":x" after the name "A" in "${...}" (expected "}", ":-", "-", ":?", "?", ":+" or "+")` + hint}},
		{name: "bare colon", in: "${A:}", want: []string{`unexpected ":" after the name "A" in "${...}" (expected "}", ":-", "-", ":?", "?", ":+" or "+")` + hint}},
		{name: "other byte", in: "${A!x}", want: []string{`unexpected "!" after the name "A" in "${...}" (expected "}", ":-", "-", ":?", "?", ":+" or "+")` + hint}},
		{name: "span lines", in: "${A:-x\n}", want: []string{`"${" is not closed on its line (a reference cannot span lines)` + hint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Expand(tt.in, testEnv())
			var got []string
			for _, p := range probs {
				got = append(got, p.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Expand(%q) messages (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestExpandNilLookup(t *testing.T) {
	got, probs := Expand("${A:-x}$B", nil)
	want := Result{Value: "x", Refs: []string{"A", "B"}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	wantProbs := []Problem{{Offset: 7, Var: "B", Kind: Unset, Message: `variable "B" is not set`}}
	if diff := cmp.Diff(wantProbs, probs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestExpandDepth(t *testing.T) {
	nest := func(levels int) string {
		return strings.Repeat("${NOPE:-", levels) + "x" + strings.Repeat("}", levels)
	}
	t.Run("at the limit", func(t *testing.T) {
		got, probs := Expand(nest(MaxDepth), nil)
		if len(probs) != 0 || got.Value != "x" {
			t.Errorf("Expand(%d levels) = %q, %v; want \"x\" and no problems", MaxDepth, got.Value, probs)
		}
	})
	t.Run("past the limit", func(t *testing.T) {
		_, probs := Expand(nest(MaxDepth+1), nil)
		want := []Problem{{Offset: MaxDepth * len("${NOPE:-"), Kind: Syntax, Message: "references are nested more than 32 deep"}}
		if diff := cmp.Diff(want, probs); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
	})
	t.Run("hostile", func(t *testing.T) {
		// Deep enough to overflow the stack without the bound, and also
		// unclosed: both must stay cheap.
		s := strings.Repeat("${A:-", 100_000)
		_, probs := Expand(s, nil)
		if len(probs) != 100_000 {
			t.Errorf("got %d problems, want one per unclosed \"${\"", len(probs))
		}
		_, probs = Expand(s+strings.Repeat("}", 100_000), nil)
		if len(probs) != 1 || probs[0].Kind != Syntax {
			t.Errorf("got %v, want one nesting problem", probs[:min(len(probs), 3)])
		}
		// Unbalanced braces send every reference to the last "}" of its
		// line, and line ends cut references short: both are looked up,
		// not rescanned.
		Expand(strings.Repeat("${A:-{", 100_000)+"}", nil)
		Expand(strings.Repeat("${A:-x\n", 100_000)+strings.Repeat("}", 100_000), nil)
		Expand(strings.Repeat("${A:+{}", 100_000), nil)
	})
}

func TestExpandManyRefs(t *testing.T) {
	// Past nameSetThreshold duplicates are found through a map; the answer
	// must not change.
	var b strings.Builder
	var want []string
	for i := range 40 {
		name := "V" + strings.Repeat("x", i)
		want = append(want, name)
		b.WriteString("${" + name + ":-.}$" + name + "-")
	}
	b.WriteString("$V ${Vxxx:-}")
	got, _ := Expand(b.String(), nil)
	if diff := cmp.Diff(want, got.Refs); diff != "" {
		t.Errorf("Refs (-want +got):\n%s", diff)
	}

	var wantUsed []Var
	for _, name := range want {
		wantUsed = append(wantUsed, Var{Name: name, Value: "v"})
	}
	got, _ = Expand(b.String(), func(string) (string, bool) { return "v", true })
	if diff := cmp.Diff(wantUsed, got.Used); diff != "" {
		t.Errorf("Used (-want +got):\n%s", diff)
	}
}

func TestExpandNoDollarAllocs(t *testing.T) {
	s := strings.Repeat("a plain manifest value ", 10)
	lookup := testEnv()
	allocs := testing.AllocsPerRun(100, func() {
		r, p := Expand(s, lookup)
		if r.Value != s || p != nil {
			t.Fatal("fast path changed the value")
		}
	})
	if allocs != 0 {
		t.Errorf("Expand without '$' allocates %v times, want 0", allocs)
	}
}

func TestHasReference(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{in: "", want: false},
		{in: "plain", want: false},
		{in: "{A}", want: false},
		{in: "$$", want: false},
		{in: "price $$5", want: false},
		{in: "$${A}", want: false},
		{in: "$$$$", want: false},
		{in: "$A", want: true},
		{in: "${A}", want: true},
		{in: "x${A:-y}", want: true},
		{in: "$$$A", want: true},
		{in: "é$Aé", want: true},
		// Malformed references count: Expand would report them.
		{in: "$", want: true},
		{in: "$$$", want: true},
		{in: "$5", want: true},
		{in: "${", want: true},
		{in: "${}", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := HasReference(tt.in); got != tt.want {
				t.Errorf("HasReference(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestSecretsNeverInMessages sets a sentinel value and checks that no problem
// message, of any kind, ever carries it.
func TestSecretsNeverInMessages(t *testing.T) {
	const secret = "s3nt1nel-VALUE-☃"
	inputs := []string{
		"$SECRET $NOPE",
		"${SECRET:?no} ${NOPE:?need $SECRET}",
		"${NOPE?${SECRET}} ${NOPE:?$SECRET$SECRET}",
		"${NOPE:-${SECRET}${NOPE2}}",
		"${NOPE:-$SECRET:${NOPE2:?x $SECRET}}",
		"${SECRET:x} ${SECRET $SECRET} $5 ${SECRET",
		"${EMPTY:?$SECRET} ${SECRET:-$NOPE}",
		"${NOPE:-$SECRET$}",
	}
	lookups := map[string]Lookup{
		"secret set":        mapLookup(map[string]string{"SECRET": secret, "EMPTY": ""}),
		"everything secret": func(string) (string, bool) { return secret, true },
		"everything empty":  func(string) (string, bool) { return "", true },
	}
	for name, lookup := range lookups {
		for _, in := range inputs {
			t.Run(name+"/"+in, func(t *testing.T) {
				res, probs := Expand(in, lookup)
				for _, p := range probs {
					if strings.Contains(p.Message, secret) || strings.Contains(p.Error(), secret) {
						t.Errorf("problem %+v carries the secret", p)
					}
				}
				// The secret must be reported in Used whenever it reached Value,
				// or nobody can scrub it.
				if strings.Contains(res.Value, secret) {
					found := false
					for _, u := range res.Used {
						found = found || u.Value == secret
					}
					if !found {
						t.Errorf("Value holds the secret but Used %v does not", res.Used)
					}
				}
			})
		}
	}

	t.Run("dotenv error", func(t *testing.T) {
		dir := t.TempDir()
		for i, content := range []string{
			"OK=1\nTOKEN=\"" + secret + "\n",
			"OK=1\nTOKEN " + secret + "\n",
			"OK=1\n" + secret + "=1\n",
			"TOKEN='" + secret + "\n" + secret + "\n",
		} {
			path := filepath.Join(dir, "f"+string(rune('a'+i))+".env")
			writeFile(t, path, content)
			_, err := Env([]string{path}, nil)
			if err == nil {
				t.Fatalf("Env(%q) succeeded; want a syntax error", content)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Env error %q carries the secret", err)
			}
		}
	})
}

func BenchmarkExpand(b *testing.B) {
	lookup := testEnv()
	for _, s := range []string{
		"registry.example.com/team/image:1.2.3",
		"postgres://$HOST:${PORT}/db?sslmode=${NOPE:-require}",
	} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Expand(s, lookup)
			}
		})
	}
}

// TestExpandInvalidUTF8: a value that is not UTF-8 is refused at the
// reference that would substitute it, never rewritten (JSON would send
// U+FFFD, so $'\xff' and $'\xfe' would name one job), and the message holds
// none of its bytes (issue 22 item 3).
func TestExpandInvalidUTF8(t *testing.T) {
	env := map[string]string{"X": "\xff", "Y": "\xfepass", "OK": "é"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		in     string
		offset int
		want   string
	}{
		{in: "job-${X}", offset: 4, want: ""},
		{in: "$Y", offset: 0, want: ""},
		{in: "a ${MISSING:-${Y}}", offset: 13, want: ""},
		{in: "${Y:?need it}", offset: 0, want: ""},
		{in: "${OK}-${X:+set}", want: "é-set"}, // X decides, its value is not sent
		{in: "${OK}", want: "é"},
	} {
		res, problems := Expand(tc.in, lookup)
		if tc.want != "" {
			if len(problems) != 0 || res.Value != tc.want {
				t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, res.Value, problems, tc.want)
			}
			continue
		}
		if len(problems) != 1 || problems[0].Kind != Encoding || problems[0].Offset != tc.offset {
			t.Errorf("Expand(%q): problems %+v, want one Encoding problem at %d", tc.in, problems, tc.offset)
			continue
		}
		if msg := problems[0].Message; !utf8.ValidString(msg) || !strings.Contains(msg, "UTF-8") {
			t.Errorf("Expand(%q): message %q", tc.in, msg)
		}
		if !utf8.ValidString(res.Value) {
			t.Errorf("Expand(%q) = %q, not UTF-8", tc.in, res.Value)
		}
		for _, u := range res.Used {
			if !utf8.ValidString(u.Value) {
				t.Errorf("Expand(%q) lists %q as used", tc.in, u.Name)
			}
		}
	}
}
