package redact

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// maxPending bounds how much of a line without a newline is held back. Past it the
// writer flushes what it safely can, so a progress bar drawn with \r, or a huge
// single line, does not grow memory without bound.
const maxPending = 64 << 10

// errClosed is returned by Write after Close.
var errClosed = errors.New("redact: write after Close")

// Writer returns a line-buffered writer that writes to w what it is given, with
// secrets masked as String does.
//
// Text is held until a newline arrives, so a secret split across two Write calls
// within one line is still masked. Text that could be the start of a secret that
// itself spans a newline (a PEM key, say) is held back too, until it is clear
// whether the secret follows. Close flushes what is left; it does not close w,
// which is usually os.Stderr or a buffer the caller still owns. The writer is safe
// for concurrent use; lines from concurrent writers may interleave at Write
// boundaries, as with any io.Writer.
//
// When r is nil or holds no secrets, the writer passes writes straight through.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	if r == nil || len(r.forms) == 0 {
		return nopCloser{w}
	}
	return &writer{r: r, w: w}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

type writer struct {
	r *Redactor
	w io.Writer

	mu     sync.Mutex
	buf    []byte // accepted but not yet written
	err    error  // first error from w; sticky, like bufio.Writer
	closed bool
}

// Write accepts all of p. An error reports a failure to write earlier, complete
// lines to the underlying writer; after one, every Write fails.
func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, errClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	w.buf = append(w.buf, p...)
	end := bytes.LastIndexByte(w.buf, '\n') + 1
	if len(w.buf) > maxPending {
		end = len(w.buf)
	}
	if end == 0 {
		return len(p), nil
	}
	cut := w.r.safeCut(w.buf, end)
	if cut == 0 {
		return len(p), nil
	}
	if err := w.emit(w.buf[:cut]); err != nil {
		return len(p), err
	}
	n := copy(w.buf, w.buf[cut:])
	w.buf = w.buf[:n]
	return len(p), nil
}

// Close writes whatever is still held, masked. It is safe to call more than once.
func (w *writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	err := w.emit(w.buf)
	w.buf = nil
	return err
}

func (w *writer) emit(b []byte) error {
	_, err := io.WriteString(w.w, w.r.String(string(b)))
	if err != nil {
		w.err = err
	}
	return err
}

// safeCut returns the largest n <= limit such that b[:n] can be masked and written
// now without ever exposing part of a secret: no occurrence of a form crosses n,
// and nothing from n on could still grow into an occurrence once more text
// arrives.
func (r *Redactor) safeCut(b []byte, limit int) int {
	cut := limit
	for _, f := range r.forms {
		// The earliest p whose tail b[p:] is a proper prefix of f: an occurrence
		// of f might start there and end in text not yet written.
		for p := max(0, len(b)-len(f)+1); p < cut; p++ {
			if f[:len(b)-p] == string(b[p:]) {
				cut = p
				break
			}
		}
	}
	if cut == 0 {
		return 0
	}
	// A complete occurrence that crosses cut must go out whole, in a later flush.
	covered := r.cover(string(b))
	if covered != nil && cut < len(b) && covered[cut] {
		for cut > 0 && covered[cut-1] {
			cut--
		}
	}
	return cut
}
