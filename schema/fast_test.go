package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// agree checks the fast evaluator against jsonschema/v5 on one document: it
// may only call valid what jsonschema/v5 calls valid, and, for documents
// without numbers it leaves to jsonschema/v5, it must call valid everything
// that is (or it would be a slow path that looks fast).
func agree(t *testing.T, v *Validator, doc any, name string) {
	t.Helper()
	slow := v.compiled.Validate(doc) == nil
	fast := v.fast.valid(doc)
	if fast && !slow {
		t.Errorf("%s: the fast path accepts a document jsonschema/v5 rejects: %v", name, v.compiled.Validate(doc))
	}
	if slow && !fast && !hasNonInteger(doc) {
		t.Errorf("%s: the fast path rejects a document jsonschema/v5 accepts", name)
	}
}

// hasNonInteger reports whether doc holds a number the fast path leaves to
// jsonschema/v5 (a fraction, an exponent, more than 64 bits).
func hasNonInteger(doc any) bool {
	switch d := doc.(type) {
	case json.Number:
		_, ok := decimalInt(d)
		return !ok
	case []any:
		if slices.ContainsFunc(d, hasNonInteger) {
			return true
		}
	case map[string]any:
		for _, x := range d {
			if hasNonInteger(x) {
				return true
			}
		}
	}
	return false
}

func TestFastCompilesForTheJobSchema(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if v.fast == nil {
		t.Fatal("the job schema uses a keyword the fast path lacks: every document now goes through jsonschema/v5 (slow); extend fastSchema")
	}
}

// fastDocs are documents on both sides of every keyword of the job schema.
var fastDocs = []string{
	`{}`,
	`[]`, `"x"`, `1`, `null`, `true`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly"}`,
	`{"job_definition": "acme::report-builder:3"}`,
	`{"job_queue": "acme::nightly"}`,
	`{"job_definition": "acme::report-builder", "job_queue": "acme::nightly"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::night_ly"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "extra": 1}`,
	`{"job_definition": 3, "job_queue": "acme::nightly"}`,
	`{"job_definition": null, "job_queue": "acme::nightly"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": ""}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": "é"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": 5}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd": []}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd": ["a", "Param::x"]}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd": ["a", 1]}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd": "a"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd_parameter": {"x": "1", "y-z_1": "2"}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd_parameter": {"x y": "1"}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd_parameter": {"x": 1}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd_parameter": {"": "1"}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_cmd_parameter": []}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": "b", "S": {"value": "v", "sensitive": true}}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"1A": "b"}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": {"sensitive": true}}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": {"value": "v", "sensitive": "yes"}}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": {"value": "v", "other": 1}}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": {"value": 1}}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": 1}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": {"A": ["x"]}}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "container_env": "A=b"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": "+1h"}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": ""}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 1764381600}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 0}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": -1}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 1.5}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 1.0}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 1e3}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": 99999999999999999999999}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": true}`,
	`{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "schedule_at": null}`,
}

func TestFastAgrees(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	accepted := 0
	for _, s := range fastDocs {
		doc := decode(t, s)
		agree(t, v, doc, s)
		if v.fast.valid(doc) {
			accepted++
		}
	}
	if accepted < 8 {
		t.Errorf("the fast path accepted only %d documents of the table; it should accept every valid one", accepted)
	}
}

// Documents of Go types encoding/json never produces, and numbers it leaves
// to jsonschema/v5, are never accepted by the fast path.
func TestFastLeavesTheUnusualToJSONSchema(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []any{
		map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q", "schedule_at": json.Number("1.0")},
		map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q", "schedule_at": json.Number("1e3")},
		map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q", "schedule_at": 5},
		map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q", "schedule_at": 5.0},
		map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q", "container_cmd": []string{"a"}},
	} {
		if v.fast.valid(doc) {
			t.Errorf("fast path accepted %#v", doc)
		}
	}
}

// A schema with a keyword the fast path lacks gets no fast path, so it can
// never judge what it does not understand.
func TestFastRefusesUnknownKeywords(t *testing.T) {
	for _, s := range []string{
		`{"type": "string", "enum": ["a"]}`,
		`{"type": "string", "maxLength": 3}`,
		`{"type": "string", "format": "email"}`,
		`{"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"type": "string"}}}`,
		`{"type": "array", "items": {"type": "string"}, "uniqueItems": true}`,
		`{"type": "number", "maximum": 3}`,
		`{"type": "number", "minimum": 0.5}`,
		`{"anyOf": [{"type": "string"}, {"type": "integer"}]}`,
		`{"type": "object", "patternProperties": {"^a": {"type": "string"}}}`,
		`false`,
	} {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		if err := c.AddResource("s.json", strings.NewReader(s)); err != nil {
			t.Fatal(err)
		}
		compiled, err := c.Compile("s.json")
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if compileFast(compiled) != nil {
			t.Errorf("%s: got a fast path", s)
		}
	}
}

// FuzzFastAgrees holds the fast path to jsonschema/v5's verdict on any JSON
// document. Seeds: the table above; go test -fuzz FuzzFastAgrees ./schema
// mutates them.
func FuzzFastAgrees(f *testing.F) {
	for _, s := range fastDocs {
		f.Add(s)
	}
	v, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var doc any
		if d.Decode(&doc) != nil {
			return
		}
		agree(t, v, doc, s)
	})
}

// BenchmarkFastPath is what fastSchema buys: a valid job document through
// the fast path, and through jsonschema/v5 alone, the simple alternative
// (which Validate falls back to for any document the fast path does not
// prove valid). go test -run '^$' -bench FastPath ./schema
func BenchmarkFastPath(b *testing.B) {
	v, err := New()
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(&testing.T{}, `{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": "n",
		"container_cmd": ["a", "Param::x"], "container_cmd_parameter": {"x": "1"},
		"container_env": {"A": "b", "S": {"value": "v", "sensitive": true}}, "schedule_at": "+1h"}`)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !v.fast.valid(doc) {
				b.Fatal("the fast path does not prove it valid")
			}
		}
	})
	b.Run("jsonschema", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := v.compiled.Validate(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
