package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// Edge is where a run's output meets its secrets: a command builds one, with
// its streams and its report options (the mask of every secret of the run),
// and everything it prints that is not a report goes through it: the status
// table, the live count of a wait, the message of an exit. Nothing else
// holds the mask: the HTTP client returns data and errors as they came, and
// they are masked here, once, on the way out.
type Edge struct {
	Streams
	Options
}

// NewEdge returns the edge of a run.
func NewEdge(s Streams, o Options) *Edge { return &Edge{Streams: s, Options: o} }

func (e *Edge) scrub() scrub { return scrub{e.Redact} }

// Message is fmt.Sprintf of format and args for stderr: masked, then
// escaped. An error among args is rendered first as render does, so an
// answer from the server inside it is masked as it came, before it was cut
// (masking the whole again changes nothing: a mask holds no secret).
func (e *Edge) Message(format string, args ...any) string {
	sc := e.scrub()
	rendered := make([]any, len(args))
	for i, a := range args {
		if err, ok := a.(error); ok && err != nil {
			a = sc.render(err)
		}
		rendered[i] = a
	}
	return printable.Escape(sc.masked(fmt.Sprintf(format, rendered...)))
}

// Status renders the rows of `daestro-jobs status` in format f (see Status).
func (e *Edge) Status(f Format, rows []StatusRow) error {
	p, ok := build(statusTable(), f, e.Streams, e.Options)
	if !ok {
		return unknownFormat{StatusCommand, f}.status(rows)
	}
	return p.status(rows)
}

// WaitProgress renders the live count of a wait (see waitProgress).
func (e *Edge) WaitProgress(latest []api.Detail) string { return waitProgress(e.scrub(), latest) }

// ServerText is an error holding a server's words as they came, which it
// renders for people with a mask applied to each of them first, before it
// reads, folds or cuts them (apiclient.APIError). report knows it by this
// method alone: rendering needs no HTTP.
type ServerText interface {
	error
	Text(mask func(string) string) string
}

// render is an error's text with every secret masked: a ServerText is
// rendered by its Text with the mask, so the server's words are masked as
// they came, before they are read as HTML, folded or cut; an error wrapping
// one has its own words masked around it.
func (s scrub) render(err error) string {
	if st, ok := err.(ServerText); ok {
		return st.Text(s.red.String)
	}
	var ae ServerText
	msg := err.Error()
	if !errors.As(err, &ae) {
		return s.masked(msg)
	}
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	var b strings.Builder
	rest := msg
	for _, in := range inner {
		if in == nil {
			continue
		}
		m := in.Error()
		i := strings.Index(rest, m)
		if i < 0 {
			continue
		}
		b.WriteString(s.masked(rest[:i]))
		b.WriteString(s.render(in))
		rest = rest[i+len(m):]
	}
	b.WriteString(s.masked(rest))
	return b.String()
}

// errMasked is why something failed, masked only (for encoders that escape
// the rest): err rendered when there is one, else text, which is ours.
func (s scrub) errMasked(err error, text string) string {
	if err != nil {
		return s.render(err)
	}
	return s.masked(text)
}

// errMessage is errMasked escaped and cut to a readable length.
func (s scrub) errMessage(err error, text string) string {
	return printable.Clip(printable.Escape(s.errMasked(err, text)), maxError)
}
