package redact

import (
	"slices"
	"strings"
)

// automaton is an Aho–Corasick automaton over the folded secrets: fed the bytes
// of a text one at a time, it says after each byte whether some secret ends
// there and how long the longest such secret is. Its cost per byte does not
// depend on how many secrets there are, which is the point of issue 12: with one
// scan per encoded form of every secret, 10,000 secrets made printing 10,000
// lines take minutes.
//
// States are numbered so that the hot ones are cheap:
//   - the first nDense are the shallow ones (the root and its first levels,
//     in breadth-first order), which ordinary text keeps visiting. Each has a
//     full row of transitions in dense, one entry per byte class: one load per
//     byte. A dense state's value is the offset of its row, so that the next
//     state is dense[s+class], with no multiplication in the chain of
//     dependent loads that bounds the speed of the scan.
//   - the others are sparse: a failure link and their trie edges. A full row
//     for each would be k times larger (k is the number of byte classes) and,
//     with thousands of secrets, would no longer fit in the caches.
//   - the first level below the dense ones (the level states) is still
//     visited by ordinary text, at random: with 10,000 random secrets, about
//     one byte in ten of a plain line. They come next, breadth first, in
//     12-byte records that hold their first child, so that they all fit in
//     the caches.
//   - the deeper states are visited only while the text actually follows a
//     secret. They are numbered depth first: depth-first numbering of sorted
//     secrets makes a state's child of smallest class its successor, s+1, so
//     each is one 8-byte record holding that child's class, and a secret's
//     tail, where each state has one child, is a run of consecutive records
//     that the walk along it reads in order.
//
// Sparse states with several children look further, in edges.
//
// A transition target carries matchBit when some secret ends at the target, so
// the scanning loop needs no second lookup for the common case of no match.
type automaton struct {
	// class maps a byte of text to its class: bytes that fold to the same byte
	// share one, and every byte that occurs in no secret is class 0.
	class    [256]uint8
	k        uint32 // number of classes
	nDense   uint32
	denseEnd uint32   // nDense*k: the values of sparse states start here
	dense    []uint32 // nDense rows of k targets
	// Sparse state x (value denseEnd+x) is level[x] if x < len(level), else
	// deep[x-len(level)].
	level []levelState
	deep  []deepState
	// The children of sparse state x that has several are
	// edges[edgeStart[x]:edgeStart[x+1]], sorted by class.
	edgeStart []uint32
	edges     []edge
	// out is, per state number (see num), the length of the longest secret
	// that is a suffix of the state's string (0 if none); depth is the length
	// of that string.
	out    []int32
	depth  []int32
	maxLen int // longest secret, in bytes
}

// levelState is a state of the first sparse level.
type levelState struct {
	fail  uint32
	child uint32 // the first child, with matchBit
	cls   uint8  // class of the first child; 0 if there is none
	more  bool   // there are other children: see edges
	out   uint16 // out of this state, or outInArray
}

// deepState is a sparse state below the first level.
type deepState struct {
	fail uint32
	// cls is the class of the state's first child, s+1; 0 if it has none.
	cls   uint8
	flags uint8
	// out is out of this state, or outInArray. It fills the record's
	// padding, and saves the match a read of the large out array: the record
	// is next to those the walk along the secret has just read.
	out uint16
}

// outInArray in a record's out means: see the out array (a secret longer than
// 65,534 bytes).
const outInArray = 1<<16 - 1

// Flags of deepState.
const (
	firstMatches = 1 << iota // some secret ends at the first child
	moreChildren             // the state has more than one child: see edges
)

type edge struct {
	to  uint32
	cls uint8
}

// matchBit marks a transition target at which some secret ends.
const matchBit = 1 << 31

const (
	// denseDepth is how deep dense rows go: ordinary text keeps the
	// automaton within two bytes of the root unless a secret is really there.
	// With 10,000 random secrets, rows for depth 3 too (9,000 of them, 1.3
	// MB) made BenchmarkRedactManySecrets slower: they no longer fit in the
	// caches.
	denseDepth = 2
	// denseBudget caps the dense rows at 4 MB, for secrets whose bytes span
	// most of the 256 values.
	denseBudget = 1 << 20
)

// fold is the byte a text byte is matched as. ASCII letters are matched
// without regard to case: a server may lower-case what it echoes (a header value
// printed as text/dk_live_abc), and masking "HUNTER2" for the secret "hunter2"
// is harmless, while printing the lower-cased key is not. '+' is matched as a
// space because that is how query escaping writes a space (a+b for "a b"):
// folding the two lets one percent-decoded reading serve both url.QueryEscape
// and url.PathEscape, which keeps '+' as it is. The price of both is only some
// over-masking (text that is a secret up to letter case or '+'/space), which is
// safe. Letters outside ASCII are compared exactly.
func fold(b byte) byte {
	switch {
	case 'A' <= b && b <= 'Z':
		return b + 'a' - 'A'
	case b == '+':
		return ' '
	}
	return b
}

func foldString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = fold(c)
	}
	return string(b)
}

// newAutomaton builds the automaton for the given patterns, which must be
// non-empty. It takes time and memory linear in their total length.
func newAutomaton(patterns []string) *automaton {
	a := &automaton{}
	pats := make([]string, 0, len(patterns))
	for _, p := range patterns {
		pats = append(pats, foldString(p))
		a.maxLen = max(a.maxLen, len(p))
	}
	slices.Sort(pats)
	pats = slices.Compact(pats)

	// Classes in increasing byte order, so that sorted patterns give children
	// in increasing class order below.
	var used [256]bool
	for _, p := range pats {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	var classOf [256]uint8
	k := uint32(1)
	for b := range 256 {
		if used[b] {
			classOf[b] = uint8(k)
			k++
		}
	}
	a.k = k
	for b := range 256 {
		a.class[b] = classOf[fold(byte(b))]
	}

	// The trie, from the sorted patterns: each one shares with the one before
	// it the path of their common prefix. Nodes are numbered in depth-first
	// order and every node's children are created in increasing class order.
	total := 1
	for _, p := range pats {
		total += len(p)
	}
	parent := make([]uint32, 1, total)
	cls := make([]uint8, 1, total)
	depth := make([]int32, 1, total)
	term := make([]bool, 1, total)
	path := []uint32{0} // path[d]: node at depth d of the pattern before
	prev := ""
	for _, p := range pats {
		l := 0
		for l < len(prev) && l < len(p) && prev[l] == p[l] {
			l++
		}
		path = path[:l+1]
		for d := l; d < len(p); d++ {
			id := uint32(len(parent))
			parent = append(parent, path[d])
			cls = append(cls, classOf[p[d]])
			depth = append(depth, int32(d+1))
			term = append(term, false)
			path = append(path, id)
		}
		term[path[len(p)]] = true
		prev = p
	}
	n := len(parent)

	// Children of each node, contiguous (CSR) and sorted by class.
	first := make([]uint32, n+1)
	for v := 1; v < n; v++ {
		first[parent[v]+1]++
	}
	for v := range n {
		first[v+1] += first[v]
	}
	children := make([]uint32, n)
	fill := slices.Clone(first[:n])
	for v := 1; v < n; v++ {
		children[fill[parent[v]]] = uint32(v)
		fill[parent[v]]++
	}
	fill = nil

	// Breadth-first order; the dense states are a prefix of it, so that
	// every dense state's failure target (a shallower state) is dense too and
	// its row can be copied from there.
	order := make([]uint32, 1, n)
	for qi := 0; qi < len(order); qi++ {
		u := order[qi]
		order = append(order, children[first[u]:first[u+1]]...)
	}
	nDense := 1
	for nDense < n && depth[order[nDense]] <= denseDepth && uint64(nDense+1)*uint64(k) <= denseBudget {
		nDense++
	}
	// The level states: the rest of the level where the dense ones stop
	// (the whole next level unless denseBudget stopped them).
	nLevel := 0
	if nDense < n {
		for d := depth[order[nDense]]; nDense+nLevel < n && depth[order[nDense+nLevel]] == d; {
			nLevel++
		}
	}
	// Numbers: dense and level states in breadth-first order, then the deep
	// ones in depth-first order.
	newID := make([]uint32, n)
	isDense := make([]bool, n)
	isDeep := make([]bool, n)
	for i, v := range order {
		switch {
		case i < nDense:
			isDense[v] = true
			newID[v] = uint32(i)
		case i < nDense+nLevel:
			newID[v] = uint32(i)
		default:
			isDeep[v] = true
		}
	}
	next := uint32(nDense + nLevel)
	for v := range n {
		if isDeep[v] {
			newID[v] = next
			next++
		}
	}

	// Failure links, outputs and dense rows, breadth first: a node's failure
	// target is shallower, so complete before it. While building, dense rows
	// hold old node numbers.
	fail := make([]uint32, n)
	out := make([]int32, n)
	dense := make([]uint32, nDense*int(k))
	// delta is the transition from node f on class c, following failure
	// links from sparse nodes to a dense one.
	delta := func(f uint32, c uint8) uint32 {
		for !isDense[f] {
			for _, w := range children[first[f]:first[f+1]] {
				if cls[w] == c {
					return w
				}
			}
			f = fail[f]
		}
		return dense[newID[f]*k+uint32(c)]
	}
	for _, v := range order {
		if depth[v] > 1 {
			fail[v] = delta(fail[parent[v]], cls[v])
		}
		if term[v] {
			out[v] = depth[v]
		} else {
			out[v] = out[fail[v]]
		}
		if isDense[v] {
			i := newID[v]
			row := dense[i*k : (i+1)*k]
			if v != 0 {
				f := newID[fail[v]]
				copy(row, dense[f*k:(f+1)*k])
			}
			for _, w := range children[first[v]:first[v+1]] {
				row[cls[w]] = w
			}
		}
	}

	// The value of a state (see automaton) from its number.
	value := func(id uint32) uint32 {
		if id < uint32(nDense) {
			return id * k
		}
		return uint32(nDense)*k + id - uint32(nDense)
	}
	target := func(v uint32) uint32 {
		if out[v] > 0 {
			return value(newID[v]) | matchBit
		}
		return value(newID[v])
	}
	for i, v := range dense {
		dense[i] = target(v)
	}
	a.nDense = uint32(nDense)
	a.denseEnd = uint32(nDense) * k
	a.dense = dense
	a.level = make([]levelState, 0, nLevel)
	a.deep = make([]deepState, 0, n-nDense-nLevel)
	a.edgeStart = make([]uint32, 0, n-nDense+1)
	// sparse appends the record of sparse node v; they must come in order of
	// their numbers.
	sparse := func(v uint32) {
		a.edgeStart = append(a.edgeStart, uint32(len(a.edges)))
		kids := children[first[v]:first[v+1]]
		if len(kids) > 1 {
			for _, w := range kids {
				a.edges = append(a.edges, edge{to: target(w), cls: cls[w]})
			}
		}
		o := uint16(min(out[v], outInArray))
		if !isDeep[v] {
			st := levelState{fail: value(newID[fail[v]]), more: len(kids) > 1, out: o}
			if len(kids) > 0 {
				st.child, st.cls = target(kids[0]), cls[kids[0]]
			}
			a.level = append(a.level, st)
			return
		}
		st := deepState{fail: value(newID[fail[v]]), out: o}
		if len(kids) > 0 {
			if newID[kids[0]] != newID[v]+1 {
				panic("redact: first child is not the next state")
			}
			st.cls = cls[kids[0]]
			if out[kids[0]] > 0 {
				st.flags |= firstMatches
			}
		}
		if len(kids) > 1 {
			st.flags |= moreChildren
		}
		a.deep = append(a.deep, st)
	}
	for _, v := range order[nDense : nDense+nLevel] {
		sparse(v)
	}
	for v := range n {
		if isDeep[v] {
			sparse(uint32(v))
		}
	}
	a.edgeStart = append(a.edgeStart, uint32(len(a.edges)))
	a.out = make([]int32, n)
	a.depth = make([]int32, n)
	for v := range n {
		a.out[newID[v]] = out[v]
		a.depth[newID[v]] = depth[v]
	}
	return a
}

// next is the state after reading byte b in state s (either may carry
// matchBit).
func (a *automaton) next(s uint32, b byte) uint32 {
	s &^= matchBit
	c := uint32(a.class[b])
	if s < a.denseEnd {
		return a.dense[s+c]
	}
	return a.sparseNext(s, c)
}

// sparseNext follows failure links from a sparse state until an edge or a
// dense row answers. Each link leads to a shallower state, so over a text the
// links followed are at most the bytes read.
func (a *automaton) sparseNext(s, c uint32) uint32 {
	if c == 0 {
		return 0 // a byte in no secret
	}
	for s >= a.denseEnd {
		x := s - a.denseEnd
		var more bool
		if x < uint32(len(a.level)) {
			st := a.level[x]
			if uint32(st.cls) == c {
				return st.child
			}
			more, s = st.more, st.fail
		} else {
			st := a.deep[x-uint32(len(a.level))]
			if uint32(st.cls) == c {
				return a.denseEnd + x + 1 | uint32(st.flags&firstMatches)<<31
			}
			more, s = st.flags&moreChildren != 0, st.fail
		}
		if more {
			if to, ok := a.edge(x, c); ok {
				return to
			}
		}
	}
	return a.dense[s+c]
}

// edge looks for the child of class c of sparse state x.
func (a *automaton) edge(x, c uint32) (uint32, bool) {
	es := a.edges[a.edgeStart[x]:a.edgeStart[x+1]]
	if len(es) <= 8 {
		for _, e := range es {
			if uint32(e.cls) == c {
				return e.to, true
			}
		}
		return 0, false
	}
	j, ok := slices.BinarySearchFunc(es, c, func(e edge, c uint32) int { return int(e.cls) - int(c) })
	if !ok {
		return 0, false
	}
	return es[j].to, true
}

// num is the number of state s, which indexes out and depth.
func (a *automaton) num(s uint32) uint32 {
	s &^= matchBit
	if s < a.denseEnd {
		return s / a.k
	}
	return s - a.denseEnd + a.nDense
}

// matchLen is the length of the longest secret ending at state s, which must
// carry matchBit.
func (a *automaton) matchLen(s uint32) int {
	s &^= matchBit
	if s >= a.denseEnd {
		var o uint16
		if x := s - a.denseEnd; x < uint32(len(a.level)) {
			o = a.level[x].out
		} else {
			o = a.deep[x-uint32(len(a.level))].out
		}
		if o != outInArray {
			return int(o)
		}
	}
	return int(a.out[a.num(s)])
}

// prefixLen is how many of the last bytes read in state s are the beginning of
// some secret: the Writer holds them back, as the rest may still arrive.
func (a *automaton) prefixLen(s uint32) int { return int(a.depth[a.num(s)]) }

// invalidAsReplacement is s with every byte that is not valid UTF-8 replaced
// by U+FFFD, as encoding/json writes such a string (one per byte).
func invalidAsReplacement(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // range yields utf8.RuneError for each invalid byte
	}
	return b.String()
}
