package manifest

import (
	"context"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/daestro-jobs/daestro-jobs/internal/regular"
)

// Handler is what Stream does with the documents of a run.
type Handler[T any] struct {
	// Start is called once, before anything else, with the path of every
	// file to be read (Len is their number). The paths do not change
	// afterwards, so Start may keep them to name file i later.
	Start func(paths *Paths)
	// Check is called on every non-empty document as soon as it is decoded,
	// on the worker that decoded it: concurrently, in no particular order.
	// The document's node tree is dropped when Check returns; what Check
	// returns is kept until its file joins.
	Check func(d *Document) T
	// Join is called once per file, in manifest order, never concurrently,
	// as soon as the file and every file before it are done.
	Join func(f File[T])
}

// File is what Stream found in one file: the results of its documents and
// its problems.
type File[T any] struct {
	Index int    // the file's place in the run's Paths
	Path  string // as the user named it
	// Problems are about the file as a whole: unreadable, too large, not
	// text, not YAML (a syntax error ends the document it is in).
	Problems []Diagnostic
	// Docs holds Check's result for each non-empty document, in file order,
	// and Indexes each one's place in the file, from 0, empty documents
	// counted (Check's Document.Index is only the place in its group).
	Docs    []T
	Indexes []int
}

// groupSize is how many documents of a file one task decodes: a file of up
// to groupSize documents is decoded by the worker that read it, a larger one
// by every worker, groupSize documents at a time.
const groupSize = 8

// Stream finds every manifest src names, reads and decodes them on all cores
// and hands each document to h.Check, then each file to h.Join in the order
// the paths were given and directories walked (lexical), whatever order the
// work finished in. It keeps nothing itself: a run over many files, or one
// file of many documents, holds only what Check returns for the files not
// yet joined.
//
// It returns an error only when the run cannot go on: a bad use of "-", or
// ctx done (reading stdin included, which it does not wait out). Problems
// with files are in the File values.
func Stream[T any](ctx context.Context, src Source, h Handler[T]) error {
	fd, err := discover(src.Paths)
	if err != nil {
		return err
	}
	s := &stream[T]{ctx: ctx, h: h, fd: fd, n: fd.paths.Len(), pending: map[int]*File[T]{}}
	s.cond = sync.NewCond(&s.mu)
	h.Start(&fd.paths)
	for _, sp := range fd.special {
		if sp.stdin {
			s.stdin = readStdin(src.Stdin)
			break
		}
	}
	// Wake waiting workers when the run is cancelled, so that they see it.
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()

	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(s.work)
	}
	wg.Wait()
	return ctx.Err()
}

// stdinRead is standard input, read whole.
type stdinRead struct {
	data []byte
	err  error
}

// readStdin reads r in the background, so that a run whose stdin never ends
// can still be interrupted. The goroutine outlives Stream in that case, until
// stdin closes; the process is ending by then.
func readStdin(r io.Reader) <-chan stdinRead {
	ch := make(chan stdinRead, 1)
	go func() {
		if r == nil {
			ch <- stdinRead{}
			return
		}
		data, err := regular.ReadLimited(r, StdinName, MaxFileSize)
		ch <- stdinRead{data, err}
	}()
	return ch
}

// stream is the state of one Stream call.
type stream[T any] struct {
	ctx   context.Context
	h     Handler[T]
	fd    *found
	n     int
	stdin <-chan stdinRead

	// Workers claim files by an atomic counter rather than receiving them
	// from a feeding goroutine: with a channel, every handover woke a third
	// goroutine on machines with few cores, and the workers waited for it.
	claimed atomic.Int64

	mu      sync.Mutex // guards what follows, with cond
	cond    *sync.Cond
	big     []*bigFile[T] // files with groups of documents no worker has claimed
	reading int           // workers reading a file that may yet become big
	waiting int           // workers waiting on cond
	hasBig  atomic.Bool   // len(big) > 0, readable without mu

	joinMu  sync.Mutex
	pending map[int]*File[T] // done, waiting for the files before them
	next    int              // files before next have joined
}

// bigFile is a file of more than groupSize documents, decoded by every
// worker, a group of chunks at a time.
type bigFile[T any] struct {
	file   File[T]
	data   []byte
	chunks []chunk
	groups int
	next   int // the next group to claim; guarded by stream.mu
	done   atomic.Int64
	// what each group found, to join in order once all are done
	groupsDone []group[T]
}

// group is what decoding some chunks of a file found.
type group[T any] struct {
	problems []Diagnostic
	docs     []T
	indexes  []int // of docs, counted from the group's first document
	count    int   // documents, empty ones included
}

// work runs tasks until none is left: groups of big files first (a file
// everyone is waiting for), then the next file.
func (s *stream[T]) work() {
	for s.ctx.Err() == nil {
		if s.hasBig.Load() {
			if b, g, ok := s.claimGroup(); ok {
				s.runGroup(b, g)
				continue
			}
		}
		if i := int(s.claimed.Add(1) - 1); i < s.n {
			s.readFile(i)
			continue
		}
		if !s.waitForGroups() {
			return
		}
	}
}

// claimGroup takes the next unclaimed group of a big file.
func (s *stream[T]) claimGroup() (*bigFile[T], int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claimGroupLocked()
}

func (s *stream[T]) claimGroupLocked() (*bigFile[T], int, bool) {
	for len(s.big) > 0 {
		b := s.big[0]
		if b.next < b.groups {
			g := b.next
			b.next++
			return b, g, true
		}
		s.big = s.big[1:]
		s.hasBig.Store(len(s.big) > 0)
	}
	return nil, 0, false
}

// waitForGroups waits, once every file is claimed, while some worker still
// reads a file that may turn out big. It reports whether there may be work.
func (s *stream[T]) waitForGroups() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.ctx.Err() == nil {
		if len(s.big) > 0 {
			return true
		}
		if s.reading == 0 {
			return false
		}
		s.waiting++
		s.cond.Wait()
		s.waiting--
	}
	return false
}

// readFile reads and cuts file i, and decodes it at once when it is small.
func (s *stream[T]) readFile(i int) {
	s.mu.Lock()
	s.reading++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.reading--
		if s.waiting > 0 {
			s.cond.Broadcast()
		}
		s.mu.Unlock()
	}()

	path := s.fd.paths.Get(i) // lives as long as what Check keeps of it
	f := File[T]{Index: i, Path: path}
	sp := s.fd.special[i] // only read while workers run
	var data []byte
	switch {
	case sp.diag != nil:
		f.Problems = []Diagnostic{*sp.diag}
		s.done(&f)
		return
	case sp.stdin:
		var in stdinRead
		select {
		case in = <-s.stdin:
		case <-s.ctx.Done():
			return
		}
		if in.err != nil {
			f.Problems = []Diagnostic{fileDiag(path, describeOpenError(in.err))}
			s.done(&f)
			return
		}
		data = in.data
	default:
		var d *Diagnostic
		if data, d = readFile(path); d != nil {
			f.Problems = []Diagnostic{*d}
			s.done(&f)
			return
		}
	}
	chunks, d := prepare(path, data)
	if d != nil {
		f.Problems = []Diagnostic{*d}
		s.done(&f)
		return
	}
	if len(chunks) <= groupSize {
		g := s.decode(path, data, chunks)
		f.Problems, f.Docs, f.Indexes = g.problems, g.docs, g.indexes
		s.done(&f)
		return
	}
	groups := (len(chunks) + groupSize - 1) / groupSize
	b := &bigFile[T]{file: f, data: data, chunks: chunks, groups: groups, groupsDone: make([]group[T], groups)}
	s.mu.Lock()
	s.big = append(s.big, b)
	s.hasBig.Store(true)
	if s.waiting > 0 {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

// decode decodes chunks of one file in order. Documents are numbered from
// 0 within these chunks; the file's numbering is fixed when its groups join.
func (s *stream[T]) decode(path string, data []byte, chunks []chunk) group[T] {
	var g group[T]
	for _, c := range chunks {
		p, k := decodeChunk(path, data, c, g.count, func(d *Document) {
			g.docs = append(g.docs, s.h.Check(d))
			g.indexes = append(g.indexes, d.Index)
		})
		g.problems = append(g.problems, p...)
		g.count += k
	}
	return g
}

// runGroup decodes group g of a big file; the worker finishing its last
// group hands the file on.
func (s *stream[T]) runGroup(b *bigFile[T], g int) {
	end := min((g+1)*groupSize, len(b.chunks))
	b.groupsDone[g] = s.decode(b.file.Path, b.data, b.chunks[g*groupSize:end])
	if int(b.done.Add(1)) < b.groups {
		return
	}
	f := b.file
	base := 0
	for _, gr := range b.groupsDone {
		f.Problems = append(f.Problems, gr.problems...)
		f.Docs = append(f.Docs, gr.docs...)
		for _, i := range gr.indexes {
			f.Indexes = append(f.Indexes, base+i)
		}
		base += gr.count
	}
	if base > MaxDocuments && !slices.ContainsFunc(f.Problems, func(d Diagnostic) bool { return d == tooManyDocuments(f.Path) }) {
		// Only chunks holding several documents each can get here: prepare
		// counted the chunks, and each group counts only its own.
		f.Problems = append(f.Problems, tooManyDocuments(f.Path))
	}
	s.done(&f)
}

// done lets a finished file join, with every finished file after it whose
// turn has come.
func (s *stream[T]) done(f *File[T]) {
	s.joinMu.Lock()
	defer s.joinMu.Unlock()
	s.pending[f.Index] = f
	for {
		f, ok := s.pending[s.next]
		if !ok {
			return
		}
		delete(s.pending, s.next)
		s.next++
		s.h.Join(*f)
	}
}
