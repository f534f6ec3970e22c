package review

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/plan"
)

// job is a valid job of queue q: named unless gen, in file at doc.
func job(file string, doc int, name string, gen bool, params ...string) plan.Job {
	j := plan.Job{File: file, DocIndex: doc, Line: 1, NameLine: 3, NameCol: 1, Name: name, NameGenerated: gen,
		Queue: "acme::q", DuplicateOf: -1}
	j.Body = plan.Body{JobDefinition: "acme::d:1", JobQueue: "acme::q", Name: name}
	for i := 0; i+1 < len(params); i += 2 {
		j.Body.ContainerCmdParameter = append(j.Body.ContainerCmdParameter, plan.Param{Key: params[i], Value: params[i+1]})
	}
	return j
}

// withSecret gives a job a sensitive value: resolved, and as written.
func withSecret(j plan.Job, resolved, written string) plan.Job {
	j.Body.ContainerEnv = []plan.EnvVar{{Name: "DB_PASSWORD", Value: resolved, Sensitive: true}}
	j.Written = map[string]string{"container_env.DB_PASSWORD.value": written}
	return j
}

type row struct {
	Change   Change
	Name     string
	Replaces string
	Fields   []Field
}

func TestCompare(t *testing.T) {
	invalid := job("a.yaml", 5, "broken", false)
	invalid.Invalid = true
	repeat := job("a.yaml", 6, "same", false)
	repeat.DuplicateOf = 0
	tests := []struct {
		name       string
		base, head []plan.Job
		same       func(string) bool
		want       []row
		counts     Counts
	}{{
		name: "every row",
		base: []plan.Job{job("a.yaml", 0, "same", false), job("a.yaml", 1, "edited", false, "day", "1"), job("a.yaml", 2, "gone", false)},
		head: []plan.Job{job("a.yaml", 0, "same", false), job("a.yaml", 1, "edited", false, "day", "2"), job("b.yaml", 0, "added", false), invalid, repeat},
		want: []row{
			{Change: Unchanged, Name: "same"},
			{Change: Edited, Name: "edited", Fields: []Field{{Path: "container_cmd_parameter.day", Before: "1", After: "2", HasBefore: true, HasAfter: true}}},
			{Change: New, Name: "added"},
			{Change: Removed, Name: "gone"},
		},
		counts: Counts{New: 1, Edited: 1, Removed: 1, Unchanged: 1},
	}, {
		name: "fields added and taken away",
		base: []plan.Job{job("a.yaml", 0, "x", false, "a", "1")},
		head: []plan.Job{job("a.yaml", 0, "x", false, "b", "1")},
		want: []row{{Change: Edited, Name: "x", Fields: []Field{
			{Path: "container_cmd_parameter.b", After: "1", HasAfter: true},
			{Path: "container_cmd_parameter.a", Before: "1", HasBefore: true},
		}}},
		counts: Counts{Edited: 1},
	}, {
		name: "an unnamed job replaced at its place, once",
		base: []plan.Job{job("t.yaml", 0, "t-aaa", true, "size", "100"), job("t.yaml", 1, "t-bbb", true, "size", "300")},
		head: []plan.Job{job("t.yaml", 0, "t-ccc", true, "size", "200"), job("t.yaml", 1, "t-bbb", true, "size", "300")},
		want: []row{
			{Change: New, Name: "t-ccc", Replaces: "t-aaa", Fields: []Field{{Path: "container_cmd_parameter.size", Before: "100", After: "200", HasBefore: true, HasAfter: true}}},
			{Change: Unchanged, Name: "t-bbb"},
		},
		counts: Counts{New: 1, Unchanged: 1},
	}, {
		name:   "an unnamed job at another place is no replacement",
		base:   []plan.Job{job("t.yaml", 0, "t-aaa", true)},
		head:   []plan.Job{job("u.yaml", 0, "u-ccc", true)},
		want:   []row{{Change: New, Name: "u-ccc"}, {Change: Removed, Name: "t-aaa"}},
		counts: Counts{New: 1, Removed: 1},
	}, {
		name:   "a secret rotated is no change; compared as written",
		base:   []plan.Job{withSecret(job("s.yaml", 0, "m", false), "old-secret", "${DB_PASSWORD}")},
		head:   []plan.Job{withSecret(job("s.yaml", 0, "m", false), "new-secret", "${DB_PASSWORD}")},
		want:   []row{{Change: Unchanged, Name: "m"}},
		counts: Counts{Unchanged: 1},
	}, {
		name: "another reference is a change, shown as written",
		base: []plan.Job{withSecret(job("s.yaml", 0, "m", false), "same-secret", "${DB_PASSWORD}")},
		head: []plan.Job{withSecret(job("s.yaml", 0, "m", false), "same-secret", "${NEW_PASSWORD}")},
		want: []row{{Change: Edited, Name: "m", Fields: []Field{
			{Path: "container_env.DB_PASSWORD.value", Before: "${DB_PASSWORD}", After: "${NEW_PASSWORD}", HasBefore: true, HasAfter: true}}}},
		counts: Counts{Edited: 1},
	}, {
		name:   "a file the same at both revisions is unchanged, unread at the base",
		base:   []plan.Job{job("a.yaml", 0, "moved-away", false)},
		head:   []plan.Job{job("same.yaml", 0, "kept", false), job("same.yaml", 1, "moved-away", false)},
		same:   func(f string) bool { return f == "same.yaml" },
		want:   []row{{Change: Unchanged, Name: "kept"}, {Change: Unchanged, Name: "moved-away"}},
		counts: Counts{Unchanged: 2},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(&plan.Plan{Jobs: tt.base}, &plan.Plan{Jobs: tt.head}, tt.same)
			var got []row
			for _, e := range r.Entries {
				got = append(got, row{Change: e.Change, Name: e.Name, Replaces: e.Replaces, Fields: e.Fields})
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("entries (-want +got):\n%s", d)
			}
			if r.Counts != tt.counts {
				t.Errorf("counts %+v, want %+v", r.Counts, tt.counts)
			}
		})
	}
}

func TestUnchangedByIndex(t *testing.T) {
	base := &plan.Plan{Jobs: []plan.Job{job("a.yaml", 0, "x", false), job("a.yaml", 1, "y", false, "k", "1")}}
	head := &plan.Plan{Jobs: []plan.Job{job("a.yaml", 0, "x", false), job("a.yaml", 1, "y", false, "k", "2"), job("a.yaml", 2, "z", false)}}
	got := Compare(base, head, nil).Unchanged(len(head.Jobs))
	if d := cmp.Diff([]bool{true, false, false}, got); d != "" {
		t.Errorf("Unchanged (-want +got):\n%s", d)
	}
}

// TestFieldsFollowTheBody: fields reads the body through plan.Body.Fields,
// so every field the body sends is compared (a field added to the body is
// compared with no change here), and a string whose unset reference left it
// empty, which the walk passes over, is compared as written.
func TestFieldsFollowTheBody(t *testing.T) {
	j := job("a.yaml", 0, "n", false, "day", "2026-12-01")
	j.Body.ContainerCmd = []string{"run", "$HOME"}
	j.Body.ContainerEnv = []plan.EnvVar{{Name: "A", Value: "x"}, {Name: "S", Value: "resolved", Sensitive: true}}
	j.Written = map[string]string{"container_env.S.value": "${S}", "schedule_at": "${WHEN}"}
	var got []string
	for _, f := range fields(&j) {
		got = append(got, f.path+"="+f.value)
	}
	want := []string{
		"job_definition=acme::d:1", "job_queue=acme::q", "name=n",
		"container_cmd[0]=run", "container_cmd[1]=$HOME",
		"container_cmd_parameter.day=2026-12-01",
		"container_env.A.value=x", "container_env.S.value=${S}", "container_env.S.sensitive=true",
		"schedule_at=${WHEN}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	var walked int
	for range j.Body.Fields() {
		walked++
	}
	if walked+1 != len(got) { // + schedule_at, empty in the body
		t.Errorf("fields has %d entries for a body walk of %d", len(got), walked)
	}
}
