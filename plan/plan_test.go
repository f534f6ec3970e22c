package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/google/go-cmp/cmp"
)

// planOf builds a plan from YAML given on stdin.
func planOf(t *testing.T, yaml string, vars map[string]string, mutate ...func(*Options)) *Plan {
	t.Helper()
	opts := Options{
		Source:    manifest.Source{Paths: []string{"-"}, Stdin: strings.NewReader(yaml)},
		Env:       testEnv(vars),
		Now:       fixedNow,
		Validator: mustValidator(t),
	}
	for _, m := range mutate {
		m(&opts)
	}
	p, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// bodyJSON is a body as it is sent.
func bodyJSON(t *testing.T, b Body) string {
	t.Helper()
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func diagStrings(p *Plan) []string {
	var out []string
	for _, d := range p.Diagnostics {
		out = append(out, d.String())
	}
	return out
}

const head = "job_definition: acme::report-builder:3\njob_queue: acme::nightly\n"

func TestBodies(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		vars map[string]string
		want string // the request body
	}{
		{
			name: "minimal",
			yaml: head + "name: a\n",
			want: `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"a"}`,
		},
		{
			name: "numbers and booleans in parameters and env are sent as written",
			yaml: head + "name: a\ncontainer_cmd_parameter: {retries: 3, ratio: 3.10, octal: 010, debug: true, big: 1e3, neg: -0}\n" +
				"container_env:\n  DEBUG: true\n  N: 010\n  X: {value: 3.10}\n",
			want: `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"a",` +
				`"container_cmd_parameter":{"big":"1e3","debug":"true","neg":"-0","octal":"010","ratio":"3.10","retries":"3"},` +
				`"container_env":{"DEBUG":{"value":"true"},"N":{"value":"010"},"X":{"value":"3.10"}}}`,
		},
		{
			name: "references are expanded everywhere but container_cmd",
			yaml: "job_definition: ${P}::report-builder:3\njob_queue: ${P}::nightly\nname: r-${REL:-dev}\n" +
				"container_cmd: [sh, -c, 'echo $HOME ${P}']\ncontainer_env:\n  DB: {value: 'postgres://app:${PW}@db/app', sensitive: true}\n  COST: $$5\n",
			vars: map[string]string{"P": "acme", "PW": "pa55"},
			want: `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"r-dev",` +
				`"container_cmd":["sh","-c","echo $HOME ${P}"],` +
				`"container_env":{"COST":{"value":"$5"},"DB":{"value":"postgres://app:pa55@db/app","sensitive":true}}}`,
		},
		{
			name: "schedules are sent in one normal form",
			yaml: head + "name: a\nschedule_at: 2026-11-29T03:00:00+01:00\n---\n" + head + "name: b\nschedule_at: 1764381600\n---\n" +
				head + "name: c\nschedule_at: +1h30m\n",
			want: `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"a","schedule_at":"2026-11-29T02:00:00.000Z"}` + "\n" +
				`{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"b","schedule_at":"2025-11-29T02:00:00.000Z"}` + "\n" +
				`{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"c","schedule_at":"2026-11-28T13:30:00.000Z"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, tt.yaml, tt.vars, func(o *Options) { o.UnsetIsWarning = false })
			var bodies []string
			for _, j := range p.Jobs {
				if !j.Invalid {
					bodies = append(bodies, bodyJSON(t, j.Body))
				}
			}
			if diff := cmp.Diff(tt.want, strings.Join(bodies, "\n")); diff != "" {
				t.Errorf("bodies differ (-want +got):\n%s\ndiagnostics: %q", diff, diagStrings(p))
			}
		})
	}
}

func TestMergeKeys(t *testing.T) {
	p := planOf(t, "<<: {job_definition: acme::report-builder:3, job_queue: acme::other}\njob_queue: acme::nightly\nname: m\n", nil)
	if p.Errors() != 0 {
		t.Fatalf("unexpected errors: %q", diagStrings(p))
	}
	want := `{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"m"}`
	if got := bodyJSON(t, p.Jobs[0].Body); got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestSecretsAreMaskedAndCollected(t *testing.T) {
	const secret = "SENTINEL-s3cr3t-value"
	p := planOf(t, head+"container_env:\n  DB_URL: {value: 'postgres://app:${PW}@db', sensitive: true}\n  PLAIN: visible\n",
		map[string]string{"PW": secret})
	if p.Errors() != 0 {
		t.Fatalf("unexpected errors: %q", diagStrings(p))
	}
	j := p.Jobs[0]
	if masked := bodyJSON(t, j.Masked()); strings.Contains(masked, secret) || !strings.Contains(masked, `"value":"***"`) {
		t.Errorf("masked body shows the secret or no mask: %s", masked)
	}
	if body := bodyJSON(t, j.Body); !strings.Contains(body, secret) {
		t.Errorf("the body sent must carry the secret: %s", body)
	}
	if diff := cmp.Diff([]string{secret, "postgres://app:" + secret + "@db"}, j.Secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	if strings.Contains(j.Name, secret) {
		t.Errorf("generated name carries the secret: %s", j.Name)
	}
}

// TestSecretsHoldASecret: what a run registers as secrets (GitHub's
// ::add-mask::, then masked in every later line of the job's log: "Masking a
// value in a log", docs.github.com/actions/reference/workflow-commands) is the
// value of each variable feeding a sensitive entry, and the composed value
// only when it holds one. With the variables unset (validate on a pull
// request) the text around the references is no secret (issue 21).
func TestSecretsHoldASecret(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value string
		vars  map[string]string
		want  []string
	}{
		{name: "bearer, unset", value: "Bearer ${API_TOKEN}"},
		{name: "bearer, set", value: "Bearer ${API_TOKEN}", vars: map[string]string{"API_TOKEN": "t0k3n"},
			want: []string{"t0k3n", "Bearer t0k3n"}},
		{name: "default and unset", value: "${DB_USER:-app}:${DB_PASSWORD}@db"},
		{name: "default and set", value: "${DB_USER:-app}:${DB_PASSWORD}@db", vars: map[string]string{"DB_PASSWORD": "pw"},
			want: []string{"pw", "app:pw@db"}},
		{name: "set but empty", value: "x${E}y", vars: map[string]string{"E": ""}},
		{name: "the secret alone", value: "${S}", vars: map[string]string{"S": "s3"}, want: []string{"s3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, head+"container_env:\n  E: {value: '"+tc.value+"', sensitive: true}\n", tc.vars,
				func(o *Options) { o.UnsetIsWarning = true })
			if diff := cmp.Diff(tc.want, p.Secrets()); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAgreesWithTheSchema: what the printed schema accepts the tool accepts
// too, and each refusal is said once (issue 21).
func TestAgreesWithTheSchema(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		vars       map[string]string
		want       []string // the diagnostics, all of them
		schedule   string
	}{
		{name: "a whole-valued float is unix seconds", yaml: head + "schedule_at: 1795917600.0\n", schedule: "2026-11-29T02:00:00.000Z"},
		{name: "an exponent too", yaml: head + "schedule_at: 1.7959176e9\n", schedule: "2026-11-29T02:00:00.000Z"},
		{name: "20 digits are out of range", yaml: head + "schedule_at: 99999999999999999999\n",
			want: []string{`<stdin>:3:14: schedule_at: "99999999999999999999" is out of range for unix seconds; the latest is 253402300799 (9999-12-31T23:59:59Z)`}},
		{name: ".inf is said once", yaml: head + "schedule_at: .inf\n",
			want: []string{"<stdin>:3:14: schedule_at: must be a string or an integer, not a number"}},
		{name: "a fraction is said once", yaml: head + "schedule_at: 1.5\n",
			want: []string{"<stdin>:3:14: schedule_at: must be a string or an integer, not a number"}},
		{name: "a name that is a number", yaml: head + "name: 123\n",
			want: []string{"<stdin>:3:7: name: must be a string, not an integer (quote the value to send it as text)"}},
		{name: "an empty name", yaml: head + "name: ''\n",
			want: []string{"<stdin>:3:7: name: must be a non-empty string; leave name out to have one generated"}},
		{name: "references in definition and queue", yaml: "job_definition: ${DEF}\njob_queue: acme::${Q}\n",
			vars: map[string]string{"DEF": "acme::d:1", "Q": "nightly"}},
		{name: "a resolved '$' is no reference", yaml: "job_definition: ${DEF}\njob_queue: acme::q\n", vars: map[string]string{"DEF": "a$b"},
			want: []string{"<stdin>:1:17: job_definition: must look like project_code::definition_name:version, e.g. acme::report-builder:3"}},
		{name: "a merge key in env", yaml: head + "container_cmd_parameter: &p {k: v}\ncontainer_env: {<<: *p, B: b}\n"},
		{name: "a merge key in parameters", yaml: head + "container_env: &e {A: a}\ncontainer_cmd_parameter:\n  <<: [*e]\n  k: v\n"},
		{name: "a quoted << is a name", yaml: head + "container_env: {'<<': a}\n",
			want: []string{`<stdin>:3:17: container_env["<<"]: invalid name "<<": environment variable names are letters, digits and '_', not starting with a digit`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, tc.yaml, tc.vars)
			if diff := cmp.Diff(tc.want, diagStrings(p)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tc.schedule != "" && (len(p.Jobs) != 1 || p.Jobs[0].ScheduleAt != tc.schedule) {
				t.Errorf("schedule_at: %+v, want %s", p.Jobs, tc.schedule)
			}
		})
	}
}

func TestGeneratedNames(t *testing.T) {
	doc := head + "container_cmd_parameter: {day: '2026-11-28'}\ncontainer_env:\n  PW: {value: '${PW}', sensitive: true}\nschedule_at: +1h\n"
	nameOf := func(t *testing.T, yaml string, vars map[string]string, mutate ...func(*Options)) string {
		t.Helper()
		p := planOf(t, yaml, vars, mutate...)
		if p.Errors() != 0 || len(p.Jobs) != 1 {
			t.Fatalf("unexpected diagnostics %q", diagStrings(p))
		}
		if !p.Jobs[0].NameGenerated {
			t.Fatalf("name not generated")
		}
		return p.Jobs[0].Name
	}
	base := nameOf(t, doc, map[string]string{"PW": "one"})
	valid := regexp.MustCompile(`^[a-z0-9-]+$`)
	if !valid.MatchString(base) || len(base) >= 64 || !strings.HasPrefix(base, "stdin-") {
		t.Errorf("generated name %q: want [a-z0-9-], under 64, starting with the file's slug", base)
	}
	tests := []struct {
		name   string
		yaml   string
		vars   map[string]string
		mutate func(*Options)
		same   bool
	}{
		{name: "secret rotation keeps the name", yaml: doc, vars: map[string]string{"PW": "two"}, same: true},
		{name: "another run time keeps the name (schedule taken as written)", yaml: doc, vars: map[string]string{"PW": "one"},
			mutate: func(o *Options) { o.Now = o.Now.Add(72 * 3600e9) }, same: true},
		{name: "key order does not matter", yaml: "job_queue: acme::nightly\njob_definition: acme::report-builder:3\n" +
			"schedule_at: +1h\ncontainer_env:\n  PW: {value: '${PW}', sensitive: true}\ncontainer_cmd_parameter: {day: '2026-11-28'}\n",
			vars: map[string]string{"PW": "one"}, same: true},
		{name: "content change changes the name", yaml: strings.Replace(doc, "2026-11-28", "2026-11-29", 1),
			vars: map[string]string{"PW": "one"}, same: false},
		{name: "schedule change changes the name", yaml: strings.Replace(doc, "+1h", "+2h", 1),
			vars: map[string]string{"PW": "one"}, same: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m []func(*Options)
			if tt.mutate != nil {
				m = append(m, tt.mutate)
			}
			got := nameOf(t, tt.yaml, tt.vars, m...)
			if (got == base) != tt.same {
				t.Errorf("name %q vs %q: same = %v, want %v", got, base, got == base, tt.same)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ file, want string }{
		{file: "jobs/Nightly Report.yaml", want: "nightly-report"},
		{file: "a/b/c.yml", want: "c"},
		{file: "___.yaml", want: "job"},
		{file: "<stdin>", want: "stdin"},
		{file: strings.Repeat("x", 100) + ".yaml", want: strings.Repeat("x", 40)},
		{file: "Ünïcödé-Ω.yaml", want: "n-c-d"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := slug(tt.file); got != tt.want {
				t.Errorf("slug(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}

func TestUnsetVariables(t *testing.T) {
	doc := "job_definition: acme::report-builder:3\njob_queue: ${PROJECT}::nightly\nname: x\n"
	tests := []struct {
		name         string
		unsetWarning bool
		want         []string
	}{
		{name: "apply: an error", want: []string{`<stdin>:2:12: job_queue: variable "PROJECT" is not set; export it or put it in an --env-file`}},
		{name: "validate: a warning, and no pattern error on top", unsetWarning: true,
			want: []string{`<stdin>:2:12: warning: job_queue: variable "PROJECT" is not set; export it or put it in an --env-file`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, doc, nil, func(o *Options) { o.UnsetIsWarning = tt.unsetWarning })
			if diff := cmp.Diff(tt.want, diagStrings(p)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	doc := head + "name: same\n"
	p := planOf(t, doc+"---\n"+doc+"---\n"+head+"container_cmd_parameter: {a: b}\n---\n"+head+"container_cmd_parameter: {a: b}\n", nil)
	if p.Errors() != 0 {
		t.Fatalf("unexpected: %q", diagStrings(p))
	}
	got := []int{}
	for _, j := range p.Jobs {
		got = append(got, j.DuplicateOf)
	}
	if diff := cmp.Diff([]int{-1, 0, -1, 2}, got); diff != "" {
		t.Errorf("DuplicateOf (-want +got):\n%s", diff)
	}
}

func TestMaskedBodyIsJSON(t *testing.T) {
	p := planOf(t, head+"container_env:\n  K: {value: '${V}', sensitive: true}\n", map[string]string{"V": `a"b\c`})
	var v map[string]any
	if err := json.Unmarshal([]byte(bodyJSON(t, p.Jobs[0].Masked())), &v); err != nil {
		t.Fatal(err)
	}
}

// digest must tell two documents apart exactly when their request bodies
// differ: compared over every pair of a table of near variants.
func TestDigestMatchesBody(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"job_definition": "acme::d:1", "job_queue": "acme::q"}
	}
	with := func(k string, v any) map[string]any { m := base(); m[k] = v; return m }
	variants := []map[string]any{
		base(),
		with("job_definition", "acme::d:2"),
		with("job_queue", "acme::r"),
		with("container_cmd", []any{}),
		with("container_cmd", []any{"a", "b"}),
		with("container_cmd", []any{"ab"}),
		with("container_cmd", []any{"a", "b", ""}),
		with("container_cmd_parameter", map[string]any{}),
		with("container_cmd_parameter", map[string]any{"a": "b"}),
		with("container_cmd_parameter", map[string]any{"a": "b", "c": "d"}),
		with("container_cmd_parameter", map[string]any{"ab": ""}),
		with("container_env", map[string]any{"A": "x"}),
		with("container_env", map[string]any{"A": map[string]any{"value": "x"}}),
		with("container_env", map[string]any{"A": map[string]any{"value": "x", "sensitive": false}}),
		with("container_env", map[string]any{"A": map[string]any{"value": "x", "sensitive": true}}),
		with("container_env", map[string]any{"A": "x", "B": "y"}),
		with("container_env", map[string]any{"AB": "x"}),
	}
	type key struct{ name, at string }
	keys := []key{{"n", ""}, {"m", ""}, {"n", "2030-01-01T00:00:00.000Z"}}
	for i, a := range variants {
		for ka, kA := range keys {
			for j, b := range variants {
				for kb, kB := range keys {
					ba, bb := decodeBody(a), decodeBody(b)
					ba.Name, ba.ScheduleAt = kA.name, kA.at
					bb.Name, bb.ScheduleAt = kB.name, kB.at
					ja, _ := json.Marshal(ba)
					jb, _ := json.Marshal(bb)
					same := digest(&ba) == digest(&bb)
					if same != (string(ja) == string(jb)) {
						t.Errorf("variants %d/%d and %d/%d: same digest %v, bodies\n%s\n%s", i, ka, j, kb, same, ja, jb)
					}
				}
			}
		}
	}
}

// A plan that keeps no jobs must find everything the full plan finds: the
// same diagnostics in the same order, the same counts, the same secrets. The
// run mixes small files, a file of many documents (decoded by every worker,
// so joining the plan late), duplicates and conflicts across files, invalid
// documents and an unreadable path.
func TestNoJobsFindsWhatBuildFinds(t *testing.T) {
	dir := t.TempDir()
	job := func(name, cmd string) string {
		return head + "name: " + name + "\ncontainer_cmd: [" + cmd + "]\n" +
			"container_env:\n  P: {value: '${SECRET}', sensitive: true}\n"
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", job("one", "a"))
	var big []string
	for i := range 21 {
		switch {
		case i == 3:
			big = append(big, job("one", "a")) // a duplicate of a.yaml
		case i == 4:
			big = append(big, job("one", "b")) // a conflict with a.yaml
		case i%7 == 0:
			big = append(big, "job_queue: acme::nightly\n") // invalid
		default:
			big = append(big, job(fmt.Sprintf("big-%d", i), "x"))
		}
	}
	write("b.yaml", strings.Join(big, "---\n"))
	write("c.yaml", job("one", "b")+"---\n"+job("two", "c")+"---\nbogus: 1\n"+head)
	write("d.yaml", "job_definition: [\n")
	write("e.yaml", job("two", "c"))
	build := func(keep Keep) *Plan {
		p, err := Build(context.Background(), Options{
			Source:         manifest.Source{Paths: []string{dir, filepath.Join(dir, "missing.yaml")}},
			Env:            testEnv(map[string]string{"SECRET": "s3cret-sentinel"}),
			Now:            fixedNow,
			Validator:      mustValidator(t),
			UnsetIsWarning: true,
			Keep:           keep,
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	full, lean := build(KeepJobs), build(KeepProblems)
	if len(lean.Jobs) != 0 {
		t.Errorf("NoJobs kept %d jobs", len(lean.Jobs))
	}
	if diff := cmp.Diff(diagStrings(full), diagStrings(lean)); diff != "" {
		t.Errorf("diagnostics (-full +NoJobs):\n%s", diff)
	}
	invalid := 0
	for _, j := range full.Jobs {
		if j.Invalid {
			invalid++
		}
	}
	if full.Documents != len(full.Jobs) || full.Invalid != invalid {
		t.Errorf("full plan counts %d documents, %d invalid; its jobs say %d, %d", full.Documents, full.Invalid, len(full.Jobs), invalid)
	}
	if lean.Documents != full.Documents || lean.Invalid != full.Invalid || lean.Files != full.Files {
		t.Errorf("NoJobs counts %d files %d documents %d invalid, want %d %d %d",
			lean.Files, lean.Documents, lean.Invalid, full.Files, full.Documents, full.Invalid)
	}
	if !slices.Contains(lean.Secrets(), "s3cret-sentinel") {
		t.Errorf("NoJobs secrets %q lack the sentinel", lean.Secrets())
	}
	// The conflicts are there, each right after its document's own problems,
	// and the duplicate is one.
	var conflicts []string
	for _, d := range diagStrings(full) {
		if strings.Contains(d, "different body") {
			conflicts = append(conflicts, d)
		}
	}
	if len(conflicts) != 2 {
		t.Errorf("want 2 conflicts (b.yaml's and c.yaml's), got %q", conflicts)
	}
	// Both name a.yaml, where "one" was first defined (read back from the
	// run's compact path list by file index), at its name, and each points
	// at its own name.
	for _, c := range conflicts {
		if !strings.Contains(c, "also defined at "+filepath.Join(dir, "a.yaml")+":3:1 ") {
			t.Errorf("conflict does not name the first definition, a.yaml:3:1: %s", c)
		}
	}
	if !strings.Contains(conflicts[0], filepath.Join(dir, "b.yaml")+":26:1: name: ") {
		t.Errorf("conflict does not point at the name of b.yaml's fifth document: %s", conflicts[0])
	}
	dups := 0
	for _, j := range full.Jobs {
		if j.DuplicateOf >= 0 {
			dups++
		}
	}
	if dups != 2 { // b.yaml's copy of a.yaml, e.yaml's of c.yaml
		t.Errorf("want 2 duplicates, got %d", dups)
	}
}
