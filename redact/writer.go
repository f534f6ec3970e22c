package redact

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sync"
)

// maxPending bounds how much of a line without a newline is held back. Past it the
// writer flushes what it safely can, so a progress bar drawn with \r, or a huge
// single line, does not grow memory without bound.
const maxPending = 64 << 10

// stuckLimit is how much text a scan may fail to flush before the writer stops
// rescanning it at every write.
const stuckLimit = 4 << 10

// errClosed is returned by Write after Close.
var errClosed = errors.New("redact: write after Close")

// Writer returns a line-buffered writer that writes to w what it is given, with
// secrets masked as String does.
//
// Text is held until a newline arrives, so a secret split across two Write calls
// within one line is still masked. Text that could be the start of a secret that
// itself spans a newline (a PEM key, say), in any reading, is held back too,
// until it is clear whether the secret follows, and so is an escape sequence the
// pending text ends in (a trailing \u00 or &#x2 when a line longer than 64 KiB
// is flushed before its newline). What the writer prints is exactly what String
// prints for all the text written, however it is split into writes. Close
// flushes what is left; it does not close w, which is usually os.Stderr or a
// buffer the caller still owns. The writer is safe for concurrent use; lines
// from concurrent writers may interleave at Write boundaries, as with any
// io.Writer.
//
// When r is nil or holds no secrets, the writer passes writes straight through.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	if r == nil || r.ac == nil {
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
	retry  int    // do not scan again before buf is this long
	m      marks  // scratch of the last scan, reused
	out    bytes.Buffer
	err    error // first error from w; sticky, like bufio.Writer
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
	// Scan only when a line may have ended, or the pending text is too long:
	// a scan reads all of it, and a program writing one byte at a time would
	// otherwise pay for the whole line at every byte.
	if len(w.buf) < w.retry || bytes.IndexByte(p, '\n') < 0 && len(w.buf) <= maxPending {
		return len(p), nil
	}
	end := bytes.LastIndexByte(w.buf, '\n') + 1
	if len(w.buf) > maxPending {
		end = len(w.buf)
	}
	text := string(w.buf)
	cut := w.safeCut(text, end)
	if cut > 0 {
		if err := w.emit(text[:cut], w.m.flags[:cut]); err != nil {
			return len(p), err
		}
		n := copy(w.buf, w.buf[cut:])
		w.buf = w.buf[:n]
	}
	// What the scan could not cut off before end is normally short: the start
	// of a secret that may go on, or one occurrence. Only a run of covered
	// text can keep much more (a secret repeated without a break, a one-letter
	// secret in a line made of it, newlines that are secrets). Scanning it
	// again at every write would take time quadratic in its length, so then
	// wait until the pending text has doubled.
	w.retry = 0
	if end-cut > max(stuckLimit, 2*w.r.ac.maxLen) {
		w.retry = 2 * len(w.buf)
	}
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
	_, err := io.WriteString(w.w, w.r.String(string(w.buf)))
	if err != nil {
		w.err = err
	}
	w.buf = nil
	return err
}

// emit writes text masked by flags, which a scan of the pending text made.
func (w *writer) emit(text string, flags []uint8) error {
	var err error
	if !slices.ContainsFunc(flags, func(f uint8) bool { return f&covered != 0 }) {
		_, err = io.WriteString(w.w, text)
	} else {
		w.out.Reset()
		writeMasked(&w.out, text, flags)
		_, err = w.w.Write(w.out.Bytes())
	}
	if err != nil {
		w.err = err
	}
	return err
}

// safeCut returns the largest n <= limit such that text[:n] can be masked and
// written now without ever exposing part of a secret, and leaves in w.m the
// flags of text, which are final before n:
//   - n is at or before the hold point of every reading (see automaton.scan):
//     no secret can start before n and end in text not yet written, and no
//     escape before n can still change its reading;
//   - n does not split an escape sequence of any reading, so text[:n] and what
//     follows read as they do together;
//   - the byte before n is not covered: a covered run that crosses n, or ends
//     there, goes out whole in a later flush, together with any occurrence
//     that starts right after it in text not yet written, as one Mask.
//
// So what the writer prints is exactly what String prints for the whole text.
// The price is that a line ending inside a secret (one that ends with a
// newline) waits for the next write or Close.
func (w *writer) safeCut(text string, limit int) int {
	a := w.r.ac
	w.m.reset(len(text), a)
	cut := min(limit, a.scan(text, &w.m, false))
	f := w.m.flags
	for cut > 0 && (cut < len(f) && f[cut]&inside != 0 || f[cut-1]&covered != 0) {
		cut--
	}
	return cut
}
