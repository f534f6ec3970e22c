package schedule

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// testNow is the injected "now" of every test: a fixed instant with a
// sub-millisecond fraction, so relative results show that it is carried.
var testNow = time.Date(2026, 6, 15, 12, 34, 56, 789123456, time.UTC)

// at parses an RFC 3339 time for expectations; it is the standard library,
// not the code under test.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad expectation %q: %v", s, err)
	}
	return v
}

// outcome is what a Parse call is compared on. cmp compares time.Time with
// its Equal method, so locations do not matter, instants do.
type outcome struct {
	Time       time.Time
	Kind       Kind
	Candidates []time.Time
}

func run(raw string, isNumber bool) (outcome, error) {
	v, err := Parse(raw, isNumber, testNow)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return outcome{}, err
		}
		return outcome{Kind: e.Kind, Candidates: e.Candidates}, err
	}
	return outcome{Time: v}, nil
}

func TestParse(t *testing.T) {
	type tc struct {
		name     string
		in       string
		isNumber bool
		want     string   // RFC 3339 instant expected on success
		kind     Kind     // expected error kind; 0 means success
		cands    []string // for KindAmbiguous: the candidate instants
		msg      []string // substrings the error text must contain
	}
	tests := []tc{
		// RFC 3339.
		{name: "rfc3339 Z", in: "2026-11-29T02:00:00Z", want: "2026-11-29T02:00:00Z"},
		{name: "rfc3339 positive offset", in: "2026-11-29T03:00:00+01:00", want: "2026-11-29T02:00:00Z"},
		{name: "rfc3339 negative half-hour offset", in: "2026-11-28T20:30:00-05:30", want: "2026-11-29T02:00:00Z"},
		{name: "rfc3339 -00:00 is UTC", in: "2026-11-29T02:00:00-00:00", want: "2026-11-29T02:00:00Z"},
		{name: "rfc3339 largest offset", in: "2026-11-30T01:59:00+23:59", want: "2026-11-29T02:00:00Z"},
		{name: "rfc3339 offset crosses date", in: "2026-01-01T00:30:00+01:00", want: "2025-12-31T23:30:00Z"},
		{name: "fraction one digit", in: "2026-11-29T02:00:00.5Z", want: "2026-11-29T02:00:00.5Z"},
		{name: "fraction nanoseconds", in: "2026-11-29T02:00:00.123456789Z", want: "2026-11-29T02:00:00.123456789Z"},
		{name: "fraction beyond nanoseconds is dropped", in: "2026-11-29T02:00:00.1234567899999Z", want: "2026-11-29T02:00:00.123456789Z"},
		{name: "fraction with offset", in: "2026-11-29T03:00:00.25+01:00", want: "2026-11-29T02:00:00.25Z"},
		{name: "lower-case t and z", in: "2026-11-29t02:00:00z", want: "2026-11-29T02:00:00Z"},
		{name: "lower-case t with offset", in: "2026-11-29t03:00:00+01:00", want: "2026-11-29T02:00:00Z"},
		{name: "surrounding white space trimmed", in: " \t2026-11-29T02:00:00Z\r\n", want: "2026-11-29T02:00:00Z"},
		{name: "leap day", in: "2024-02-29T12:00:00Z", want: "2024-02-29T12:00:00Z"},
		{name: "leap day 2000", in: "2000-02-29T12:00:00Z", want: "2000-02-29T12:00:00Z"},
		{name: "no leap day 2100", in: "2100-02-29T12:00:00Z", kind: KindField, msg: []string{"day 29", "February 2100 has 28 days"}},
		{name: "february 30", in: "2026-02-30T00:00:00Z", kind: KindField, msg: []string{"day 30", "February 2026 has 28 days"}},
		{name: "april 31", in: "2026-04-31T00:00:00Z", kind: KindField},
		{name: "day 0", in: "2026-11-00T00:00:00Z", kind: KindField},
		{name: "month 13", in: "2026-13-01T00:00:00Z", kind: KindField, msg: []string{"month 13"}},
		{name: "month 0", in: "2026-00-10T00:00:00Z", kind: KindField},
		{name: "hour 24", in: "2026-11-29T24:00:00Z", kind: KindField, msg: []string{"hour 24", "00:00 of the next day"}},
		{name: "minute 60", in: "2026-11-29T23:60:00Z", kind: KindField, msg: []string{"minute 60"}},
		{name: "leap second rejected", in: "2016-12-31T23:59:60Z", kind: KindLeapSecond, msg: []string{"leap second"}},
		{name: "second 61", in: "2016-12-31T23:59:61Z", kind: KindField},
		{name: "offset hour 24", in: "2026-11-29T02:00:00+24:00", kind: KindField, msg: []string{"+24:00"}},
		{name: "offset minute 60", in: "2026-11-29T02:00:00+01:60", kind: KindField},
		{name: "offset without colon", in: "2026-11-29T02:00:00+0100", kind: KindSyntax, msg: []string{"2026-11-29T02:00:00+01:00"}},
		{name: "offset without minutes", in: "2026-11-29T02:00:00+01", kind: KindSyntax, msg: []string{"2026-11-29T02:00:00+01:00"}},
		{name: "no offset", in: "2026-11-29T02:00:00", kind: KindSyntax, msg: []string{"no UTC offset", "2026-11-29T02:00:00Z", "2026-11-29 02:00:00 Europe/Berlin"}},
		{name: "no seconds", in: "2026-11-29T02:00Z", kind: KindSyntax, msg: []string{"no seconds", "2026-11-29T02:00:00Z"}},
		{name: "point without digits", in: "2026-11-29T02:00:00.Z", kind: KindSyntax},
		{name: "long fraction without offset", in: "2026-11-29T02:00:00." + strings.Repeat("1", 1000), kind: KindSyntax, msg: []string{"no UTC offset"}},
		{name: "long fraction accepted", in: "2026-11-29T02:00:00." + strings.Repeat("1", 1000) + "Z", want: "2026-11-29T02:00:00.111111111Z"},
		{name: "comma fraction", in: "2026-11-29T02:00:00,5Z", kind: KindSyntax, msg: []string{"2026-11-29T02:00:00.5Z"}},
		{name: "double Z", in: "2026-11-29T02:00:00ZZ", kind: KindSyntax},
		{name: "space before Z", in: "2026-11-29T02:00:00 Z", kind: KindSyntax},
		{name: "space instead of T", in: "2026-11-29 02:00:00Z", kind: KindSyntax, msg: []string{"2026-11-29T02:00:00Z"}},
		{name: "space instead of T with offset", in: "2026-11-29 02:00:00.5+01:00", kind: KindSyntax, msg: []string{"2026-11-29T02:00:00.5+01:00"}},
		{name: "single-digit month", in: "2026-1-29T02:00:00Z", kind: KindSyntax},
		{name: "single-digit hour", in: "2026-11-29T2:00:00Z", kind: KindSyntax},
		{name: "date only", in: "2026-11-29", kind: KindSyntax, msg: []string{"2026-11-29T00:00:00Z"}},
		{name: "full-width digits", in: "２０２６-11-29T02:00:00Z", kind: KindSyntax},

		// Year edges: results must fit Layout's four year digits in UTC.
		{name: "year 0", in: "0000-01-01T00:00:00Z", want: "0000-01-01T00:00:00Z"},
		{name: "year 0 leap day", in: "0000-02-29T00:00:00Z", want: "0000-02-29T00:00:00Z"},
		{name: "year 0 negative offset", in: "0000-01-01T00:00:00-01:00", want: "0000-01-01T01:00:00Z"},
		{name: "year 0 offset leaves range", in: "0000-01-01T00:00:00+00:01", kind: KindRange},
		{name: "year 9999 last nanosecond", in: "9999-12-31T23:59:59.999999999Z", want: "9999-12-31T23:59:59.999999999Z"},
		{name: "year 9999 positive offset", in: "9999-12-31T23:59:59+01:00", want: "9999-12-31T22:59:59Z"},
		{name: "year 9999 offset leaves range", in: "9999-12-31T23:59:59-00:01", kind: KindRange},

		// Unix seconds.
		{name: "unix number", in: "1764381600", isNumber: true, want: "2025-11-29T02:00:00Z"},
		{name: "unix string", in: "1764381600", want: "2025-11-29T02:00:00Z"},
		{name: "unix number with spaces", in: " 1764381600 ", isNumber: true, want: "2025-11-29T02:00:00Z"},
		{name: "unix zero", in: "0", isNumber: true, want: "1970-01-01T00:00:00Z"},
		{name: "unix below threshold", in: "99999999999", isNumber: true, want: "5138-11-16T09:46:39Z"},
		{name: "unix milliseconds", in: "1764381600000", isNumber: true, kind: KindUnit,
			msg: []string{`"1764381600000" looks like unix milliseconds; schedule_at takes seconds: 1764381600`}},
		{name: "unix milliseconds string", in: "1764381600000", kind: KindUnit, msg: []string{"milliseconds", "1764381600"}},
		{name: "unix milliseconds at threshold", in: "100000000000", isNumber: true, kind: KindUnit, msg: []string{"seconds: 100000000 (1973-03-03T09:46:40Z)"}},
		{name: "unix milliseconds with fraction", in: "1764381600123", isNumber: true, kind: KindUnit, msg: []string{"1764381600", "2025-11-29T02:00:00.123Z"}},
		{name: "unix microseconds", in: "1764381600123456", isNumber: true, kind: KindUnit, msg: []string{"microseconds", "1764381600"}},
		{name: "unix nanoseconds", in: "1764381600123456789", isNumber: true, kind: KindUnit, msg: []string{"nanoseconds", "1764381600"}},
		{name: "unix 2^64", in: "18446744073709551616", isNumber: true, kind: KindRange},
		{name: "unix huge", in: strings.Repeat("9", 1000), kind: KindRange, msg: []string{"1000 bytes"}},
		{name: "unix huge after leading zeros", in: strings.Repeat("0", 500) + "1" + strings.Repeat("0", 500), isNumber: true, kind: KindRange},
		{name: "unix many leading zeros", in: strings.Repeat("0", 500) + "1764381600", isNumber: true, kind: KindNumber, msg: []string{"write 1764381600"}},
		{name: "unix huge with separators", in: strings.Repeat("1_", 500) + "1", isNumber: true, kind: KindNumber},
		{name: "unix negative", in: "-1", isNumber: true, kind: KindNumber, msg: []string{"negative"}},
		{name: "unix negative string", in: "-1764381600", kind: KindNumber, msg: []string{"negative"}},
		{name: "unix plus sign", in: "+1764381600", isNumber: true, kind: KindNumber, msg: []string{"write 1764381600"}},
		{name: "unix hex", in: "0x6930C2A0", isNumber: true, kind: KindNumber, msg: []string{"not decimal", "write 1764803232"}},
		{name: "unix octal", in: "0o17", isNumber: true, kind: KindNumber, msg: []string{"write 15"}},
		{name: "unix leading zero", in: "01764381600", isNumber: true, kind: KindNumber, msg: []string{"octal", "write 1764381600"}},
		{name: "unix zeros", in: "00", isNumber: true, kind: KindNumber, msg: []string{"write 0"}},
		{name: "unix underscores", in: "1_764_381_600", isNumber: true, kind: KindNumber, msg: []string{"write 1764381600"}},
		// A whole-valued float is an integer to JSON Schema (2020-12 core,
		// §4.2.2: "1.0" is an integer), so to the printed schema: the tool
		// agrees (issue 21).
		{name: "unix float exponent", in: "1.7e9", isNumber: true, want: "2023-11-14T22:13:20Z"},
		{name: "unix whole float", in: "1795917600.0", isNumber: true, want: "2026-11-29T02:00:00Z"},
		{name: "unix whole float string", in: "1795917600.0", kind: KindNumber, msg: []string{"whole number", "write 1795917600"}},
		{name: "unix whole float out of range", in: "99999999999999999999.0", isNumber: true, kind: KindRange, msg: []string{"out of range"}},
		{name: "unix 20 digits out of range", in: "99999999999999999999", isNumber: true, kind: KindRange,
			msg: []string{`"99999999999999999999" is out of range for unix seconds`}},
		{name: "unix huge exponent", in: "1e39", isNumber: true, kind: KindRange, msg: []string{"out of range"}},
		{name: "unix exponent past 40", in: "1e400", isNumber: true, kind: KindNumber, msg: []string{"whole number"}},
		{name: "unix float exponent fraction", in: "1.75e0", isNumber: true, kind: KindNumber, msg: []string{"whole number"}},
		{name: "unix float fraction", in: "1764381600.5", isNumber: true, kind: KindNumber, msg: []string{"whole number"}},
		{name: "unix float fraction string", in: "1764381600.5", kind: KindNumber},
		{name: "unix infinity", in: ".inf", isNumber: true, kind: KindSyntax},
		{name: "unix trailing junk", in: "1764381600s", kind: KindSyntax},

		// Relative to now (2026-06-15T12:34:56.789123456Z).
		{name: "relative seconds", in: "+90s", want: "2026-06-15T12:36:26.789123456Z"},
		{name: "relative minutes", in: "+15m", want: "2026-06-15T12:49:56.789123456Z"},
		{name: "relative hours and minutes", in: "+1h30m", want: "2026-06-15T14:04:56.789123456Z"},
		{name: "relative days", in: "+2d", want: "2026-06-17T12:34:56.789123456Z"},
		{name: "relative days and hours", in: "+1d12h", want: "2026-06-17T00:34:56.789123456Z"},
		{name: "relative all units", in: "+1d2h3m4s", want: "2026-06-16T14:38:00.789123456Z"},
		{name: "relative unnormalised", in: "+36h", want: "2026-06-17T00:34:56.789123456Z"},
		{name: "relative leading zero", in: "+05m", want: "2026-06-15T12:39:56.789123456Z"},
		{name: "relative zero is now", in: "+0s", want: "2026-06-15T12:34:56.789123456Z"},
		{name: "relative to the last day", in: "+2912277d", want: "9999-12-31T12:34:56.789123456Z"},
		{name: "relative one day too far", in: "+2912278d", kind: KindRange},
		{name: "relative overflow", in: "+99999999999d", kind: KindRange, msg: []string{"too far"}},
		{name: "relative huge digits", in: "+" + strings.Repeat("9", 1000) + "s", kind: KindRange},
		{name: "relative many zeros without unit", in: "+" + strings.Repeat("0", 1000) + "5", kind: KindSyntax, msg: []string{"no unit"}},
		{name: "relative many zeros", in: "+" + strings.Repeat("0", 1000) + "5s", want: "2026-06-15T12:35:01.789123456Z"},
		{name: "relative plus only", in: "+", kind: KindSyntax, msg: []string{"no amount"}},
		{name: "relative no unit", in: "+5", kind: KindSyntax, msg: []string{"no unit", "+5m"}},
		{name: "relative unknown unit", in: "+1x", kind: KindSyntax, msg: []string{`unknown unit "x"`}},
		{name: "relative out of order", in: "+1m1h", kind: KindSyntax, msg: []string{"h after m", "largest unit first"}},
		{name: "relative repeated unit", in: "+1h1h", kind: KindSyntax, msg: []string{"h twice"}},
		{name: "relative unit without amount", in: "+h", kind: KindSyntax},
		{name: "relative fraction", in: "+1.5h", kind: KindSyntax, msg: []string{"+1h30m"}},
		{name: "relative inner space", in: "+1h 30m", kind: KindSyntax, msg: []string{"a space"}},
		{name: "relative upper-case unit", in: "+1H", kind: KindSyntax, msg: []string{"lower-case"}},
		{name: "relative weeks", in: "+1w", kind: KindSyntax, msg: []string{"+7d"}},
		{name: "relative milliseconds", in: "+1ms", kind: KindSyntax, msg: []string{`"ms"`}},
		{name: "relative double plus", in: "++1h", kind: KindSyntax},
		{name: "relative negative", in: "-5m", kind: KindSyntax, msg: []string{"past", "+15m"}},

		// Wall clock in an IANA zone.
		{name: "zone Berlin winter", in: "2026-11-29 02:00 Europe/Berlin", want: "2026-11-29T01:00:00Z"},
		{name: "zone Berlin summer", in: "2026-07-01 12:00 Europe/Berlin", want: "2026-07-01T10:00:00Z"},
		{name: "zone New York with seconds", in: "2026-11-29 02:00:30 America/New_York", want: "2026-11-29T07:00:30Z"},
		{name: "zone UTC", in: "2026-11-29 02:00 UTC", want: "2026-11-29T02:00:00Z"},
		{name: "zone Etc name", in: "2026-11-29 02:00 Etc/GMT+5", want: "2026-11-29T07:00:00Z"},
		{name: "zone runs of white space", in: "2026-11-29  02:00\tEurope/Berlin", want: "2026-11-29T01:00:00Z"},
		{name: "zone tab after date", in: "2026-11-29\t02:00 UTC", want: "2026-11-29T02:00:00Z"},

		// DST gaps: the wall time never happens.
		{name: "Berlin gap", in: "2026-03-29 02:30 Europe/Berlin", kind: KindNonexistent,
			msg: []string{"does not exist", "on 2026-03-29 from 02:00 to 03:00 (CET to CEST)", `"2026-03-29 03:00 Europe/Berlin"`}},
		{name: "Berlin gap start", in: "2026-03-29 02:00 Europe/Berlin", kind: KindNonexistent},
		{name: "Berlin gap last second", in: "2026-03-29 02:59:59 Europe/Berlin", kind: KindNonexistent},
		{name: "Berlin before gap", in: "2026-03-29 01:59:59 Europe/Berlin", want: "2026-03-29T00:59:59Z"},
		{name: "Berlin after gap", in: "2026-03-29 03:00 Europe/Berlin", want: "2026-03-29T01:00:00Z"},
		{name: "New York gap", in: "2026-03-08 02:30 America/New_York", kind: KindNonexistent, msg: []string{"from 02:00 to 03:00 (EST to EDT)"}},
		{name: "Lord Howe half-hour gap", in: "2026-10-04 02:15 Australia/Lord_Howe", kind: KindNonexistent, msg: []string{"from 02:00 to 02:30"}},
		{name: "Lord Howe after gap", in: "2026-10-04 02:30 Australia/Lord_Howe", want: "2026-10-03T15:30:00Z"},
		{name: "Apia skipped day start", in: "2011-12-30 00:00 Pacific/Apia", kind: KindNonexistent,
			msg: []string{"from 2011-12-30 00:00 to 2011-12-31 00:00"}},
		{name: "Apia skipped day noon", in: "2011-12-30 12:00 Pacific/Apia", kind: KindNonexistent},
		{name: "Apia skipped day end", in: "2011-12-30 23:59:59 Pacific/Apia", kind: KindNonexistent},
		{name: "Apia day before", in: "2011-12-29 23:59:59 Pacific/Apia", want: "2011-12-30T09:59:59Z"},
		{name: "Apia day after", in: "2011-12-31 00:00 Pacific/Apia", want: "2011-12-30T10:00:00Z"},

		// DST overlaps: the wall time happens twice.
		{name: "Berlin overlap", in: "2026-10-25 02:30 Europe/Berlin", kind: KindAmbiguous,
			cands: []string{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
			msg:   []string{"ambiguous", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"}},
		{name: "Berlin overlap start", in: "2026-10-25 02:00 Europe/Berlin", kind: KindAmbiguous,
			cands: []string{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"}},
		{name: "Berlin after overlap", in: "2026-10-25 03:00 Europe/Berlin", want: "2026-10-25T02:00:00Z"},
		{name: "Berlin before overlap", in: "2026-10-25 01:59:59 Europe/Berlin", want: "2026-10-24T23:59:59Z"},
		{name: "New York overlap", in: "2026-11-01 01:30 America/New_York", kind: KindAmbiguous,
			cands: []string{"2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"},
			msg:   []string{"2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"}},
		{name: "Lord Howe half-hour overlap", in: "2026-04-05 01:45 Australia/Lord_Howe", kind: KindAmbiguous,
			cands: []string{"2026-04-04T14:45:00Z", "2026-04-04T15:15:00Z"},
			msg:   []string{"2026-04-05T01:45:00+11:00", "2026-04-05T01:45:00+10:30"}},

		// Zones.
		{name: "unknown zone", in: "2026-11-29 02:00 Mars/Olympus", kind: KindZone, msg: []string{`unknown time zone "Mars/Olympus"`}},
		{name: "lower-case zone", in: "2026-11-29 02:00 europe/berlin", kind: KindZone, msg: []string{"case-sensitive"}},
		{name: "lower-case utc", in: "2026-11-29 02:00 utc", kind: KindZone, msg: []string{"write UTC"}},
		{name: "abbreviation that is no zone", in: "2026-11-29 02:00 PST", kind: KindZone},
		{name: "Local refused", in: "2026-11-29 02:00 Local", kind: KindZone, msg: []string{"machine"}},
		{name: "offset as zone", in: "2026-11-29 02:00 +01:00", kind: KindZone, msg: []string{"RFC 3339"}},
		{name: "path as zone", in: "2026-11-29 02:00 ../../etc/passwd", kind: KindZone},
		{name: "database file as zone", in: "2026-11-29 02:00 posixrules", kind: KindZone},
		{name: "trailing slash zone", in: "2026-11-29 02:00 Europe/Berlin/", kind: KindZone},

		// Wall-clock syntax and fields.
		{name: "zone missing", in: "2026-11-29 02:00", kind: KindSyntax, msg: []string{"no time zone", "2026-11-29T02:00:00Z"}},
		{name: "zone form extra text", in: "2026-11-29 02:00 UTC tomorrow", kind: KindSyntax},
		{name: "zone form single-digit hour", in: "2026-11-29 2:00 UTC", kind: KindSyntax},
		{name: "zone form fraction", in: "2026-11-29 02:00:00.5 UTC", kind: KindSyntax, msg: []string{"fraction"}},
		{name: "zone form february 30", in: "2026-02-30 02:00 Europe/Berlin", kind: KindField},
		{name: "zone form month 13", in: "2026-13-01 00:00 UTC", kind: KindField},
		{name: "zone form hour 24", in: "2026-11-29 24:00 UTC", kind: KindField},
		{name: "zone form leap second", in: "2016-12-31 23:59:60 UTC", kind: KindLeapSecond},
		{name: "zone form year 0", in: "0000-01-01 00:00 UTC", want: "0000-01-01T00:00:00Z"},
		{name: "zone form year 0 leaves range", in: "0000-01-01 00:00 Asia/Tokyo", kind: KindRange},
		{name: "zone form year 9999", in: "9999-12-31 23:59:59 UTC", want: "9999-12-31T23:59:59Z"},
		{name: "zone form year 9999 leaves range", in: "9999-12-31 23:59 America/New_York", kind: KindRange},

		// Anything else.
		{name: "empty", in: "", kind: KindSyntax, msg: []string{"empty"}},
		{name: "blank", in: "   ", kind: KindSyntax},
		{name: "word", in: "tomorrow", kind: KindSyntax, msg: []string{"RFC 3339", "+1h30m"}},
		{name: "time only", in: "23:59:60", kind: KindSyntax},
		{name: "bad date shape", in: "2026-1129", kind: KindSyntax},
		{name: "garbage after date", in: "2026-11-29X02:00:00Z", kind: KindSyntax},
		{name: "control bytes quoted", in: "\x00\xff", kind: KindSyntax, msg: []string{`"\x00\xff"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := run(tt.in, tt.isNumber)
			var want outcome
			if tt.kind == 0 {
				want.Time = at(t, tt.want)
			} else {
				want.Kind = tt.kind
				for _, c := range tt.cands {
					want.Candidates = append(want.Candidates, at(t, c))
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse(%q, %v) mismatch (-want +got):\n%s\nerr: %v", tt.in, tt.isNumber, diff, err)
			}
			if tt.kind == 0 {
				if err != nil {
					return
				}
				v, _ := Parse(tt.in, tt.isNumber, testNow)
				if v.Location() != time.UTC {
					t.Errorf("Parse(%q) location = %v, want UTC", tt.in, v.Location())
				}
				return
			}
			if err == nil {
				return
			}
			checkErrorText(t, err)
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Parse(%q) error\n  %s\nwant it to contain\n  %s", tt.in, err, m)
				}
			}
		})
	}
}

// checkErrorText enforces the error contract the caller relies on.
func checkErrorText(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	msg := err.Error()
	r, _ := utf8.DecodeRuneInString(msg)
	switch {
	case e.Kind == 0 || e.Msg == "":
		t.Errorf("error %q has no kind or message", msg)
	case unicode.IsUpper(r):
		t.Errorf("error %q starts upper-case", msg)
	case strings.HasPrefix(msg, "schedule_at"):
		t.Errorf("error %q repeats the field name", msg)
	case !utf8.ValidString(msg):
		t.Errorf("error %q is not valid UTF-8", msg)
	case len(msg) > 600:
		t.Errorf("error is %d bytes long", len(msg))
	}
}

func TestFormat(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{name: "whole seconds", in: time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC), want: "2026-11-29T02:00:00.000Z"},
		{name: "milliseconds kept", in: time.Date(2026, 11, 29, 2, 0, 0, 123e6, time.UTC), want: "2026-11-29T02:00:00.123Z"},
		{name: "truncated not rounded", in: time.Date(2026, 11, 29, 2, 0, 0, 999999999, time.UTC), want: "2026-11-29T02:00:00.999Z"},
		{name: "half millisecond truncated", in: time.Date(2026, 11, 29, 2, 0, 0, 500000, time.UTC), want: "2026-11-29T02:00:00.000Z"},
		{name: "truncation never carries into the next year", in: time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), want: "2026-12-31T23:59:59.999Z"},
		{name: "converted to UTC", in: time.Date(2026, 11, 29, 3, 0, 0, 0, berlin), want: "2026-11-29T02:00:00.000Z"},
		{name: "fixed zone converted", in: time.Date(2026, 11, 28, 20, 30, 0, 0, time.FixedZone("", -5*3600-1800)), want: "2026-11-29T02:00:00.000Z"},
		{name: "monotonic reading ignored", in: time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC).Add(0), want: "2026-11-29T02:00:00.000Z"},
		{name: "year 0", in: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), want: "0000-01-01T00:00:00.000Z"},
		{name: "year 9999", in: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), want: "9999-12-31T23:59:59.999Z"},
		{name: "unix epoch", in: time.Unix(0, 0), want: "1970-01-01T00:00:00.000Z"},
		{name: "every digit position", in: time.Date(1234, 5, 6, 7, 8, 9, 12345678, time.UTC), want: "1234-05-06T07:08:09.012Z"},
		{name: "nines", in: time.Date(1999, 9, 19, 19, 59, 59, 99e6, time.UTC), want: "1999-09-19T19:59:59.099Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Format(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Format(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			// Layout is the contract; Append writes it by hand.
			if std := tt.in.UTC().Format(Layout); got != std {
				t.Errorf("Format = %q, time.Format(Layout) = %q", got, std)
			}
			if got := string(Append([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("Append = %q, want %q", got, "x"+tt.want)
			}
			// The normal form is itself accepted and names the same
			// millisecond.
			back, err := Parse(got, false, testNow)
			if err != nil {
				t.Fatalf("Parse(Format) = %v", err)
			}
			if want := truncMilli(tt.in); !back.Equal(want) {
				t.Errorf("Parse(Format(t)) = %v, want %v", back, want)
			}
		})
	}
}

// truncMilli truncates t down to the millisecond of its own clock. It avoids
// time.Truncate, which measures from year 1 and so documents nothing about
// year 0.
func truncMilli(t time.Time) time.Time {
	return time.Unix(t.Unix(), int64(t.Nanosecond()/1e6*1e6)).UTC()
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{name: "message only", err: &Error{Kind: KindSyntax, Msg: "empty value"}, want: "empty value"},
		{name: "message and hint", err: &Error{Kind: KindUnit, Msg: `"1" looks like x`, Hint: "write y"}, want: `"1" looks like x; write y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Errorf("Error() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if got, want := KindAmbiguous.String(), "ambiguous"; got != want {
		t.Errorf("KindAmbiguous.String() = %q, want %q", got, want)
	}
	if got, want := Kind(99).String(), "Kind(99)"; got != want {
		t.Errorf("Kind(99).String() = %q, want %q", got, want)
	}
}

// TestWallClockBruteForce checks the wall-clock resolution against an
// independent brute force around every transition of several zones chosen
// for their oddities: one-hour DST both hemispheres, 30-minute DST (Lord
// Howe), negative DST (Dublin), two-hour DST (Troll), Ramadan suspensions
// (Casablanca), and whole-day skips (Apia, Kiritimati's 1994 jump).
func TestWallClockBruteForce(t *testing.T) {
	// window is how far around each transition wall times are probed:
	// beyond the largest jump of the zone, so both sides are covered.
	// Transitions from 1990 (before that, local mean time offsets are not
	// quarter hours) up to 2031 (rule-based, beyond the zone files'
	// explicit transitions); the day-skipping zones only around their skip,
	// which their 27h window makes the slow part.
	zones := []struct {
		name     string
		window   time.Duration
		from, to int // years
	}{
		{"Europe/Berlin", 3 * time.Hour, 1990, 2031},
		{"America/New_York", 3 * time.Hour, 1990, 2031},
		{"Australia/Lord_Howe", 3 * time.Hour, 1990, 2031},
		{"Europe/Dublin", 3 * time.Hour, 1990, 2031},
		{"Antarctica/Troll", 4 * time.Hour, 1990, 2031},
		{"Africa/Casablanca", 3 * time.Hour, 1990, 2031},
		{"America/Sao_Paulo", 3 * time.Hour, 1990, 2031},
		{"Pacific/Apia", 27 * time.Hour, 2011, 2012},
		{"Pacific/Kiritimati", 27 * time.Hour, 1994, 1995},
	}
	for _, z := range zones {
		t.Run(z.name, func(t *testing.T) {
			from := time.Date(z.from, 1, 1, 0, 0, 0, 0, time.UTC)
			to := time.Date(z.to+1, 1, 1, 0, 0, 0, 0, time.UTC)
			loc, err := time.LoadLocation(z.name)
			if err != nil {
				t.Skipf("zone not available: %v", err)
			}
			checked := 0
			for tr := from.In(loc); tr.Before(to); {
				_, end := tr.ZoneBounds()
				if end.IsZero() {
					break
				}
				// Every 5 minutes around the transition instant, read as
				// this zone's wall clock (the UTC fields of end+d).
				for d := -z.window; d <= z.window; d += 5 * time.Minute {
					wall := end.Add(d).UTC()
					checkWall(t, loc, wall)
					checked++
				}
				tr = end
			}
			if checked == 0 {
				t.Errorf("no transitions in %v between %v and %v", loc, from, to)
			}
		})
	}
}

// checkWall compares Parse with a brute force over all offsets that are
// whole quarter hours within ±16h (every offset in use since 1990).
func checkWall(t *testing.T, loc *time.Location, wall time.Time) {
	t.Helper()
	in := wall.Format("2006-01-02 15:04:05") + " " + loc.String()
	var want []time.Time
	// Largest offset first, so candidates come out earliest first.
	for off := 16 * 3600; off >= -16*3600; off -= 900 {
		// u reads as wall in loc exactly when u plus loc's offset at u
		// is wall's reading in UTC (cheaper than formatting both).
		u := time.Unix(wall.Unix()-int64(off), 0)
		if _, o := u.In(loc).Zone(); u.Unix()+int64(o) == wall.Unix() {
			want = append(want, u)
		}
	}
	got, err := Parse(in, false, testNow)
	var e *Error
	errors.As(err, &e)
	switch {
	case len(want) == 1:
		if err != nil || !got.Equal(want[0]) {
			t.Fatalf("Parse(%q) = %v, %v; want %v", in, got, err, want[0])
		}
	case len(want) == 0:
		if e == nil || e.Kind != KindNonexistent {
			t.Fatalf("Parse(%q) = %v, %v; want a nonexistent-time error", in, got, err)
		}
	default:
		if e == nil || e.Kind != KindAmbiguous {
			t.Fatalf("Parse(%q) = %v, %v; want an ambiguous-time error", in, got, err)
		}
		for i := range want {
			want[i] = want[i].In(loc)
		}
		if diff := cmp.Diff(want, e.Candidates); diff != "" {
			t.Fatalf("Parse(%q) candidates mismatch (-want +got):\n%s", in, diff)
		}
	}
}

// TestRelativeNowLocation: the result does not depend on now's location.
func TestRelativeNowLocation(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("+1h", false, testNow.In(berlin))
	if err != nil {
		t.Fatal(err)
	}
	want := outcome{Time: at(t, "2026-06-15T13:34:56.789123456Z")}
	if diff := cmp.Diff(want, outcome{Time: got}); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if got.Location() != time.UTC {
		t.Errorf("location = %v, want UTC", got.Location())
	}
}

// TestEmbedsTzdata guards the time/tzdata import: without it, wall-clock
// values fail on machines that lack a zone database, and no other test on a
// machine that has one would notice.
func TestEmbedsTzdata(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "schedule.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if imp.Path.Value == `"time/tzdata"` {
			return
		}
	}
	t.Error(`schedule.go does not import _ "time/tzdata"`)
}

// TestParseAllocs pins the hot paths at zero allocations: the RFC 3339 form
// runs once per document on manifests of hundreds of thousands of them.
func TestParseAllocs(t *testing.T) {
	for _, in := range []string{
		"2026-11-29T02:00:00Z",
		"2026-11-29T03:00:00.123+01:00",
		" 2026-11-29t02:00:00z ",
		"1764381600",
		"+1h30m",
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := Parse(in, false, testNow); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Parse(%q) allocates %v times, want 0", in, allocs)
		}
	}
}

func BenchmarkParseRFC3339(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("2026-11-29T03:00:00.123+01:00", false, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWallClock(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("2026-11-29 02:00 Europe/Berlin", false, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	b.ReportAllocs()
	v := time.Date(2026, 11, 29, 2, 0, 0, 123456789, time.UTC)
	for b.Loop() {
		_ = Format(v)
	}
}

// Zones answers what Parse answers, from many goroutines at once, and loads
// each zone once.
func TestZonesRemember(t *testing.T) {
	inputs := []string{
		"2026-11-29 02:00 Europe/Berlin",
		"2026-11-29 02:00 America/New_York",
		"2026-03-29 02:30 Europe/Berlin", // skipped by the zone: an error
		"2026-10-25 02:30 Europe/Berlin", // repeated: ambiguous
		"2026-11-29 02:00 Local",
		"2026-11-29 02:00 Europe/Atlantis",
		"2026-11-29 02:00 europe/berlin",
		"2026-11-29 02:00 UTC",
		"2026-11-29T02:00:00Z",
	}
	var z Zones
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, in := range inputs {
				want, wantErr := Parse(in, false, testNow)
				got, err := z.Parse(in, false, testNow)
				if !got.Equal(want) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Errorf("%q: Zones.Parse = %v, %v; Parse = %v, %v", in, got, err, want, wantErr)
				}
			}
		})
	}
	wg.Wait()
	var names []string
	for n := range z.m {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"America/New_York", "Europe/Berlin", "UTC"}; !slices.Equal(names, want) {
		t.Errorf("remembered %q, want %q", names, want)
	}
}
