package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want []string // the chunks' text, each prefixed by its line offset
	}{
		{name: "one document", data: "a: 1\n", want: []string{"0:a: 1\n"}},
		{name: "empty", data: "", want: []string{"0:"}},
		{name: "marker first", data: "---\na: 1\n---\nb: 2", want: []string{"0:---\na: 1\n", "2:---\nb: 2"}},
		{name: "implicit first", data: "a: 1\n--- # c\nb: 2\n---\t\n---", want: []string{"0:a: 1\n", "1:--- # c\nb: 2\n", "3:---\t\n", "4:---"}},
		{name: "CRLF", data: "a: 1\r\n---\r\nb: 2\r\n", want: []string{"0:a: 1\r\n", "1:---\r\nb: 2\r\n"}},
		{name: "not markers", data: "a: ---\n ---\n---a\n----\n", want: []string{"0:a: ---\n ---\n---a\n----\n"}},
		{name: "block scalar ends at a marker", data: "a: |\n  x\n---\nb: 1\n", want: []string{"0:a: |\n  x\n", "2:---\nb: 1\n"}},
		{name: "directive stays with its document", data: "%YAML 1.2\n---\na: 1\n---\nb: 2\n", want: []string{"0:%YAML 1.2\n---\na: 1\n", "3:---\nb: 2\n"}},
		{name: "a lone CR is a line break to YAML", data: "0\r0\n--- 00", want: []string{"0:0\r0\n", "2:--- 00"}},
		{name: "a % line inside a document is content", data: "0\n%\n---\na", want: []string{"0:0\n%\n", "2:---\na"}},
		{name: "directive before a later document", data: "a: 1\n...\n%YAML 1.2\n%TAG ! tag:x,2000:\n---\nb: 2\n", want: []string{"0:a: 1\n...\n", "2:%YAML 1.2\n%TAG ! tag:x,2000:\n---\nb: 2\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range split([]byte(tc.data)) {
				got = append(got, fmt.Sprintf("%d:%s", c.line, tc.data[c.start:c.end]))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("chunks (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStreamOneFileOfManyDocuments: the documents of a large file are
// decoded by every worker, yet join in file order, numbered as in the file,
// with their lines where the file has them.
func TestStreamOneFileOfManyDocuments(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		if i%100 == 7 {
			b.WriteString("---\n# an empty one\n")
		}
		fmt.Fprintf(&b, "---\nname: job-%d\n", i)
	}
	type seen struct {
		name      string
		line, col int
	}
	var joins atomic.Int32
	var got []seen
	var indexes []int
	files := map[int]bool{}
	err := Stream(context.Background(), Source{Paths: []string{"-"}, Stdin: strings.NewReader(b.String())}, Handler[seen]{
		Start: func(*Paths) {},
		Check: func(d *Document) seen {
			return seen{name: d.Value["name"].(string), line: d.Line, col: d.Col}
		},
		Join: func(f File[seen]) {
			joins.Add(1)
			files[f.Index] = true
			got, indexes = append(got, f.Docs...), append(indexes, f.Indexes...)
			if len(f.Problems) > 0 {
				t.Errorf("problems %v", f.Problems)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Joined a part at a time, so that the results need not all be held.
	if joins.Load() < 2 || len(files) != 1 || len(got) != 1000 {
		t.Fatalf("%d joins of %d files, %d documents", joins.Load(), len(files), len(got))
	}
	lines := strings.Split(b.String(), "\n")
	empties := 0
	for i, s := range got {
		if s.name != fmt.Sprintf("job-%d", i) {
			t.Fatalf("document %d is %s", i, s.name)
		}
		if lines[s.line-1] != "name: "+s.name || s.col != 1 {
			t.Fatalf("%s located at %d:%d, which reads %q", s.name, s.line, s.col, lines[s.line-1])
		}
		if i%100 == 7 {
			empties++
		}
		if indexes[i] != i+empties {
			t.Fatalf("%s numbered %d, want %d", s.name, indexes[i], i+empties)
		}
	}
}

// TestStreamStdinInterrupted: a run reading a stdin that never ends stops
// when its context does.
func TestStreamStdinInterrupted(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Stream(ctx, Source{Paths: []string{"-"}, Stdin: r}, Handler[struct{}]{
			Start: func(*Paths) {},
			Check: func(*Document) struct{} { return struct{}{} },
			Join:  func(File[struct{}]) {},
		})
	}()
	if _, err := w.Write([]byte("a: 1\n")); err != nil { // the run is reading
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
}

// FuzzSplitAgrees holds the cut to what yaml.v3 makes of the whole stream:
// whenever the whole decodes without error (and uses no alias, which YAML
// scopes to its document and yaml.v3 does not), the chunks decode to the
// same documents, at the same places, with no problem.
func FuzzSplitAgrees(f *testing.F) {
	for _, s := range []string{
		"a: 1\n---\nb: 2\n", "---\n---\n# c\n---\na: [1, 2]\n", "a: |\n  x\n---\nb: >\n  y\n",
		"a: 1\r\n---\r\nb: 2", "- a\n--- x\n...\n---\n{a: b}\n", "a: \"x\n  y\"\n---\nb", "# c\n---\n'a': 1\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("*")) || bytes.IndexByte(data, 0) >= 0 || len(data) > 4096 {
			return
		}
		var whole []*yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return // the cut may fail differently; both fail
			}
			if !isEmpty(&n) {
				whole = append(whole, &n)
			}
		}
		var parts []*yaml.Node
		var offsets []int
		for _, c := range split(data) {
			problems, _ := decodeChunk("f", data, c, 0, nil, func(d *Document) {
				parts = append(parts, d.root)
				offsets = append(offsets, d.lineOffset)
			})
			if len(problems) > 0 {
				t.Fatalf("the whole decodes, chunk at line %d does not: %v", c.line, problems)
			}
		}
		if len(parts) != len(whole) {
			t.Fatalf("%d documents whole, %d cut", len(whole), len(parts))
		}
		for i := range whole {
			if d := nodeDiff(deref(whole[i]), parts[i], offsets[i]); d != "" {
				t.Fatalf("document %d differs: %s", i, d)
			}
		}
	})
}

// nodeDiff compares two trees, the second's lines shifted by offset.
func nodeDiff(a, b *yaml.Node, offset int) string {
	if (a == nil) != (b == nil) {
		return "one is nil"
	}
	if a == nil {
		return ""
	}
	if a.Kind != b.Kind || a.Value != b.Value || a.ShortTag() != b.ShortTag() || a.Line != b.Line+offset || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%v %q %d:%d vs %v %q %d:%d", a.Kind, a.Value, a.Line, a.Column, b.Kind, b.Value, b.Line+offset, b.Column)
	}
	for i := range a.Content {
		if d := nodeDiff(a.Content[i], b.Content[i], offset); d != "" {
			return d
		}
	}
	return ""
}

// TestCutterAgreesWithSplit: reading a file a group at a time cuts it where
// split cuts it whole.
func TestCutterAgreesWithSplit(t *testing.T) {
	for _, data := range []string{
		"", "a: 1\n", "a: 1", "---\n---\n---\n", "# c\n---\na: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n---\ne",
		"%YAML 1.2\n---\na: 1\n---\nb\n%YAML 1.2\n---\nc\n", "a\r\n---\r\nb\r\n---",
	} {
		f := func(data []byte) { checkCutter(t, data) }
		f([]byte(data))
	}
}

func FuzzCutterAgreesWithSplit(f *testing.F) {
	f.Add([]byte("a: 1\n---\nb: 2\n---\n%YAML 1.2\n---\nc\n"))
	f.Fuzz(checkCutter)
}

// checkCutter compares the cutter, 3 chunks a group, with split.
func checkCutter(t *testing.T, data []byte) {
	want := []string{}
	for _, c := range split(data) {
		if c.end > c.start || c.start == 0 && len(data) > 0 {
			want = append(want, fmt.Sprintf("%d:%q", c.line, data[c.start:c.end]))
		}
	}
	got := []string{}
	cut := newCutter("f", bytes.NewReader(data))
	for {
		text, chunks, problem, ok := cut.next(3)
		if !ok {
			break
		}
		if problem != nil {
			t.Fatalf("problem %v", problem)
		}
		if len(chunks) > 3 {
			t.Fatalf("a group of %d chunks", len(chunks))
		}
		for _, c := range chunks {
			got = append(got, fmt.Sprintf("%d:%q", c.line, text[c.start:c.end]))
		}
	}
	if len(data) == 0 {
		want = []string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%q: chunks (-split +cutter):\n%s", data, diff)
	}
}

// TestStreamLargeFile: a file over streamAt is read a group at a time; its
// documents keep their numbers and lines, and a byte that is not UTF-8 deep
// inside it is reported where it is.
func TestStreamLargeFile(t *testing.T) {
	var b strings.Builder
	n := 0
	for b.Len() < streamAt+streamAt/2 {
		fmt.Fprintf(&b, "---\nname: job-%d\npad: %s\n", n, strings.Repeat("x", 100))
		n++
	}
	bad := b.String() + "---\nname: caf\xe9\n"
	dir := t.TempDir()
	for name, text := range map[string]string{"good.yaml": b.String(), "bad.yaml": bad} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := load(context.Background(), Source{Paths: []string{filepath.Join(dir, "good.yaml"), filepath.Join(dir, "bad.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || len(files[0].Indexes) != n || len(files[0].Diagnostics) != 0 {
		t.Fatalf("good.yaml: %d documents of %d, problems %v", len(files[0].Indexes), n, files[0].Diagnostics)
	}
	for i, idx := range files[0].Indexes {
		if idx != i {
			t.Fatalf("document %d numbered %d", i, idx)
		}
	}
	want := fmt.Sprintf("bad.yaml:%d:10: invalid UTF-8: manifests must be UTF-8 text", 3*n+2)
	if d := files[1].Diagnostics; len(d) != 1 || !strings.HasSuffix(d[0].String(), want) {
		t.Errorf("bad.yaml: problems %v, want %s", d, want)
	}
}

// splitBenchText is 10,000 documents of a few lines, with comments, a block
// scalar and a "---" inside it that is content, not a cut.
func splitBenchText() []byte {
	var b bytes.Buffer
	for i := range 10_000 {
		fmt.Fprintf(&b, "--- # job %d\njob_definition: acme::w:1\njob_queue: acme::q\nname: job-%d\nnote: |\n  a ---\n  text\n", i, i)
	}
	return b.Bytes()
}

// BenchmarkSplit cuts a file held whole, as a file under streamAt is.
// go test -run '^$' -bench 'Split|Cutter' ./manifest
func BenchmarkSplit(b *testing.B) {
	data := splitBenchText()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if n := len(split(data)); n != 10_000 {
			b.Fatalf("%d chunks", n)
		}
	}
}

// BenchmarkCutter cuts the same text read a group of groupSize chunks at a
// time, as a file over streamAt is.
func BenchmarkCutter(b *testing.B) {
	data := splitBenchText()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cut, n := newCutter("f", bytes.NewReader(data)), 0
		for {
			_, chunks, problem, ok := cut.next(groupSize)
			if !ok || problem != nil {
				break
			}
			n += len(chunks)
		}
		if n != 10_000 {
			b.Fatalf("%d chunks", n)
		}
	}
}
