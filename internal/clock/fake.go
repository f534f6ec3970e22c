package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a Clock for tests: Sleep moves its time forward at once, unless
// ctx is done, and records the delay. It is safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewFake returns a Fake whose time starts at now.
func NewFake(now time.Time) *Fake { return &Fake{now: now} }

// Now is the fake's time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the fake's time forward by d at once and records d; it
// returns ctx.Err() without doing so when ctx is done.
func (c *Fake) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// Sleeps are the delays slept so far, in order.
func (c *Fake) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
