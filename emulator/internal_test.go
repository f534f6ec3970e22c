package emulator

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// An hour-long sleep returns at once when the request is gone; were it not
	// honoured, this test would hang rather than fail.
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep with a cancelled context: %v, want context.Canceled", err)
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Errorf("sleep(0): %v", err)
	}
}
