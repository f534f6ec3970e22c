package emulator

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ParseLatency reads the CLI's --latency value: a duration ("100ms"), or a
// range ("100ms-300ms") meaning a uniform delay in [min, max). It returns the
// minimum and the jitter (max - min), ready for Options.Latency and
// Options.LatencyJitter. Empty means no latency.
func ParseLatency(s string) (minimum, jitter time.Duration, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	minimum, err = parseDelay(lo)
	if err != nil {
		return 0, 0, fmt.Errorf("latency %q: %w", s, err)
	}
	if !isRange {
		return minimum, 0, nil
	}
	maximum, err := parseDelay(hi)
	if err != nil {
		return 0, 0, fmt.Errorf("latency %q: %w", s, err)
	}
	if maximum < minimum {
		return 0, 0, fmt.Errorf("latency %q: the maximum is below the minimum", s)
	}
	return minimum, maximum - minimum, nil
}

// parseDelay parses one non-negative duration.
func parseDelay(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, errors.New("want a duration such as 100ms or a range such as 100ms-300ms")
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}
