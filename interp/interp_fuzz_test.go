package interp

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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
		"${A:+alt}", "${A+alt}", "${A:+${A},}B", "${A+$B ${C:+x}}", `${JSON:-{"json":1}}`, "${A:-{{x}}}",
		"${A:-{x}", "${A:-{x} y}\n}", "${A:-x\ny}", "{{{ ${A:-foo_} }}}", "${A:-{}x} y}", "${A:?{$B}}",
		strings.Repeat("${A:+", MaxDepth+1) + strings.Repeat("}", MaxDepth+1),
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
		// A value that reached the output was substituted, and is listed
		// in Used so that it can be scrubbed.
		if strings.Contains(resKnown.Value, fuzzSecret) && !strings.Contains(s, fuzzSecret) && len(resKnown.Used) == 0 {
			t.Fatalf("Value %q holds a substituted value, but Used is empty", resKnown.Value)
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

func FuzzEnvFile(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "compat", "fixtures", "*", "*"))
	for _, path := range fixtures {
		if data, err := os.ReadFile(path); err == nil && len(data) < 4096 {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "A=1", "A=1\nB=$A\n", "export A='x'\n", "A: b\r\nB=\"c\r\nd\"\r\n", "\ufeffA=1",
		"A=\"\\0123\\x\\$B\\\\\"\n", "A=\"open\nB=2\n", "A='x'y\n", "=x\n", "A B\n", "lol$wut",
		"A=${B:-{\"a\":1}}\nC=\"${A:+[$A]}\"\n", "A=\"x\n${NOPE}\"\n", "A=1 # c\nB=2#c\n", "K\x00=1",
		strings.Repeat("BAD LINE\n", 100), strings.Repeat("A=\"\\\n", 50),
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		src := string(data)
		lines := 1 + strings.Count(src, "\n")
		run := func() ([]error, [][2]string, int) {
			vars := map[string]string{}
			var sets [][2]string
			lookup := func(name string) (string, bool) {
				if strings.HasPrefix(name, "P") {
					return fuzzSecret, true // a process variable
				}
				v, ok := vars[name]
				return v, ok
			}
			p := &dotenvParser{path: "f.env", src: src, line: 1, lookup: lookup, set: func(k, v string) {
				vars[k] = v
				sets = append(sets, [2]string{k, v})
			}}
			errs := p.parse()
			return errs, sets, p.statements
		}
		errs, sets, statements := run()

		// Parsing advances: at most one statement per byte.
		if statements > len(data)+1 {
			t.Fatalf("%d statements in %d bytes", statements, len(data))
		}
		if len(errs) > maxErrorsPerFile+1 {
			t.Fatalf("%d errors, more than the cap", len(errs))
		}
		last := 0
		for i, err := range errs {
			var fe *EnvFileError
			if !errors.As(err, &fe) || fe.Path != "f.env" || fe.Reason == "" || fe.Err != nil {
				t.Fatalf("error %#v is not a syntax *EnvFileError for f.env", err)
			}
			if fe.Line == 0 {
				if i != len(errs)-1 || !strings.HasSuffix(fe.Reason, "more errors not shown") {
					t.Fatalf("error %q has no line", fe)
				}
				continue
			}
			if fe.Line < 1 || fe.Line > lines {
				t.Fatalf("error %q: line %d outside 1..%d", fe, fe.Line, lines)
			}
			if fe.Line < last {
				t.Fatalf("error %q: line %d after line %d", fe, fe.Line, last)
			}
			last = fe.Line
			if fe.Var != "" && !strings.Contains(src, fe.Var) {
				t.Fatalf("error %q names %q, which is not in the file", fe, fe.Var)
			}
		}
		for _, kv := range sets {
			if kv[0] == "" {
				t.Fatalf("set an empty key to %q", kv[1])
			}
			for _, r := range kv[0] {
				if !isKeyRune(r) {
					t.Fatalf("key %q holds %q", kv[0], r)
				}
			}
			if !utf8.ValidString(kv[0]) || !strings.Contains(src, kv[0]) {
				t.Fatalf("key %q is not from the file", kv[0])
			}
		}
		// The same bytes give the same answer.
		errs2, sets2, _ := run()
		if !slices.EqualFunc(errs, errs2, func(a, b error) bool { return a.Error() == b.Error() }) || !slices.Equal(sets, sets2) {
			t.Fatal("parsing the same bytes twice gave different results")
		}
	})
}
