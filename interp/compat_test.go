package interp

// The cases in testdata/compat are compose-go's and joho/godotenv's own test
// vectors, ported as data: each names its source (repository, file, test).
// A case where this package differs from compose on purpose names the
// difference (one of differences below) and what compose does, and asserts
// this package's behaviour.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// differences are the deliberate differences from docker compose, the rows of
// the README's "Differences from docker compose" table.
var differences = map[string]string{
	"unset-is-error":                    "a reference to an unset variable without a default is an error, not an empty string",
	"lone-dollar-is-error":              `a "$" that starts no reference is an error with the hint to write "$$", not kept`,
	"required-message-not-expanded":     "the message of ${VAR:?message} is reported as written, references unexpanded",
	"syntax-checked-in-unused-branches": "a malformed reference in a default, alternate or message is an error even when that branch is not used",
	"every-brace-counts":                `every brace in a default counts; compose skips the character after each "{"`,
	"dotenv-stricter-syntax":            "a dotenv assignment without a name, and text after a closing quote, are errors",
	"dotenv-reference-precedence":       "a reference in a dotenv file sees the same file's earlier lines before earlier files",
}

// expandFile is a testdata/compat file of Expand cases.
type expandFile struct {
	About     string            `json:"about"`
	Env       map[string]string `json:"env"`
	Cases     []expandCase      `json:"cases"`
	NotPorted []notPorted       `json:"not_ported"`
}

type expandCase struct {
	Source string             `json:"source"`
	Env    *map[string]string `json:"env"` // nil: the file's env
	In     string             `json:"in"`
	// Want is the expected value; it is checked when no problems are expected.
	Want *string `json:"want"`
	// Refs, when set, is compared with Result.Refs.
	Refs     []string        `json:"refs"`
	Problems []expectProblem `json:"problems"`
	// Difference names the row of differences this case falls under, and
	// Compose says what compose does instead.
	Difference string `json:"difference"`
	Compose    string `json:"compose"`
	Note       string `json:"note"`
}

type expectProblem struct {
	Kind    string `json:"kind"`
	Var     string `json:"var"`
	Offset  *int   `json:"offset"`
	Message string `json:"message"` // the whole message, or the start of a syntax message
}

// dotenvFile is a testdata/compat file of Env cases.
type dotenvFile struct {
	About     string       `json:"about"`
	Cases     []dotenvCase `json:"cases"`
	NotPorted []notPorted  `json:"not_ported"`
}

type dotenvCase struct {
	Source string `json:"source"`
	// One file: Fixture (a file under testdata/compat/fixtures) or Text.
	Fixture string            `json:"fixture"`
	Text    *string           `json:"text"`
	Process map[string]string `json:"process"`
	// Want maps names to the values they must have; WantRepeat to values
	// given as a text repeated, for long ones.
	Want       map[string]string `json:"want"`
	WantRepeat map[string]struct {
		Text  string `json:"text"`
		Times int    `json:"times"`
	} `json:"want_repeat"`
	Unset      []string      `json:"unset"`
	Errors     []expectError `json:"errors"`
	Difference string        `json:"difference"`
	Compose    string        `json:"compose"`
	// Godotenv says what godotenv expects where it differs from compose-go,
	// whose reading is asserted.
	Godotenv string `json:"godotenv"`
	Note     string `json:"note"`
}

type expectError struct {
	Line     int    `json:"line"`
	Var      string `json:"var"`
	Contains string `json:"contains"`
}

type notPorted struct {
	Source string `json:"source"`
	Why    string `json:"why"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkCaseMeta checks what every case must say about itself.
func checkCaseMeta(t *testing.T, source, difference, compose string) {
	t.Helper()
	if f := strings.Fields(source); len(f) < 3 || !strings.Contains(f[0], "/") {
		t.Errorf("source %q does not name repository, file and test", source)
	}
	if difference != "" {
		if _, ok := differences[difference]; !ok {
			t.Errorf("unknown difference %q", difference)
		}
		if compose == "" {
			t.Errorf("difference %q without what compose does", difference)
		}
	}
}

var kinds = map[string]ProblemKind{"unset": Unset, "required": Required, "syntax": Syntax}

func TestCompatExpand(t *testing.T) {
	for _, name := range []string{"compose-go-template.json", "compose-go-interpolation.json"} {
		var f expandFile
		readJSON(t, filepath.Join("testdata", "compat", name), &f)
		t.Run(name, func(t *testing.T) {
			for i, c := range f.Cases {
				t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
					checkCaseMeta(t, c.Source, c.Difference, c.Compose)
					env := f.Env
					if c.Env != nil {
						env = *c.Env
					}
					res, probs := Expand(c.In, mapLookup(env))
					ctx := fmt.Sprintf("%s\nExpand(%q)", c.Source, c.In)

					// A case that lists only Refs (ExtractVariables) checks
					// names, whatever the environment leaves unset.
					refsOnly := c.Refs != nil && c.Want == nil && c.Problems == nil
					var got []expectProblem
					for _, p := range probs {
						off := p.Offset
						got = append(got, expectProblem{Kind: p.Kind.String(), Var: p.Var, Offset: &off, Message: p.Message})
					}
					want := slices.Clone(c.Problems)
					for k := range want {
						if k < len(got) {
							// Offsets and messages are compared only where
							// the case gives them; syntax messages by
							// their start, as the hint follows.
							if want[k].Offset == nil {
								got[k].Offset = nil
							}
							if want[k].Message == "" || (want[k].Kind == "syntax" && strings.HasPrefix(got[k].Message, want[k].Message)) {
								got[k].Message = want[k].Message
							}
						}
					}
					if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" && !refsOnly {
						t.Errorf("%s problems (-want +got):\n%s", ctx, diff)
					}
					if len(c.Problems) == 0 && c.Want != nil && res.Value != *c.Want {
						t.Errorf("%s = %q, want %q", ctx, res.Value, *c.Want)
					}
					if len(c.Problems) > 0 && c.Want != nil {
						t.Errorf("%s: a case expects a value or problems, not both", c.Source)
					}
					if c.Refs != nil {
						if diff := cmp.Diff(c.Refs, res.Refs, cmpopts.EquateEmpty()); diff != "" {
							t.Errorf("%s Refs (-want +got):\n%s", ctx, diff)
						}
						for _, p := range probs {
							if p.Kind == Syntax {
								t.Errorf("%s: syntax problem %v", ctx, p)
							}
						}
					}
					if c.Want == nil && c.Problems == nil && c.Refs == nil {
						t.Errorf("%s: the case checks nothing", c.Source)
					}
					for _, p := range c.Problems {
						if _, ok := kinds[p.Kind]; !ok {
							t.Errorf("%s: unknown problem kind %q", c.Source, p.Kind)
						}
					}
				})
			}
		})
		logCounts(t, name, len(f.Cases), countDifferences(f.Cases), len(f.NotPorted))
	}
}

func countDifferences[C expandCase | dotenvCase](cases []C) int {
	n := 0
	for _, c := range cases {
		switch c := any(c).(type) {
		case expandCase:
			if c.Difference != "" {
				n++
			}
		case dotenvCase:
			if c.Difference != "" {
				n++
			}
		}
	}
	return n
}

func logCounts(t *testing.T, name string, cases, diffs, notPorted int) {
	t.Logf("%s: %d cases, %d marked as deliberate differences, %d tests not ported", name, cases, diffs, notPorted)
}

func TestCompatDotenv(t *testing.T) {
	for _, name := range []string{"compose-go-dotenv.json", "godotenv.json"} {
		var f dotenvFile
		readJSON(t, filepath.Join("testdata", "compat", name), &f)
		t.Run(name, func(t *testing.T) {
			for i, c := range f.Cases {
				t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
					checkCaseMeta(t, c.Source, c.Difference, c.Compose)
					var content []byte
					switch {
					case c.Fixture != "" && c.Text == nil:
						var err error
						content, err = os.ReadFile(filepath.Join("testdata", "compat", "fixtures", c.Fixture))
						if err != nil {
							t.Fatal(err)
						}
					case c.Fixture == "" && c.Text != nil:
						content = []byte(*c.Text)
					default:
						t.Fatalf("%s: give exactly one of fixture and text", c.Source)
					}
					path := filepath.Join(t.TempDir(), "case.env")
					if err := os.WriteFile(path, content, 0o600); err != nil {
						t.Fatal(err)
					}
					ctx := fmt.Sprintf("%s\nfile %q", c.Source, content)
					if len(content) > 300 {
						ctx = fmt.Sprintf("%s\nfile %s", c.Source, c.Fixture)
					}

					lookup, errs := loadEnv([]string{path}, mapLookup(c.Process))
					var got []expectError
					for _, err := range errs {
						var fe *EnvFileError
						if !errors.As(err, &fe) || fe.Path != path {
							t.Fatalf("%s: error %v is not an *EnvFileError for the file", ctx, err)
						}
						got = append(got, expectError{Line: fe.Line, Var: fe.Var, Contains: fe.Reason})
					}
					for k := range got {
						if k < len(c.Errors) && strings.Contains(got[k].Contains, c.Errors[k].Contains) {
							got[k].Contains = c.Errors[k].Contains
						}
					}
					if diff := cmp.Diff(c.Errors, got, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("%s errors (-want +got):\n%s", ctx, diff)
					}

					for k, want := range c.Want {
						if v, ok := lookup(k); !ok || v != want {
							t.Errorf("%s\nlookup(%q) = %q, %v; want %q", ctx, k, v, ok, want)
						}
					}
					for k, r := range c.WantRepeat {
						if v, ok := lookup(k); !ok || v != strings.Repeat(r.Text, r.Times) {
							t.Errorf("%s\nlookup(%q) = %d bytes, %v; want %q × %d", ctx, k, len(v), ok, r.Text, r.Times)
						}
					}
					for _, k := range c.Unset {
						if v, ok := lookup(k); ok {
							t.Errorf("%s\nlookup(%q) = %q; want it unset", ctx, k, v)
						}
					}
					if c.Want == nil && c.WantRepeat == nil && c.Errors == nil && c.Unset == nil {
						t.Errorf("%s: the case checks nothing", c.Source)
					}
				})
			}
		})
		logCounts(t, name, len(f.Cases), countDifferences(f.Cases), len(f.NotPorted))
	}
}
