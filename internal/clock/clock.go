// Package clock holds the one way this program waits: a sleep that ends early
// when its context does, so that no wait outlives a cancelled run.
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
