package schedule

import (
	"strings"
	"sync"
	"time"
)

// zoneWindow bounds how far, in seconds, a wall-clock reading can be from
// the instant it denotes, i.e. the largest UTC offset magnitude considered.
// Real offsets stay within about ±16h (local mean time included); 26h leaves
// room for a zone that jumps a whole day (Pacific/Apia, 2011) and more.
const zoneWindow = 26 * 3600

// maxPeriods caps how many zone periods are scanned around a wall-clock
// time. Real zones change at most a few times in two days; the cap only
// guarantees termination on a pathological zone file.
const maxPeriods = 16

// parseWallClock parses "YYYY-MM-DD hh:mm[:ss] Zone/Name". The parts are
// separated by any run of white space; the date is known to be well formed.
// There is no fraction: a wall clock is read to the second, and RFC 3339 is
// the form for anything finer.
func parseWallClock(z *Zones, s string) (time.Time, error) {
	fields := strings.Fields(s)
	date := fields[0]
	if len(fields) < 2 {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " is a date without a time",
			Hint: "write \"" + date + " 00:00 Europe/Berlin\" with your zone"}
	}
	clock := fields[1]
	var hour, minute, sec int
	switch {
	case len(clock) >= 5 && isDigit(clock[0]) && isDigit(clock[1]) && clock[2] == ':' && isDigit(clock[3]) && isDigit(clock[4]) &&
		(len(clock) == 5 || len(clock) == 8 && clock[5] == ':' && isDigit(clock[6]) && isDigit(clock[7])):
		hour, minute = num2(clock), num2(clock[3:])
		if len(clock) == 8 {
			sec = num2(clock[6:])
		}
	case len(clock) > 8 && clock[8] == '.' && len(fields) == 3:
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has a fraction of a second",
			Hint: "a zone's wall clock is read to the second; write RFC 3339 with an offset for fractions"}
	case len(fields) == 2 && len(clock) >= 8 && strings.ContainsAny(clock[8:], "Zz+-") && plain(clock):
		// "2026-11-29 02:00:00Z": RFC 3339 with a space for the T.
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has a space where RFC 3339 has T",
			Hint: "write " + date + "T" + clock}
	default:
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has the time " + quote(clock) + ", not hh:mm or hh:mm:ss",
			Hint: "write e.g. \"" + date + " 02:00 Europe/Berlin\""}
	}
	if len(fields) == 2 {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has no time zone",
			Hint: "add an IANA zone such as Europe/Berlin or UTC, or write RFC 3339 (" + date + "T" + clock + pad(len(clock)) + "Z)"}
	}
	if len(fields) > 3 {
		return time.Time{}, &Error{Kind: KindSyntax, Msg: quote(s) + " has text after the zone",
			Hint: "write date, time and zone only, e.g. \"" + date + " " + clock + " Europe/Berlin\""}
	}
	year, month, day := num4(date), num2(date[5:]), num2(date[8:])
	if err := checkFields(s, year, month, day, hour, minute, sec); err != nil {
		return time.Time{}, err
	}
	loc, err := z.load(s, fields[2])
	if err != nil {
		return time.Time{}, err
	}
	return resolve(s, loc, year, month, day, hour, minute, sec)
}

// pad completes an hh:mm clock to hh:mm:ss for a suggestion.
func pad(clockLen int) string {
	if clockLen == 5 {
		return ":00"
	}
	return ""
}

// Zones remembers the zones a run has loaded: time.LoadLocation reads and
// parses the zone file on every call, and a monorepo may schedule thousands
// of jobs in one zone. Safe for concurrent use; the zero value is ready, and
// a nil *Zones loads a zone every time.
type Zones struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

// Parse is the package's Parse, loading zones through z.
func (z *Zones) Parse(raw string, isNumber bool, now time.Time) (time.Time, error) {
	return parse(z, raw, isNumber, now)
}

// load loads an IANA zone by its exact name, from z when it has it.
func (z *Zones) load(s, name string) (*time.Location, error) {
	if name == "Local" {
		return nil, &Error{Kind: KindZone, Msg: quote(s) + " names the zone Local, which differs from machine to machine",
			Hint: "name the zone, e.g. Europe/Berlin or UTC"}
	}
	if name[0] == '+' || name[0] == '-' || isDigit(name[0]) {
		return nil, &Error{Kind: KindZone, Msg: quote(s) + " has the offset " + quote(name) + " where a zone name belongs",
			Hint: "for a fixed offset write RFC 3339, e.g. 2026-11-29T02:00:00+01:00"}
	}
	if !zoneNameOK(name) {
		return nil, unknownZone(s, name)
	}
	if z != nil {
		z.mu.Lock()
		loc, ok := z.m[name]
		z.mu.Unlock()
		if ok {
			return loc, nil
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, unknownZone(s, name) // not remembered: rare, and cheap to refuse again
	}
	if z != nil {
		z.mu.Lock()
		if z.m == nil {
			z.m = map[string]*time.Location{}
		}
		z.m[name] = loc
		z.mu.Unlock()
	}
	return loc, nil
}

// zoneNameOK checks the shape of an IANA name: '/'-separated parts, each
// starting with an upper-case letter, made of letters, digits, '_', '-' and
// '+'. Beyond catching typos early, this matters for determinism: on a
// case-insensitive file system (macOS, Windows) time.LoadLocation would
// accept "europe/berlin" from the system database while the embedded one
// rejects it, and lower-case names such as "posixrules" or "localtime" are
// database files rather than zones. It cannot catch "EUROPE/BERLIN" on such
// a system; all-caps names are legitimate (UTC, EST5EDT).
func zoneNameOK(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if part == "" || part[0] < 'A' || part[0] > 'Z' {
			return false
		}
		for i := 0; i < len(part); i++ {
			if c := part[i]; !isLetter(c) && !isDigit(c) && c != '_' && c != '-' && c != '+' {
				return false
			}
		}
	}
	return true
}

func unknownZone(s, name string) error {
	hint := "use an IANA zone name such as Europe/Berlin, America/New_York or UTC"
	if strings.EqualFold(name, "utc") || strings.EqualFold(name, "z") {
		hint = "write UTC"
	} else if name != "" && 'a' <= name[0] && name[0] <= 'z' {
		hint = "zone names are case-sensitive, e.g. Europe/Berlin"
	}
	return &Error{Kind: KindZone, Msg: quote(s) + " names the unknown time zone " + quote(name), Hint: hint}
}

// period is one stretch of constant offset in a zone.
type period struct {
	end    int64 // unix seconds at which the next period begins
	hasEnd bool  // false: the period goes on forever
	off    int   // seconds east of UTC
	name   string
}

// resolve finds the instant at which loc's clocks read the given wall time.
//
// time.Date cannot be used directly: it silently picks one instant for a
// time skipped by a DST gap and one of two for a time repeated by an
// overlap. Instead, with w the wall time read as if it were UTC, every
// instant u with that reading satisfies u = w - offset(u). All offsets in
// force within zoneWindow of w are collected from the zone's periods, and
// each candidate u = w - off is kept iff loc really reads the wall time at u
// (the round-trip check). None means a gap, one is the answer, more is an
// overlap. This needs no assumption about transition sizes, so it handles
// 30-minute shifts (Australia/Lord_Howe) and skipped days (Pacific/Apia).
func resolve(s string, loc *time.Location, year, month, day, hour, minute, sec int) (time.Time, error) {
	w := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Unix()

	var buf [maxPeriods]period
	ps := buf[:0]
	t := time.Unix(w-zoneWindow, 0).In(loc)
	for len(ps) < maxPeriods {
		name, off := t.Zone()
		_, end := t.ZoneBounds()
		p := period{off: off, name: name}
		if !end.IsZero() {
			p.end, p.hasEnd = end.Unix(), true
		}
		ps = append(ps, p)
		if !p.hasEnd || p.end > w+zoneWindow || p.end <= t.Unix() {
			break
		}
		t = end
	}

	var cands [maxPeriods]int64
	n := 0
	for _, p := range ps {
		u := w - int64(p.off)
		if !readsAs(time.Unix(u, 0).In(loc), year, month, day, hour, minute, sec) {
			continue
		}
		dup := false
		for _, c := range cands[:n] {
			dup = dup || c == u
		}
		if !dup {
			// Insertion keeps candidates sorted, earliest first.
			i := n
			for i > 0 && cands[i-1] > u {
				cands[i] = cands[i-1]
				i--
			}
			cands[i] = u
			n++
		}
	}

	switch {
	case n == 0:
		return time.Time{}, gapError(s, loc, w, ps)
	case n > 1:
		return time.Time{}, overlapError(s, loc, cands[:n])
	}
	if cands[0] < minUnix || cands[0] >= maxUnix {
		return time.Time{}, &Error{Kind: KindRange, Msg: quote(s) + " is outside the years 0000-9999 in UTC",
			Hint: "the range is 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z"}
	}
	return time.Unix(cands[0], 0).UTC(), nil
}

// readsAs reports whether t's wall clock shows the given fields.
func readsAs(t time.Time, year, month, day, hour, minute, sec int) bool {
	y, mo, d := t.Date()
	h, mi, se := t.Clock()
	return y == year && int(mo) == month && d == day && h == hour && mi == minute && se == sec
}

// gapError explains a wall time w that loc skips, naming the jump.
func gapError(s string, loc *time.Location, w int64, ps []period) error {
	e := &Error{Kind: KindNonexistent,
		Msg:  quote(s) + " does not exist: the clocks in " + loc.String() + " skip it",
		Hint: "pick a time outside the gap, or write RFC 3339 with an explicit offset"}
	for i := 0; i+1 < len(ps); i++ {
		a, b := ps[i], ps[i+1]
		if !a.hasEnd || b.off <= a.off {
			continue
		}
		from, to := a.end+int64(a.off), a.end+int64(b.off)
		if w < from || w >= to {
			continue
		}
		f, g := time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC()
		jump := "from " + wall(f, true) + " to " + wall(g, true)
		if f.YearDay() == g.YearDay() && f.Year() == g.Year() {
			jump = "on " + f.Format("2006-01-02") + " from " + wall(f, false) + " to " + wall(g, false)
		}
		e.Msg = quote(s) + " does not exist: in " + loc.String() + " the clocks jump " + jump + " (" + a.name + " to " + b.name + ")"
		e.Hint = "pick a time outside the gap, e.g. \"" + wall(g, true) + " " + loc.String() + "\""
		break
	}
	return e
}

// overlapError explains a wall time that happens more than once, naming
// every instant so that one can be written as RFC 3339.
func overlapError(s string, loc *time.Location, cands []int64) error {
	e := &Error{Kind: KindAmbiguous,
		Msg: quote(s) + " is ambiguous: the clocks in " + loc.String() + " go back and show it twice"}
	var hint strings.Builder
	hint.WriteString("write one instant with its offset: ")
	for i, u := range cands {
		t := time.Unix(u, 0).In(loc)
		e.Candidates = append(e.Candidates, t)
		if i > 0 {
			hint.WriteString(" or ")
		}
		name, off := t.Zone()
		if off%60 == 0 {
			hint.WriteString(t.Format("2006-01-02T15:04:05Z07:00"))
			hint.WriteString(" (" + name + ", " + t.UTC().Format("15:04Z") + ")")
		} else {
			// RFC 3339 offsets have no seconds (local mean time has).
			hint.WriteString(t.UTC().Format(time.RFC3339) + " (" + name + ")")
		}
	}
	e.Hint = hint.String()
	return e
}

// wall renders a wall-clock reading (an instant shifted by its offset and
// shown as UTC), with seconds only when they are not zero.
func wall(t time.Time, withDate bool) string {
	layout := "15:04"
	if t.Second() != 0 {
		layout = "15:04:05"
	}
	if withDate {
		layout = "2006-01-02 " + layout
	}
	return t.Format(layout)
}
