package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const ok = `"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly"`
	tests := []struct {
		name string
		doc  string
		want []Violation
	}{
		{name: "minimal", doc: `{` + ok + `}`},
		{name: "everything", doc: `{` + ok + `, "name": "n", "container_cmd": ["a", "Param::x"],
			"container_cmd_parameter": {"x": "1"}, "container_env": {"A": "b", "S": {"value": "v", "sensitive": true}},
			"schedule_at": 1764381600}`},
		{name: "schedule as string", doc: `{` + ok + `, "schedule_at": "+1h"}`},
		{name: "missing both required", doc: `{}`, want: []Violation{
			{Key: "job_definition", Keyword: "required", Message: `missing required key "job_definition"`},
			{Key: "job_queue", Keyword: "required", Message: `missing required key "job_queue"`},
		}},
		{name: "unknown keys listed with what is allowed", doc: `{` + ok + `, "job_que": 1}`, want: []Violation{
			{Path: []string{"job_que"}, Key: "job_que", Keyword: "additionalProperties", Message: `unknown key "job_que"`,
				Allowed: []string{"container_cmd", "container_cmd_parameter", "container_env", "job_definition", "job_queue", "name", "schedule_at"}},
		}},
		{name: "queue names are letters digits and hyphens", doc: `{"job_definition": "acme::report-builder:3", "job_queue": "acme::night_ly"}`,
			want: []Violation{{Path: []string{"job_queue"}, Keyword: "pattern",
				Message: "must look like project_code::queue_name, the queue name made of letters, digits and hyphens, e.g. acme::nightly"}}},
		{name: "definition needs a version", doc: `{"job_definition": "acme::report-builder", "job_queue": "acme::nightly"}`,
			want: []Violation{{Path: []string{"job_definition"}, Keyword: "pattern",
				Message: "must look like project_code::definition_name:version, e.g. acme::report-builder:3"}}},
		{name: "command items are strings", doc: `{` + ok + `, "container_cmd": ["a", 3]}`,
			want: []Violation{{Path: []string{"container_cmd", "1"}, Keyword: "type",
				Message: "must be a string, not an integer (quote the value to send it as text)"}}},
		{name: "env names", doc: `{` + ok + `, "container_env": {"1X": "a", "a/b": "c"}}`,
			want: []Violation{
				{Path: []string{"container_env", "1X"}, Key: "1X", Keyword: "propertyNames",
					Message: `invalid name "1X": environment variable names are letters, digits and '_', not starting with a digit`},
				{Path: []string{"container_env", "a/b"}, Key: "a/b", Keyword: "propertyNames",
					Message: `invalid name "a/b": environment variable names are letters, digits and '_', not starting with a digit`},
			}},
		{name: "env object needs value and nothing else", doc: `{` + ok + `, "container_env": {"A": {"sensitive": true, "x": 1}}}`,
			want: []Violation{
				{Path: []string{"container_env", "A"}, Key: "value", Keyword: "required", Message: `missing required key "value"`},
				{Path: []string{"container_env", "A", "x"}, Key: "x", Keyword: "additionalProperties", Message: `unknown key "x"`,
					Allowed: []string{"sensitive", "value"}},
			}},
		{name: "negative unix time", doc: `{` + ok + `, "schedule_at": -1}`,
			want: []Violation{{Path: []string{"schedule_at"}, Keyword: "minimum",
				Message: "must be a time: RFC 3339, unix seconds, +1h30m or '2026-11-29 02:00 Europe/Berlin'"}}},
		{name: "fractional unix time", doc: `{` + ok + `, "schedule_at": 1.5}`,
			want: []Violation{{Path: []string{"schedule_at"}, Keyword: "type",
				Message: "must be a string or an integer, not a number"}}},
		{name: "null name", doc: `{` + ok + `, "name": null}`,
			want: []Violation{{Path: []string{"name"}, Keyword: "type", Message: "must be a string, not null"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Validate(decode(t, tt.doc))
			sortViolations(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

func sortViolations(vs []Violation) {
	key := func(v Violation) string { return strings.Join(v.Path, "/") + "\x00" + v.Key + "\x00" + v.Keyword }
	slices.SortFunc(vs, func(a, b Violation) int { return strings.Compare(key(a), key(b)) })
}

// TestSchemaDocument checks what editors rely on: draft 2020-12, an $id, a
// description on every property, no other keys allowed.
func TestSchemaDocument(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(JSON()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || doc["$id"] == nil {
		t.Errorf("$schema/$id: %v %v", doc["$schema"], doc["$id"])
	}
	if doc["additionalProperties"] != false {
		t.Errorf("additionalProperties must be false")
	}
	props := doc["properties"].(map[string]any)
	for name, p := range props {
		if d, _ := p.(map[string]any)["description"].(string); d == "" {
			t.Errorf("property %s has no description", name)
		}
	}
	want := []string{"container_cmd", "container_cmd_parameter", "container_env", "job_definition", "job_queue", "name", "schedule_at"}
	var got []string
	for k := range props {
		got = append(got, k)
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("properties are the API's body keys (-want +got):\n%s", diff)
	}
}

func BenchmarkValidate(b *testing.B) {
	v, err := New()
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(&testing.T{}, `{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": "n",
		"container_cmd": ["a", "Param::x"], "container_cmd_parameter": {"x": "1"},
		"container_env": {"A": "b", "S": {"value": "v", "sensitive": true}}, "schedule_at": "+1h"}`)
	b.ReportAllocs()
	for b.Loop() {
		if vs := v.Validate(doc); vs != nil {
			b.Fatal(vs)
		}
	}
}

// TestNewFromAnyDirectory: the schema compiles whatever the working directory
// is called. It was once registered under a relative name, which the compiler
// resolved against the working directory as a URL: '#' cut the path and '%'
// broke the escape (issue 21).
func TestNewFromAnyDirectory(t *testing.T) {
	for _, name := range []string{"C#", "100%", "a%zz", "x#y%41"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			v, err := New()
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Validate(decode(t, `{"job_definition": "acme::d:1", "job_queue": "acme::q"}`)); got != nil {
				t.Errorf("a valid document: %v", got)
			}
		})
	}
}

// TestIDIsTheSchemasID: the schema is compiled under its own $id.
func TestIDIsTheSchemasID(t *testing.T) {
	var doc struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal([]byte(JSON()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != ID {
		t.Errorf("$id %q, compiled under %q", doc.ID, ID)
	}
}
