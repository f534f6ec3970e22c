package redact

import "strings"

// Flags of marks.flags, one byte per byte of text.
const (
	// covered: the byte is part of a secret in some reading.
	covered = 1 << iota
	// inside: some reading decoded an escape that starts before this byte and
	// takes it in (the byte is not the first of the escape). A mask may not
	// start or end here, nor may the Writer cut here, without splitting the
	// escape and leaving text whose reading differs from the original's.
	inside
)

// marks is what a full scan of a text records.
type marks struct {
	flags []uint8
	// ring holds the source start of the last decoded bytes of a reading, so
	// that a match of length l ending at the n-th byte starts at ring[n-l].
	ring []int
}

// reset sizes m for a text of n bytes and an automaton a.
func (m *marks) reset(n int, a *automaton) {
	if cap(m.flags) < n {
		m.flags = make([]uint8, n)
	} else {
		m.flags = m.flags[:n]
		clear(m.flags)
	}
	size := 1
	for size < a.maxLen+1 {
		size <<= 1
	}
	if len(m.ring) < size {
		m.ring = make([]int, size)
	}
}

// triggers returns a bit set of the escape kinds whose trigger byte is in
// text.
func triggers(text string) (t uint8) {
	for _, k := range [...]stageKind{backslash, percent, entity} {
		if strings.IndexByte(text, k.trigger()) >= 0 {
			t |= 1 << k
		}
	}
	return t
}

// matches reports whether any secret occurs in any reading of text. It
// allocates nothing: String calls it first and returns text itself when it
// says no, which is the common case.
func (a *automaton) matches(text string) bool {
	// The raw reading, which every text gets, is next written out with the
	// automaton's fields in locals: next is over the inlining budget, and the
	// call per byte cost a third of the time.
	class, dense, denseEnd := &a.class, a.dense, a.denseEnd
	s := uint32(0)
	for i := 0; i < len(text); i++ {
		c := uint32(class[text[i]])
		if s < denseEnd {
			s = dense[s+c]
		} else {
			s = a.sparseNext(s, c)
		}
		if s&matchBit != 0 {
			return true
		}
	}
	if t := triggers(text); t != 0 {
		return a.matchesDecoded(text, t)
	}
	return false
}

// matchesDecoded is matches for the readings other than the raw one. It is a
// function of its own so that text without an escape pays nothing for the
// reader's read-ahead buffers.
func (a *automaton) matchesDecoded(text string, t uint8) bool {
	var rd reader
	for i := range chains {
		c := &chains[i]
		if t&(1<<c.stages[0]) == 0 {
			continue
		}
		rd.reset(text, c, true)
		last := c.n - 1
		s := uint32(0)
		for {
			u, ok := rd.next(last)
			if !ok {
				break
			}
			if s = a.next(s, u.b); s&matchBit != 0 {
				return true
			}
		}
	}
	return false
}

// scan marks in m every byte of text that is part of a secret in some
// reading, and every byte inside an escape, then widens each covered run to
// whole escapes. m must be reset for text.
//
// When final is false, text is the Writer's pending text and more may follow.
// scan then returns the hold point: the earliest position from which some
// reading might still turn out to hold a secret once more text arrives, either
// because its decoded tail is the beginning of a secret or because an escape
// there is cut short. Flags before the hold point are final.
func (a *automaton) scan(text string, m *marks, final bool) (hold int) {
	hold = a.scanRaw(text, m)
	if t := triggers(text); t != 0 {
		var rd reader
		for i := range chains {
			c := &chains[i]
			if t&(1<<c.stages[0]) == 0 {
				continue
			}
			rd.reset(text, c, final)
			hold = min(hold, a.scanDecoded(&rd, m))
		}
	}
	m.widen()
	return hold
}

func (a *automaton) scanRaw(text string, m *marks) (hold int) {
	class, dense, denseEnd := &a.class, a.dense, a.denseEnd // see matches
	s := uint32(0)
	var run span
	for i := 0; i < len(text); i++ {
		c := uint32(class[text[i]])
		if s < denseEnd {
			s = dense[s+c]
		} else {
			s = a.sparseNext(s, c)
		}
		if s&matchBit != 0 {
			m.cover(&run, i+1-a.matchLen(s), i+1)
			s &^= matchBit
		}
	}
	return len(text) - a.prefixLen(s)
}

func (a *automaton) scanDecoded(rd *reader, m *marks) (hold int) {
	last := rd.n - 1
	ringMask := len(m.ring) - 1
	s := uint32(0)
	n := 0 // decoded bytes read
	var run span
	escaped := 0 // bytes before escaped are already marked inside
	for {
		u, ok := rd.next(last)
		if !ok || u.start >= rd.prov {
			// A provisional unit: everything from here may still change,
			// and nothing after it is known.
			break
		}
		m.ring[n&ringMask] = u.start
		n++
		if u.end-u.start > 1 && u.start >= escaped {
			for j := u.start + 1; j < u.end; j++ {
				m.flags[j] |= inside
			}
			escaped = u.end
		}
		if s = a.next(s, u.b); s&matchBit != 0 {
			m.cover(&run, m.ring[(n-a.matchLen(s))&ringMask], u.end)
		}
	}
	hold = min(rd.prov, len(rd.text))
	if d := a.prefixLen(s); d > 0 {
		hold = m.ring[(n-d)&ringMask]
	}
	return hold
}

// span is a run [start, end) of source bytes.
type span struct{ start, end int }

// cover marks [start, end) covered. A reading reports its matches in order of
// their ends, but a longer match may start before a shorter one that ended
// earlier; run is the union of the reading's matches that reaches the last
// one, so only the bytes outside it need marking, and each byte is marked
// about once however many matches overlap it.
func (m *marks) cover(run *span, start, end int) {
	if start > run.end {
		*run = span{start, start}
	}
	for j := start; j < run.start; j++ {
		m.flags[j] |= covered
	}
	for j := max(run.end, start); j < end; j++ {
		m.flags[j] |= covered
	}
	*run = span{min(run.start, start), end}
}

// widen grows every covered run to the boundaries of the escapes it touches,
// in every reading: a secret found in the raw text as "0041" must not mask only
// half of \u0041, nor a match in one reading split an escape of another. After
// it, the text between masks reads in every reading exactly as it did in the
// original, so masking cannot make a secret appear.
func (m *marks) widen() {
	f := m.flags
	for p := 0; p < len(f); {
		if f[p]&covered == 0 {
			p++
			continue
		}
		for s := p; s > 0 && f[s]&inside != 0; {
			s--
			f[s] |= covered
		}
		e := p
		for e < len(f) && f[e]&(covered|inside) != 0 {
			f[e] |= covered
			e++
		}
		p = e
	}
}

// writeMasked writes text to w with each run of covered bytes replaced by one
// Mask.
func writeMasked[W interface{ WriteString(string) (int, error) }](w W, text string, flags []uint8) {
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && flags[j]&covered == 0 {
			j++
		}
		w.WriteString(text[i:j])
		if j == len(text) {
			break
		}
		for j < len(text) && flags[j]&covered != 0 {
			j++
		}
		w.WriteString(Mask)
		i = j
	}
}
