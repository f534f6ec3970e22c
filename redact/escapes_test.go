package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// sentinel holds characters that every escaping changes: '/', '@', quotes,
// a non-ASCII letter, HTML's specials, a rune above U+FFFF (a surrogate pair
// in JSON), a backslash and spaces.
const sentinel = `S3cr3t/P@ss "ä" <&> 😀 \ t`

// The encoders below write the sentinel the way other servers and libraries
// do; the standard library covers only some of them.

// goJSON is s inside a JSON string as encoding/json writes it, without quotes.
func goJSON(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}

// asciiJSON writes s as a JSON string body with every non-ASCII rune as
// \uXXXX (surrogate pairs above U+FFFF), as Python's json.dumps, PHP's
// json_encode and Java encoders do. slash escapes '/' as \/ (PHP); upper writes
// the hex digits in upper case (Java); all escapes every rune, ASCII too.
func asciiJSON(s string, slash, upper, all bool) string {
	hexFmt := `\u%04x`
	if upper {
		hexFmt = `\u%04X`
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case all || r >= utf8.RuneSelf || r < 0x20:
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(&b, hexFmt+hexFmt, hi, lo)
			} else {
				fmt.Fprintf(&b, hexFmt, r)
			}
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '/' && slash:
			b.WriteString(`\/`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pyQuote is urllib.parse.quote(s, safe): letters, digits, "_.-~" and the safe
// characters are kept, every other byte is %XX (lower-case hex if lower).
func pyQuote(s, safe string, lower bool) string {
	hexFmt := "%%%02X"
	if lower {
		hexFmt = "%%%02x"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("_.-~"+safe, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, hexFmt, c)
		}
	}
	return b.String()
}

// htmlRefs writes every rune of s as a numeric character reference.
func htmlRefs(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// htmlNamed escapes with named references, as htmlentities and many template
// engines do.
var htmlNamed = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;",
	"ä", "&auml;", `\`, "&bsol;", "/", "&sol;", "@", "&commat;")

func quoteBody(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }

func quoteASCIIBody(s string) string { q := strconv.QuoteToASCII(s); return q[1 : len(q)-1] }

// encoders are the ways a secret reaches the output: as written, escaped by
// the standard library, and escaped the way other servers and libraries do.
var encoders = []struct {
	name string
	enc  func(string) string
}{
	{"raw", func(s string) string { return s }},
	{"encoding/json", func(s string) string { return goJSON(s, true) }},
	{"encoding/json without HTML escaping", func(s string) string { return goJSON(s, false) }},
	{`PHP json_encode: \/ and lower-case \u00e4`, func(s string) string { return asciiJSON(s, true, false, false) }},
	{`Java: upper-case \u00E4 and \uD83D\uDE00`, func(s string) string { return asciiJSON(s, false, true, false) }},
	{`every rune as \uXXXX, lower case`, func(s string) string { return asciiJSON(s, false, false, true) }},
	{`every rune as \uXXXX, upper case`, func(s string) string { return asciiJSON(s, true, true, true) }},
	{"Go %q", quoteBody},
	{"Go %+q", quoteASCIIBody},
	{"Python quote, / kept", func(s string) string { return pyQuote(s, "/", false) }},
	{"Python quote, lower-case hex, %2f", func(s string) string { return pyQuote(s, "", true) }},
	{"url.QueryEscape, + for space", url.QueryEscape},
	{"url.PathEscape", url.PathEscape},
	{"html.EscapeString", html.EscapeString},
	{"HTML named references", htmlNamed.Replace},
	{"HTML decimal references", func(s string) string { return htmlRefs(s, "&#%d;") }},
	{"HTML hex references, upper-case X", func(s string) string { return htmlRefs(s, "&#X%X;") }},
	{"HTML hex references, lower case, no ;", func(s string) string { return htmlRefs(s, "&#x%x") }},
	{"JSON in JSON", func(s string) string { return goJSON(goJSON(s, true), true) }},
	{"JSON in JSON, PHP inside", func(s string) string { return goJSON(asciiJSON(s, true, false, false), false) }},
	{"JSON in HTML", func(s string) string { return html.EscapeString(goJSON(s, false)) }},
	{"JSON in HTML, named", func(s string) string { return htmlNamed.Replace(asciiJSON(s, false, false, false)) }},
	{"HTML in JSON", func(s string) string { return goJSON(html.EscapeString(s), true) }},
	{"URL in JSON", func(s string) string { return asciiJSON(pyQuote(s, "/", false), true, false, false) }},
	{"URL in JSON in JSON", func(s string) string { return goJSON(asciiJSON(pyQuote(s, "/", true), true, false, false), true) }},
}

// TestSentinelForms: the sentinel in every form is masked whole, the text
// around it is kept, no reading of the output holds it, and the Writer given
// the text one byte per Write prints the same.
func TestSentinelForms(t *testing.T) {
	r := New(sentinel)
	for _, e := range encoders {
		t.Run(e.name, func(t *testing.T) {
			const before, after = "job 7: server said [", "] (400)\n"
			form := e.enc(sentinel)
			text := before + form + after
			got := r.String(text)
			if want := before + Mask + after; got != want {
				t.Fatalf("String(%q)\n got %q\nwant %q", text, got, want)
			}
			if strings.Contains(got, form) {
				t.Errorf("the encoded form survived: %q", got)
			}
			if reading, _, ok := findSecret(got, []string{sentinel}); ok {
				t.Errorf("the %s reading of %q holds the secret", reading, got)
			}
			var b bytes.Buffer
			w := r.Writer(&b)
			for _, c := range bytewise(text + text) {
				io.WriteString(w, c)
			}
			w.Close()
			if b.String() != got+got {
				t.Errorf("Writer, one byte per Write:\n got %q\nwant %q", b.String(), got+got)
			}
		})
	}
}

// TestSentinelSplitByEscapes: a secret written half one way, half another,
// switching at every character, is still read whole: the readings decode each
// escape on its own, whatever surrounds it.
func TestSentinelSplitByEscapes(t *testing.T) {
	r := New(sentinel)
	pairs := []struct {
		name string
		a, b func(string) string
	}{
		{"JSON minimal, then every rune \\u", func(s string) string { return goJSON(s, false) }, func(s string) string { return asciiJSON(s, false, true, true) }},
		{"every rune \\u, then JSON minimal", func(s string) string { return asciiJSON(s, true, false, true) }, func(s string) string { return goJSON(s, true) }},
		{"raw, then every byte %xx", func(s string) string { return s }, func(s string) string { return pyQuote(s, "", true) }},
		{"every byte %XX, then raw", func(s string) string { return pyQuote(s, "", false) }, func(s string) string { return s }},
		{"html.EscapeString, then &#NNN;", html.EscapeString, func(s string) string { return htmlRefs(s, "&#%d;") }},
		{"&#xHH;, then named", func(s string) string { return htmlRefs(s, "&#x%x;") }, htmlNamed.Replace},
	}
	runes := []rune(sentinel)
	for _, p := range pairs {
		for i := range len(runes) + 1 {
			text := "<" + p.a(string(runes[:i])) + p.b(string(runes[i:])) + ">"
			if got := r.String(text); got != "<"+Mask+">" {
				t.Errorf("%s, switching at %d: String(%q) = %q", p.name, i, text, got)
			}
		}
	}
}

// TestSecretInsideEscapes: the secret itself split by escapes inside an
// otherwise raw text, at every position, and the Writer given it in two pieces
// cut at every byte: what it prints is what String prints.
func TestWriterCutsEverywhere(t *testing.T) {
	r := New(sentinel, "BEGIN\nKEY\nEND")
	texts := []string{
		"a " + asciiJSON(sentinel, true, true, false) + " b\nc BEGIN\nKEY\nEND d\n",
		htmlRefs(sentinel, "&#%d") + "\n" + pyQuote(sentinel, "/", true) + "\n",
		goJSON(goJSON("x "+sentinel+" y", true), true) + "\nBEGIN\nKEX\n",
	}
	for _, text := range texts {
		want := r.String(text)
		if strings.Contains(want, "S3cr3t") || strings.Contains(want, "KEY") {
			t.Fatalf("String(%q) = %q", text, want)
		}
		for cut := range len(text) + 1 {
			var b bytes.Buffer
			w := r.Writer(&b)
			io.WriteString(w, text[:cut])
			io.WriteString(w, text[cut:])
			w.Close()
			if b.String() != want {
				t.Fatalf("Writer, text cut at %d (%q | %q):\n got %q\nwant %q", cut, text[:cut], text[cut:], b.String(), want)
			}
		}
	}
}

// TestWriterHoldsCutEscape: an escape cut short by the end of the pending
// text is held back, not printed, until the rest shows what it decodes to. No
// escape spans a newline, so this shows when a line longer than maxPending is
// flushed without one.
func TestWriterHoldsCutEscape(t *testing.T) {
	long := strings.Repeat("x", maxPending)
	tests := []struct {
		name       string
		cut, rest  string
		wantMasked bool
	}{
		{name: "JSON", cut: `\u00`, rest: "41q\n", wantMasked: true},
		{name: "JSON surrogate pair", cut: `\ud83d`, rest: `\ude00q` + "\n", wantMasked: true},
		{name: "JSON surrogate pair cut inside the second", cut: `\ud83d\ude`, rest: "00q\n", wantMasked: true},
		{name: "percent", cut: "%4", rest: "1q\n", wantMasked: true},
		{name: "HTML hex", cut: "&#x4", rest: "1;q\n", wantMasked: true},
		{name: "HTML decimal digits go on", cut: "&#6", rest: "5;q\n", wantMasked: true},
		{name: "HTML named", cut: "&lowb", rest: "ar;Q\n", wantMasked: true},
		{name: "JSON in JSON", cut: `\\u00`, rest: "41q\n", wantMasked: true},
		{name: "not a secret after all", cut: "%4", rest: "2q\n", wantMasked: false},
	}
	r := New("Aq", "😀q", "_q")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			w := r.Writer(&b)
			io.WriteString(w, long+tt.cut)
			if b.String() != long {
				t.Errorf("before the rest: printed %d bytes ending %q, want the %d x", b.Len(), b.String()[max(0, b.Len()-20):], len(long))
			}
			io.WriteString(w, tt.rest)
			want := long + tt.cut + tt.rest
			if tt.wantMasked {
				want = long + Mask + "\n"
			}
			if b.String() != want {
				t.Errorf("after the rest: printed ...%q, want ...%q", b.String()[len(long):], want[len(long):])
			}
			w.Close()
		})
	}
}

func TestCaseInsensitive(t *testing.T) {
	r := New("dk_live_ABC123", "Hunter2")
	tests := []struct{ in, want string }{
		{"Content-Type: text/dk_live_abc123", "Content-Type: text/***"},
		{"DK_LIVE_ABC123 hunter2 HUNTER2", "*** *** ***"},
		{`"dk_live_\u0041BC123"`, `"***"`},
		// Only ASCII letters fold.
		{"ä Ä", "ä Ä"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := New("ä").String("ä Ä"); got != "*** Ä" {
		t.Errorf("non-ASCII letters fold: %q", got)
	}
}

// TestMaskWholeEscapes: a match never masks part of an escape sequence, in any
// reading, and a secret in one reading masks exactly the escapes it came from.
func TestMaskWholeEscapes(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "raw match inside a JSON escape", secrets: []string{"0041b"}, in: `x\u0041bc`, want: `x***c`},
		{name: "raw match inside an HTML reference", secrets: []string{"amp"}, in: "a&amp;b", want: "a***b"},
		{name: "secret ends inside a decoded character", secrets: []string{"a\xc3"}, in: `xa\u00e4y`, want: "x***y"},
		{name: "secret starts inside a decoded character", secrets: []string{"\xa4b"}, in: `x\u00e4by`, want: "x***y"},
		{name: "percent then raw", secrets: []string{"@b"}, in: "a%40bc", want: "a***c"},
		{name: "adjacent in different readings", secrets: []string{"ab", "cd"}, in: `ab\u0063d`, want: "***"},
		{name: "one letter, everywhere", secrets: []string{"e"}, in: `e \u0065 %65 &#101; E`, want: "*** *** *** *** ***"},
		{name: "invalid UTF-8 written by encoding/json", secrets: []string{"pw\xff"}, in: `{"v":"pw\ufffd"}`, want: `{"v":"***"}`},
		{name: "invalid UTF-8 written by %q", secrets: []string{"pw\xff"}, in: `"pw\xff"`, want: `"***"`},
		{name: "unrelated escapes kept", secrets: []string{"zzz"}, in: `a\"b%20c&amp;d`, want: `a\"b%20c&amp;d`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.secrets...).String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestDecoders checks every chain's streaming reading against the reference
// decoders, including the provisional reading of every prefix, on texts full
// of escapes, complete, cut short and malformed.
func TestDecoders(t *testing.T) {
	texts := []string{
		`\u00e4\u00E4\ud83d\ude00\uD83D\uDE00\ud83d\u0041\ude00\u12\uzzzz\x41\x4\U0001F600\U00110000\/\'\a\v\q\`,
		`%41%4a%4A%zz%4%%2541+%`,
		"&amp;&AMP;&amp&ampx&notit;&notin;&not&apos;&apos&#39;&#x27;&#X27;&#0000039;&#x;&#;&#5x&#55x&#1&#x110000;&#128;&#xD800;&alpha;&fjlig;&bogus;&;&",
		`\\\"\\u0026\\\\u0026%5C%22&#92;&quot;\u0026amp;\u0026#x27;&#x5c;u0041`,
		`{"m":"{\"u\":\"https:\\/\\/h\\/?k=a%40b%2fc&amp;d\"}"}`,
		"&#x000000000000000000000000000000000000000000000000000000000000000000000041;&#x100000041;&#4294967361;",
		"&CounterClockwiseContourIntegral;&CounterClockwiseContourIntegrals;&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;&frac12345",
	}
	for _, text := range texts {
		prefixes := make([]int, len(text)+1)
		for i := range prefixes {
			prefixes[i] = i
		}
		checkDecoders(t, text, prefixes)
	}
}

// TestNamedRefsAgreeWithHTML checks the table of named references against
// html.UnescapeString, with and without ';'.
func TestNamedRefsAgreeWithHTML(t *testing.T) {
	if n := len(strings.Fields(latin1Names)); n != 96 {
		t.Fatalf("%d Latin-1 names, want 96", n)
	}
	for name, ref := range namedRefs {
		if got := html.UnescapeString("&" + name + ";"); got != string(ref.r) {
			t.Errorf("&%s; is %q, html says %q", name, string(ref.r), got)
		}
		if got := html.UnescapeString("&" + name); (got == string(ref.r)) != ref.legacy {
			t.Errorf("&%s without ';': legacy %v, html says %q", name, ref.legacy, got)
		}
		if len(name) > longestLegacyName && ref.legacy {
			t.Errorf("legacy name %s is longer than %d", name, longestLegacyName)
		}
	}
	for i, r := range windows1252 {
		if got := html.UnescapeString(fmt.Sprintf("&#%d;", 0x80+i)); got != string(r) {
			t.Errorf("&#%d; is %q, html says %q", 0x80+i, string(r), got)
		}
	}
}

// TestChainsClosed: skipping a chain whose first trigger is absent relies on
// its tail being read too.
func TestChainsClosed(t *testing.T) {
	has := map[chain]bool{}
	for _, c := range chains {
		has[c] = true
	}
	for _, c := range chains {
		if c.n == 1 {
			continue
		}
		tail := chain{n: c.n - 1}
		copy(tail.stages[:], c.stages[1:c.n])
		if !has[tail] {
			t.Errorf("chain %v has no tail %v in the list", c, tail)
		}
	}
}

// TestAutomatonAgainstNaive compares the raw matching of many secrets (deep
// sparse states, states with many edges, the dense-row budget) with
// strings.Index for each secret.
func TestAutomatonAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	random := func(alphabet string, minLen, maxLen int) string {
		b := make([]byte, minLen+rng.IntN(maxLen-minLen+1))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	var all strings.Builder
	for i := range 256 {
		all.WriteByte(byte(i))
	}
	for _, tc := range []struct {
		alphabet       string
		prefix         string // of every secret: a deep state with many edges
		secrets        int
		minLen, maxLen int
		textLen        int
		repeats        int
	}{
		{alphabet: "ab", secrets: 20, minLen: 1, maxLen: 6, textLen: 2000, repeats: 20},
		{alphabet: "abcdefghijklmnopqrst", secrets: 3000, minLen: 2, maxLen: 8, textLen: 20000, repeats: 2},
		{alphabet: "abcdefghijklmnopqrst", prefix: "pre", secrets: 300, minLen: 1, maxLen: 4, textLen: 5000, repeats: 2},
		{alphabet: all.String(), secrets: 10000, minLen: 3, maxLen: 5, textLen: 5000, repeats: 1},
	} {
		for range tc.repeats {
			secrets := make([]string, tc.secrets)
			for i := range secrets {
				secrets[i] = tc.prefix + random(tc.alphabet, tc.minLen, tc.maxLen)
			}
			text := random(tc.alphabet+tc.prefix, tc.textLen, tc.textLen)
			// Plant some secrets, so that there is something to find.
			for i := range 50 {
				p := rng.IntN(len(text))
				text = text[:p] + secrets[i%len(secrets)] + text[p:]
			}
			r := New(secrets...)
			a := r.ac
			if len(tc.alphabet) == 256 && (a.nDense+1)*a.k <= denseBudget {
				t.Errorf("%d dense states of %d classes: the budget was not reached", a.nDense, a.k)
			}
			if tc.prefix != "" {
				branchy := false
				for i := range len(a.edgeStart) - 1 {
					branchy = branchy || a.edgeStart[i+1]-a.edgeStart[i] > 8
				}
				if !branchy {
					t.Errorf("no sparse state has more than 8 edges: the binary search is not tested")
				}
			}
			var m marks
			m.reset(len(text), r.ac)
			r.ac.scanRaw(text, &m)
			want := make([]bool, len(text))
			ft := foldBytes(text)
			for _, s := range secrets {
				fs := foldBytes(s)
				for i := 0; ; {
					j := strings.Index(ft[i:], fs)
					if j < 0 {
						break
					}
					for k := i + j; k < i+j+len(fs); k++ {
						want[k] = true
					}
					i += j + 1
				}
			}
			for i := range want {
				if got := m.flags[i]&covered != 0; got != want[i] {
					t.Fatalf("alphabet %d, %d secrets: byte %d covered %v, want %v", len(tc.alphabet), tc.secrets, i, got, want[i])
				}
			}
		}
	}
}

// TestStringNoAlloc: a text without secrets, escapes or not, costs no
// allocation.
func TestStringNoAlloc(t *testing.T) {
	r := New(sentinel, "hunter2")
	for _, text := range []string{
		"a perfectly ordinary log line\n",
		`{"message":"bad \"value\" \u00e4 \ud83d\ude00 \\ \/","url":"https://x/?a=%41&b=%2f"}`,
		// A &name; that namedRefs lacks (&notit;) is looked up in html, which
		// allocates; those in the table do not.
		"<p>Tom &amp; Jerry &lt;3 &#39;x&#x27; &auml; &copy &notit &hellip;</p>",
	} {
		if n := testing.AllocsPerRun(100, func() { r.String(text) }); n != 0 {
			t.Errorf("String(%q) allocates %v times", text, n)
		}
	}
}

// TestWriterDegenerateIsLinear: a stream that can never be cut (a one-letter
// secret in a line made of it, written a byte at a time, and the same with
// newlines that are secrets too) is held, but not rescanned at every write.
// Quadratic, this takes minutes; linear, milliseconds.
func TestWriterDegenerateIsLinear(t *testing.T) {
	for _, tc := range []struct {
		name string
		unit string
	}{
		{name: "long line", unit: "x"},
		{name: "covered newlines", unit: "x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			var b bytes.Buffer
			w := New("x", "\n").Writer(&b)
			p := []byte(tc.unit)
			for range 200_000 {
				for i := range p {
					w.Write(p[i : i+1])
				}
			}
			w.Close()
			if b.String() != Mask {
				t.Errorf("printed %d bytes, want one mask", b.Len())
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestLongSecret: a secret too long for a state record to hold its length
// (see outInArray), in the raw text, JSON-escaped and through the Writer; a
// prefix of it is not masked.
func TestLongSecret(t *testing.T) {
	long := strings.Repeat("0123456789abcdef/", 5000) // 85,000 bytes
	r := New(long, "short")
	for _, tc := range []struct{ in, want string }{
		{in: "<" + long + ">", want: "<" + Mask + ">"},
		{in: `"` + asciiJSON(long, true, false, false) + `"`, want: `"` + Mask + `"`},
		{in: "short " + long[:100], want: Mask + " " + long[:100]},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String of %d bytes: got %.40q..., want %.40q...", len(tc.in), got, tc.want)
		}
		var b bytes.Buffer
		w := r.Writer(&b)
		io.WriteString(w, tc.in+"\n")
		w.Close()
		if b.String() != tc.want+"\n" {
			t.Errorf("Writer of %d bytes: got %.40q..., want %.40q...", len(tc.in), b.String(), tc.want)
		}
	}
}
