package redact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzRedact checks, for random secrets and text, the text holding one of them
// in one of the forms of encoders or not:
//   - the streaming reader of every chain agrees with the reference decoders
//     (the HTML one is html.UnescapeString), and the provisional reading of a
//     prefix never disagrees with the reading of the whole;
//   - no secret (up to the folding the matcher does) remains in any reading of
//     the output: raw, JSON-, percent- and HTML-decoded and their chains;
//   - a text in which no reading holds a secret comes out unchanged, and
//     output changes only by masks;
//   - the Writer, given the text in two pieces or one byte per Write, prints
//     exactly what String does;
//   - nothing panics.
//
// The invariant needs one restriction: a secret that contains '*' can be formed by
// the mask itself together with its neighbours (secret "a*" in "aX" with a second
// secret "X" gives "a***"), so such secrets are dropped. For the others it is
// exact: a mask never splits an escape (see marks.widen), so the text between
// two masks reads as it did in the input, where any secret was masked.
func FuzzRedact(f *testing.F) {
	f.Add("pw=hunter2\n", "hunter2", "", uint(3))
	f.Add("abcdef", "abcd", "cdef", uint(2))
	f.Add(`{"v":"a\"b\u003c"}`, `a"b<`, "b", uint(7))
	f.Add("a%20b+c", "a b", "c", uint(1))
	f.Add("aaaa", "aa", "aaa", uint(1))
	f.Add("x**y", "**", "*", uint(0))
	f.Add(`S3cr3t\/P%40ss&#x20;&quot;\u00E4&quot; &lt;&amp;&gt; \uD83D\uDE00 \\ t`, `S3cr3t/P@ss "ä" <&> 😀 \ t`, "", uint(20))
	f.Add(`{"m":"bad: {\\\"v\\\":\\\"p\\\\u0026w\\\"}"}`, "p&w", "", uint(11))
	f.Add("&#x4;&notit;&#5x&#x;&#0000065;&ampx", "\x04¬it", "A", uint(9))
	f.Add(`"https:\/\/h\/?k=a%40b%2fc"`, "a@b/c", "h/", uint(15))
	// Secrets written into the text by an encoder: split = (2*i+1)*(len+1)+cut
	// picks encoders[i].
	for i, text := range []string{"id=;\n", `{"m":""}`, "<p></p>"} {
		f.Add(text, `S3cr3t/P@ss "ä" <&> 😀 \ t`, "ä", uint((2*(7*i+4)+1)*(len(text)+1)+3))
	}
	f.Fuzz(checkRedact)
}

// checkRedact is the body of FuzzRedact.
func checkRedact(t *testing.T, text, s1, s2 string, split uint) {
	// Half the time, the rest of split picks a way to write s1 into the
	// text at the cut, so that secrets inside escapes are explored too.
	cut := int(split % uint(len(text)+1))
	if pick := split / uint(len(text)+1); pick%2 == 1 {
		e := encoders[(pick/2)%uint(len(encoders))]
		text = text[:cut] + e.enc(s1) + text[cut:]
	}
	if len(text) > 16<<10 || len(s1)+len(s2) > 1<<10 {
		// Long inputs find nothing short ones do not, and each costs
		// milliseconds: the minimizer would spend the run on them.
		t.Skip()
	}
	checkDecoders(t, text, []int{cut})

	var secrets []string
	for _, s := range []string{s1, s2} {
		if s != "" && !strings.Contains(s, "*") {
			secrets = append(secrets, s)
		}
	}
	r := New(secrets...)

	check := func(what, out string) {
		t.Helper()
		if reading, s, ok := findSecret(out, secrets); ok {
			t.Fatalf("%s: the %s reading of output %q holds secret %q (input %q)", what, reading, out, s, text)
		}
	}

	out := r.String(text)
	check("String", out)
	if !strings.Contains(out, Mask) && out != text {
		t.Fatalf("nothing masked but output %q differs from input %q", out, text)
	}
	if _, _, ok := findSecret(text, secrets); !ok && out != text {
		t.Fatalf("no reading of %q holds a secret, but it came out as %q", text, out)
	}
	if again := r.String(out); again != out {
		t.Fatalf("String is not idempotent: %q -> %q", out, again)
	}
	check("Error", r.Error(errors.New(text)).Error())

	for _, writes := range [][]string{{text[:cut], text[cut:]}, bytewise(text)} {
		var b bytes.Buffer
		w := r.Writer(&b)
		for _, s := range writes {
			io.WriteString(w, s)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if b.String() != out {
			t.Fatalf("Writer given %q printed %q, String %q", writes, b.String(), out)
		}
	}
}
