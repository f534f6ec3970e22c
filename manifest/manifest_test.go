package manifest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/google/go-cmp/cmp"
)

// tree writes files under a temporary directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loaded is what Stream found in one file, as the tests look at it.
type loaded struct {
	Path        string
	Indexes     []int
	Diagnostics []diag.Diagnostic
}

// load runs Stream and collects every file in the order it joined.
func load(ctx context.Context, src Source) ([]loaded, error) {
	var files []loaded
	err := Stream(ctx, src, Handler[struct{}]{
		Start: func(*Paths) {},
		Check: func(*Document) struct{} { return struct{}{} },
		Join: func(f File[struct{}]) {
			if n := len(files); n > 0 && files[n-1].Path == f.Path {
				files[n-1].Indexes = append(files[n-1].Indexes, f.Indexes...)
				files[n-1].Diagnostics = append(files[n-1].Diagnostics, f.Problems...)
				return
			}
			files = append(files, loaded{Path: f.Path, Indexes: f.Indexes, Diagnostics: f.Problems})
		},
	})
	return files, err
}

// summary renders what load found: each file with its document indexes, and
// each diagnostic, with paths relative to dir.
func summary(dir string, files []loaded) []string {
	var out []string
	rel := func(p string) string {
		if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return p
	}
	for _, f := range files {
		docs := []string{}
		for _, i := range f.Indexes {
			docs = append(docs, strconv.Itoa(i))
		}
		out = append(out, rel(f.Path)+" docs="+strings.Join(docs, ","))
		for _, d := range f.Diagnostics {
			d.File = rel(d.File)
			out = append(out, "  "+d.String())
		}
	}
	return out
}

const job = "job_definition: a::b:1\njob_queue: a::q\n"

func TestLoadWalk(t *testing.T) {
	dir := tree(t, map[string]string{
		"b.yaml":              job,
		"a.yml":               job + "---\n---\n# only a comment\n---\n" + job,
		"c.txt":               "not read",
		"sub/z.YAML":          job,
		"sub/deeper/y.yaml":   job,
		".git/config.yaml":    job,
		"sub/.cache/x.yaml":   job,
		"sub/.hidden.yaml":    job,
		"empty.yaml":          "",
		"null.yaml":           "~\n",
		"comment-only.yaml":   "# nothing\n",
		"list.yaml":           "- a\n",
		"explicit/named.conf": job,
	})
	files, err := load(context.Background(), Source{Paths: []string{dir, filepath.Join(dir, "explicit/named.conf")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a.yml docs=0,3",
		"b.yaml docs=0",
		"comment-only.yaml docs=",
		"empty.yaml docs=",
		"list.yaml docs=0", // not a mapping: the plan reports it, the loader keeps it
		"null.yaml docs=",
		"sub/deeper/y.yaml docs=0",
		"sub/z.YAML docs=0",
		"explicit/named.conf docs=0",
	}
	if diff := cmp.Diff(want, summary(dir, files)); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
}

func TestLoadProblems(t *testing.T) {
	dir := tree(t, map[string]string{
		"nul.yaml":    "name: a\x00b\n",
		"utf8.yaml":   "a: b\nname: caf\xe9\n",
		"syntax.yaml": "a: [b\n",
		"tab.yaml":    "a:\n\tb: c\n",
		"ok.yaml":     job,
	})
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{}
	for _, n := range []string{"big.yaml", "missing.yaml", "nul.yaml", "ok.yaml", "syntax.yaml", "tab.yaml", "utf8.yaml"} {
		paths = append(paths, filepath.Join(dir, n))
	}
	files, err := load(context.Background(), Source{Paths: paths})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"big.yaml docs=",
		"  big.yaml: larger than the 10 MiB limit for one manifest file; split it into several files",
		"missing.yaml docs=",
		"  missing.yaml: no such file or directory",
		"nul.yaml docs=",
		"  nul.yaml:1:8: contains a NUL byte: this is not a text file",
		"ok.yaml docs=0",
		"syntax.yaml docs=",
		"  syntax.yaml:1: invalid YAML: did not find expected ',' or ']'",
		"tab.yaml docs=",
		"  tab.yaml:2:1: invalid YAML: a tab in indentation; indent with spaces (found character that cannot start any token)",
		"utf8.yaml docs=",
		"  utf8.yaml:2:10: invalid UTF-8: manifests must be UTF-8 text",
	}
	if diff := cmp.Diff(want, summary(dir, files)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestLoadSymlinksAndSpecialFiles(t *testing.T) {
	dir := tree(t, map[string]string{"jobs/a.yaml": job, "jobs/sub/c.yaml": job, "other/b.yaml": job})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(".", filepath.Join(dir, "jobs", "loop")))                           // itself: a loop
	must(os.Symlink("..", filepath.Join(dir, "jobs", "sub", "up")))                     // its parent: a loop
	must(os.Symlink(filepath.Join(dir, "other"), filepath.Join(dir, "jobs", "linked"))) // elsewhere: followed
	must(os.Symlink("nowhere.yaml", filepath.Join(dir, "jobs", "dangling.yaml")))
	must(syscall.Mkfifo(filepath.Join(dir, "jobs", "pipe.yaml"), 0o644))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))

	files, err := load(context.Background(), Source{Paths: []string{filepath.Join(dir, "jobs"), filepath.Join(dir, "fifo")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"jobs/a.yaml docs=0",
		"jobs/dangling.yaml docs=",
		"  jobs/dangling.yaml: no such file or directory",
		"jobs/linked/b.yaml docs=0",
		"jobs/loop docs=",
		"  jobs/loop: warning: skipped: symbolic link loop (this directory is already being walked)",
		"jobs/pipe.yaml docs=",
		"  jobs/pipe.yaml: warning: skipped: not a regular file (a named pipe)",
		"jobs/sub/c.yaml docs=0",
		"jobs/sub/up docs=",
		"  jobs/sub/up: warning: skipped: symbolic link loop (this directory is already being walked)",
		"fifo docs=",
		"  fifo: not a regular file (a named pipe); pass a YAML file, a directory or - for stdin",
	}
	if diff := cmp.Diff(want, summary(dir, files)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadStdin(t *testing.T) {
	files, err := load(context.Background(), Source{Paths: []string{"-"}, Stdin: strings.NewReader(job + "---\n" + job)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"<stdin> docs=0,1"}, summary("", files)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := load(context.Background(), Source{Paths: []string{"-", "-"}}); err == nil {
		t.Errorf("stdin twice: want an error")
	}
}

// TestLoadDocumentLimit: a file over the limit is refused whole, before any
// document is decoded.
func TestLoadDocumentLimit(t *testing.T) {
	data := strings.Repeat("a: 1\n---\n", MaxDocuments+1)
	docs := 0
	problems, _ := Decode("many.yaml", []byte(data), func(*Document) { docs++ })
	if docs != 0 || len(problems) != 1 || !strings.Contains(problems[0].Message, "more than 50000 documents") {
		t.Errorf("docs=%d problems=%v", docs, problems)
	}
	// Documents the cut does not see apart (lines ended by a lone CR) are
	// counted as they are decoded.
	docs = 0
	problems, _ = Decode("cr.yaml", []byte(strings.Repeat("a: 1\r---\r", MaxDocuments+1)), func(*Document) { docs++ })
	if docs != MaxDocuments || len(problems) != 1 || !strings.Contains(problems[0].Message, "more than 50000 documents") {
		t.Errorf("lone CR: docs=%d problems=%v", docs, problems)
	}
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads anything; the permission check cannot be observed.
		t.Log("running as root: checking the message mapping only")
		if got := describeOpenError(os.ErrPermission); got != "permission denied: cannot read it" {
			t.Errorf("describeOpenError = %q", got)
		}
		return
	}
	dir := tree(t, map[string]string{"secret.yaml": job})
	p := filepath.Join(dir, "secret.yaml")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	files, err := load(context.Background(), Source{Paths: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"secret.yaml docs=", "  secret.yaml: permission denied: cannot read it"}, summary(dir, files)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFieldPath(t *testing.T) {
	tests := []struct {
		tokens []string
		index  int // which token is a list index, -1 none
		want   string
	}{
		{tokens: []string{"container_env", "DB", "value"}, index: -1, want: "container_env.DB.value"},
		{tokens: []string{"container_cmd", "2"}, index: 1, want: "container_cmd[2]"},
		{tokens: []string{"container_cmd_parameter", "a b"}, index: -1, want: `container_cmd_parameter["a b"]`},
		{tokens: []string{"container_cmd_parameter", "1"}, index: -1, want: "container_cmd_parameter.1"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := diag.FieldPath(tt.tokens, func(i int) bool { return i == tt.index })
			if got != tt.want {
				t.Errorf("got %q", got)
			}
		})
	}
}

// TestLoadLargeFileNotRead: a file over MaxFileSize is refused on its size,
// without reading it into memory.
func TestLoadLargeFileNotRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(30 << 20); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, d := openFile(p, streamAt)
	runtime.ReadMemStats(&after)
	if d == nil || !strings.Contains(d.Message, "larger than the 10 MiB limit") {
		t.Fatalf("diagnostic %v", d)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d KiB to refuse a 30 MiB file", alloc>>10)
	}
}

// TestParseErrorMessages: what the YAML parser says is located on the right
// line and, for the limits and traps hostile input hits, said plainly.
func TestParseErrorMessages(t *testing.T) {
	long := strings.Repeat("k", 2000)
	tests := []struct{ name, data, want string }{
		// yaml.v3 prints its parser's lines 0-based: this was "line 1".
		{"flow sequence not closed", job + "name: [a\n", "f.yaml:3: invalid YAML: did not find expected ',' or ']'"},
		{"flow mapping not closed, at the end", "a: {b: c\n", "f.yaml:1: invalid YAML: did not find expected ',' or '}'"},
		// ...and no line at all for a scanner error on the first line.
		{"first line", "a: b: c\n", "f.yaml:1: invalid YAML: mapping values are not allowed in this context"},
		{"deeper than the parser goes", strings.Repeat("[", 20000), "f.yaml:1: nested more than 32 levels deep (the YAML parser gave up past its max depth of 10000)"},
		{"long plain key", job + long + ": v\n", "f.yaml:3:1: invalid YAML: a key longer than 1024 characters"},
		{"long quoted key", job + `"` + long + `": v` + "\n", "f.yaml:3:2: invalid YAML: a key longer than 1024 characters"},
		{"long key in a flow mapping", job + "container_env: {" + long + ": v}\n", "f.yaml:3:17: invalid YAML: a key longer than 1024 characters"},
		{"control character", job + "name: \"a\x01b\"\n", "f.yaml:3:9: invalid YAML: control character U+0001 is not allowed"},
		{"unknown anchor", job + "name: *nope\n", "f.yaml:3:7: invalid YAML: unknown anchor 'nope' referenced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, _ := Decode("f.yaml", []byte(tt.data), func(*Document) {})
			if len(problems) != 1 || !strings.HasPrefix(problems[0].String(), tt.want) {
				t.Errorf("got %v\nwant %s", problems, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	if got := diag.Clip("short"); got != "short" {
		t.Errorf("diag.Clip(short) = %q", got)
	}
	got := diag.Clip(strings.Repeat("é", 100_000))
	if want := strings.Repeat("é", 32) + "…(100000 characters)"; got != want {
		t.Errorf("Clip = %q, want %q", got, want)
	}
	if got := diag.FieldPath([]string{"container_env", strings.Repeat("K", 200_000)}, nil); len(got) > 200 {
		t.Errorf("FieldPath of a long key is %d bytes", len(got))
	}
}

func TestLineCount(t *testing.T) {
	for data, want := range map[string]int{
		"": 1, "a": 1, "a\n": 1, "a\nb": 2, "a\r\nb\r\n": 2, "\r00": 2, "a\rb\r": 2, "a\u2028b\u0085c": 3,
	} {
		if got := lineCount([]byte(data)); got != want {
			t.Errorf("lineCount(%q) = %d, want %d", data, got, want)
		}
	}
}

// TestOpenFileRefusesAFIFO: what is opened is checked, not what the walk saw:
// a manifest swapped for a FIFO after discovery is refused at once, never
// waited on.
func TestOpenFileRefusesAFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "swapped.yaml")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan *diag.Diagnostic, 1)
	go func() {
		_, _, d := openFile(p, streamAt)
		done <- d
	}()
	select {
	case d := <-done:
		if d == nil || !strings.Contains(d.Message, "not a regular file (a named pipe)") {
			t.Errorf("openFile(FIFO) = %v", d)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("openFile blocked on a FIFO")
	}
}
