package interp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// envFiles writes each content to a file of its own in a fresh directory and
// returns their paths, in order.
func envFiles(t *testing.T, contents ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, c := range contents {
		path := filepath.Join(dir, fmt.Sprintf("%d.env", i+1))
		writeFile(t, path, c)
		paths = append(paths, path)
	}
	return paths
}

func TestEnv(t *testing.T) {
	files := envFiles(t, `# shared settings
A=from-base
B=from-base
C=from-base
export EXPORTED=yes
SINGLE='$HOME is ${HOME}'
DOUBLE="line1\nline2 \$HOME $$HOME"
UNQUOTED=pa$$word # a comment
HASH=a#b
BRACES=${HOME:-x}
JSON=${NOPE:-{"a":1}}
ALT=${A:+[$A]}
MULTI="first
second"
YAML: style
dotted.key=1
dashed-key=2
INHERITED
DERIVED=$A/$B
`, "\ufeffB=from-local\r\nC=from-local\r\nEMPTY=\r\nLATER=$B\r\n")
	process := mapLookup(map[string]string{"C": "from-process", "P": "only-process", "EMPTY": "set", "INHERITED": "from-process"})

	lookup, err := Env(files, process)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		want  string
		isSet bool
	}{
		{name: "A", want: "from-base", isSet: true},
		{name: "B", want: "from-local", isSet: true},   // later file wins
		{name: "C", want: "from-process", isSet: true}, // process wins over every file
		{name: "P", want: "only-process", isSet: true},
		{name: "EMPTY", want: "set", isSet: true},
		{name: "EXPORTED", want: "yes", isSet: true},
		{name: "SINGLE", want: "$HOME is ${HOME}", isSet: true},
		{name: "DOUBLE", want: "line1\nline2 $HOME $HOME", isSet: true},
		{name: "UNQUOTED", want: "pa$word", isSet: true},
		{name: "HASH", want: "a#b", isSet: true},
		{name: "BRACES", want: "x", isSet: true},
		{name: "JSON", want: `{"a":1}`, isSet: true},
		{name: "ALT", want: "[from-base]", isSet: true},
		{name: "MULTI", want: "first\nsecond", isSet: true},
		{name: "YAML", want: "style", isSet: true},
		{name: "dotted.key", want: "1", isSet: true},
		{name: "dashed-key", want: "2", isSet: true},
		{name: "INHERITED", want: "from-process", isSet: true},
		{name: "DERIVED", want: "from-base/from-base", isSet: true}, // B of the first file: the second is not read yet
		{name: "LATER", want: "from-local", isSet: true},
		{name: "NOPE", want: "", isSet: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := lookup(tt.name)
			if got != tt.want || ok != tt.isSet {
				t.Errorf("lookup(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.isSet)
			}
		})
	}

	t.Run("no files, no process", func(t *testing.T) {
		lookup, err := Env(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := lookup("A"); ok {
			t.Errorf("lookup(A) = %q, true; want unset", v)
		}
	})
	t.Run("file without process", func(t *testing.T) {
		lookup, err := Env(files[1:], nil)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := lookup("EMPTY"); !ok || v != "" {
			t.Errorf("lookup(EMPTY) = %q, %v; want \"\", true", v, ok)
		}
	})
}

// TestEnvReferencePrecedence pins down what a reference inside a file sees.
func TestEnvReferencePrecedence(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		process map[string]string
		want    map[string]string
	}{
		{
			// compose-go: GetEnvFromFile looks the process environment up
			// before anything read from files.
			name:    "process environment first",
			files:   []string{"A=file\nB=$A\n"},
			process: map[string]string{"A": "process"},
			want:    map[string]string{"A": "process", "B": "process"},
		},
		{
			name:  "earlier file",
			files: []string{"A=first\n", "B=$A\n"},
			want:  map[string]string{"A": "first", "B": "first"},
		},
		{
			// Compose would give B=first here (it looks in earlier files
			// before the same file's earlier lines); we give what A is at
			// that point of reading, which is also what the final Lookup
			// says A is.
			name:  "same file's earlier line over an earlier file",
			files: []string{"A=first\n", "A=second\nB=$A\n"},
			want:  map[string]string{"A": "second", "B": "second"},
		},
		{
			name:  "redefined later in the same file",
			files: []string{"A=1\nB=$A\nA=2\nC=$A\n"},
			want:  map[string]string{"A": "2", "B": "1", "C": "2"},
		},
		{
			name:  "self reference extends",
			files: []string{"PATHS=/a\nPATHS=$PATHS:/b\n"},
			want:  map[string]string{"PATHS": "/a:/b"},
		},
		{
			name:    "self reference with the process environment",
			files:   []string{"PATHS=$PATHS:/b\n"},
			process: map[string]string{"PATHS": "/a"},
			want:    map[string]string{"PATHS": "/a"}, // the process wins in the end, too
		},
		{
			name:  "values are not expanded twice",
			files: []string{"A='$B'\nC=$A\n"},
			want:  map[string]string{"A": "$B", "C": "$B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup, err := Env(envFiles(t, tt.files...), mapLookup(tt.process))
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.want {
				if got, ok := lookup(k); !ok || got != want {
					t.Errorf("lookup(%q) = %q, %v; want %q", k, got, ok, want)
				}
			}
		})
	}
}

func TestEnvMissingFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.env")
	writeFile(t, good, "A=1\n")
	missing := filepath.Join(dir, "missing.env")

	lookup, err := Env([]string{good, missing}, nil)
	if err == nil {
		t.Fatal("Env succeeded with a missing file")
	}
	if v, ok := lookup("A"); !ok || v != "1" {
		t.Errorf("the Lookup returned with the error lacks the good file's A: %q, %v", v, ok)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
	var fe *EnvFileError
	if !errors.As(err, &fe) || fe.Path != missing || fe.Line != 0 {
		t.Fatalf("error %#v is not an *EnvFileError for %s", err, missing)
	}
	want := missing + ": cannot read dotenv file: no such file or directory"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestEnvNotRegular(t *testing.T) {
	dir := t.TempDir()
	_, err := Env([]string{dir}, nil)
	if want := dir + ": not a regular file (a directory)"; err == nil || err.Error() != want {
		t.Errorf("Env(directory) error = %v, want %q", err, want)
	}
	if fi, serr := os.Stat(os.DevNull); serr == nil && fi.Mode()&fs.ModeDevice != 0 {
		_, err := Env([]string{os.DevNull}, nil)
		if want := os.DevNull + ": not a regular file (a device)"; err == nil || err.Error() != want {
			t.Errorf("Env(%s) error = %v, want %q", os.DevNull, err, want)
		}
	}
}

func TestEnvTooLarge(t *testing.T) {
	dir := t.TempDir()
	atLimit := filepath.Join(dir, "at-limit.env")
	line := "A=" + strings.Repeat("x", 1021) + "\n" // 1 KiB
	writeFile(t, atLimit, strings.Repeat(line, MaxEnvFileSize/len(line)))
	if _, err := Env([]string{atLimit}, nil); err != nil {
		t.Errorf("a file of %d bytes: %v", MaxEnvFileSize, err)
	}
	tooLarge := filepath.Join(dir, "too-large.env")
	writeFile(t, tooLarge, strings.Repeat(line, MaxEnvFileSize/len(line))+"#")
	_, err := Env([]string{tooLarge}, nil)
	if want := tooLarge + ": dotenv file is larger than the limit of 1048576 bytes (1 MiB)"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []EnvFileError // without Path
	}{
		{
			name:    "unterminated after a multi-line value",
			content: "A=1\nB=\"multi\nline\"\n# comment\n\nC=\"open\nD=4\n",
			want:    []EnvFileError{{Line: 6, Reason: "dotenv syntax: unterminated quoted value (the double quote opened on this line is never closed)"}},
		},
		{
			name:    "unterminated early in a long file",
			content: "A=1\nX='open\n" + strings.Repeat("B=2\n", 100_000),
			want:    []EnvFileError{{Line: 2, Reason: "dotenv syntax: unterminated quoted value (the single quote opened on this line is never closed)"}},
		},
		{
			name:    "no name",
			content: "A=1\n=value\n: value\n",
			want: []EnvFileError{
				{Line: 2, Reason: `dotenv syntax: missing variable name before "="`},
				{Line: 3, Reason: `dotenv syntax: missing variable name before ":"`},
			},
		},
		{
			name:    "dollar in name",
			content: "A=1\nB$C=2\n",
			want:    []EnvFileError{{Line: 2, Reason: `dotenv syntax: unexpected character "$" in variable name`}},
		},
		{
			name:    "white space in name",
			content: "A=1\nSOME KEY=2\nBARE LINE\n",
			want: []EnvFileError{
				{Line: 2, Reason: "dotenv syntax: a variable name cannot contain white space"},
				{Line: 3, Reason: "dotenv syntax: a variable name cannot contain white space"},
			},
		},
		{
			name:    "text after the closing quote",
			content: "A=\"x\"y\nB='x' C=1\nD=\"x\" # fine\nE='x'#fine\n",
			want: []EnvFileError{
				{Line: 1, Reason: `dotenv syntax: unexpected text after the closing quote (start a comment with "#")`},
				{Line: 2, Reason: `dotenv syntax: unexpected text after the closing quote (start a comment with "#")`},
			},
		},
		{
			name:    "NUL byte",
			content: "A=1\nB=x\x00y\n",
			want:    []EnvFileError{{Line: 2, Reason: "dotenv file contains a NUL byte (is it a text file in UTF-8?)"}},
		},
		{
			name:    "invalid UTF-8 in a name",
			content: "A\xff=1\n",
			want:    []EnvFileError{{Line: 1, Reason: "dotenv syntax: invalid UTF-8 in variable name"}},
		},
		{
			name:    "unset variable",
			content: "A=1\nB=${A}-${NOPE}\n",
			want:    []EnvFileError{{Line: 2, Var: "NOPE", Kind: Unset, Reason: `variable "NOPE" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${NOPE:-}`}},
		},
		{
			name:    "reference to a later line",
			content: "A=$B\nB=1\n",
			want:    []EnvFileError{{Line: 1, Var: "B", Kind: Unset, Reason: `variable "B" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${B:-}`}},
		},
		{
			name:    "required variable",
			content: "A=${NOPE:?set it in CI}\nB=\"${EMPTY:?}\"\n",
			want: []EnvFileError{
				{Line: 1, Var: "NOPE", Kind: Required, Reason: "NOPE: set it in CI"},
				{Line: 2, Var: "EMPTY", Kind: Required, Reason: `variable "EMPTY" is required but empty`},
			},
		},
		{
			name:    "lone dollar",
			content: "PRICE=5$\nRE=\"^a$\"\nOK='5$'\n",
			want: []EnvFileError{
				{Line: 1, Kind: Syntax, Reason: `"$" at the end of the text is not a variable reference; write "$$" for a literal "$" or put the value in single quotes`},
				{Line: 2, Kind: Syntax, Reason: `"$" at the end of the text is not a variable reference; write "$$" for a literal "$" or put the value in single quotes`},
			},
		},
		{
			// Lines are counted inside multi-line values, after CRLF line
			// ends and after a byte-order mark.
			name:    "line of a reference in a multi-line value",
			content: "\ufeffA=1\r\n# c\r\nKEY=\"-----BEGIN-----\r\n$A\r\n\\$B\r\n${NOPE}\r\n-----END-----\"\r\nZ=$NOPE2\r\n",
			want: []EnvFileError{
				{Line: 6, Var: "NOPE", Kind: Unset, Reason: `variable "NOPE" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${NOPE:-}`},
				{Line: 8, Var: "NOPE2", Kind: Unset, Reason: `variable "NOPE2" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${NOPE2:-}`},
			},
		},
		{
			name:    "line after an escaped line end",
			content: "A=\"x\\\ny\\\n$NOPE\"\n",
			want:    []EnvFileError{{Line: 3, Var: "NOPE", Kind: Unset, Reason: `variable "NOPE" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${NOPE:-}`}},
		},
		{
			name:    "every error in a file, in order",
			content: "1A B=x\nOK=1\nC=$X\nD\"=1\nE='x\n",
			want: []EnvFileError{
				{Line: 1, Reason: "dotenv syntax: a variable name cannot contain white space"},
				{Line: 3, Var: "X", Kind: Unset, Reason: `variable "X" is not set; export it, define it on an earlier line or in an earlier --env-file, or give a default with ${X:-}`},
				{Line: 4, Reason: `dotenv syntax: unexpected character "\"" in variable name`},
				{Line: 5, Reason: "dotenv syntax: unterminated quoted value (the single quote opened on this line is never closed)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := envFiles(t, tt.content)[0]
			lookup, err := Env([]string{path}, mapLookup(map[string]string{"EMPTY": ""}))
			if lookup == nil {
				t.Error("Env returned no Lookup along with its errors")
			}
			var got []EnvFileError
			for _, e := range unjoin(err) {
				var fe *EnvFileError
				if !errors.As(e, &fe) {
					t.Fatalf("error %v is not an *EnvFileError", e)
				}
				if fe.Path != path {
					t.Errorf("error %v names %q, want %q", fe, fe.Path, path)
				}
				c := *fe
				c.Path = ""
				got = append(got, c)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("every file is reported", func(t *testing.T) {
		files := envFiles(t, "X Y\n", "OK=1\n", "Y=\"\n")
		_, err := Env(files, nil)
		want := files[0] + ":1: dotenv syntax: a variable name cannot contain white space\n" +
			files[2] + ":1: dotenv syntax: unterminated quoted value (the double quote opened on this line is never closed)"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v, want %q", err, want)
		}
	})

	t.Run("errors per file are capped", func(t *testing.T) {
		path := envFiles(t, strings.Repeat("BAD LINE\n", 1000))[0]
		errs := unjoin(func() error { _, err := Env([]string{path}, nil); return err }())
		if len(errs) != maxErrorsPerFile+1 {
			t.Fatalf("got %d errors, want %d and a summary", len(errs), maxErrorsPerFile)
		}
		if got, want := errs[len(errs)-1].Error(), path+": 950 more errors not shown"; got != want {
			t.Errorf("last error = %q, want %q", got, want)
		}
	})
}

// unjoin returns the errors an errors.Join holds, or err alone.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestEnvFileErrorsQuoteNoValues checks that no error about a file's text
// carries a value from it.
func TestEnvFileErrorsQuoteNoValues(t *testing.T) {
	const secret = "s3nt1nel-VALUE-☃"
	for i, content := range []string{
		"OK=1\nTOKEN=\"" + secret + "\n",
		"OK=1\nTOKEN " + secret + "\n",
		"OK=1\n" + secret + "=1\n",
		"TOKEN='" + secret + "\n" + secret + "\n",
		"TOKEN=\"" + secret + "\"" + secret + "\n",
		"TOKEN='" + secret + "'" + secret + "\n",
		"TOKEN=" + secret + "$\n",
		"TOKEN=\"" + secret + "${X\"\n",
		"TOKEN=${" + secret + "\n",
		"-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := Env(envFiles(t, content), nil)
			if err == nil {
				t.Fatalf("Env(%q) succeeded; want an error", content)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "s3nt1nel") {
				t.Errorf("Env error %q carries the secret", err)
			}
		})
	}
}

// TestExpandWithEnv runs the two halves together the way the CLI does.
func TestExpandWithEnv(t *testing.T) {
	path := envFiles(t, "DB_PASSWORD='pa$$w0rd'\nDB_HOST=db\nDB_URL=postgres://app:${DB_PASSWORD}@${DB_HOST}/app\n")[0]
	lookup, err := Env([]string{path}, mapLookup(map[string]string{"DB_HOST": "prod-db"}))
	if err != nil {
		t.Fatal(err)
	}
	got, probs := Expand("postgres://app:${DB_PASSWORD}@${DB_HOST}:${DB_PORT:-5432}/app ${DB_URL}", lookup)
	want := Result{
		Value: "postgres://app:pa$$w0rd@prod-db:5432/app postgres://app:pa$$w0rd@prod-db/app",
		Refs:  []string{"DB_PASSWORD", "DB_HOST", "DB_PORT", "DB_URL"},
		Used: []Var{
			{Name: "DB_PASSWORD", Value: "pa$$w0rd"},
			{Name: "DB_HOST", Value: "prod-db"},
			{Name: "DB_URL", Value: "postgres://app:pa$$w0rd@prod-db/app"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" || len(probs) != 0 {
		t.Errorf("Expand = %v (-want +got):\n%s", probs, diff)
	}
}

// TestIssue13 pins the examples of issue 13, each of which the previous
// reader (godotenv v1.5.1 with workarounds) got wrong.
func TestIssue13(t *testing.T) {
	lookup, err := Env(envFiles(t, `FOO=test
BAR=${FOO}bar
TAB="a\tb"
QUOTED="\"quoted\""
qux=thud # fred # other
BACKSLASH="bar\\"
OPTION-B=def
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"BAR":       "testbar",
		"TAB":       "a\tb",
		"QUOTED":    `"quoted"`,
		"qux":       "thud",
		"BACKSLASH": `bar\`,
		"OPTION-B":  "def",
	} {
		if got, ok := lookup(name); !ok || got != want {
			t.Errorf("lookup(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}

	for in, want := range map[string]string{
		`${JSON:-{"json":1}}`: `{"json":2}`,
		"${FOO:-{a}}":         "set",
		"${A:+${A},}B":        "a,B",
		"${NOPE+x}B":          "B",
	} {
		res, probs := Expand(in, mapLookup(map[string]string{"JSON": `{"json":2}`, "FOO": "set", "A": "a"}))
		if res.Value != want || len(probs) != 0 {
			t.Errorf("Expand(%q) = %q, %v; want %q", in, res.Value, probs, want)
		}
	}
}

// TestEnvInvalidUTF8: a dotenv value that references a variable whose value
// is not UTF-8 is an error at its line, with no Var (so validate does not
// take it as an unset variable's warning).
func TestEnvInvalidUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.env")
	if err := os.WriteFile(p, []byte("OK=1\nQ=x${X}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Env([]string{p}, func(k string) (string, bool) { return map[string]string{"X": "\xff"}[k], k == "X" })
	var fe *EnvFileError
	if !errors.As(err, &fe) || fe.Line != 2 || fe.Var != "" || fe.Kind != Encoding || !strings.Contains(fe.Reason, "not UTF-8") || !utf8.ValidString(fe.Reason) {
		t.Fatalf("Env: %v (%+v), want line 2: not UTF-8", err, fe)
	}
}
