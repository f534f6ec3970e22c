package apiclient

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/internal/ascii"
)

// ParseRetryAfter reads a Retry-After header value: delay-seconds ("120") or an
// HTTP-date, which is measured from now. It reports false for an empty or
// malformed value, including negative or fractional seconds, which RFC 9110 does
// not allow. A date in the past means no wait. A number of seconds too large for
// a time.Duration saturates at the largest Duration.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if ascii.IsDigits(value) {
		secs, err := strconv.ParseUint(value, 10, 64)
		if err != nil || secs > uint64(math.MaxInt64/int64(time.Second)) {
			// Only overflow gets here: all digits, too many of them.
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
