package manifest

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzDefaults merges a manifest over two levels of defaults, any text in
// each, and checks what must hold whatever they say: nothing panics, every
// value of the merged document is located in the manifest or in one of the
// defaults files, at a line that file has, and empty defaults change
// nothing.
func FuzzDefaults(f *testing.F) {
	f.Add("job_queue: acme::q\ncontainer_env: {A: a, B: b}\n", "container_env:\n  A: !reset null\n", "container_env:\n  C: c\nname: x\n")
	f.Add("x-a: &a {A: a}\ncontainer_env: *a\n", "container_env: !override {B: b}\n", "<<: {job_queue: q}\ncontainer_env: {<<: {D: d}}\n")
	f.Add("container_cmd: [a, b]\n", "container_cmd: !reset\n", "container_cmd: !override [c]\nschedule_at: !reset null\n")
	f.Add("a: &x [*x]\n", "---\nb: 1\n---\n", "k: !override {a: !reset null}\n")
	f.Fuzz(func(t *testing.T, top, mid, doc string) {
		tr := memTree{"_defaults.yaml": top, "jobs/_defaults.yaml": mid, "jobs/a.yaml": doc}
		r := NewResolver(tr)
		lines := map[string]int{}
		for name, text := range tr {
			lines[name] = lineCount([]byte(text))
		}
		DecodeWithDefaults("jobs/a.yaml", []byte(doc), r.For("jobs/a.yaml"), func(d *Document) {
			if d.Value == nil {
				return
			}
			walkValue(d.Value, nil, func(path []string) {
				at := d.Where(path, false)
				n, ok := lines[at.File]
				if !ok {
					t.Fatalf("%v located in %q", path, at.File)
				}
				if at.Line < 1 || at.Line > n {
					t.Fatalf("%v located at %s:%d, which has %d lines", path, at.File, at.Line, n)
				}
				d.FieldPath(path)
			})
		})
		// Empty defaults change nothing.
		var without, with string
		Decode("jobs/a.yaml", []byte(doc), func(d *Document) { without = render(d) })
		empty := NewResolver(memTree{"_defaults.yaml": "# nothing\n", "jobs/a.yaml": doc})
		DecodeWithDefaults("jobs/a.yaml", []byte(doc), empty.For("jobs/a.yaml"), func(d *Document) { with = render(d) })
		if with != without {
			t.Fatalf("empty defaults changed the document:\n%s\n%s", without, with)
		}
	})
}

func walkValue(v any, path []string, each func([]string)) {
	if len(path) > 8 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			walkValue(item, append(path[:len(path):len(path)], k), each)
		}
	case []any:
		for i, item := range v {
			walkValue(item, append(path[:len(path):len(path)], strconv.Itoa(i)), each)
		}
	default:
		each(path)
	}
}

// render lists a document's problems and the paths of its values, sorted.
func render(d *Document) string {
	var out []string
	for _, p := range d.Problems {
		out = append(out, p.String())
	}
	walkValue(d.Value, nil, func(path []string) { out = append(out, strings.Join(path, "\x00")) })
	slices.Sort(out)
	return strings.Join(out, "\n")
}
