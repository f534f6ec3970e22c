package manifest

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// memTree is a Tree held in memory, named as a git tree names paths: slash
// separated, relative to the repository's root ("."), which is the top of
// every chain. It is how a tree read from a git revision plugs in.
type memTree map[string]string

func (m memTree) DirOf(manifest string) string {
	if manifest == StdinName {
		return "."
	}
	return path.Dir(manifest)
}

func (m memTree) Up(dir string) (string, bool) {
	if dir == "." {
		return "", false
	}
	return path.Dir(dir), true
}

func (m memTree) Defaults(dir string) (string, []byte, bool, error) {
	for _, n := range defaultsNames {
		p := path.Join(dir, n)
		if text, ok := m[p]; ok {
			return p, []byte(text), true, nil
		}
	}
	return "", nil, false, nil
}

func filesOf(c *Chain) []*DefaultsFile {
	if c == nil {
		return nil
	}
	return c.Files
}

// decodeIn decodes the manifest at name in tree t with its chain, and
// returns its value as JSON and every problem, the chain's own included.
func decodeIn(t *testing.T, tr memTree, name string) (string, []string) {
	t.Helper()
	r := NewResolver(tr)
	chain := r.For(name)
	var got string
	var problems []string
	for _, f := range filesOf(chain) {
		for _, d := range f.Problems {
			problems = append(problems, d.String())
		}
	}
	ps, _ := DecodeWithDefaults(name, []byte(tr[name]), chain, func(d *Document) {
		for _, p := range d.Problems {
			problems = append(problems, p.String())
		}
		if d.Value != nil {
			b, err := json.Marshal(d.Value)
			if err != nil {
				t.Fatal(err)
			}
			got = string(b)
		}
	})
	for _, p := range ps {
		problems = append(problems, p.String())
	}
	return got, problems
}

func TestDefaultsMerge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tree     memTree // the manifest is jobs/eu/b.yaml
		want     string
		problems []string
	}{
		{name: "nearest wins, the document over all",
			tree: memTree{
				"_defaults.yaml":         "job_definition: acme::a:1\njob_queue: acme::root\nschedule_at: +1h\n",
				"jobs/_defaults.yaml":    "job_queue: acme::jobs\nschedule_at: +2h\n",
				"jobs/eu/_defaults.yaml": "job_queue: acme::eu\n",
				"jobs/eu/b.yaml":         "schedule_at: +3h\n",
			},
			want: `{"job_definition":"acme::a:1","job_queue":"acme::eu","schedule_at":"+3h"}`},
		{name: "mappings merge key by key, entries replace whole",
			tree: memTree{
				"_defaults.yaml":      "container_env:\n  A: a\n  B: {value: b, sensitive: false}\ncontainer_cmd_parameter: {day: mon}\n",
				"jobs/_defaults.yaml": "container_env:\n  B: {value: bb}\n  C: c\n",
				"jobs/eu/b.yaml":      "container_env:\n  D: d\ncontainer_cmd_parameter: {fmt: pdf}\n",
			},
			want: `{"container_cmd_parameter":{"day":"mon","fmt":"pdf"},"container_env":{"A":"a","B":{"value":"bb"},"C":"c","D":"d"}}`},
		{name: "lists and scalars replace",
			tree: memTree{
				"_defaults.yaml": "container_cmd: [a, b, c]\njob_queue: acme::q\n",
				"jobs/eu/b.yaml": "container_cmd: [d]\n",
			},
			want: `{"container_cmd":["d"],"job_queue":"acme::q"}`},
		{name: "!reset removes an inherited key and an inherited entry",
			tree: memTree{
				"_defaults.yaml":      "schedule_at: +1h\ncontainer_env: {A: a, B: b}\n",
				"jobs/_defaults.yaml": "container_env:\n  A: !reset null\n",
				"jobs/eu/b.yaml":      "schedule_at: !reset null\ncontainer_env:\n  B: !reset\n  C: c\n",
			},
			want: `{"container_env":{"C":"c"}}`},
		{name: "!override replaces the inherited mapping",
			tree: memTree{
				"_defaults.yaml":      "container_env: {A: a, B: b}\n",
				"jobs/_defaults.yaml": "container_env: !override {C: c}\n",
				"jobs/eu/b.yaml":      "container_env:\n  D: d\n",
			},
			want: `{"container_env":{"C":"c","D":"d"}}`},
		{name: "!override in the document",
			tree: memTree{
				"_defaults.yaml": "container_env: {A: a, B: b}\n",
				"jobs/eu/b.yaml": "container_env: !override\n  D: d\n",
			},
			want: `{"container_env":{"D":"d"}}`},
		{name: "merge tags with nothing inherited are warnings",
			tree: memTree{
				"_defaults.yaml": "container_env: !override {A: a}\n",
				"jobs/eu/b.yaml": "schedule_at: !reset null\ncontainer_env:\n  Z: !reset null\njob_queue: !override acme::q\n",
			},
			want: `{"container_env":{"A":"a"},"job_queue":"acme::q"}`,
			problems: []string{
				"_defaults.yaml:1:16: warning: container_env: !override: nothing is inherited to override (no defaults file above sets container_env)",
				"jobs/eu/b.yaml:1:14: warning: schedule_at: !reset: nothing is inherited to reset (no _defaults.yaml above this manifest sets schedule_at); the key is left out",
				"jobs/eu/b.yaml:3:6: warning: container_env.Z: !reset: nothing is inherited to reset",
				"jobs/eu/b.yaml:4:12: warning: job_queue: !override: nothing is inherited to override (no _defaults.yaml above this manifest sets job_queue)",
			}},
		{name: "a merge tag deeper than an entry is an error, never the text null",
			tree: memTree{
				"jobs/eu/b.yaml": "container_env:\n  A: {value: !reset null}\ncontainer_cmd: [!override a]\n",
			},
			want: `{"container_cmd":[null],"container_env":{"A":{"value":null}}}`,
			problems: []string{
				"jobs/eu/b.yaml:2:14: container_env.A.value: !reset acts only on a top-level key or on an entry of container_env or container_cmd_parameter, written in the mapping itself",
				"jobs/eu/b.yaml:3:17: container_cmd[0]: !override acts only on a top-level key or on an entry of container_env or container_cmd_parameter, written in the mapping itself",
			}},
		{name: "entry tags of a mapping with nothing to merge into",
			tree: memTree{
				"_defaults.yaml":      "container_env: {A: !reset null, B: b}\n",
				"jobs/_defaults.yaml": "container_cmd_parameter: x\n",
				"jobs/eu/b.yaml":      "container_cmd_parameter: {C: !override c}\n",
			},
			want: `{"container_cmd_parameter":{"C":"c"},"container_env":{"B":"b"}}`,
			problems: []string{
				"_defaults.yaml:1:20: warning: container_env.A: !reset: nothing is inherited to reset",
				"jobs/eu/b.yaml:1:30: warning: container_cmd_parameter.C: !override: nothing is inherited to override",
			}},
		{name: "a merge tag deep in a defaults file is an error there",
			tree: memTree{
				"_defaults.yaml": "container_env: {A: {value: !reset null}}\n",
				"jobs/eu/b.yaml": "name: b\n",
			},
			problems: []string{
				"_defaults.yaml:1:28: container_env.A.value: !reset acts only on a top-level key or on an entry of container_env or container_cmd_parameter, written in the mapping itself",
				"jobs/eu/b.yaml:1:1: not checked: the defaults file _defaults.yaml that applies to it has errors",
			}},
		{name: "x- keys are ignored and hold anchors, in defaults and documents",
			tree: memTree{
				"_defaults.yaml": "x-env: &env {A: a}\ncontainer_env: *env\n",
				"jobs/eu/b.yaml": "x-p: &p {day: mon}\nx-unused: 3\ncontainer_cmd_parameter:\n  <<: *p\n",
			},
			want: `{"container_cmd_parameter":{"day":"mon"},"container_env":{"A":"a"}}`},
		{name: "a document's merge keys count as its own keys",
			tree: memTree{
				"_defaults.yaml": "job_queue: acme::a\ncontainer_env: {A: a}\n",
				"jobs/eu/b.yaml": "x-c: &c\n  job_queue: acme::b\n  container_env: {B: b}\n<<: *c\n",
			},
			want: `{"container_env":{"A":"a","B":"b"},"job_queue":"acme::b"}`},
		{name: "_defaults.yml is read too",
			tree: memTree{
				"jobs/_defaults.yml": "job_queue: acme::yml\n",
				"jobs/eu/b.yaml":     "name: b\n",
			},
			want: `{"job_queue":"acme::yml","name":"b"}`},
		{name: "name in a defaults file is an error, located",
			tree: memTree{
				"jobs/_defaults.yaml": "job_queue: acme::q\nname: shared\n",
				"jobs/eu/b.yaml":      "job_definition: acme::a:1\n",
			},
			want: `{"job_definition":"acme::a:1","job_queue":"acme::q"}`,
			problems: []string{
				"jobs/_defaults.yaml:2:1: name: a defaults file cannot hold a name: names are per job; write name in each manifest, or leave it out to have one generated",
			}},
		{name: "lines count from the file's start, past a document start",
			tree: memTree{
				"jobs/_defaults.yaml": "# shared\n---\n# header\njob_queue: acme::q\nname: shared\n",
				"jobs/eu/b.yaml":      "job_definition: acme::a:1\n",
			},
			want: `{"job_definition":"acme::a:1","job_queue":"acme::q"}`,
			problems: []string{
				"jobs/_defaults.yaml:5:1: name: a defaults file cannot hold a name: names are per job; write name in each manifest, or leave it out to have one generated",
			}},
		{name: "a defaults file that does not parse stops the documents below it",
			tree: memTree{
				"jobs/_defaults.yaml": "job_queue: [\n",
				"jobs/eu/b.yaml":      "name: b\n",
			},
			problems: []string{
				"jobs/_defaults.yaml:1: invalid YAML: did not find expected node content",
				"jobs/eu/b.yaml:1:1: not checked: the defaults file jobs/_defaults.yaml that applies to it has errors",
			}},
		{name: "a defaults file is one mapping",
			tree: memTree{
				"jobs/_defaults.yaml": "- a\n",
				"_defaults.yaml":      "a: 1\n---\nb: 2\n",
				"jobs/eu/b.yaml":      "name: b\n",
			},
			problems: []string{
				"_defaults.yaml:3:1: a defaults file holds one mapping of body keys, not several documents",
				"jobs/_defaults.yaml:1:1: a defaults file must be one mapping of body keys (job_definition, job_queue, container_env, ...), not a list",
				"jobs/eu/b.yaml:1:1: not checked: the defaults file _defaults.yaml that applies to it has errors",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, problems := decodeIn(t, tc.tree, "jobs/eu/b.yaml")
			if got != tc.want {
				t.Errorf("value:\n got %s\nwant %s", got, tc.want)
			}
			if diff := cmp.Diff(tc.problems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultsLocated: a value that came from a defaults file is located in
// that file, with its own line's text.
func TestDefaultsLocated(t *testing.T) {
	tr := memTree{
		"_defaults.yaml":      "# root\ncontainer_env:\n  A: a\n  B: {value: b}\n",
		"jobs/_defaults.yaml": "job_queue: acme::q\ncontainer_env:\n  B:\n    value: bb\n",
		"jobs/eu/b.yaml":      "name: b\ncontainer_env:\n  C: c\n",
	}
	var doc *Document
	DecodeWithDefaults("jobs/eu/b.yaml", []byte(tr["jobs/eu/b.yaml"]), NewResolver(tr).For("jobs/eu/b.yaml"), func(d *Document) { doc = d })
	for _, tc := range []struct {
		path []string
		key  bool
		want Place
	}{
		{[]string{"name"}, false, Place{File: "jobs/eu/b.yaml", Line: 1, Col: 7, EndCol: 8, Source: "name: b"}},
		{[]string{"job_queue"}, false, Place{File: "jobs/_defaults.yaml", Line: 1, Col: 12, EndCol: 19, Source: "job_queue: acme::q", Defaults: true}},
		{[]string{"container_env", "A"}, true, Place{File: "_defaults.yaml", Line: 3, Col: 3, EndCol: 4, Source: "A: a", Defaults: true}},
		{[]string{"container_env", "B", "value"}, false, Place{File: "jobs/_defaults.yaml", Line: 4, Col: 12, EndCol: 14, Source: "value: bb", Defaults: true}},
		{[]string{"container_env", "C"}, false, Place{File: "jobs/eu/b.yaml", Line: 3, Col: 6, EndCol: 7, Source: "C: c"}},
		{[]string{"job_definition"}, false, Place{File: "jobs/eu/b.yaml", Line: 1, Col: 1, EndCol: 5, Source: "name: b"}}, // missing: the document
	} {
		if got := doc.Where(tc.path, tc.key); got != tc.want {
			t.Errorf("Where(%v) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
	if got, want := doc.DefaultsNames(), []string{"_defaults.yaml", "jobs/_defaults.yaml"}; !cmp.Equal(got, want) {
		t.Errorf("DefaultsNames() = %v, want %v", got, want)
	}
}

// TestDefaultsReadOnce: a run reads each directory's defaults once, however
// many manifests share it.
func TestDefaultsReadOnce(t *testing.T) {
	reads := map[string]int{}
	tr := countingTree{memTree{"_defaults.yaml": "job_queue: acme::q\n", "a/_defaults.yaml": "name_: x\n"}, reads}
	r := NewResolver(tr)
	for _, f := range []string{"a/x.yaml", "a/y.yaml", "a/b/z.yaml", "w.yaml", StdinName} {
		r.For(f)
	}
	for dir, n := range reads {
		if n != 1 {
			t.Errorf("%s read %d times", dir, n)
		}
	}
	if len(reads) != 3 {
		t.Errorf("read %v, want ., a, a/b", reads)
	}
}

type countingTree struct {
	memTree
	reads map[string]int
}

func (c countingTree) Defaults(dir string) (string, []byte, bool, error) {
	c.reads[dir]++
	return c.memTree.Defaults(dir)
}

// TestOSTreeChain: on disk, a chain stops at the repository's root, or
// outside a repository at the working directory, or at the manifest's own
// directory when it is not below the working directory.
func TestOSTreeChain(t *testing.T) {
	dir := tree(t, map[string]string{
		"_defaults.yaml":              "container_env: {STRAY: x}\n", // above the repository
		"repo/.git/HEAD":              "ref: refs/heads/main\n",
		"repo/_defaults.yaml":         "container_env: {ROOT: x}\n",
		"repo/jobs/_defaults.yaml":    "container_env: {JOBS: x}\n",
		"repo/jobs/eu/b.yaml":         "name: b\n",
		"plain/_defaults.yaml":        "container_env: {PLAIN: x}\n", // no repository
		"plain/sub/_defaults.yaml":    "container_env: {SUB: x}\n",
		"plain/sub/deeper/c.yaml":     "name: c\n",
		"elsewhere/_defaults.yaml":    "container_env: {ELSEWHERE: x}\n",
		"elsewhere/d.yaml":            "name: d\n",
		"elsewhere/inner/_defaults.y": "ignored\n",
	})
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), ".git")); err == nil {
		t.Skip("the temporary directory is inside a git repository")
	}
	for _, tc := range []struct {
		cwd, manifest string
		want          []string
	}{
		{"repo", "jobs/eu/b.yaml", []string{"_defaults.yaml", "jobs/_defaults.yaml"}},
		{"repo/jobs/eu", "b.yaml", []string{"../../_defaults.yaml", "../_defaults.yaml"}},
		{".", "repo/jobs/eu/b.yaml", []string{"repo/_defaults.yaml", "repo/jobs/_defaults.yaml"}},
		{"plain", "sub/deeper/c.yaml", []string{"_defaults.yaml", "sub/_defaults.yaml"}},
		{"plain/sub", "deeper/c.yaml", []string{"_defaults.yaml"}},
		{"plain/sub/deeper", "c.yaml", nil},
		{"plain", "../elsewhere/d.yaml", []string{"/elsewhere/_defaults.yaml"}}, // outside the working directory and its repository: absolute
		{"plain/sub", StdinName, []string{"../_defaults.yaml", "_defaults.yaml"}[1:]},
		{"repo/jobs", StdinName, []string{"../_defaults.yaml", "_defaults.yaml"}},
	} {
		tr, err := NewOSTree(filepath.Join(dir, tc.cwd))
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range tc.want {
			if strings.HasPrefix(w, "/") {
				tc.want[i] = filepath.Join(dir, w)
			}
		}
		if got := NewResolver(tr).For(tc.manifest).Names(); !cmp.Equal(got, tc.want) {
			t.Errorf("from %s, %s: %q, want %q", tc.cwd, tc.manifest, got, tc.want)
		}
	}
}

// TestDefaultsFileRules: a defaults file is read under the rules of a
// manifest file.
func TestDefaultsFileRules(t *testing.T) {
	dir := tree(t, map[string]string{
		".git/HEAD":             "x\n",
		"nul/_defaults.yaml":    "job_queue: a\x00\n",
		"utf8/_defaults.yaml":   "job_queue: \xff\n",
		"deep/_defaults.yaml":   "a:" + strings.Repeat(" [", 40) + strings.Repeat("]", 40) + "\n",
		"both/_defaults.yaml":   "job_queue: a\n",
		"both/_defaults.yml":    "job_queue: b\n",
		"big/_defaults.yaml":    "",
		"dir/_defaults.yaml/x":  "",
		"fifo/placeholder.yaml": "",
		"bomb/_defaults.yaml":   "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
	})
	if err := os.Truncate(filepath.Join(dir, "big/_defaults.yaml"), MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo/_defaults.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := NewOSTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := NewResolver(tr)
	want := map[string]string{
		"nul":  "nul/_defaults.yaml:1:13: contains a NUL byte: this is not a text file",
		"utf8": "utf8/_defaults.yaml:1:12: invalid UTF-8: manifests must be UTF-8 text",
		"deep": "nested more than 32 levels deep",
		"both": "both/_defaults.yaml: both _defaults.yaml and _defaults.yml are in both; keep one",
		"big":  "big/_defaults.yaml: larger than the 10 MiB limit for one manifest file; split it into several files",
		"dir":  "dir/_defaults.yaml: not a regular file (a directory)",
		"fifo": "fifo/_defaults.yaml: not a regular file (a named pipe)",
		"bomb": "bomb/_defaults.yaml:1:1: the document expands to more than 100000 values once aliases are followed (an alias bomb?)",
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sub, w := range want {
			c := r.For(filepath.Join(sub, "x.yaml"))
			if c.invalid == nil || len(c.invalid.Problems) == 0 {
				t.Errorf("%s: no problem, want %q", sub, w)
				continue
			}
			if got := c.invalid.Problems[0].String(); !strings.Contains(got, w) {
				t.Errorf("%s: %q, want %q", sub, got, w)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second): // a FIFO opened for reading blocks forever
		t.Fatal("reading the defaults hung (a FIFO waited on?)")
	}
}

// TestStreamDefaults: a walk never reads a defaults file as a manifest; one
// named with -f is read as defaults, with a warning.
func TestStreamDefaults(t *testing.T) {
	dir := tree(t, map[string]string{
		".git/HEAD":           "x\n",
		"jobs/_defaults.yaml": "job_queue: acme::q\n",
		"jobs/_defaults.yml":  "job_queue: acme::r\n",
		"jobs/a.yaml":         "name: a\n",
	})
	var got []string
	jobs := filepath.Join(dir, "jobs")
	err := Stream(context.Background(), Source{Paths: []string{jobs, filepath.Join(jobs, "_defaults.yaml")}, Dir: dir}, Handler[struct{}]{
		Start: func(*Paths) {},
		Check: func(d *Document) struct{} {
			got = append(got, "doc "+d.File)
			for _, p := range d.Problems {
				got = append(got, p.String())
			}
			return struct{}{}
		},
		Join: func(f File[struct{}]) {
			for _, p := range f.Problems {
				got = append(got, p.String())
			}
			if f.Defaults != nil {
				for _, p := range f.Defaults.Problems {
					got = append(got, "defaults: "+p.String())
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i] = strings.ReplaceAll(got[i], dir+string(filepath.Separator), "")
	}
	want := []string{
		"doc jobs/a.yaml",
		"jobs/a.yaml:1:1: not checked: the defaults file jobs/_defaults.yaml that applies to it has errors",
		"jobs/_defaults.yaml: warning: a defaults file holds no job: it is read as the defaults of the manifests in its directory and below; name those instead",
		"defaults: jobs/_defaults.yaml: both _defaults.yaml and _defaults.yml are in jobs; keep one",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAliasToAnotherDocument: an alias to an anchor of another document
// says why it fails and what to do instead.
func TestAliasToAnotherDocument(t *testing.T) {
	data := []byte("x-common: &common\n  job_queue: acme::q\njob_definition: acme::a:1\n---\n<<: *common\njob_definition: acme::a:2\n")
	problems, _ := Decode("f.yaml", data, func(*Document) {})
	if len(problems) != 1 {
		t.Fatalf("problems: %v", problems)
	}
	want := "f.yaml:5:5: invalid YAML: unknown anchor 'common' referenced (it is defined at line 1, in another document); an anchor reaches only its own document: put shared values under an x- key of this document (x-common: &common ...), or in a _defaults.yaml for several documents or files"
	if got := problems[0].String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// x- keys hold anchors within a document.
	var v map[string]any
	problems, _ = Decode("f.yaml", data[:strings.Index(string(data), "---")], func(d *Document) { v = d.Value })
	if len(problems) != 0 || v["job_queue"] != nil || v["x-common"] != nil {
		t.Errorf("x- key: %v, %v", problems, v)
	}
}
