package printable

import (
	"encoding/json"
	"reflect"
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
		// The runner obeys "##[command]" anywhere in a line
		// (actions/runner, src/Runner.Common/ActionCommand.cs, TryParse:
		// message.IndexOf("##[")).
		{name: "v1 command", in: "x ##[error]y.yaml", want: `x #\x23[error]y.yaml`},
		{name: "v1 stop-commands", in: "###[stop-commands]", want: `##\x23[stop-commands]`},
		{name: "one hash kept", in: "#[a] ## [b]", want: "#[a] ## [b]"},
		// Characters that show as nothing or as a blank (issue 22 item 9).
		{name: "zero width space", in: "a\u200bb", want: `a\u200bb`},
		{name: "byte order mark", in: "\ufeffjob", want: `\ufeffjob`},
		{name: "word joiner", in: "a\u2060b", want: `a\u2060b`},
		{name: "soft hyphen", in: "a\u00adb", want: `a\u00adb`},
		{name: "hangul filler", in: "a\u3164b", want: `a\u3164b`},
		{name: "tag characters", in: "a\U000e0041\U000e007f", want: `a\U000e0041\U000e007f`},
		{name: "no-break space", in: "a\u00a0b\u3000c", want: `a\u00a0b\u3000c`},
		{name: "variation selector", in: "a\ufe0fb", want: `a\ufe0fb`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLead: the runner trims a line's leading white space, Unicode spaces
// included, before it looks for "::" (actions/runner,
// src/Runner.Common/ActionCommand.cs, TryParseV2: message.TrimStart(), then
// StartsWith("::")), so no value that starts a line may bring a ':' to its
// front, after blanks or not.
func TestLead(t *testing.T) {
	for in, want := range map[string]string{
		"::error::x.yaml":          `\x3a:error::x.yaml`,
		" ::error title=X::a.yaml": ` \x3a:error title=X::a.yaml`,
		"\u00a0::error::a.yaml":    `\u00a0::error::a.yaml`,
		"\t::warning::a":           `\t::warning::a`,
		"\u3000::error::a":         `\u3000::error::a`,
		":a":                       `\x3aa`,
		"a:b":                      "a:b",
		"\n::stop-commands":        `\n::stop-commands`,
		"jobs/a.yaml":              "jobs/a.yaml",
		"x ##[error]y":             `x #\x23[error]y`,
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

// commandStart reports whether the runner would look for a "::" command on
// line: its start after the white space .NET's TrimStart drops.
func commandStart(line string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(line, ActionsSpace), "::")
}

func FuzzEscape(f *testing.F) {
	f.Add("a\n::error::x\x1b[0m\u202e\xff")
	f.Add(" \u00a0::error::x ##[error]y")
	f.Fuzz(func(t *testing.T, s string) {
		got := Lead(s)
		for _, r := range got {
			if mustEscape(r) {
				t.Fatalf("Lead(%q) = %q holds %U", s, got, r)
			}
		}
		// Whatever the format writes after a value that is not blank.
		if strings.TrimLeft(got, " ") != "" && commandStart(got+":x::") || strings.Contains(got, "##[") {
			t.Fatalf("Lead(%q) = %q can start a workflow command", s, got)
		}
		if esc := Escape(s); strings.Contains(esc, "##[") {
			t.Fatalf("Escape(%q) = %q holds ##[", s, esc)
		}
		if !strings.Contains(s, "\\") && !needsEscape(s) && got != s && !strings.HasPrefix(strings.TrimLeft(s, " "), ":") {
			t.Fatalf("Lead changed %q to %q", s, got)
		}
	})
}

func TestJSON(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":"plain"}` + "\n":                   `{"a":"plain"}` + "\n",
		"{\n  \"a\": \"x\u009b2J\u202e\x7f\"\n}": "{\n  \"a\": \"x\\u009b2J\\u202e\\u007f\"\n}",
		`{"a":"x ##[error]y"}`:                   `{"a":"x #\u0023[error]y"}`,
		"{\"a\":\"\u200b\U000e0041\"}":           `{"a":"\u200b\udb40\udc41"}`,
	} {
		got := JSON([]byte(in))
		if string(got) != want {
			t.Errorf("JSON(%q) = %q, want %q", in, got, want)
		}
		var a, b any
		if json.Unmarshal([]byte(in), &a) == nil && (json.Unmarshal(got, &b) != nil || !reflect.DeepEqual(a, b)) {
			t.Errorf("JSON(%q) = %q changed the data", in, got)
		}
	}
}

// FuzzJSON: JSON keeps any encoded document valid and its data the same,
// and leaves in it no character mustEscape names (but line ends) and no
// "##[".
func FuzzJSON(f *testing.F) {
	f.Add("x ##[error]y\u200b\U000e0041\u009b\u202e")
	f.Add("###[###[")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := json.MarshalIndent(map[string]any{"k": s, s: []string{s}}, "", "  ")
		if err != nil {
			return
		}
		got := JSON(in)
		var a, b any
		if json.Unmarshal(in, &a) != nil {
			return
		}
		if err := json.Unmarshal(got, &b); err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("JSON(%q) = %q: not the same data (%v)", in, got, err)
		}
		for _, r := range string(got) {
			if r != '\n' && mustEscape(r) {
				t.Fatalf("JSON(%q) = %q holds %U", in, got, r)
			}
		}
		if strings.Contains(string(got), "##[") {
			t.Fatalf("JSON(%q) = %q holds ##[", in, got)
		}
	})
}
