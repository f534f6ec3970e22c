// Package clock holds the one way this program waits: a sleep that ends early
// when its context does, so that no wait outlives a cancelled run; and Clock,
// the time a component reads and waits on, so that tests can give it a fake
// one (or run it in testing/synctest's virtual time with System).
package clock

import (
	"context"
	"time"
)

// Sleep waits for d or until ctx is done, returning ctx.Err() then. A
// non-positive d returns at once (with ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Clock is the time a component reads and waits on.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

// System is the machine's clock.
type System struct{}

// Now is time.Now.
func (System) Now() time.Time { return time.Now() }

// Sleep is the package's Sleep.
func (System) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// NowFunc is the machine's clock told the time by a function: it sleeps as
// System does, and Now calls the function (a run's injected "now").
type NowFunc func() time.Time

// Now calls f.
func (f NowFunc) Now() time.Time { return f() }

// Sleep is the package's Sleep.
func (NowFunc) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }
