package redact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzRedact checks that masked output never contains any form of any secret.
//
// The invariant needs one restriction: a secret that contains '*' can be formed by
// the mask itself together with its neighbours (secret "a*" in "aX" with a second
// secret "X" gives "a***"), so such secrets are dropped. For the others the
// invariant is exact: no form contains '*', so an occurrence in the output lies
// inside one stretch of unmasked input, which would have been masked.
func FuzzRedact(f *testing.F) {
	f.Add("pw=hunter2\n", "hunter2", "", uint(3))
	f.Add("abcdef", "abcd", "cdef", uint(2))
	f.Add(`{"v":"a\"b\u003c"}`, `a"b<`, "b", uint(7))
	f.Add("a%20b+c", "a b", "c", uint(1))
	f.Add("aaaa", "aa", "aaa", uint(1))
	f.Add("x**y", "**", "*", uint(0))
	f.Fuzz(func(t *testing.T, text, s1, s2 string, split uint) {
		var secrets []string
		for _, s := range []string{s1, s2} {
			if s != "" && !strings.Contains(s, "*") {
				secrets = append(secrets, s)
			}
		}
		r := New(secrets...)

		check := func(what, out string) {
			t.Helper()
			for _, s := range secrets {
				for _, form := range encodedForms(s) {
					if form != "" && strings.Contains(out, form) {
						t.Fatalf("%s: output %q contains form %q of secret %q", what, out, form, s)
					}
				}
			}
		}

		out := r.String(text)
		check("String", out)
		if r.String(out) != out {
			t.Fatalf("String is not idempotent on %q", out)
		}
		if !strings.Contains(out, Mask) && out != text {
			t.Fatalf("nothing masked but output %q differs from input %q", out, text)
		}
		check("Error", r.Error(errors.New(text)).Error())

		var b bytes.Buffer
		w := r.Writer(&b)
		cut := int(split % uint(len(text)+1))
		io.WriteString(w, text[:cut])
		io.WriteString(w, text[cut:])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		check("Writer", b.String())
		if out == text && b.String() != text {
			t.Fatalf("Writer changed text without secrets: %q -> %q", text, b.String())
		}
	})
}
