package redact

import (
	"math"
	"unicode/utf8"
)

// A secret is matched in the text as decoded, not in a list of its encoded
// forms: a server may write any escape for any character (\/ for '/',
// \u00E4 or \u00e4, %40 but a raw '/', &#x27; or &#39;), and no list of forms
// covers every combination. Each reading below undoes one or more kinds of
// escaping, left to right, and remembers for every decoded byte the span of the
// original text it came from, so that a match in the decoded text masks the
// whole escape sequences it was decoded from.

// stageKind is one kind of escaping to undo.
type stageKind uint8

const (
	// backslash undoes the escapes of a JSON string (\" \\ \/ \b \f \n \r \t
	// \uXXXX with surrogate pairs, hex digits of either case) and those that
	// Go's %q and strconv.Quote, JavaScript and Python add (\' \a \v \xHH for
	// a byte, \UXXXXXXXX). None of the extra ones can occur in valid JSON, so
	// they change no JSON reading. A lone surrogate reads as U+FFFD, as
	// encoding/json reads it.
	backslash stageKind = iota + 1
	// percent undoes URL escaping: %XX with hex digits of either case, any
	// subset of the bytes escaped. '+' for a space needs no decoding: the
	// matcher folds the two (see fold).
	percent
	// entity undoes HTML character references exactly as html.UnescapeString
	// does (named, decimal and hex, with and without ';'), quirks included,
	// so that the fuzz test can check the result against it.
	entity
)

// trigger is the byte that starts every escape of the kind. A text without it
// reads the same decoded as raw, so the readings that start with this stage
// can be skipped.
func (k stageKind) trigger() byte {
	switch k {
	case backslash:
		return '\\'
	case percent:
		return '%'
	}
	return '&'
}

// maxStages is the longest chain of decoding stages.
const maxStages = 3

// chain is one reading of the text: the stages applied in order.
type chain struct {
	n      int
	stages [maxStages]stageKind
}

// chains are the readings in which secrets are looked for, besides the raw
// text. The nested ones are those that occur when a server quotes one document
// in another:
//   - backslash twice: a JSON string quoting a JSON body (a server's error
//     message quoting our request, printed again by -o json): \\\" and \\u0026;
//   - backslash then percent: a URL inside a JSON string (PHP writes / as \/);
//     and the same inside a JSON string quoted once more;
//   - entity then backslash: JSON quoted in an HTML error page;
//   - backslash then entity: an HTML page quoted in a JSON string.
//
// The list is closed under dropping the first stage (each chain's tail is in
// the list too), which is what makes skipping a chain whose first trigger is
// absent from the text safe: its reading is then that of its tail.
// JSON inside a URL (percent then backslash) and deeper nestings are not read.
var chains = [...]chain{
	{n: 1, stages: [maxStages]stageKind{backslash}},
	{n: 1, stages: [maxStages]stageKind{percent}},
	{n: 1, stages: [maxStages]stageKind{entity}},
	{n: 2, stages: [maxStages]stageKind{backslash, backslash}},
	{n: 2, stages: [maxStages]stageKind{backslash, percent}},
	{n: 2, stages: [maxStages]stageKind{backslash, entity}},
	{n: 2, stages: [maxStages]stageKind{entity, backslash}},
	{n: 3, stages: [maxStages]stageKind{backslash, backslash, percent}},
}

// unit is one byte of a reading and the span [start, end) of the original
// text it was decoded from. The bytes of one decoded character (ä from
// \u00e4) share their span.
type unit struct {
	start, end int
	b          byte
}

// qSize is the read-ahead of a stage, a power of two. The longest look ahead
// is a named HTML reference: '&', 32 letters, ';'.
const qSize = 64

type stage struct {
	kind    stageKind
	trigger byte // kind.trigger()
	// q holds input units read ahead and not yet consumed: q[qh], then the
	// next qn-1 in ring order.
	q      [qSize]unit
	qh, qn int
	// ob[oi:on] are the bytes still to be returned of the character last
	// decoded, whose span is [os, oe).
	ob     [8]byte
	oi, on int
	os, oe int
}

// reader produces the units of one chain's reading of text, pulling each stage
// from the one before it.
type reader struct {
	text string
	pos  int
	// final says text is complete. When it is not (the Writer's pending
	// text), an escape that the end of text cuts short may read differently
	// once more arrives: prov is then the earliest source position from which
	// the reading may still change, and math.MaxInt while none may.
	final bool
	prov  int
	n     int
	st    [maxStages]stage
}

func (r *reader) reset(text string, c *chain, final bool) {
	r.text, r.pos, r.final, r.prov, r.n = text, 0, final, math.MaxInt, c.n
	for i := range c.n {
		s := &r.st[i]
		s.kind = c.stages[i]
		s.trigger = s.kind.trigger()
		s.qh, s.qn, s.oi, s.on = 0, 0, 0, 0
	}
}

// input returns the next unit fed to stage k: a byte of the text for the
// first stage, else the next unit of the stage before.
func (r *reader) input(k int) (unit, bool) {
	if k == 0 {
		if r.pos >= len(r.text) {
			return unit{}, false
		}
		i := r.pos
		r.pos++
		return unit{start: i, end: i + 1, b: r.text[i]}, true
	}
	return r.next(k - 1)
}

// at returns the i-th unit not yet consumed by stage k, reading ahead as
// needed, while the stage examines an escape that starts at source position
// from. If the answer is not final (the text ends before it, or the unit is
// itself provisional), the escape's reading is not final either.
func (r *reader) at(k, i, from int) (unit, bool) {
	s := &r.st[k]
	for s.qn <= i {
		u, ok := r.input(k)
		if !ok {
			if !r.final {
				r.prov = min(r.prov, from)
			}
			return unit{}, false
		}
		s.q[(s.qh+s.qn)&(qSize-1)] = u
		s.qn++
	}
	u := s.q[(s.qh+i)&(qSize-1)]
	if u.start >= r.prov {
		r.prov = min(r.prov, from)
	}
	return u, true
}

// drop consumes the first n units read ahead by stage k.
func (r *reader) drop(k, n int) {
	s := &r.st[k]
	s.qh = (s.qh + n) & (qSize - 1)
	s.qn -= n
}

// next returns the next unit of stage k's output.
func (r *reader) next(k int) (unit, bool) {
	s := &r.st[k]
	if s.oi < s.on {
		b := s.ob[s.oi]
		s.oi++
		return unit{start: s.os, end: s.oe, b: b}, true
	}
	if s.qn == 0 {
		u, ok := r.input(k)
		if !ok || u.b != s.trigger {
			return u, ok // the common case: a byte that stands for itself
		}
		s.q[s.qh] = u
		s.qn = 1
	}
	u := s.q[s.qh]
	end := 0
	if u.b == s.trigger {
		switch s.kind {
		case backslash:
			end = r.backslash(k, u)
		case percent:
			end = r.percent(k, u)
		case entity:
			end = r.entity(k, u)
		}
	}
	if end == 0 {
		// Not an escape: the byte stands for itself.
		r.drop(k, 1)
		return u, true
	}
	s.os, s.oe, s.oi = u.start, end, 1
	return unit{start: u.start, end: end, b: s.ob[0]}, true
}

// decoded sets the output of stage k to rune c, consumes the n units it was
// decoded from and returns the end of their span.
func (r *reader) decoded(k, n int, c rune) int {
	s := &r.st[k]
	s.on = utf8.EncodeRune(s.ob[:], c)
	return r.consume(k, n)
}

// consume drops the n units an escape was decoded from and returns the end of
// their span.
func (r *reader) consume(k, n int) int {
	s := &r.st[k]
	end := s.q[(s.qh+n-1)&(qSize-1)].end
	r.drop(k, n)
	return end
}

// hex reads n hex digits (either case) at read-ahead positions i... of stage
// k.
func (r *reader) hex(k, i, n, from int) (uint32, bool) {
	var v uint32
	for j := range n {
		u, ok := r.at(k, i+j, from)
		if !ok {
			return 0, false
		}
		d, ok := hexDigit(u.b)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint32(d)
	}
	return v, true
}

func hexDigit(b byte) (byte, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// backslash decodes the escape at esc, a '\', and returns the end of its span,
// or 0 if it is not one (the backslash then stands for itself).
func (r *reader) backslash(k int, esc unit) int {
	u, ok := r.at(k, 1, esc.start)
	if !ok {
		return 0
	}
	var c rune
	switch u.b {
	case '"', '\\', '/', '\'':
		c = rune(u.b)
	case 'a':
		c = '\a'
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'v':
		c = '\v'
	case 'x':
		// A byte, as Go's %q writes the bytes of invalid UTF-8.
		v, ok := r.hex(k, 2, 2, esc.start)
		if !ok {
			return 0
		}
		s := &r.st[k]
		s.ob[0], s.on = byte(v), 1
		return r.consume(k, 4)
	case 'u':
		v, ok := r.hex(k, 2, 4, esc.start)
		if !ok {
			return 0
		}
		c = rune(v)
		if 0xD800 <= c && c < 0xDC00 {
			// A high surrogate: a low one must follow, else it is lone.
			if lo, ok := r.lowSurrogate(k, 6, esc.start); ok {
				return r.decoded(k, 12, 0x10000+(c-0xD800)<<10+(lo-0xDC00))
			}
			c = utf8.RuneError
		} else if 0xDC00 <= c && c <= 0xDFFF {
			c = utf8.RuneError
		}
		return r.decoded(k, 6, c)
	case 'U':
		v, ok := r.hex(k, 2, 8, esc.start)
		if !ok {
			return 0
		}
		c = rune(v)
		if !utf8.ValidRune(c) {
			c = utf8.RuneError
		}
		return r.decoded(k, 10, c)
	default:
		return 0
	}
	return r.decoded(k, 2, c)
}

// lowSurrogate reads \uDC00-\uDFFF at read-ahead position i of stage k.
func (r *reader) lowSurrogate(k, i, from int) (rune, bool) {
	if u, ok := r.at(k, i, from); !ok || u.b != '\\' {
		return 0, false
	}
	if u, ok := r.at(k, i+1, from); !ok || u.b != 'u' {
		return 0, false
	}
	v, ok := r.hex(k, i+2, 4, from)
	if !ok || v < 0xDC00 || v > 0xDFFF {
		return 0, false
	}
	return rune(v), true
}

// percent decodes %XX at esc and returns the end of its span, or 0.
func (r *reader) percent(k int, esc unit) int {
	v, ok := r.hex(k, 1, 2, esc.start)
	if !ok {
		return 0
	}
	s := &r.st[k]
	s.ob[0], s.on = byte(v), 1
	return r.consume(k, 3)
}

// entity decodes the character reference at amp, a '&', and returns the end
// of its span, or 0. It follows html.UnescapeString step by step.
func (r *reader) entity(k int, amp unit) int {
	u, ok := r.at(k, 1, amp.start)
	if !ok {
		return 0
	}
	if u.b == '#' {
		return r.numericRef(k, amp)
	}
	return r.namedRef(k, amp)
}

// numericRef decodes &#NNN; or &#xHHH;. Like html.UnescapeString it needs at
// least four bytes from '&' on, takes any number of digits (the value wraps
// as a rune does), takes the ';' if there is one, and decodes only if it has
// consumed more than "&#" and one more byte: "&#5x" stays as it is, "&#x;" is
// U+FFFD. Code points 0x80-0x9F are read as Windows-1252, invalid ones as
// U+FFFD.
func (r *reader) numericRef(k int, amp unit) int {
	if _, ok := r.at(k, 3, amp.start); !ok {
		return 0
	}
	i := 2 // units consumed, counted from '&'
	u, _ := r.at(k, 2, amp.start)
	hex := u.b == 'x' || u.b == 'X'
	if hex {
		i = 3
	}
	var x rune
	dropped := 0
	for {
		u, ok := r.at(k, i-dropped, amp.start)
		if !ok {
			break
		}
		var d byte
		if hex {
			d, ok = hexDigit(u.b)
		} else {
			d, ok = u.b-'0', '0' <= u.b && u.b <= '9'
		}
		if !ok {
			if u.b == ';' {
				i++
			}
			break
		}
		if hex {
			x = 16*x + rune(d)
		} else {
			x = 10*x + rune(d)
		}
		i++
		if i > 3 {
			// Decoding is now certain: drop what is consumed, so that any
			// number of leading zeros is read in constant space.
			r.drop(k, i-dropped-1)
			dropped = i - 1
		}
	}
	if i <= 3 {
		return 0
	}
	switch {
	case 0x80 <= x && x <= 0x9F:
		x = windows1252[x-0x80]
	case x == 0 || (0xD800 <= x && x <= 0xDFFF) || x > utf8.MaxRune || x < 0:
		x = utf8.RuneError
	}
	return r.decoded(k, i-dropped, x)
}

// maxName is the longest name read ahead: longer than any named reference
// ("CounterClockwiseContourIntegral" has 31 letters).
const maxName = 32

// namedRef decodes &name; or a legacy &name without ';'. Like
// html.UnescapeString it reads the longest run of letters and digits and a
// ';' after it, looks the whole up, and failing that the longest prefix of up
// to six letters that is a legacy reference (&notit; reads as ¬it;).
func (r *reader) namedRef(k int, amp unit) int {
	var name [maxName]byte
	n := 0
	long := false
	for {
		u, ok := r.at(k, 1+n, amp.start)
		if !ok || !isAlnum(u.b) {
			break
		}
		if n == maxName {
			long = true
			break
		}
		name[n] = u.b
		n++
	}
	if n == 0 {
		return 0
	}
	semi := false
	if !long {
		u, ok := r.at(k, 1+n, amp.start)
		semi = ok && u.b == ';'
		ref, known := namedRefs[string(name[:n])]
		switch {
		case known && (semi || ref.legacy):
			consumed := 1 + n
			if semi {
				consumed++
			}
			return r.decoded(k, consumed, ref.r)
		case semi && !known:
			if dec, ok := lookupEntity(name[:n]); ok {
				s := &r.st[k]
				s.on = copy(s.ob[:], dec)
				return r.consume(k, n+2)
			}
		}
	}
	maxLen := n - 1
	if semi {
		maxLen = n
	}
	for j := min(maxLen, longestLegacyName); j > 1; j-- {
		if ref, ok := namedRefs[string(name[:j])]; ok && ref.legacy {
			return r.decoded(k, 1+j, ref.r)
		}
	}
	return 0
}

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
