package schedule

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// strictRFC3339 is the shape our RFC 3339 parser and the standard library's
// fast path agree on: upper-case T and Z, two-digit fields, colon offset.
// (time.Parse itself is laxer, e.g. one-digit hours, so it is only an
// oracle for inputs of exactly this shape.)
var strictRFC3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// FuzzParse checks, for any input:
//   - Parse never panics and every error is a well-formed *Error;
//   - a result lies in years 0000-9999 UTC, and Format(t) is Layout that
//     time.Parse(Layout) reads back as t truncated to milliseconds;
//   - Parse accepts its own output, Format(t), as the same instant;
//   - a strict RFC 3339 input means what the standard library says it means;
//   - a wall-clock result really reads as the written wall clock in its zone.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2026-11-29T02:00:00Z", "2026-11-29T03:00:00+01:00", "2026-11-29T02:00:00.5Z",
		"2026-11-29t02:00:00z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2016-12-31T23:59:60Z", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z",
		"1764381600", "1764381600000", "99999999999", "100000000000", "01764381600", "1.7e9", "0x10", "1_000", "-1",
		"+90s", "+15m", "+1h30m", "+2d", "+1d12h", "+0s", "+", "+5", "+1x", "+1m1h", "+99999999999d",
		"2026-11-29 02:00 Europe/Berlin", "2026-11-29 02:00:30 America/New_York", "2026-11-29 02:00 UTC",
		"2026-03-29 02:30 Europe/Berlin", "2026-10-25 02:30 Europe/Berlin", "2026-04-05 01:45 Australia/Lord_Howe",
		"2011-12-30 12:00 Pacific/Apia", "2026-11-29 02:00 Mars/Olympus", "2026-11-29 02:00 Local",
		"", " ", "tomorrow",
	} {
		f.Add(s, false)
	}
	for _, s := range []string{"1764381600", "-5", "+5", "1.5", ".inf", "0o17", "18446744073709551616"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, isNumber bool) {
		v, err := Parse(raw, isNumber, testNow)
		if err != nil {
			checkErrorText(t, err)
			var e *Error
			errors.As(err, &e)
			if (e.Kind == KindAmbiguous) != (len(e.Candidates) > 1) {
				t.Fatalf("Parse(%q): kind %v with %d candidates", raw, e.Kind, len(e.Candidates))
			}
			oracleMustFail(t, raw, isNumber)
			return
		}
		if v.Location() != time.UTC {
			t.Fatalf("Parse(%q) = %v, not in UTC", raw, v)
		}
		if y := v.Year(); y < 0 || y > 9999 {
			t.Fatalf("Parse(%q) = %v, outside years 0000-9999", raw, v)
		}
		want := truncMilli(v)
		out := Format(v)
		back, err := time.Parse(Layout, out)
		if err != nil || !back.Equal(want) {
			t.Fatalf("Parse(%q) = %v; time.Parse(Layout, %q) = %v, %v; want %v", raw, v, out, back, err, want)
		}
		again, err := Parse(out, false, testNow)
		if err != nil || !again.Equal(want) {
			t.Fatalf("Parse(%q) = %v; Parse(Format = %q) = %v, %v; want %v", raw, v, out, again, err, want)
		}
		oracleMustAgree(t, raw, isNumber, v)
	})
}

// oracleMustFail: when Parse rejects a strict RFC 3339 text, the standard
// library must reject it too or place it outside the years 0000-9999 UTC.
func oracleMustFail(t *testing.T, raw string, isNumber bool) {
	s := strings.TrimSpace(raw)
	if isNumber || !strictRFC3339.MatchString(s) || !offsetInRange(s) {
		return
	}
	std, err := time.Parse(time.RFC3339Nano, s)
	if err == nil && std.UTC().Year() >= 0 && std.UTC().Year() <= 9999 {
		t.Fatalf("Parse(%q) failed but time.Parse gives %v", raw, std)
	}
}

// oracleMustAgree checks a successful result against an independent reading.
func oracleMustAgree(t *testing.T, raw string, isNumber bool, v time.Time) {
	s := strings.TrimSpace(raw)
	if isNumber {
		return
	}
	if strictRFC3339.MatchString(s) {
		std, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !std.Equal(v) {
			t.Fatalf("Parse(%q) = %v; time.Parse = %v, %v", raw, v, std, err)
		}
		return
	}
	fields := strings.Fields(s)
	if len(fields) != 3 {
		return
	}
	loc, err := time.LoadLocation(fields[2])
	if err != nil {
		t.Fatalf("Parse(%q) succeeded but zone %q does not load: %v", raw, fields[2], err)
	}
	layout := "2006-01-02 15:04"
	if len(fields[1]) == len("15:04:05") {
		layout = "2006-01-02 15:04:05"
	}
	if got, want := v.In(loc).Format(layout), fields[0]+" "+fields[1]; got != want {
		t.Fatalf("Parse(%q) = %v, which reads %q in %v", raw, v, got, loc)
	}
}

// offsetInRange reports whether a strict RFC 3339 text's offset is within
// ±23:59, which RFC 3339 requires and time.Parse's slow path does not check.
func offsetInRange(s string) bool {
	if strings.HasSuffix(s, "Z") {
		return true
	}
	h, _ := strconv.Atoi(s[len(s)-5 : len(s)-3])
	m, _ := strconv.Atoi(s[len(s)-2:])
	return h <= 23 && m <= 59
}
