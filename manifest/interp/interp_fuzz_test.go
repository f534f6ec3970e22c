package interp

import (
	"slices"
	"strings"
	"testing"
)

// fuzzSecret is what the "everything set" lookup returns. It has no '$', so
// every '$' in a Value must come from a "$$" escape.
const fuzzSecret = "fuzz-SECRET"

func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"", "plain", "$A", "${A}", "$A$B", "${A}x", "$", "$$", "$$$", "$5", "${}", "${1X}", "${A",
		"${A:x}", "${A:-d}", "${A-d}", "${A:?m}", "${A?m}", "${A:-${B:-x}}", "${A:-{x}}",
		"${A:-$${x}}", "é$A€", "${A:-x $5 $B", "${A ${B}", "$NOPE ${A:x} $5 ${B:?gone} ${} ${C:?} $",
		strings.Repeat("${A:-", MaxDepth+1) + strings.Repeat("}", MaxDepth+1),
	} {
		f.Add(s)
	}

	unset := func(string) (string, bool) { return "", false }
	empty := func(string) (string, bool) { return "", true }
	known := func(string) (string, bool) { return fuzzSecret, true }

	f.Fuzz(func(t *testing.T, s string) {
		resKnown, probsKnown := Expand(s, known)
		resUnset, probsUnset := Expand(s, unset)
		resEmpty, probsEmpty := Expand(s, empty)
		hasDollar := strings.IndexByte(s, '$') >= 0

		// Which names a string references and where its syntax is broken do
		// not depend on the environment.
		if !slices.Equal(resKnown.Refs, resUnset.Refs) || !slices.Equal(resKnown.Refs, resEmpty.Refs) {
			t.Fatalf("Refs depend on the lookup: %q vs %q vs %q", resKnown.Refs, resUnset.Refs, resEmpty.Refs)
		}
		syntax := syntaxOffsets(probsKnown)
		if !slices.Equal(syntax, syntaxOffsets(probsUnset)) || !slices.Equal(syntax, syntaxOffsets(probsEmpty)) {
			t.Fatalf("syntax problems depend on the lookup")
		}

		if !hasDollar {
			if resKnown.Value != s || len(probsKnown) != 0 {
				t.Fatalf("no '$', yet Value = %q, problems %v", resKnown.Value, probsKnown)
			}
			if len(resKnown.Refs) != 0 || len(resKnown.Used) != 0 {
				t.Fatalf("no '$', yet Refs %q, Used %v", resKnown.Refs, resKnown.Used)
			}
		}
		if got, want := HasReference(s), len(resKnown.Refs) > 0 || len(syntax) > 0; got != want {
			t.Fatalf("HasReference = %v, but Refs %q and syntax problems at %v", got, resKnown.Refs, syntax)
		}

		for _, run := range []struct {
			name  string
			res   Result
			probs []Problem
		}{
			{"known", resKnown, probsKnown},
			{"unset", resUnset, probsUnset},
			{"empty", resEmpty, probsEmpty},
		} {
			checkResult(t, run.name, s, run.res, run.probs)
		}

		// A Lookup that knows every name leaves nothing unset, and with
		// non-empty values nothing required either.
		for _, p := range probsKnown {
			if p.Kind != Syntax {
				t.Fatalf("every name set, yet %v problem %+v", p.Kind, p)
			}
		}
		// Every '$' in the Value comes from a "$$" (values here have none).
		for _, r := range []Result{resKnown, resUnset, resEmpty} {
			if got, most := strings.Count(r.Value, "$"), strings.Count(s, "$$"); got > most {
				t.Fatalf("Value %q has %d '$', but %q has only %d \"$$\"", r.Value, got, s, most)
			}
		}
		// Substituted values never reach a message, unless the input itself
		// spells them out (a :? message is reported as written).
		if !strings.Contains(s, fuzzSecret) {
			for _, p := range probsKnown {
				if strings.Contains(p.Error(), fuzzSecret) {
					t.Fatalf("problem %+v carries a value", p)
				}
			}
		}
	})
}

// checkResult checks what must hold for any lookup.
func checkResult(t *testing.T, run, s string, res Result, probs []Problem) {
	t.Helper()
	last := -1
	for _, p := range probs {
		if p.Offset < 0 || p.Offset >= len(s) || s[p.Offset] != '$' {
			t.Fatalf("%s: problem %+v does not point at a '$' in %q", run, p, s)
		}
		if p.Offset <= last {
			t.Fatalf("%s: problems out of order or doubled at %d", run, p.Offset)
		}
		last = p.Offset
		if (p.Kind == Syntax) != (p.Var == "") {
			t.Fatalf("%s: problem %+v: Var must be set exactly for non-syntax problems", run, p)
		}
		if p.Message == "" {
			t.Fatalf("%s: problem %+v has no message", run, p)
		}
		if p.Var != "" && !slices.Contains(res.Refs, p.Var) {
			t.Fatalf("%s: problem about %q, which is not in Refs %q", run, p.Var, res.Refs)
		}
	}
	seen := map[string]bool{}
	for _, name := range res.Refs {
		if seen[name] {
			t.Fatalf("%s: Refs %q lists %q twice", run, res.Refs, name)
		}
		seen[name] = true
		if !validName(name) || !strings.Contains(s, name) {
			t.Fatalf("%s: Refs has %q, not a name in %q", run, name, s)
		}
	}
	used := map[string]bool{}
	for _, u := range res.Used {
		if used[u.Name] || !seen[u.Name] {
			t.Fatalf("%s: Used %v: %q doubled or not in Refs", run, res.Used, u.Name)
		}
		used[u.Name] = true
	}
}

func syntaxOffsets(probs []Problem) []int {
	var out []int
	for _, p := range probs {
		if p.Kind == Syntax {
			out = append(out, p.Offset)
		}
	}
	return out
}

func validName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}
