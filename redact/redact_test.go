package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestString(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "no secrets", secrets: nil, in: "hello", want: "hello"},
		{name: "empty secrets ignored", secrets: []string{"", ""}, in: "hello", want: "hello"},
		{name: "empty text", secrets: []string{"s3cret"}, in: "", want: ""},
		{name: "raw", secrets: []string{"s3cret"}, in: "pw=s3cret;", want: "pw=***;"},
		{name: "every occurrence", secrets: []string{"ab"}, in: "ab-ab-ab", want: "***-***-***"},
		{name: "adjacent occurrences become one mask", secrets: []string{"ab"}, in: "abab", want: "***"},
		{name: "self-overlapping", secrets: []string{"aa"}, in: "xaaay", want: "x***y"},
		{
			name:    "nested secrets, longer first",
			secrets: []string{"abc", "abcdef"},
			in:      "[abcdef]",
			want:    "[***]",
		},
		{
			name:    "nested secrets, shorter listed first",
			secrets: []string{"abcdef", "abc"},
			in:      "[abcdef] [abc]",
			want:    "[***] [***]",
		},
		{
			// Replacing "abcd" first would leave "ef" of the second secret.
			name:    "overlapping secrets leave no piece",
			secrets: []string{"abcd", "cdef"},
			in:      "xabcdefx",
			want:    "x***x",
		},
		{
			name:    "JSON escaped quotes and backslash",
			secrets: []string{`p"a\ss`},
			in:      `{"v":"p\"a\\ss"}`,
			want:    `{"v":"***"}`,
		},
		{
			name:    "JSON HTML escaping",
			secrets: []string{"a<b>&c"},
			in:      `{"v":"a\u003cb\u003e\u0026c"}`,
			want:    `{"v":"***"}`,
		},
		{
			name:    "JSON without HTML escaping",
			secrets: []string{"a<b>&c\n"},
			in:      `{"v":"a<b>&c\n"}`,
			want:    `{"v":"***"}`,
		},
		{
			name:    "JSON ASCII-only escaping",
			secrets: []string{"pässwörd😀"},
			in:      `{"v":"p\u00e4ssw\u00f6rd\ud83d\ude00"}`,
			want:    `{"v":"***"}`,
		},
		{
			name:    "URL query escaped",
			secrets: []string{"a b&c=d/é"},
			in:      "https://x/?k=" + url.QueryEscape("a b&c=d/é") + "&z=1",
			want:    "https://x/?k=***&z=1",
		},
		{
			name:    "URL path escaped",
			secrets: []string{"a b/c?"},
			in:      "https://x/" + url.PathEscape("a b/c?") + "/y",
			want:    "https://x/***/y",
		},
		{
			name:    "multi-line secret",
			secrets: []string{"-----BEGIN KEY-----\nMIIE\n-----END KEY-----"},
			in:      "key: -----BEGIN KEY-----\nMIIE\n-----END KEY-----\nnext",
			want:    "key: ***\nnext",
		},
		{
			name:    "invalid UTF-8 secret",
			secrets: []string{"\xff\xfe"},
			in:      "a\xff\xfeb",
			want:    "a***b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(tt.secrets...).String(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("String(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// A secret with JSON-special characters, echoed back by an encoding/json encoder,
// as a server echoing the request body does.
func TestStringJSONEcho(t *testing.T) {
	secrets := []string{`q"uo\te`, "<script>&amp;", "tab\there", "line\u2028sep", "ctl\x01\x1f", "é/ü"}
	r := New(secrets...)
	for _, escapeHTML := range []bool{true, false} {
		for _, s := range secrets {
			t.Run(fmt.Sprintf("%q/html=%v", s, escapeHTML), func(t *testing.T) {
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(escapeHTML)
				body := map[string]any{"container_env": map[string]any{"X": map[string]any{"value": "pre-" + s + "-post", "sensitive": true}}}
				if err := enc.Encode(map[string]any{"ok": false, "message": "bad body", "body": body}); err != nil {
					t.Fatal(err)
				}
				got := r.String(b.String())
				if !strings.Contains(got, "pre-***-post") {
					t.Errorf("secret not masked in %s", got)
				}
				// The masked document is still JSON; decoding it must not bring
				// the secret back.
				var v any
				if err := json.Unmarshal([]byte(got), &v); err != nil {
					t.Fatalf("masked output is no longer JSON: %v", err)
				}
				if dec := fmt.Sprint(v); strings.Contains(dec, s) {
					t.Errorf("decoded output contains the secret: %s", dec)
				}
			})
		}
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.String("abc"); got != "abc" {
		t.Errorf("String = %q", got)
	}
	err := errors.New("boom")
	if got := r.Error(err); got != err {
		t.Errorf("Error returned %v, want the same error", got)
	}
	var b bytes.Buffer
	w := r.Writer(&b)
	io.WriteString(w, "abc")
	w.Close()
	if b.String() != "abc" {
		t.Errorf("Writer wrote %q", b.String())
	}
	if got := r.With("abc").String("xabcx"); got != "x***x" {
		t.Errorf("nil.With().String = %q", got)
	}
}

func TestWith(t *testing.T) {
	base := New("one")
	more := base.With("two", "")
	if got, want := base.String("one two"), "*** two"; got != want {
		t.Errorf("base changed by With: got %q, want %q", got, want)
	}
	if got, want := more.String("one two"), "*** ***"; got != want {
		t.Errorf("With: got %q, want %q", got, want)
	}
	if again := more.With("one", "two"); again != more {
		t.Errorf("With of known secrets should return the same Redactor")
	}
}

// Printing a Redactor, or a struct holding one, must not print its secrets.
func TestFormatHidesSecrets(t *testing.T) {
	r := New("hunter2")
	holder := struct{ R *Redactor }{R: r}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if got := fmt.Sprintf(verb, holder); strings.Contains(got, "hunter2") || strings.Contains(got, "68756e74657232") {
			t.Errorf("%s printed the secret: %s", verb, got)
		}
	}
}

type valueErr struct{ Secret string }

func (e valueErr) Error() string { return "value error " + e.Secret }

func TestError(t *testing.T) {
	r := New("hunter2")
	sentinel := errors.New("sentinel")
	inner := &url.Error{Op: "Post", URL: "https://x/?k=hunter2", Err: fmt.Errorf("dial: %w", context.DeadlineExceeded)}
	err := fmt.Errorf("submit %q: %w", "hunter2", errors.Join(inner, sentinel, valueErr{Secret: "hunter2"}))

	got := r.Error(err)
	if strings.Contains(got.Error(), "hunter2") {
		t.Fatalf("Error() not scrubbed: %s", got)
	}
	if !errors.Is(got, context.DeadlineExceeded) || !errors.Is(got, sentinel) || !errors.Is(got, inner) {
		t.Errorf("errors.Is lost through the scrubbed chain")
	}
	if errors.Is(got, errors.New("sentinel")) {
		t.Errorf("errors.Is matched an unrelated error")
	}
	// As must not hand out the originals, whose fields hold the secret.
	var ue *url.Error
	if errors.As(got, &ue) {
		t.Errorf("errors.As found the original *url.Error: %v", ue.URL)
	}
	var ve valueErr
	if errors.As(got, &ve) {
		t.Errorf("errors.As found the original valueErr")
	}
	// Walk every link, every way a caller might print it.
	var walk func(e error)
	walk = func(e error) {
		for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if s := fmt.Sprintf(f, e); strings.Contains(s, "hunter2") {
				t.Errorf("%s of a link printed the secret: %s", f, s)
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if n := u.Unwrap(); n != nil {
				walk(n)
			}
		case interface{ Unwrap() []error }:
			for _, n := range u.Unwrap() {
				walk(n)
			}
		}
	}
	walk(got)
	if r.Error(nil) != nil {
		t.Errorf("Error(nil) != nil")
	}
}

// An uncomparable error type must not make errors.Is panic through a scrubbed link.
type sliceErr []string

func (e sliceErr) Error() string { return strings.Join(e, ",") }

func TestErrorUncomparable(t *testing.T) {
	got := New("x").Error(sliceErr{"a", "x"})
	if errors.Is(got, sliceErr{"a", "x"}) {
		t.Errorf("uncomparable target matched")
	}
	if got.Error() != "a,***" {
		t.Errorf("Error() = %q", got.Error())
	}
}

func TestWriter(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		writes  []string
		// wantBeforeClose is what must have reached the underlying writer
		// before Close: it shows what is held back.
		wantBeforeClose string
		want            string
	}{
		{
			name:            "secret split across writes in one line",
			secrets:         []string{"hunter2"},
			writes:          []string{"pw=hun", "ter2", " ok\n"},
			wantBeforeClose: "pw=*** ok\n",
			want:            "pw=*** ok\n",
		},
		{
			name:            "partial line held until Close",
			secrets:         []string{"hunter2"},
			writes:          []string{"a\nb hunt", "er2"},
			wantBeforeClose: "a\n",
			want:            "a\nb ***",
		},
		{
			name:            "byte by byte",
			secrets:         []string{"hunter2"},
			writes:          strings.Split("x hunter2 y\nhunter2\n", ""),
			wantBeforeClose: "x *** y\n***\n",
			want:            "x *** y\n***\n",
		},
		{
			name:            "multi-line secret split at its newline",
			secrets:         []string{"BEGIN\nKEY\nEND"},
			writes:          []string{"k: BEGIN\n", "KEY\n", "END\nafter\n"},
			wantBeforeClose: "k: ***\nafter\n",
			want:            "k: ***\nafter\n",
		},
		{
			name:            "multi-line secret prefix that turns out not to be one",
			secrets:         []string{"BEGIN\nKEY\nEND"},
			writes:          []string{"BEGIN\n", "KEX\n"},
			wantBeforeClose: "BEGIN\nKEX\n",
			want:            "BEGIN\nKEX\n",
		},
		{
			name:            "JSON form split",
			secrets:         []string{`a"b`},
			writes:          []string{`{"v":"a\`, `"b"}` + "\n"},
			wantBeforeClose: `{"v":"***"}` + "\n",
			want:            `{"v":"***"}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			w := New(tt.secrets...).Writer(&b)
			for _, s := range tt.writes {
				n, err := io.WriteString(w, s)
				if err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if diff := cmp.Diff(tt.wantBeforeClose, b.String()); diff != "" {
				t.Errorf("before Close (-want +got):\n%s", diff)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("after Close (-want +got):\n%s", diff)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := io.WriteString(w, "x"); err == nil {
				t.Errorf("Write after Close succeeded")
			}
		})
	}
}

// A long line without a newline is flushed once it passes maxPending, still masked.
func TestWriterLongLine(t *testing.T) {
	var b bytes.Buffer
	w := New("hunter2").Writer(&b)
	chunk := strings.Repeat("x", 1000) + "hunter2"
	for b.Len() == 0 {
		io.WriteString(w, chunk)
	}
	w.Close()
	if strings.Contains(b.String(), "hunter2") {
		t.Fatalf("long line leaked the secret")
	}
	if got, want := strings.Count(b.String(), "***"), strings.Count(b.String(), "x")/1000; got != want {
		t.Errorf("masks = %d, want %d", got, want)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write(p []byte) (int, error) { return 0, f.err }

func TestWriterError(t *testing.T) {
	boom := errors.New("boom")
	w := New("s").Writer(failWriter{boom})
	if _, err := io.WriteString(w, "line\n"); !errors.Is(err, boom) {
		t.Errorf("Write error = %v, want boom", err)
	}
	if _, err := io.WriteString(w, "more\n"); !errors.Is(err, boom) {
		t.Errorf("error is not sticky: %v", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close error = %v", err)
	}
}

func TestWriterConcurrent(t *testing.T) {
	var b bytes.Buffer
	w := New("hunter2").Writer(&b)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				io.WriteString(w, "pw=hunter2\n")
			}
		})
	}
	wg.Wait()
	w.Close()
	if got, want := b.String(), strings.Repeat("pw=***\n", 800); got != want {
		t.Errorf("concurrent writes: got %d bytes, want %d", len(got), len(want))
	}
}

func BenchmarkStringNoMatch(b *testing.B) {
	r := New("hunter2", "correct horse battery staple", "s3cr3t")
	s := strings.Repeat("a perfectly ordinary log line\n", 10)
	b.ReportAllocs()
	for b.Loop() {
		r.String(s)
	}
}

// TestStringNestedEcho: a server quoting our JSON body inside its own JSON
// message, printed by -o json, escapes the secret twice; an HTML error page
// quoting the body escapes it as HTML. Both are masked.
func TestStringNestedEcho(t *testing.T) {
	secrets := []string{`q"uo\te`, "<script>&amp;", "it's", "é/ü<>", `odd<&>"'\ é+/?%#-9d2b`}
	r := New(secrets...)
	marshal := func(v any, escapeHTML bool) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(b.String())
	}
	for _, s := range secrets {
		for _, inner := range []bool{true, false} {
			for _, outer := range []bool{true, false} {
				body := marshal(map[string]any{"value": "pre-" + s + "-post"}, inner)
				doc := marshal(map[string]any{"message": "bad request: " + body}, outer)
				if got := r.String(doc); !strings.Contains(got, "pre-***-post") {
					t.Errorf("%q, html %v in %v: not masked in %s", s, inner, outer, got)
				}
			}
		}
		for _, page := range []string{
			"<pre>pre-" + html.EscapeString(s) + "-post</pre>",
			"<pre>pre-" + strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s) + "-post</pre>",
		} {
			if got := r.String(page); !strings.Contains(got, "pre-***-post") {
				t.Errorf("%q: not masked in %s", s, got)
			}
		}
	}
}
