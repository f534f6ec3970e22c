package printable

import (
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{name: "plain", in: "acme::nightly/report-1", want: "acme::nightly/report-1"},
		{name: "unicode kept", in: "café ü 日本 \uFFFD", want: "café ü 日本 \uFFFD"},
		{name: "backslash kept", in: `C:\jobs\a.yaml`, want: `C:\jobs\a.yaml`},
		{name: "newline", in: "a\n::error::x", want: `a\n::error::x`},
		{name: "carriage return and tab", in: "a\rb\tc", want: `a\rb\tc`},
		{name: "escape sequence", in: "\x1b[31mred\x1b[0m", want: `\x1b[31mred\x1b[0m`},
		{name: "NUL and DEL", in: "\x00\x7f", want: `\x00\x7f`},
		{name: "C1 CSI", in: "a\u009b2J", want: `a\u009b2J`},
		{name: "NEL", in: "a\u0085b", want: `a\u0085b`},
		{name: "line separator", in: "a\u2028b\u2029", want: `a\u2028b\u2029`},
		{name: "bidi override", in: "abc\u202edef", want: `abc\u202edef`},
		{name: "invalid UTF-8", in: "a\xffb\xc3", want: `a\xffb\xc3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLead(t *testing.T) {
	for in, want := range map[string]string{
		"::error::x.yaml":   `\x3a:error::x.yaml`,
		":a":                ":a",
		"\n::stop-commands": `\n::stop-commands`,
		"jobs/a.yaml":       "jobs/a.yaml",
	} {
		if got := Lead(in); got != want {
			t.Errorf("Lead(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("k", 200_000)
	if got := Clip(long, 64); got != strings.Repeat("k", 64)+"…(200000 characters)" {
		t.Errorf("Clip(200,000 k) = %q", got)
	}
	if got := Clip("short", 64); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	// A cut inside a character moves back to its start.
	if got := Clip("aé", 2); got != "a…(2 characters)" {
		t.Errorf("Clip(aé, 2) = %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{in: "  502 Bad\r\n\tGateway  ", n: 100, want: "502 Bad Gateway"},
		{in: "a\x1b[2Jb\u202ec", n: 100, want: "a [2Jb c"},
		{in: "abcdef", n: 3, want: "abc…"},
		{in: "ab\xff", n: 100, want: "ab\uFFFD"},
	} {
		if got := Excerpt(tc.in, tc.n); got != tc.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("a\n::error::x\x1b[0m\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		got := Lead(s)
		for _, r := range got {
			if mustEscape(r) {
				t.Fatalf("Lead(%q) = %q holds %U", s, got, r)
			}
		}
		if strings.HasPrefix(got, "::") {
			t.Fatalf("Lead(%q) = %q starts a workflow command", s, got)
		}
		if !strings.Contains(s, "\\") && !needsEscape(s) && got != s && !strings.HasPrefix(s, "::") {
			t.Fatalf("Lead changed %q to %q", s, got)
		}
	})
}

func TestJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":"plain"}` + "\n":                   `{"a":"plain"}` + "\n",
		"{\n  \"a\": \"x\u009b2J\u202e\x7f\"\n}": "{\n  \"a\": \"x\\u009b2J\\u202e\\u007f\"\n}",
	} {
		if got := string(JSON([]byte(in))); got != want {
			t.Errorf("JSON(%q) = %q, want %q", in, got, want)
		}
	}
}
