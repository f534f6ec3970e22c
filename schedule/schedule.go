// Package schedule parses a manifest's schedule_at value and renders the one
// normal form the tool sends to the API.
//
// Accepted forms (after trimming leading and trailing white space, see Parse):
//
//	RFC 3339      2026-11-29T02:00:00Z, 2026-11-29T03:00:00+01:00, 2026-11-29T02:00:00.5Z
//	unix seconds  1795917600 (a YAML integer or a quoted string of digits)
//	relative      +90s, +15m, +1h30m, +2d, +1d12h (from the run's now; d is 24h)
//	wall clock    2026-11-29 02:00 Europe/Berlin, 2026-11-29 02:00:30 America/New_York, ... UTC
//
// Every result lies in the years 0000 to 9999 UTC, because Layout has room for
// exactly four year digits and the API takes RFC 3339, which has no other years.
//
// Choices, each explained where it is made:
//   - surrounding white space is trimmed (Parse);
//   - RFC 3339 accepts lower-case t and z, not a space for T (Parse);
//   - leap seconds (second 60) are rejected (checkFields);
//   - Format truncates to milliseconds rather than rounding (Format);
//   - unix values of 1e11 and more are taken for milli-, micro- or
//     nanoseconds and rejected with the seconds value (millisThreshold);
//   - numbers with a leading zero are rejected (parseUnix);
//   - "+0s" is allowed and means now (parseRelative);
//   - wall times skipped or repeated by a zone are rejected, never guessed
//     (resolve); zone names are exact IANA names and "Local" is refused
//     (Zones.load).
package schedule

import (
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/internal/ascii"

	// The zone database is embedded so that wall-clock values resolve the same
	// way on machines without /usr/share/zoneinfo (scratch containers,
	// Windows). It costs about 450 KB of binary size.
	_ "time/tzdata"
)

// Layout is the one form the tool sends: RFC 3339 in UTC with exactly three
// fraction digits.
const Layout = "2006-01-02T15:04:05.000Z"

// Range of results, as unix seconds. minUnix is 0000-01-01T00:00:00Z and
// maxUnix is 10000-01-01T00:00:00Z (exclusive): outside it Layout's four year
// digits would not hold the year.
const (
	minUnix int64 = -62167219200
	maxUnix int64 = 253402300800
)

// millisThreshold is the smallest unix value treated as a mistaken
// milliseconds (or finer) timestamp rather than seconds.
//
// Why 1e11: as seconds it is 5138-11-16, a date no batch job is scheduled
// for, so rejecting everything from there up costs nothing real. As
// milliseconds it is 1973-03-03, so every millisecond timestamp a person could
// plausibly paste (any time since 1973) is caught, and the suggested seconds
// value (value/1000, at least 1e8) is always a real post-1973 date. A lower
// threshold such as 1e10 (year 2286) would also catch millisecond values from
// 1970-1973, but then the suggestion would be a meaningless 1970 date.
// The same factor, scaled by 1000 each, separates micro- and nanoseconds.
const millisThreshold = 100_000_000_000

// maxRelSeconds bounds a relative amount before it is added to now. It is more
// than the whole 0000-9999 range (10000 years of 366 days), so any larger
// amount is out of range from every now, and capping here keeps the sums far
// from int64 overflow.
const maxRelSeconds int64 = 10000 * 366 * 86400

// Kind classifies an Error so that callers and tests need not match text.
type Kind int

// The kinds of Error.
const (
	// KindSyntax: the value matches none of the accepted forms, or one of
	// them only partly (missing offset, unit, seconds, ...).
	KindSyntax Kind = iota + 1
	// KindNumber: a number that is not plain decimal unix seconds: negative,
	// signed, hex/octal/binary, digit separators, a fraction or exponent, or
	// a leading zero.
	KindNumber
	// KindUnit: a unix value so large it must be milli-, micro- or
	// nanoseconds; Hint gives the seconds value.
	KindUnit
	// KindRange: the instant falls outside the years 0000-9999 UTC, or a
	// number or relative amount is too large to be one.
	KindRange
	// KindField: a date or clock field out of range: month 13, February 30,
	// hour 24, minute 60, offset +24:00.
	KindField
	// KindLeapSecond: second 60. Go's time (like unix time) has no leap
	// seconds, so such an instant cannot be represented or sent.
	KindLeapSecond
	// KindZone: the zone name is unknown or not acceptable (for example
	// "Local", which means different things on different machines).
	KindZone
	// KindNonexistent: the wall-clock time is skipped in that zone (a DST
	// gap, or a skipped day as in Pacific/Apia on 2011-12-30).
	KindNonexistent
	// KindAmbiguous: the wall-clock time happens more than once in that
	// zone (clocks set back); Candidates lists the instants.
	KindAmbiguous
)

var kindNames = [...]string{
	KindSyntax:      "syntax",
	KindNumber:      "number",
	KindUnit:        "unit",
	KindRange:       "range",
	KindField:       "field",
	KindLeapSecond:  "leap-second",
	KindZone:        "zone",
	KindNonexistent: "nonexistent",
	KindAmbiguous:   "ambiguous",
}

// String names the kind, for test failures and logs.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is the error Parse returns for every rejected value. Its text is for
// people: it starts lower-case with the quoted value and carries no field
// name, because the caller prefixes "file:line:col: schedule_at: ".
type Error struct {
	// Kind classifies the problem.
	Kind Kind
	// Msg says what is wrong, e.g. `"1795917600000" looks like unix milliseconds`.
	Msg string
	// Hint, if not empty, says what to write instead.
	Hint string
	// Candidates holds, for KindAmbiguous, every instant the wall-clock time
	// denotes, earliest first, in the named zone's location. Nil otherwise.
	Candidates []time.Time
}

// Error returns Msg, followed by "; " and Hint when there is one.
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + "; " + e.Hint
}

// formsHint lists the accepted forms; it ends most syntax errors.
const formsHint = `write RFC 3339 (2026-11-29T02:00:00Z), unix seconds (1795917600), ` +
	`a time from now (+1h30m) or a wall-clock time in a zone (2026-11-29 02:00 Europe/Berlin)`

// Parse resolves a schedule_at value as written in the manifest. raw is the
// scalar's text; isNumber reports whether YAML typed it as a number
// (unquoted). now is the run's single "now", the base of relative values.
//
// White space around raw (as strings.TrimSpace defines it) is ignored: YAML
// already strips it from plain scalars, and in a quoted scalar it is almost
// certainly a copy-paste accident rather than meaning. Inside the value it is
// only accepted between the parts of the wall-clock form.
//
// RFC 3339 values accept a lower-case "t" and "z", as RFC 3339 section 5.6
// allows, but not a space in place of "T": a space introduces the wall-clock
// form, and keeping the forms apart keeps error messages precise. Fractions
// of any length are accepted; digits beyond nanoseconds are dropped. Offsets
// must be written with a colon and be at most 23:59; "-00:00" means UTC.
//
// The result is in UTC, carries no monotonic clock reading and keeps the
// written precision (nanoseconds); Format truncates it to milliseconds.
// A result in the past is not an error. Every error is an *Error.
func Parse(raw string, isNumber bool, now time.Time) (time.Time, error) {
	return parse(nil, raw, isNumber, now)
}

func parse(z *Zones, raw string, isNumber bool, now time.Time) (time.Time, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: "empty value", Hint: formsHint}
	}
	if isNumber {
		// YAML resolved the scalar as an int or float, so only unix seconds
		// make sense; parseUnix explains hex, floats, signs and the like. A
		// whole-valued float (1795917600.0, 1.7e9) is an integer to JSON
		// Schema, and to the printed schema: it is one here too.
		if d, ok := wholeNumber(s); ok {
			return parseUnix(d)
		}
		return parseUnix(s)
	}
	switch c := s[0]; {
	case c == '+':
		return parseRelative(s, now)
	case c == '-':
		if isLetter(s[len(s)-1]) {
			return time.Time{}, &Error{Kind: KindSyntax,
				Msg:  quote(s) + " points into the past",
				Hint: "relative times count forward from now, with a plus sign: e.g. +15m"}
		}
		return parseUnix(s)
	case isDigit(c):
		if len(s) > 4 && s[4] == '-' {
			return parseDated(z, s)
		}
		return parseUnix(s)
	}
	return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " is not a time", Hint: formsHint}
}

// Format renders t in Layout, in UTC. The fraction is truncated, not
// rounded, to milliseconds: truncation never carries into the next second
// (or day, or year 10000), it is what time.Format does, and Format(t) then
// always names the millisecond t falls in. t should lie in the years
// 0000-9999 UTC, as every Parse result does; other years do not fit Layout.
func Format(t time.Time) string {
	var buf [len(Layout)]byte
	return string(Append(buf[:0], t))
}

// Append appends Format(t) to dst, for callers that build request bodies
// without an intermediate string.
//
// It writes the digits itself rather than calling t.AppendFormat(dst,
// Layout): that is 3-4 times slower and makes the caller's buffer escape.
// TestFormat and FuzzParse check it against time.Format and time.Parse.
func Append(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		// Not a Parse result; fall back to the standard library rather
		// than write a wrong four-digit year.
		return t.AppendFormat(dst, Layout)
	}
	ms := t.Nanosecond() / 1e6 // truncates: see Format
	return append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

// parseUnix parses decimal unix seconds. s is trimmed and not empty.
func parseUnix(s string) (time.Time, error) {
	if !ascii.IsDigits(s) {
		return time.Time{}, numberError(s)
	}
	// 19 significant decimal digits always fit in a uint64; more can only
	// be too large. Checked first so that the leading-zero hint below never
	// repeats a huge number.
	digits := strings.TrimLeft(s, "0")
	if len(digits) > 19 {
		return time.Time{}, &Error{Kind: KindRange,
			Msg:  quote(s) + " is out of range for unix seconds",
			Hint: "the latest is 253402300799 (9999-12-31T23:59:59Z)"}
	}
	if len(s) > 1 && s[0] == '0' {
		// YAML 1.1 readers (including yaml.v3 for plain scalars) read a
		// leading zero as octal, so the same text could mean two instants.
		// Rejecting it in quoted strings too keeps quoting meaning-neutral.
		if digits == "" {
			digits = "0"
		}
		return time.Time{}, &Error{Kind: KindNumber,
			Msg:  quote(s) + " has a leading zero, which YAML may read as octal",
			Hint: "write " + digits}
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	if v >= millisThreshold {
		return time.Time{}, unitError(s, v)
	}
	return time.Unix(int64(v), 0).UTC(), nil
}

// unitError explains a unix value at or above millisThreshold.
func unitError(s string, v uint64) error {
	unit, div := "milliseconds", uint64(1e3)
	switch {
	case v >= millisThreshold*1e6:
		unit, div = "nanoseconds", 1e9
	case v >= millisThreshold*1e3:
		unit, div = "microseconds", 1e6
	}
	secs := v / div
	if secs >= millisThreshold {
		// Even divided it is not a plausible time: 19 digits of nothing.
		return &Error{Kind: KindRange,
			Msg:  quote(s) + " is out of range for unix seconds",
			Hint: "the latest is 253402300799 (9999-12-31T23:59:59Z)"}
	}
	frac := v % div
	t := time.Unix(int64(secs), int64(frac*(1e9/div))).UTC()
	hint := "schedule_at takes seconds: " + strconv.FormatUint(secs, 10) +
		" (" + t.Truncate(time.Second).Format(time.RFC3339) + ")"
	if frac != 0 {
		hint += ", or " + Format(t) + " to keep the fraction"
	}
	return &Error{Kind: KindUnit, Msg: quote(s) + " looks like unix " + unit, Hint: hint}
}

// wholeNumber returns the decimal digits of s, a float YAML typed as a
// number, when its value is whole and not negative. Exponents beyond ±40
// are left to numberError: no such value is a time, and big.Rat would
// spend memory on them.
func wholeNumber(s string) (string, bool) {
	if ascii.IsDigits(s) || !isFloatText(s) || s[0] == '-' || s[0] == '+' {
		return "", false
	}
	if _, exp, ok := strings.Cut(strings.ToLower(s), "e"); ok {
		if e, err := strconv.Atoi(exp); err != nil || e > 40 || e < -40 {
			return "", false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || r.Sign() < 0 {
		return "", false
	}
	return r.Num().String(), true
}

// numberError explains why s, which is not all digits, is not unix seconds.
func numberError(s string) error {
	e := &Error{Kind: KindNumber}
	switch {
	case s[0] == '-':
		e.Msg = quote(s) + " is negative; unix seconds count from 1970-01-01T00:00:00Z"
		e.Hint = "write a later time, e.g. as RFC 3339 (2026-11-29T02:00:00Z)"
	case s[0] == '+':
		e.Msg = quote(s) + " has a sign; unix seconds are plain digits"
		if ascii.IsDigits(s[1:]) && len(s) <= 20 {
			e.Hint = "write " + s[1:] + ", or quote it with a unit (\"" + s + "m\") for a time from now"
		}
	case len(s) > 1 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])):
		e.Msg = quote(s) + " is not decimal; unix seconds are written in base 10"
		if v, err := strconv.ParseUint(s, 0, 64); err == nil {
			e.Hint = "write " + strconv.FormatUint(v, 10)
		}
	case strings.IndexByte(s, '_') >= 0 && ascii.IsDigits(strings.ReplaceAll(s, "_", "")):
		e.Msg = quote(s) + " contains digit separators"
		if d := strings.ReplaceAll(s, "_", ""); len(d) <= 20 {
			e.Hint = "write " + d
		}
	case strings.ContainsAny(s, ".eE") && isFloatText(s):
		e.Msg = quote(s) + " is not a whole number of seconds"
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < millisThreshold && f == float64(int64(f)) {
			e.Hint = "write " + strconv.FormatInt(int64(f), 10)
		} else {
			e.Hint = "write whole seconds, or RFC 3339 (2026-11-29T02:00:00.5Z) for a fraction"
		}
	default:
		e.Kind = KindSyntax
		e.Msg = quote(s) + " is not a time"
		e.Hint = formsHint
	}
	return e
}

// isFloatText reports whether s is made of the characters of a decimal
// float, so that "1.7e9" gets the whole-number message and "1x" does not.
func isFloatText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return false
		}
	}
	return true
}

// parseRelative parses "+" followed by amounts with units d, h, m, s, each
// at most once and largest first, e.g. +1d12h or +90s. "+0s" is accepted and
// means now: "run immediately" is a legitimate request. Amounts are whole
// numbers and need not be normalised (+90m, +36h); leading zeros are fine
// here because YAML never reads "+05m" as a number.
func parseRelative(s string, now time.Time) (time.Time, error) {
	rest := s[1:]
	if rest == "" {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has no amount after the plus sign",
			Hint: "write e.g. +15m or +1h30m (units d, h, m, s)"}
	}
	var total int64
	prev := 5 // rank of the previous unit; d=4 h=3 m=2 s=1
	prevUnit := ""
	for i := 0; i < len(rest); {
		j := i
		var n int64
		for j < len(rest) && isDigit(rest[j]) {
			n = n*10 + int64(rest[j]-'0')
			if n > maxRelSeconds {
				// Checked per digit so that n*10 cannot overflow and
				// a million-digit amount stops at the 13th digit.
				return time.Time{}, relRangeError(s)
			}
			j++
		}
		if j == i {
			if isLetter(rest[i]) {
				return time.Time{}, &Error{Kind: KindSyntax,
					Msg:  quote(s) + " has a unit without an amount",
					Hint: "write a number before each unit, e.g. +1h30m"}
			}
			return time.Time{}, relCharError(s, rest[i:])
		}
		k := j
		for k < len(rest) && isLetter(rest[k]) {
			k++
		}
		if k == j {
			if j == len(rest) {
				e := &Error{Kind: KindSyntax, Msg: quote(s) + " has no unit", Hint: "add one of d, h, m, s, e.g. +15m"}
				if plain(rest) {
					e.Hint = "add one of d, h, m, s, e.g. +" + rest + "m"
				}
				return time.Time{}, e
			}
			if rest[j] == '.' || rest[j] == ',' {
				return time.Time{}, &Error{Kind: KindSyntax,
					Msg:  quote(s) + " has a fraction; relative amounts are whole numbers",
					Hint: "combine units instead, e.g. +1h30m"}
			}
			return time.Time{}, relCharError(s, rest[j:])
		}
		unit := rest[j:k]
		var rank int
		var size int64
		switch unit {
		case "d":
			rank, size = 4, 86400
		case "h":
			rank, size = 3, 3600
		case "m":
			rank, size = 2, 60
		case "s":
			rank, size = 1, 1
		default:
			return time.Time{}, unknownUnitError(s, unit)
		}
		switch {
		case rank == prev:
			return time.Time{}, &Error{Kind: KindSyntax,
				Msg:  quote(s) + " uses " + unit + " twice",
				Hint: "give each unit once, largest first, e.g. +1h30m"}
		case rank > prev:
			return time.Time{}, &Error{Kind: KindSyntax,
				Msg:  quote(s) + " has " + unit + " after " + prevUnit,
				Hint: "write the largest unit first, e.g. +1h30m"}
		}
		prev, prevUnit = rank, unit
		if n > maxRelSeconds/size {
			return time.Time{}, relRangeError(s)
		}
		total += n * size // at most 4*maxRelSeconds: no overflow
		if total > maxRelSeconds {
			return time.Time{}, relRangeError(s)
		}
		i = k
	}
	base := now.Unix()
	if base >= maxUnix || base < minUnix {
		// Guards the addition below against an absurd now; no real clock
		// reads this, but the result would be out of range anyway.
		return time.Time{}, relRangeError(s)
	}
	sec := base + total
	if sec >= maxUnix {
		return time.Time{}, relRangeError(s)
	}
	return time.Unix(sec, int64(now.Nanosecond())).UTC(), nil
}

func relRangeError(s string) error {
	return &Error{Kind: KindRange, Msg: quote(s) + " is too far in the future",
		Hint: "the latest schedulable time is 9999-12-31T23:59:59.999Z"}
}

func relCharError(s, at string) error {
	r, _ := utf8.DecodeRuneInString(at)
	what := strconv.QuoteRune(r)
	if r == ' ' || r == '\t' {
		what = "a space"
	}
	return &Error{Kind: KindSyntax, Msg: quote(s) + " has " + what + " where an amount or unit belongs",
		Hint: "write amounts and units without spaces, e.g. +1h30m"}
}

func unknownUnitError(s, unit string) error {
	e := &Error{Kind: KindSyntax, Msg: quote(s) + " has the unknown unit " + quote(unit)}
	switch unit {
	case "w":
		e.Hint = "units are d, h, m, s; for weeks write days, e.g. +7d"
	case "ms", "us", "µs", "ns":
		e.Hint = "units are d, h, m, s; the smallest is whole seconds"
	case "D", "H", "M", "S":
		e.Hint = "units are lower-case: d, h, m, s"
	default:
		e.Hint = "units are d, h, m, s, e.g. +1h30m"
	}
	return e
}

// parseDated handles the two forms that start with a date: RFC 3339 and the
// wall-clock form. s starts with a digit and s[4] == '-'.
func parseDated(z *Zones, s string) (time.Time, error) {
	if len(s) < 10 || !ascii.IsDigits(s[0:4]) || s[4] != '-' || !ascii.IsDigits(s[5:7]) || s[7] != '-' || !ascii.IsDigits(s[8:10]) {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " does not start with a date like 2026-11-29",
			Hint: formsHint}
	}
	if len(s) == 10 {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " is a date without a time",
			Hint: "write " + s + "T00:00:00Z or \"" + s + " 00:00 Europe/Berlin\" with your zone"}
	}
	switch s[10] {
	case 'T', 't':
		return parseRFC3339(s)
	case ' ', '\t':
		return parseWallClock(z, s)
	}
	return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has " + strconv.QuoteRune(rune(s[10])) + " after the date",
		Hint: "write T and a time with an offset (2026-11-29T02:00:00Z) or a space, time and zone (2026-11-29 02:00 Europe/Berlin)"}
}

// parseRFC3339 parses s, which starts with "YYYY-MM-DD" followed by 'T' or
// 't'. It is hand-written rather than time.Parse so that the common case
// allocates nothing (time.Parse builds a FixedZone for every offset other
// than the local one) and so that each mistake gets its own message.
func parseRFC3339(s string) (time.Time, error) {
	// 2026-11-29T02:00:00
	// 0123456789012345678
	if len(s) < 17 || !isDigit(s[11]) || !isDigit(s[12]) || s[13] != ':' || !isDigit(s[14]) || !isDigit(s[15]) {
		return time.Time{}, rfcSyntaxError(s)
	}
	if len(s) < 19 || s[16] != ':' || !isDigit(s[17]) || !isDigit(s[18]) {
		if c := s[16]; c == 'Z' || c == 'z' || c == '+' || c == '-' {
			e := &Error{Kind: KindSyntax, Msg: quote(s) + " has no seconds", Hint: "RFC 3339 needs them, e.g. 02:00:00"}
			if plain(s[16:]) {
				e.Hint = "RFC 3339 needs them: write " + s[:16] + ":00" + s[16:]
			}
			return time.Time{}, e
		}
		return time.Time{}, rfcSyntaxError(s)
	}
	year, month, day := num4(s[0:]), num2(s[5:]), num2(s[8:])
	hour, minute, sec := num2(s[11:]), num2(s[14:]), num2(s[17:])
	if err := checkFields(s, year, month, day, hour, minute, sec); err != nil {
		return time.Time{}, err
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			if n <= 9 {
				nsec = nsec*10 + int(rest[n]-'0')
			}
			n++
		}
		if n == 1 {
			e := &Error{Kind: KindSyntax, Msg: quote(s) + " has a decimal point without digits",
				Hint: "write digits after it, or drop the point"}
			if plain(rest[1:]) {
				e.Hint = "write e.g. " + s[:19] + ".5" + rest[1:] + ", or drop the point"
			}
			return time.Time{}, e
		}
		for d := n; d <= 9; d++ {
			nsec *= 10 // scale 1-8 digits up to nanoseconds
		}
		rest = rest[n:]
	}
	var off int
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && isDigit(rest[1]) && isDigit(rest[2]) &&
		rest[3] == ':' && isDigit(rest[4]) && isDigit(rest[5]):
		oh, om := num2(rest[1:]), num2(rest[4:])
		if oh > 23 || om > 59 {
			return time.Time{}, &Error{Kind: KindField, Msg: quote(s) + " has the offset " + rest + ", which is out of range",
				Hint: "offsets run from -23:59 to +23:59"}
		}
		off = (oh*60 + om) * 60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return time.Time{}, offsetError(s, rest)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if off != 0 {
		t = t.Add(time.Duration(-off) * time.Second)
	}
	if u := t.Unix(); u < minUnix || u >= maxUnix {
		return time.Time{}, &Error{Kind: KindRange, Msg: quote(s) + " is outside the years 0000-9999 in UTC",
			Hint: "the range is 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z"}
	}
	return t, nil
}

func rfcSyntaxError(s string) error {
	return &Error{Kind: KindSyntax, Msg: quote(s) + " is not RFC 3339",
		Hint: "write e.g. 2026-11-29T02:00:00Z or 2026-11-29T03:00:00+01:00"}
}

// offsetError explains what follows the seconds (and fraction) of an RFC
// 3339 value when it is not Z or ±hh:mm.
func offsetError(s, rest string) error {
	head := s[:len(s)-len(rest)]
	if len(head) > len("2006-01-02T15:04:05.999999999") {
		// Digits beyond nanoseconds mean nothing; keep suggestions short.
		head = head[:len("2006-01-02T15:04:05.999999999")]
	}
	switch {
	case rest == "":
		return &Error{Kind: KindSyntax, Msg: quote(s) + " has no UTC offset",
			Hint: "add Z for UTC (" + head + "Z) or an offset like +01:00, or write \"" +
				head[:10] + " " + head[11:19] + " Europe/Berlin\" for a zone's wall clock"}
	case len(rest) == 5 && (rest[0] == '+' || rest[0] == '-') && ascii.IsDigits(rest[1:]):
		return &Error{Kind: KindSyntax, Msg: quote(s) + " has an offset without a colon",
			Hint: "write " + head + rest[:3] + ":" + rest[3:]}
	case len(rest) == 3 && (rest[0] == '+' || rest[0] == '-') && ascii.IsDigits(rest[1:]):
		return &Error{Kind: KindSyntax, Msg: quote(s) + " has an offset without minutes",
			Hint: "write " + head + rest + ":00"}
	case len(rest) > 0 && rest[0] == ',' && plain(rest[1:]):
		return &Error{Kind: KindSyntax, Msg: quote(s) + " uses a comma before the fraction",
			Hint: "RFC 3339 uses a point: " + head + "." + rest[1:]}
	case len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t'):
		return &Error{Kind: KindSyntax, Msg: quote(s) + " has a space before the offset or zone",
			Hint: "write the offset directly after the time (" + head + "Z), or a zone's wall clock as \"" +
				head[:10] + " " + head[11:19] + " Europe/Berlin\""}
	}
	return &Error{Kind: KindSyntax, Msg: quote(s) + " has an offset that is neither Z nor like +01:00",
		Hint: "write e.g. " + head + "Z or " + head + "+01:00"}
}

// checkFields validates the calendar and clock fields shared by both dated
// forms. time.Date would silently normalise February 30 to March 2 and hour
// 24 to the next day, so it must only ever see valid fields.
func checkFields(s string, year, month, day, hour, minute, sec int) error {
	switch {
	case month < 1 || month > 12:
		return &Error{Kind: KindField, Msg: quote(s) + " has month " + strconv.Itoa(month) + ", which does not exist",
			Hint: "months run from 01 to 12"}
	case day < 1 || day > daysIn(year, month):
		return &Error{Kind: KindField,
			Msg:  quote(s) + " has day " + strconv.Itoa(day) + ", which does not exist",
			Hint: time.Month(month).String() + " " + pad4(year) + " has " + strconv.Itoa(daysIn(year, month)) + " days"}
	case hour > 23:
		hint := "hours run from 00 to 23"
		if hour == 24 && minute == 0 && sec == 0 {
			hint = "for midnight at the end of the day write 00:00 of the next day"
		}
		return &Error{Kind: KindField, Msg: quote(s) + " has hour " + strconv.Itoa(hour) + ", which is out of range", Hint: hint}
	case minute > 59:
		return &Error{Kind: KindField, Msg: quote(s) + " has minute " + strconv.Itoa(minute) + ", which is out of range",
			Hint: "minutes run from 00 to 59"}
	case sec == 60:
		// Leap seconds are rejected, not moved to the next second: Go's
		// time and the API cannot represent them, and silently sending a
		// different second than written is worse than asking.
		return &Error{Kind: KindLeapSecond, Msg: quote(s) + " has second 60, a leap second, which cannot be scheduled",
			Hint: "write second 59, or second 00 of the next minute"}
	case sec > 60:
		return &Error{Kind: KindField, Msg: quote(s) + " has second " + strconv.Itoa(sec) + ", which is out of range",
			Hint: "seconds run from 00 to 59"}
	}
	return nil
}

// daysIn returns the number of days in month of the proleptic Gregorian
// year (year 0 is a leap year).
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func num2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func num4(s string) int { return num2(s)*100 + num2(s[2:]) }

func pad4(y int) string {
	s := strconv.Itoa(y)
	return strings.Repeat("0", max(0, 4-len(s))) + s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// plain reports whether s may be pasted into a suggestion unquoted: short
// printable ASCII without spaces. Hints built from unchecked input use it so
// they never carry control bytes, invalid UTF-8 or a megabyte of text.
func plain(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// quote renders the value for a message. Long values are cut (at a rune
// boundary) so that a megabyte of digits does not become a megabyte of
// error; strconv.Quote escapes control and invalid bytes.
func quote(s string) string {
	const maxLen = 64
	if len(s) <= maxLen {
		return strconv.Quote(s)
	}
	cut := maxLen - 8
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}
