package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// streamed is one document as the stream tests look at it: where it is, and
// its value, printed.
type streamed struct {
	Index, Line, Col int
	Value            string
	Problems         string
}

func streamedOf(d *Document) streamed {
	var p []string
	for _, pr := range d.Problems {
		p = append(p, pr.String())
	}
	return streamed{Line: d.Line, Col: d.Col, Value: fmt.Sprint(d.Value), Problems: strings.Join(p, "\n")}
}

// streamFile is what a file gave: its documents in order, numbered in the
// file, and its problems.
type streamFile struct {
	Path     string
	Docs     []streamed
	Problems []string
}

// sequentialRead is the simple alternative to Stream, the reference
// FuzzStreamAgrees holds it to: each file in turn, read whole, cut and
// decoded in order on one goroutine.
func sequentialRead(t *testing.T, paths []string) []streamFile {
	t.Helper()
	var out []streamFile
	for _, path := range paths {
		f := streamFile{Path: path, Docs: []streamed{}, Problems: []string{}}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		chunks, d := prepare(path, data)
		if d != nil {
			f.Problems = append(f.Problems, d.String())
		}
		count := 0
		for _, c := range chunks {
			problems, n := decodeChunk(path, data, c, count, nil, func(d *Document) {
				s := streamedOf(d)
				s.Index = d.Index
				f.Docs = append(f.Docs, s)
			})
			for _, p := range problems {
				f.Problems = append(f.Problems, p.String())
			}
			count += n
		}
		out = append(out, f)
	}
	return out
}

// streamRead runs Stream on paths and collects what it joined, checking that
// Join is never called concurrently and that files join in order, each in
// order of its parts.
func streamRead(t *testing.T, paths []string) []streamFile {
	t.Helper()
	var out []streamFile
	var inJoin atomic.Bool
	err := Stream(context.Background(), Source{Paths: paths}, Handler[streamed]{
		Start: func(*Paths) {},
		Check: streamedOf,
		Join: func(f File[streamed]) {
			if !inJoin.CompareAndSwap(false, true) {
				t.Error("Join called concurrently")
			}
			defer inJoin.Store(false)
			if n := len(out); n == 0 || out[n-1].Path != f.Path {
				if f.Index != len(out) {
					t.Errorf("file %d (%s) joined as the %d-th", f.Index, f.Path, len(out))
				}
				out = append(out, streamFile{Path: f.Path, Docs: []streamed{}, Problems: []string{}})
			}
			last := &out[len(out)-1]
			for i, d := range f.Docs {
				d.Index = f.Indexes[i]
				last.Docs = append(last.Docs, d)
			}
			for _, p := range f.Problems {
				last.Problems = append(last.Problems, p.String())
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeStreamFiles writes one file per byte of layout, of layout[i]%24
// documents (more than groupSize makes a file big, decoded by every worker
// a group at a time). Documents are numbered across the run; the document
// numbered len(text)%97 holds text instead, whatever it is.
func writeStreamFiles(t *testing.T, dir string, layout []byte, text string) []string {
	t.Helper()
	var paths []string
	n := 0
	for i, l := range layout {
		var b strings.Builder
		for range int(l % 24) {
			if n == len(text)%97 {
				fmt.Fprintf(&b, "---\n%s\n", text)
			} else {
				fmt.Fprintf(&b, "---\nname: job-%d\nn: %d\n", n, n)
			}
			n++
		}
		p := filepath.Join(dir, fmt.Sprintf("f%03d.yaml", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// FuzzStreamAgrees holds Stream (parallel, files claimed by a counter, big
// files shared a group at a time, joined in order) to the sequential read of
// the same files: the same documents, numbers, lines and problems, in the
// same order, and Join never concurrent.
func FuzzStreamAgrees(f *testing.F) {
	f.Add([]byte{1, 0, 17, 3, 9, 23, 1}, "a: [1")
	f.Add([]byte{20, 20, 20}, "x: *nope")
	f.Add([]byte{5}, "")
	f.Add([]byte{9, 2, 0, 0, 16}, "- a\n- b")
	f.Fuzz(func(t *testing.T, layout []byte, text string) {
		if len(layout) > 24 || len(text) > 4<<10 {
			t.Skip()
		}
		paths := writeStreamFiles(t, t.TempDir(), layout, text)
		want := sequentialRead(t, paths)
		got := streamRead(t, paths)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Stream (+) and the sequential read (-) differ:\n%s", diff)
		}
	})
}

// BenchmarkStream reads 2,000 files of one document and one of 2,000, with
// a Check that does nothing: the cost of the engine around yaml.v3, and of
// the simple alternative, each file in turn on one goroutine (sequential).
// go test -run '^$' -bench Stream ./manifest
func BenchmarkStream(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 2000 {
		p := filepath.Join(dir, fmt.Sprintf("one-%04d.yaml", i))
		if err := os.WriteFile(p, fmt.Appendf(nil, "job_definition: acme::w:1\njob_queue: acme::q\nname: job-%d\n", i), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	var many strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&many, "---\njob_definition: acme::w:1\njob_queue: acme::q\nname: many-%d\n", i)
	}
	p := filepath.Join(dir, "many.yaml")
	if err := os.WriteFile(p, []byte(many.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	paths = append(paths, p)
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var docs atomic.Int64
			err := Stream(context.Background(), Source{Paths: paths}, Handler[struct{}]{
				Start: func(*Paths) {},
				Check: func(*Document) struct{} { docs.Add(1); return struct{}{} },
				Join:  func(File[struct{}]) {},
			})
			if err != nil || docs.Load() != 4000 {
				b.Fatalf("%v, %d documents", err, docs.Load())
			}
		}
		b.ReportMetric(float64(4000*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			docs := 0
			for _, path := range paths {
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				chunks, _ := prepare(path, data)
				count := 0
				for _, c := range chunks {
					_, n := decodeChunk(path, data, c, count, nil, func(*Document) { docs++ })
					count += n
				}
			}
			if docs != 4000 {
				b.Fatalf("%d documents", docs)
			}
		}
		b.ReportMetric(float64(4000*b.N)/b.Elapsed().Seconds(), "docs/s")
	})
}
