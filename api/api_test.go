package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The answers as the API documentation prints them (docs/api.md):
// if a JSON name here drifts from the documentation, these fail.
func TestDocumentedAnswers(t *testing.T) {
	var detail Envelope[Detail]
	doc := `{"ok": true, "data": {"id": "01976ead-0000-7000-8000-000000000000", "name": "YH-1750243754068", "state": "completed",
 "system_note": null, "schedule_at": null,
 "created_at": "2025-06-14T13:43:00.008875Z", "updated_at": "2025-06-18T07:21:56.081435Z"}}`
	if err := json.Unmarshal([]byte(doc), &detail); err != nil {
		t.Fatal(err)
	}
	updated := "2025-06-18T07:21:56.081435Z"
	want := Detail{ID: "01976ead-0000-7000-8000-000000000000", Name: "YH-1750243754068", State: Completed,
		CreatedAt: "2025-06-14T13:43:00.008875Z", UpdatedAt: &updated}
	if !detail.OK || detail.Data == nil {
		t.Fatalf("decoded %+v", detail)
	}
	if diff := cmp.Diff(want, *detail.Data); diff != "" {
		t.Errorf("Job Detail (-want +got):\n%s", diff)
	}

	var created Envelope[Created]
	if err := json.Unmarshal([]byte(`{"ok": true, "data": {"id": "019782a8-4054-7ae2-8adb-499a03e5460a"}}`), &created); err != nil {
		t.Fatal(err)
	}
	if created.Data == nil || created.Data.ID != "019782a8-4054-7ae2-8adb-499a03e5460a" {
		t.Errorf("Job Submit answer decoded as %+v", created)
	}
	var refused Envelope[Created]
	if err := json.Unmarshal([]byte(`{"ok": false, "message": "error info"}`), &refused); err != nil {
		t.Fatal(err)
	}
	if refused.OK || refused.Message != "error info" || refused.Data != nil {
		t.Errorf("error answer decoded as %+v", refused)
	}
}

func TestScheduleAtNumberOrString(t *testing.T) {
	for raw, want := range map[string]string{
		`1747463820`:                 "1747463820",
		`"2025-05-17T06:37:00.000Z"`: "2025-05-17T06:37:00.000Z",
	} {
		var d Detail
		if err := json.Unmarshal([]byte(`{"id":"x","schedule_at":`+raw+`}`), &d); err != nil {
			t.Fatal(err)
		}
		if d.ScheduleAt == nil || *d.ScheduleAt != want {
			t.Errorf("schedule_at %s read as %v, want %q", raw, d.ScheduleAt, want)
		}
	}
}

func TestBodyKeysAsDocumented(t *testing.T) {
	b := Body{JobDefinition: "p::d:1", JobQueue: "p::q", Name: "n", ContainerCmd: []string{"uname", "Param::subcommand"},
		ContainerCmdParameter: map[string]string{"subcommand": "-a"},
		ContainerEnv:          map[string]EnvVar{"access_token": {Value: "v", Sensitive: true}},
		ScheduleAt:            "2025-05-17T06:37:00.000Z"}
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"job_definition":"p::d:1","job_queue":"p::q","name":"n","container_cmd":["uname","Param::subcommand"],"container_cmd_parameter":{"subcommand":"-a"},"container_env":{"access_token":{"value":"v","sensitive":true}},"schedule_at":"2025-05-17T06:37:00.000Z"}`
	if string(got) != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestTerminal(t *testing.T) {
	for _, s := range []State{Submitted, Pending, Runnable, Starting, Running, Cancelling} {
		if s.Terminal() {
			t.Errorf("%s is terminal", s)
		}
	}
	for _, s := range []State{Cancelled, Timeout, Completed, Failed, Error} {
		if !s.Terminal() {
			t.Errorf("%s is not terminal", s)
		}
	}
}

// Map must reach every string of a Detail: a field added to the answer and
// not to Map would be printed unmasked. Every field is set by reflection, so
// a new one is covered without editing this test.
func TestDetailMapReachesEveryField(t *testing.T) {
	var d Detail
	v := reflect.ValueOf(&d).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		marker := "v-" + v.Type().Field(i).Name
		switch {
		case f.Kind() == reflect.String:
			f.SetString(marker)
		case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
			p := reflect.New(f.Type().Elem())
			p.Elem().SetString(marker)
			f.Set(p)
		default:
			t.Fatalf("Detail.%s is a %s: teach Detail.Map and this test about it", v.Type().Field(i).Name, f.Type())
		}
	}
	m := reflect.ValueOf(d.Map(func(s string) string { return "<" + s + ">" }))
	for i := range m.NumField() {
		f := m.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				t.Errorf("Map dropped Detail.%s", m.Type().Field(i).Name)
				continue
			}
			f = f.Elem()
		}
		if want := "<v-" + m.Type().Field(i).Name + ">"; f.String() != want {
			t.Errorf("Map gives Detail.%s = %q, want %q", m.Type().Field(i).Name, f.String(), want)
		}
	}
	var empty Detail
	if got := empty.Map(func(s string) string { return s }); got.SystemNote != nil || got.ScheduleAt != nil || got.UpdatedAt != nil {
		t.Errorf("Map turned a nil into a value: %+v", got)
	}
}
