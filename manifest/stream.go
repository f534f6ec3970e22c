package manifest

// Design note: the parallel stream (Stream).
//
// What it guarantees. Every document of every file is decoded once and
// handed to Handler.Check, on any worker, concurrently. Handler.Join sees
// each file, and each part of a big file, exactly once, in the order the
// paths were given and directories walked, never concurrently, whatever
// order the work finished in. Documents keep their numbers and lines in
// their file. Memory holds only what Check returned for the files not yet
// joined, and a file over streamAt is never held whole. A cancelled context
// stops every worker, one waiting for stdin included.
//
// How. One worker per core claims the next file by an atomic counter
// (claimed). A file of more than groupSize documents is published as a big
// file whose groups every worker takes in turn; a worker with no file left
// waits on cond while another may still be reading a file that turns out
// big (mu guards big, reading and waiting). Finished parts wait in pending
// until every file before them has joined.
//
// The simple alternative: read, decode, check and join each file in turn on
// one goroutine (BenchmarkStream/sequential). It is right by construction
// but uses one core however many there are, and one file of many documents
// is never shared. Feeding the workers from a channel instead of the
// counter cost a goroutine wake-up per file on machines with few cores;
// collecting every result and sorting at the end would hold them all at
// once.
//
// What keeps it honest: FuzzStreamAgrees holds it to the sequential read
// (the same documents, numbers, lines, problems and order; Join never
// concurrent); TestStreamOneFileOfManyDocuments, TestStreamLargeFile and
// the race detector cover the rest. BenchmarkStream (stream against
// sequential) and the root package's BenchmarkValidate10k show what it buys.

import (
	"context"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
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
	// Join is called in manifest order, never concurrently, with each part
	// of a file as soon as it and everything before it are done: a file of
	// a few documents is one part, a large one a part per group of
	// documents, so that its results need not all be held at once.
	Join func(f File[T])
}

// File is what Stream found in one file, or in one part of it.
type File[T any] struct {
	Index int    // the file's place in the run's Paths
	Path  string // as the user named it
	// Problems are about the file as a whole (unreadable, too large, not
	// text) or about the YAML of this part (a syntax error ends the
	// document it is in).
	Problems []diag.Diagnostic
	// Docs holds Check's result for each non-empty document of the part, in
	// file order, and Indexes each one's place in the file, from 0, empty
	// documents counted (Check's Document.Index is only its place in its
	// group).
	Docs    []T
	Indexes []int
	// Defaults is set when the file is a defaults file named with -f: it
	// holds no job, and its own problems are in it.
	Defaults *DefaultsFile
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
	var fd *found
	var err error
	if src.FS != nil {
		fd, err = discoverFS(src)
	} else {
		fd, err = discover(src.Paths)
	}
	if err != nil {
		return err
	}
	tree := src.Tree
	switch {
	case tree != nil:
	case src.FS != nil:
		tree = newFSTree(src, fd)
	default:
		t, err := NewOSTree(src.Dir)
		if err != nil {
			return err
		}
		tree = t
	}
	s := &stream[T]{ctx: ctx, h: h, fd: fd, fsys: src.FS, n: fd.paths.Len(), pending: map[int]*joining[T]{}, defaults: NewResolver(tree)}
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
		data, err := safefile.ReadLimited(r, StdinName, MaxFileSize)
		ch <- stdinRead{data, err}
	}()
	return ch
}

// stream is the state of one Stream call.
type stream[T any] struct {
	ctx   context.Context
	h     Handler[T]
	fd    *found
	fsys  fs.FS // read instead of the disk when set
	n     int
	stdin <-chan stdinRead
	// defaults finds the chain of _defaults.yaml files of each file.
	defaults *Resolver

	// Workers claim files by an atomic counter rather than receiving them
	// from a feeding goroutine: with a channel, every handover woke a third
	// goroutine on machines with few cores, and the workers waited for it.
	claimed atomic.Int64

	mu      sync.Mutex // guards what follows, with cond
	cond    *sync.Cond
	big     []*bigFile[T] // files that may have groups of documents left
	reading int           // workers reading a file that may yet become big
	waiting int           // workers waiting on cond
	hasBig  atomic.Bool   // len(big) > 0, readable without mu

	joinMu  sync.Mutex
	pending map[int]*joining[T] // files with parts done, waiting for the files before them
	next    int                 // files before next have joined whole
}

// joining is a file whose parts join one by one.
type joining[T any] struct {
	parts map[int]*group[T] // done, not yet joined
	total int               // parts in all, -1 until known
	next  int               // parts before next have joined
	base  int               // documents in the parts joined, empty ones included
	file  File[T]           // the file's index and path
}

// bigFile is a file of more than groupSize documents, decoded by every
// worker, a group of chunks at a time.
type bigFile[T any] struct {
	file  File[T]
	chain *Chain     // of defaults, applied under every document
	mu    sync.Mutex // guards what follows: groups are taken one at a time
	// Either the file's text is in memory, cut into chunks...
	text   []byte
	chunks []chunk
	// ...or it is read a group at a time.
	cut   *cutter
	close func() error
	taken int  // groups taken
	ended bool // no group left
}

// take returns the next group of b: its text and chunks, and a problem that
// ends the file. ok is false once none is left; k is then the number of
// parts the file had.
func (b *bigFile[T]) take() (k int, text []byte, chunks []chunk, problem *diag.Diagnostic, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ended {
		return b.taken, nil, nil, nil, false
	}
	if b.cut == nil {
		from := b.taken * groupSize
		if from >= len(b.chunks) {
			b.ended = true
			return b.taken, nil, nil, nil, false
		}
		b.taken++
		return b.taken - 1, b.text, b.chunks[from:min(from+groupSize, len(b.chunks))], nil, true
	}
	text, chunks, problem, ok = b.cut.next(groupSize)
	if !ok || problem != nil {
		b.ended = true
		if err := b.close(); err != nil && problem == nil && ok {
			d := fileDiag(b.file.Path, "reading: "+describeOpenError(err))
			problem = &d
		}
	}
	if !ok {
		return b.taken, nil, nil, nil, false
	}
	b.taken++
	return b.taken - 1, text, chunks, problem, true
}

// group is what decoding some chunks of a file found.
type group[T any] struct {
	problems []diag.Diagnostic
	docs     []T
	indexes  []int // of docs, counted from the group's first document
	count    int   // documents, empty ones included
}

// work runs tasks until none is left: groups of big files first (a file
// everyone is waiting for), then the next file.
func (s *stream[T]) work() {
	for s.ctx.Err() == nil {
		if s.hasBig.Load() {
			if b := s.firstBig(); b != nil {
				s.runGroup(b)
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

// firstBig returns the first big file that may have groups left.
func (s *stream[T]) firstBig() *bigFile[T] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.big) == 0 {
		return nil
	}
	return s.big[0]
}

// retire removes b from the big files once it has no group left.
func (s *stream[T]) retire(b *bigFile[T]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.big, b); i >= 0 {
		s.big = slices.Delete(s.big, i, i+1)
		s.hasBig.Store(len(s.big) > 0)
	}
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

// streamAt is the size from which a file is read a group of documents at a
// time rather than whole: a file of 10,000 documents then holds no more
// memory than 10,000 files of one.
const streamAt = 256 << 10

// readFile reads file i: a small one is decoded at once; one of many
// documents is handed to every worker, a group at a time.
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
		s.whole(f, group[T]{problems: []diag.Diagnostic{*sp.diag}})
		return
	case sp.defaults:
		f.Defaults = s.defaults.File(path)
		s.whole(f, group[T]{problems: []diag.Diagnostic{{File: path, Severity: diag.Warning, Kind: diag.File,
			Message: "a defaults file holds no job: it is read as the defaults of the manifests in its directory and below; name those instead"}}})
		return
	case sp.stdin:
		var in stdinRead
		select {
		case in = <-s.stdin:
		case <-s.ctx.Done():
			return
		}
		if in.err != nil {
			s.whole(f, group[T]{problems: []diag.Diagnostic{fileDiag(path, describeOpenError(in.err))}})
			return
		}
		data = in.data
	case s.fsys != nil:
		var d *diag.Diagnostic
		if data, d = readFS(s.fsys, s.fd.fsNames[i], path); d != nil {
			s.whole(f, group[T]{problems: []diag.Diagnostic{*d}})
			return
		}
	default:
		var fh *os.File
		var d *diag.Diagnostic
		if data, fh, d = openFile(path, streamAt); d != nil {
			s.whole(f, group[T]{problems: []diag.Diagnostic{*d}})
			return
		}
		if fh != nil {
			s.publish(&bigFile[T]{file: f, cut: newCutter(path, &capped{r: fh, left: MaxFileSize}), close: fh.Close, chain: s.defaults.For(path)})
			return
		}
	}
	chunks, d := prepare(path, data)
	if d != nil {
		s.whole(f, group[T]{problems: []diag.Diagnostic{*d}})
		return
	}
	chain := s.defaults.For(path)
	if len(chunks) <= groupSize {
		s.whole(f, s.decode(path, data, chunks, chain))
		return
	}
	s.publish(&bigFile[T]{file: f, text: data, chunks: chunks, chain: chain})
}

// publish hands a big file to every worker.
func (s *stream[T]) publish(b *bigFile[T]) {
	s.joinMu.Lock()
	s.pending[b.file.Index] = &joining[T]{parts: map[int]*group[T]{}, total: -1, file: b.file}
	s.joinMu.Unlock()
	s.mu.Lock()
	s.big = append(s.big, b)
	s.hasBig.Store(true)
	if s.waiting > 0 {
		s.cond.Broadcast()
	}
	s.mu.Unlock()
}

// decode decodes chunks of one file in order. Documents are numbered from
// 0 within these chunks; the file's numbering is fixed when its parts join.
func (s *stream[T]) decode(path string, data []byte, chunks []chunk, chain *Chain) group[T] {
	var g group[T]
	for _, c := range chunks {
		p, k := decodeChunk(path, data, c, g.count, chain, func(d *Document) {
			g.docs = append(g.docs, s.h.Check(d))
			g.indexes = append(g.indexes, d.Index)
		})
		g.problems = append(g.problems, p...)
		g.count += k
	}
	return g
}

// runGroup takes the next group of a big file, decodes it and lets it join.
func (s *stream[T]) runGroup(b *bigFile[T]) {
	k, text, chunks, problem, ok := b.take()
	if !ok {
		s.retire(b)
		s.done(b.file.Index, -1, k, nil)
		return
	}
	var g group[T]
	if b.cut != nil && len(chunks) > 0 {
		// Read, not checked whole: check each group's text as prepare
		// checks a file's.
		if d := checkText(b.file.Path, text, chunks[0].line); d != nil {
			g.problems = []diag.Diagnostic{*d}
			problem, chunks = nil, nil
			b.mu.Lock()
			b.ended = true // the rest of the file is not text either
			b.mu.Unlock()
		}
	}
	if len(chunks) > 0 {
		g = s.decode(b.file.Path, text, chunks, b.chain)
	}
	if problem != nil {
		g.problems = append(g.problems, *problem)
	}
	s.done(b.file.Index, k, -1, &g)
}

// whole lets a file of one part join.
func (s *stream[T]) whole(f File[T], g group[T]) {
	s.joinMu.Lock()
	s.pending[f.Index] = &joining[T]{parts: map[int]*group[T]{}, total: -1, file: f}
	s.joinMu.Unlock()
	s.done(f.Index, 0, 1, &g)
}

// done records part k of file i (k -1: none), and that the file has total
// parts (-1: not known yet), and joins, in order, every part whose turn has
// come.
func (s *stream[T]) done(i, k, total int, g *group[T]) {
	s.joinMu.Lock()
	defer s.joinMu.Unlock()
	// Every worker that finds a big file's groups all taken says so; the
	// first to say it may already have seen the file join whole.
	if j, ok := s.pending[i]; ok {
		if k >= 0 {
			j.parts[k] = g
		}
		if total >= 0 {
			j.total = total
		}
	}
	for {
		j, ok := s.pending[s.next]
		if !ok {
			return
		}
		for {
			g, ok := j.parts[j.next]
			if !ok {
				break
			}
			delete(j.parts, j.next)
			j.next++
			f := j.file
			f.Problems, f.Docs = g.problems, g.docs
			f.Indexes = make([]int, len(g.indexes))
			for n, i := range g.indexes {
				f.Indexes[n] = j.base + i
			}
			j.base += g.count
			if j.base > MaxDocuments && !slices.Contains(f.Problems, tooManyDocuments(f.Path)) {
				// Only chunks holding several documents each get here:
				// the cut counts chunks, each chunk its own.
				f.Problems = append(f.Problems, tooManyDocuments(f.Path))
				j.base = math.MinInt // said once
			}
			s.h.Join(f)
		}
		if j.total < 0 || j.next < j.total {
			return
		}
		delete(s.pending, s.next)
		s.next++
	}
}
