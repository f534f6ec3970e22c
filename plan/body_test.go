package plan

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/schema"
)

// fullWireBody is an api.Body with every field set to a value of its own,
// by reflection: a field added to the wire type is set without editing this
// test, and a field of a type it does not know stops it.
func fullWireBody(t *testing.T) api.Body {
	t.Helper()
	var w api.Body
	v := reflect.ValueOf(&w).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		key := jsonKey(sf)
		switch {
		case f.Kind() == reflect.String:
			f.SetString("v-" + key)
		case f.Type() == reflect.TypeFor[[]string]():
			f.Set(reflect.ValueOf([]string{"v-" + key + "-0", "v-" + key + "-1"}))
		case f.Type() == reflect.TypeFor[map[string]string]():
			f.Set(reflect.ValueOf(map[string]string{"k-" + key: "v-" + key, "k2-" + key: "v2-" + key}))
		case f.Type() == reflect.TypeFor[map[string]api.EnvVar]():
			f.Set(reflect.ValueOf(map[string]api.EnvVar{
				"PLAIN_" + strings.ToUpper(key):  {Value: "v-" + key},
				"SECRET_" + strings.ToUpper(key): {Value: "s-" + key, Sensitive: true},
			}))
		default:
			t.Fatalf("api.Body.%s is a %s, which plan.Body does not know: add it to plan.Body and its fields(), then teach this test", sf.Name, f.Type())
		}
	}
	return w
}

func jsonKey(sf reflect.StructField) string {
	key, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	return key
}

// asDocument is a wire body as a manifest document decodes: plain values.
func asDocument(t *testing.T, w api.Body) map[string]any {
	t.Helper()
	raw, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBodyFieldsHandledEverywhere fails when a field of the wire type
// api.Body is not handled by every part of plan.Body: its list of fields,
// decoding a document, the wire form, the digest, the generated name, Map
// (display and masking), the field walk of a diff, and the schema.
func TestBodyFieldsHandledEverywhere(t *testing.T) {
	full := fullWireBody(t)
	wt := reflect.TypeFor[api.Body]()

	var keys []string
	for i := range wt.NumField() {
		keys = append(keys, jsonKey(wt.Field(i)))
	}
	var b Body
	var listed []string
	for _, f := range b.fields() {
		listed = append(listed, f.key)
	}
	if !slices.Equal(keys, listed) {
		t.Fatalf("plan.Body.fields() lists %q; api.Body has %q, in this order", listed, keys)
	}

	// Decoding a document and encoding the body give the document back.
	body := decodeBody(asDocument(t, full))
	want, _ := json.Marshal(full)
	if got, _ := json.Marshal(body); string(got) != string(want) {
		t.Errorf("decoded and encoded again:\n got %s\nwant %s", got, want)
	}

	schemaKeys := map[string]bool{}
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal([]byte(schema.JSON()), &s); err != nil {
		t.Fatal(err)
	}
	for k := range s.Properties {
		schemaKeys[k] = true
	}

	fullDigest := digest(&body)
	fullName := generatedName("a.yaml", body, body.ScheduleAt)
	walked := map[string]int{}
	for f := range body.Fields() {
		walked[f.Path[0]]++
	}
	marked := body.Map(func(s string) string { return "[" + s + "]" })
	markedJSON, _ := json.Marshal(marked)
	var mapped map[string]any
	if err := json.Unmarshal(markedJSON, &mapped); err != nil {
		t.Fatal(err)
	}

	for i, key := range keys {
		t.Run(key, func(t *testing.T) {
			if !schemaKeys[key] {
				t.Errorf("the schema (schema/jobs.schema.json) has no property %q", key)
			}
			if walked[key] == 0 {
				t.Errorf("Fields does not visit %s", key)
			}
			// Without this one field, the body is another request.
			less := full
			reflect.ValueOf(&less).Elem().Field(i).SetZero()
			lb := decodeBody(asDocument(t, less))
			if digest(&lb) == fullDigest {
				t.Errorf("the digest does not change with %s", key)
			}
			if key != "name" && generatedName("a.yaml", lb, lb.ScheduleAt) == fullName {
				t.Errorf("the generated name does not change with %s", key)
			}
			// Map reaches every string of the field but variable names.
			if !strings.Contains(mustJSON(t, mapped[key]), "[v-") {
				t.Errorf("Map does not reach %s: %s", key, mustJSON(t, mapped[key]))
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The walk is in the API's order, mapping entries sorted, and names every
// sensitive value as such.
func TestFieldsWalk(t *testing.T) {
	b := decodeBody(map[string]any{
		"job_definition": "acme::d:1", "job_queue": "acme::q",
		"container_cmd":           []any{"run", "Param::b"},
		"container_cmd_parameter": map[string]any{"b": "2", "a": "1"},
		"container_env":           map[string]any{"Z": "z", "P": map[string]any{"value": "pw", "sensitive": true}},
		"schedule_at":             "+1h",
	})
	var got []string
	for f := range b.Fields() {
		s := strings.Join(f.Path, ".") + "=" + f.Value
		if f.Sensitive {
			s += " (sensitive)"
		}
		got = append(got, s)
	}
	want := []string{
		"job_definition=acme::d:1", "job_queue=acme::q",
		"container_cmd.0=run", "container_cmd.1=Param::b",
		"container_cmd_parameter.a=1", "container_cmd_parameter.b=2",
		"container_env.P.value=pw (sensitive)", "container_env.P.sensitive=true (sensitive)", "container_env.Z.value=z",
		"schedule_at=+1h",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Fields:\n got %q\nwant %q", got, want)
	}
	if m := b.Masked(); m.ContainerEnv[0].Value != "***" || b.ContainerEnv[0].Value != "pw" {
		t.Errorf("Masked: %+v, and the original must keep its value: %+v", m.ContainerEnv, b.ContainerEnv)
	}
}
