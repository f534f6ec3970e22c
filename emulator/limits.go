package emulator

// The limits that make the emulator a server that a hostile or broken client
// cannot exhaust. Before them, 500 concurrent clients each sending a 1 MB body
// took the process to 3.4 GB: every handler read its body with io.ReadAll,
// whose doubling growth allocates about twice the body, and nothing bounded
// how many did so at once. Memory is now bounded by three numbers:
//
//   - MaxBodySize (64 KiB) per body. Job Submit bodies are a few KB: a job
//     with dozens of environment variables and a long command stays under
//     8 KiB, so 64 KiB leaves ample room for any real job. It is not larger
//     because of what a body costs once read: decoding JSON into values
//     takes several times its size (a 64 KiB array of 30,000 numbers is
//     30,000 values), and the cost grows with the cap. The checks themselves
//     keep ten messages and count the rest (request.go). A larger body is
//     answered 413, and what is left of it is read and thrown away, never
//     kept (refuse).
//   - maxBodies (128) bodies in memory at once, each read into one buffer
//     sized by its Content-Length, or by the cap when it is chunked: 8 MiB
//     at most. A body slot is held from before the body is read until the
//     answer. A request that finds every slot taken waits, until its body
//     deadline: a burst from a client with more requests in flight than slots
//     is then served late rather than refused, which is what a test expects of
//     a server, and a waiting request holds no body (its bytes wait in the
//     kernel's socket buffers). Only one still waiting at its deadline is
//     answered 503 with Retry-After, which every client retries. Requests
//     without a body (Job Detail) take no slot.
//   - maxParses (1) validation at a time: a body of a few KB decodes and is
//     checked in tens of microseconds, so taking turns costs a well-behaved
//     client nothing it would notice, while the costliest body under the cap
//     takes megabytes to decode, and one at a time bounds that to one.
//
// TestMemoryUnderHostileLoad measures the result in a child process: 500
// concurrent 1 MiB bodies and 20 costly bodies under the cap peak at about
// 31 MB of RSS (7 MB at rest); it was about 50 MB while the emulator
// validated with the CLI's JSON Schema, which wrote a message per problem.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// MaxBodySize is the largest request body the emulator accepts, in bytes. A
// larger one is answered 413 in the API's error shape; one that declares a
// larger Content-Length is refused without waiting for a slot or a buffer.
const MaxBodySize = 64 << 10

const (
	// maxBodies is how many request bodies are held in memory at once.
	maxBodies = 128
	// maxParses is how many submits are validated at once.
	maxParses = 1
	// defaultBodyTimeout is Options.BodyTimeout's default: 64 KiB arrives in
	// well under a second on any link a person would test with; ten seconds
	// leaves room for a loaded machine without letting a trickling client
	// hold a body slot for long.
	defaultBodyTimeout = 10 * time.Second
)

// readBody reads r's body under the emulator's limits. It answers the request
// itself and returns ok false when the body is too large, too slow, or cannot
// be given a slot in time, and when the client went away. Otherwise release
// frees the body slot, and must be called once the answer is written.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	if r.ContentLength == 0 {
		return nil, func() {}, true
	}
	if r.ContentLength > MaxBodySize {
		// Refused on its declared length, before it takes a slot or a
		// buffer: what arrives of it is thrown away (refuse).
		s.refuse(w, r, true, http.StatusRequestEntityTooLarge, tooLarge)
		return nil, nil, false
	}
	// The deadline is set here, in the handler, rather than only as the
	// http.Server's ReadTimeout, so that it holds for every server that
	// mounts the handler (httptest included), and so that it covers the wait
	// for a slot: a request gets one budget for both.
	//
	// The error is ignored: it comes only where there is no connection to
	// time out (an httptest.ResponseRecorder). Once the body has been read
	// to its end, net/http lifts the deadline itself, to watch the
	// connection for the client leaving, so it cannot cut a long latency.
	deadline := time.Now().Add(s.opts.BodyTimeout)
	http.NewResponseController(w).SetReadDeadline(deadline)
	release, err := s.acquireBody(r, deadline)
	if err != nil {
		if r.Context().Err() != nil {
			s.logf("%s abandoned by the client while waiting for a body slot", requestLine(r))
			return nil, nil, false
		}
		s.mu.Lock()
		s.stats.Busy++
		s.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		s.refuse(w, r, true, http.StatusServiceUnavailable,
			fmt.Sprintf("the emulator is busy: %d request bodies are being handled; retry later", maxBodies))
		return nil, nil, false
	}
	// One allocation, sized by the declared length or the cap: never the
	// doubling of io.ReadAll. The extra byte lets the read see the end of
	// the body (EOF) within the buffer, which is also what tells net/http
	// to start watching the connection for the client going away.
	size := MaxBodySize + 1
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1
	}
	body, err = readAll(http.MaxBytesReader(w, r.Body, MaxBodySize), make([]byte, size))
	if err != nil {
		release()
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			s.refuse(w, r, true, http.StatusRequestEntityTooLarge, tooLarge)
		case errors.Is(err, os.ErrDeadlineExceeded):
			// No lingering: this client is the slow one.
			s.refuse(w, r, false, http.StatusRequestTimeout,
				fmt.Sprintf("request body not received within %v", s.opts.BodyTimeout))
		default:
			s.logf("%s abandoned by the client while sending: %v", requestLine(r), err)
		}
		return nil, nil, false
	}
	return body, release, true
}

// refuse answers a request whose body the emulator will not use, and closes
// the connection after the answer.
//
// If linger, what is left of the body is then read and thrown away, up to
// maxLinger bytes and for at most BodyTimeout, as nginx's lingering close
// does: most clients write their whole body before they read the answer, and
// closing a connection with unread data in it makes the kernel send a reset,
// which can destroy the answer before the client reads it. The answer goes
// first, so a client that reads while it writes learns at once. A client that
// asked to be told before sending (Expect: 100-continue) is not read, and
// one that announced more than maxLinger is cut off: nothing legitimate sends
// this API that much.
//
// A read deadline in the past then stops net/http from reading more of the
// body on its own (up to 256 KiB, to keep the connection), which would wait
// for as long as a trickling client takes to send it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, linger bool, status int, msg string) {
	rc := http.NewResponseController(w)
	linger = linger && r.ContentLength <= maxLinger && !strings.EqualFold(r.Header.Get("Expect"), "100-continue")
	if linger {
		// Without it, net/http would read (or give up on) the rest of
		// the body itself before writing the answer.
		rc.EnableFullDuplex()
	}
	w.Header().Set("Connection", "close")
	s.fail(w, r, status, msg)
	if linger {
		rc.Flush()
		rc.SetReadDeadline(time.Now().Add(s.opts.BodyTimeout))
		io.Copy(io.Discard, io.LimitReader(r.Body, maxLinger))
	}
	rc.SetReadDeadline(time.Now())
}

// maxLinger is how much of a refused body is read and thrown away so that the
// client gets its answer: enough for a mistake (a job carrying a few
// megabytes of inline data), and a cost in bandwidth only, as it goes through
// io.Discard's small buffers and is never kept.
const maxLinger = 4 << 20

// tooLarge is the 413 message.
var tooLarge = fmt.Sprintf("request body larger than %d bytes", MaxBodySize)

// acquireBody takes a body slot, waiting until deadline at the latest. The
// error is the request's context error when the client left, or
// os.ErrDeadlineExceeded.
func (s *Server) acquireBody(r *http.Request, deadline time.Time) (release func(), err error) {
	release = func() { <-s.bodies }
	select {
	case s.bodies <- struct{}{}:
		return release, nil
	default:
	}
	if s.waiting != nil {
		s.waiting()
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s.bodies <- struct{}{}:
		return release, nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	case <-t.C:
		return nil, os.ErrDeadlineExceeded
	}
}

// readAll reads r until EOF into buf, which must be larger than anything r
// can return; r is a MaxBytesReader, which fails before that.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
	// Only a Content-Length the body did not honour gets here, which
	// net/http does not allow.
	return nil, errors.New("request body longer than its Content-Length")
}

// NewHTTPServer returns the http.Server that `daestro-jobs emulator` serves h
// with: the emulator's handler limits bodies itself, and the server adds the
// limits only a server can set, on what comes before and after a request.
//
//   - ReadHeaderTimeout 10s: a client has ten seconds to send its request
//     line and headers, so a connection that never sends them is closed.
//   - ReadTimeout 1m: a backstop for reading a whole request. The emulator's
//     handler replaces it with Options.BodyTimeout for the body. It does not
//     cut a long --latency: net/http lifts it once the request is read.
//   - IdleTimeout 2m: a kept-alive connection is closed after two idle minutes.
//   - MaxHeaderBytes 16 KiB: the CLI sends under 1 KiB of headers; nginx's
//     default allows 8 KiB per line. A larger request is answered 431 by
//     net/http, before the handler.
//   - DisableGeneralOptionsHandler: "OPTIONS *" reaches the handler, which
//     answers 404 in the API's shape like any other unknown request.
//
// There is no WriteTimeout: answers are a few hundred bytes that fit in the
// socket's buffer, and a deadline on writing would cut an injected latency
// that is longer than it.
//
// ErrorLog is left nil (net/http's default logger) for the caller to set.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,

		DisableGeneralOptionsHandler: true,
	}
}
