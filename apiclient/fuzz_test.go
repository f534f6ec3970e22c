package apiclient

import (
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/internal/ascii"
)

// FuzzClassify checks IsNameTaken on arbitrary messages: it never panics, 409 is
// always taken, statuses other than 400 and 409 never are, the default pattern
// ignores ASCII case, and a message that contains a known phrase is taken
// whatever surrounds it.
func FuzzClassify(f *testing.F) {
	f.Add(400, "job name already exists", uint(0))
	f.Add(409, "", uint(0))
	f.Add(400, "invalid job_queue", uint(3))
	f.Add(400, "Name has already been taken", uint(5))
	f.Add(500, "duplicate", uint(1))
	f.Add(400, "UNIQUE constraint failed: jobs.name", uint(9))
	f.Add(400, "\xff\xfe already\u00a0exists", uint(2))
	def := regexp.MustCompile(DefaultDuplicatePattern)
	f.Fuzz(func(t *testing.T, status int, msg string, at uint) {
		got := IsNameTaken(status, msg, "", nil)
		switch status {
		case http.StatusConflict:
			if !got {
				t.Fatalf("409 not taken")
			}
		case http.StatusBadRequest:
			if got != (def.MatchString(msg) && aboutName(msg, "")) {
				t.Fatalf("nil pattern differs from the default for %q", msg)
			}
			if IsNameTaken(status, asciiUpper(msg), "", nil) != got || IsNameTaken(status, asciiLower(msg), "", nil) != got {
				t.Fatalf("case changes the answer for %q", msg)
			}
			// Spaces around the phrase keep \b satisfied whatever the
			// neighbours are.
			cut := int(at % uint(len(msg)+1))
			withPhrase := msg[:cut] + " name already exists " + msg[cut:]
			if !IsNameTaken(status, withPhrase, "", nil) {
				t.Fatalf("%q contains the phrase but is not taken", withPhrase)
			}
		default:
			if got {
				t.Fatalf("status %d classified as taken", status)
			}
		}
	})
}

func asciiUpper(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// FuzzParseRetryAfter checks the parser on arbitrary values (no panic, never a
// negative delay, a rejected value gives 0) and round trips: n seconds written as
// delay-seconds or as an HTTP-date n seconds from now both read back as n.
func FuzzParseRetryAfter(f *testing.F) {
	f.Add("120", uint32(120))
	f.Add("Sat, 28 Nov 2026 12:00:30 GMT", uint32(30))
	f.Add("-1", uint32(0))
	f.Add("99999999999999999999", uint32(1))
	f.Add("Saturday, 28-Nov-26 12:01:00 GMT", uint32(86400))
	f.Add("Sat Nov 28 12:00:10 2026", uint32(7))
	f.Add("1e3", uint32(5))
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string, secs uint32) {
		d, ok := ParseRetryAfter(value, now)
		if d < 0 {
			t.Fatalf("%q: negative delay %v", value, d)
		}
		if !ok && d != 0 {
			t.Fatalf("%q: rejected but delay %v", value, d)
		}
		if trimmed := strings.TrimSpace(value); ascii.IsDigits(trimmed) {
			n, err := strconv.ParseUint(trimmed, 10, 64)
			want := time.Duration(math.MaxInt64)
			if err == nil && n <= math.MaxInt64/uint64(time.Second) {
				want = time.Duration(n) * time.Second
			}
			if !ok || d != want {
				t.Fatalf("%q = %v, %v; want %v", value, d, ok, want)
			}
		}
		want := time.Duration(secs) * time.Second
		if d, ok := ParseRetryAfter(strconv.FormatUint(uint64(secs), 10), now); !ok || d != want {
			t.Fatalf("%d seconds read back as %v, %v", secs, d, ok)
		}
		date := now.Add(want).Format(http.TimeFormat)
		if d, ok := ParseRetryAfter(date, now); !ok || d != want {
			t.Fatalf("%q read back as %v, %v; want %v", date, d, ok, want)
		}
	})
}
