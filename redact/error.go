package redact

import (
	"errors"
	"fmt"
	"reflect"
)

// Error returns an error whose Error text is err's text with every secret masked.
// It returns nil for a nil err, and err itself when r is nil or holds no secrets
// (there is nothing to scrub).
//
// Unwrap is provided, but it never hands out an original error: it returns the
// next error of the chain, scrubbed the same way. So errors.Unwrap, %v of any
// link, and code that walks the chain can only ever see masked text.
//
// errors.Is keeps working: each scrubbed link reports whether its original is
// the target (or says so through its own Is method). That answer is a bool and
// cannot leak anything.
//
// errors.As does not reach the original types, deliberately. A value found by As
// is the original value, and its fields are exactly where secrets live
// (*url.Error's URL, an API error's Message); handing it out is the accident this
// type exists to prevent. Classify an error before scrubbing it, or scrub typed
// errors field by field (package submit does so for its *APIError).
func (r *Redactor) Error(err error) error {
	if err == nil || r == nil || r.ac == nil {
		return err
	}
	return r.scrubErr(err)
}

func (r *Redactor) scrubErr(err error) error {
	s := scrubbed{r: r, orig: err, msg: r.String(err.Error())}
	// A type cannot have both Unwrap methods, hence two wrapper types: one for
	// ordinary chains and one for errors.Join and fmt.Errorf with several %w.
	if _, ok := err.(interface{ Unwrap() []error }); ok {
		return &scrubbedMulti{s}
	}
	return &scrubbedOne{s}
}

// scrubbed is one link of a scrubbed chain. orig is never returned to callers.
type scrubbed struct {
	r    *Redactor
	orig error
	msg  string
}

func (e *scrubbed) Error() string { return e.msg }

// Is compares only this link's original with target; errors.Is walks the rest of
// the chain through Unwrap, which yields the scrubbed next link.
func (e *scrubbed) Is(target error) bool {
	if target == nil {
		return false
	}
	// Same guard as errors.Is: == on two interfaces holding the same
	// uncomparable type would panic.
	if reflect.TypeOf(target).Comparable() && e.orig == target {
		return true
	}
	if x, ok := e.orig.(interface{ Is(error) bool }); ok {
		return x.Is(target)
	}
	return false
}

// GoString keeps %#v from printing the original error stored in the struct.
func (e *scrubbed) GoString() string {
	return fmt.Sprintf("redact.Error(%q)", e.msg)
}

type scrubbedOne struct{ scrubbed }

// Unwrap returns the next link of the original chain, scrubbed.
func (e *scrubbedOne) Unwrap() error {
	next := errors.Unwrap(e.orig)
	if next == nil {
		return nil
	}
	return e.r.scrubErr(next)
}

type scrubbedMulti struct{ scrubbed }

// Unwrap returns the original's wrapped errors, each scrubbed.
func (e *scrubbedMulti) Unwrap() []error {
	var out []error
	for _, next := range e.orig.(interface{ Unwrap() []error }).Unwrap() {
		if next != nil {
			out = append(out, e.r.scrubErr(next))
		}
	}
	return out
}
