package redact

// Design note: the Aho–Corasick automaton (automaton, newAutomaton).
//
// What it guarantees. Fed a text one byte at a time, it says after each
// byte whether some secret (folded: ASCII case, '+' as a space) ends there
// and how long the longest such secret is, and how many of the last bytes
// may begin one. Its cost per byte does not depend on how many secrets
// there are, and building it takes time and memory linear in their total
// length.
//
// The simple alternative: a strings.Index of every secret, in every form an
// encoder may write it, over every line. It is obviously right, and costs
// the number of secrets times their forms per line: with 10,000 secrets,
// printing 10,000 lines took minutes (issue 12). The layout below (dense
// rows for the shallow states, small records for the others) is what keeps
// the automaton in the caches with that many secrets.
//
// What keeps it honest: TestAutomatonAgainstNaive holds it to the simple
// search; FuzzRedact holds the whole redactor to its invariants (no secret
// left in any reading of the output, nothing else changed). Benchmarks:
// BenchmarkRedactManySecrets, BenchmarkNewManySecrets (bench_test.go).

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
// non-empty. It takes time and memory linear in their total length. The
// steps: fold and sort the patterns, number the byte classes, build the trie
// of the sorted patterns, list each node's children, order the nodes breadth
// first and choose the state numbers, compute the failure links, outputs and
// dense rows, and encode the states in their records.
func newAutomaton(patterns []string) *automaton {
	a := &automaton{}
	pats := a.foldPatterns(patterns)
	classOf := a.byteClasses(pats)
	b := newTrie(pats, &classOf, a.k)
	b.linkChildren()
	b.breadthFirst()
	b.number()
	b.failureLinks()
	a.encode(b)
	return a
}

// foldPatterns returns the patterns folded, sorted and without duplicates,
// and records the longest.
func (a *automaton) foldPatterns(patterns []string) []string {
	pats := make([]string, 0, len(patterns))
	for _, p := range patterns {
		pats = append(pats, foldString(p))
		a.maxLen = max(a.maxLen, len(p))
	}
	slices.Sort(pats)
	return slices.Compact(pats)
}

// byteClasses numbers the bytes that occur in the folded patterns from 1, in
// increasing byte order, so that sorted patterns give children in increasing
// class order; every other byte is class 0. It sets a.k and a.class (for a
// byte of text, through fold) and returns the class of each pattern byte.
func (a *automaton) byteClasses(pats []string) [256]uint8 {
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
	return classOf
}

// trie is the automaton while newAutomaton builds it: the trie of the
// patterns, its nodes numbered depth first as they were created, and what
// the later steps add to it.
type trie struct {
	k uint32 // number of byte classes

	// Per node: its parent, the class of the byte that leads to it, its
	// depth, and whether a pattern ends there.
	parent []uint32
	cls    []uint8
	depth  []int32
	term   []bool
	n      int // number of nodes

	// The children of node v are children[first[v]:first[v+1]], by class.
	first, children []uint32

	order          []uint32 // the nodes breadth first
	nDense, nLevel int      // how many of order are dense, then level states
	newID          []uint32 // a node's state number
	isDense        []bool
	isDeep         []bool

	fail  []uint32 // failure link of each node
	out   []int32  // longest pattern that is a suffix of the node's string
	dense []uint32 // nDense rows of k targets, in node numbers until encode
}

// newTrie builds the trie from the sorted patterns: each one shares with the
// one before it the path of their common prefix. Nodes are numbered in
// depth-first order and every node's children are created in increasing
// class order.
func newTrie(pats []string, classOf *[256]uint8, k uint32) *trie {
	total := 1
	for _, p := range pats {
		total += len(p)
	}
	t := &trie{k: k}
	t.parent = make([]uint32, 1, total)
	t.cls = make([]uint8, 1, total)
	t.depth = make([]int32, 1, total)
	t.term = make([]bool, 1, total)
	path := []uint32{0} // path[d]: node at depth d of the pattern before
	prev := ""
	for _, p := range pats {
		l := 0
		for l < len(prev) && l < len(p) && prev[l] == p[l] {
			l++
		}
		path = path[:l+1]
		for d := l; d < len(p); d++ {
			id := uint32(len(t.parent))
			t.parent = append(t.parent, path[d])
			t.cls = append(t.cls, classOf[p[d]])
			t.depth = append(t.depth, int32(d+1))
			t.term = append(t.term, false)
			path = append(path, id)
		}
		t.term[path[len(p)]] = true
		prev = p
	}
	t.n = len(t.parent)
	return t
}

// linkChildren lists the children of each node, contiguous (CSR) and sorted
// by class.
func (t *trie) linkChildren() {
	n := t.n
	t.first = make([]uint32, n+1)
	for v := 1; v < n; v++ {
		t.first[t.parent[v]+1]++
	}
	for v := range n {
		t.first[v+1] += t.first[v]
	}
	t.children = make([]uint32, n)
	fill := slices.Clone(t.first[:n])
	for v := 1; v < n; v++ {
		t.children[fill[t.parent[v]]] = uint32(v)
		fill[t.parent[v]]++
	}
}

// kids are the children of node v.
func (t *trie) kids(v uint32) []uint32 { return t.children[t.first[v]:t.first[v+1]] }

// breadthFirst orders the nodes breadth first, and decides how many are
// dense: a prefix of that order, so that every dense state's failure target
// (a shallower state) is dense too and its row can be copied from there. The
// level states are the rest of the level where the dense ones stop (the
// whole next level unless denseBudget stopped them).
func (t *trie) breadthFirst() {
	n := t.n
	t.order = make([]uint32, 1, n)
	for qi := 0; qi < len(t.order); qi++ {
		t.order = append(t.order, t.kids(t.order[qi])...)
	}
	t.nDense = 1
	for t.nDense < n && t.depth[t.order[t.nDense]] <= denseDepth && uint64(t.nDense+1)*uint64(t.k) <= denseBudget {
		t.nDense++
	}
	t.nLevel = 0
	if t.nDense < n {
		for d := t.depth[t.order[t.nDense]]; t.nDense+t.nLevel < n && t.depth[t.order[t.nDense+t.nLevel]] == d; {
			t.nLevel++
		}
	}
}

// number gives each node its state number: dense and level states in
// breadth-first order, then the deep ones in depth-first order.
func (t *trie) number() {
	n := t.n
	t.newID = make([]uint32, n)
	t.isDense = make([]bool, n)
	t.isDeep = make([]bool, n)
	for i, v := range t.order {
		switch {
		case i < t.nDense:
			t.isDense[v] = true
			t.newID[v] = uint32(i)
		case i < t.nDense+t.nLevel:
			t.newID[v] = uint32(i)
		default:
			t.isDeep[v] = true
		}
	}
	next := uint32(t.nDense + t.nLevel)
	for v := range n {
		if t.isDeep[v] {
			t.newID[v] = next
			next++
		}
	}
}

// failureLinks computes the failure links, outputs and dense rows, breadth
// first: a node's failure target is shallower, so complete before it. The
// dense rows hold node numbers until encode.
func (t *trie) failureLinks() {
	k := t.k
	t.fail = make([]uint32, t.n)
	t.out = make([]int32, t.n)
	t.dense = make([]uint32, t.nDense*int(k))
	for _, v := range t.order {
		if t.depth[v] > 1 {
			t.fail[v] = t.delta(t.fail[t.parent[v]], t.cls[v])
		}
		if t.term[v] {
			t.out[v] = t.depth[v]
		} else {
			t.out[v] = t.out[t.fail[v]]
		}
		if t.isDense[v] {
			i := t.newID[v]
			row := t.dense[i*k : (i+1)*k]
			if v != 0 {
				f := t.newID[t.fail[v]]
				copy(row, t.dense[f*k:(f+1)*k])
			}
			for _, w := range t.kids(v) {
				row[t.cls[w]] = w
			}
		}
	}
}

// delta is the transition from node f on class c, following failure links
// from sparse nodes to a dense one, whose row is complete.
func (t *trie) delta(f uint32, c uint8) uint32 {
	for !t.isDense[f] {
		for _, w := range t.kids(f) {
			if t.cls[w] == c {
				return w
			}
		}
		f = t.fail[f]
	}
	return t.dense[t.newID[f]*t.k+uint32(c)]
}

// value is the value of a state (see automaton) from its number.
func (t *trie) value(id uint32) uint32 {
	if id < uint32(t.nDense) {
		return id * t.k
	}
	return uint32(t.nDense)*t.k + id - uint32(t.nDense)
}

// target is node v as a transition target: its value, with matchBit when
// some pattern ends there.
func (t *trie) target(v uint32) uint32 {
	if t.out[v] > 0 {
		return t.value(t.newID[v]) | matchBit
	}
	return t.value(t.newID[v])
}

// encode writes the states into a: the dense rows as values, the records of
// the sparse states in order of their numbers, and out and depth by number.
func (a *automaton) encode(t *trie) {
	for i, v := range t.dense {
		t.dense[i] = t.target(v)
	}
	n, k := t.n, t.k
	a.nDense = uint32(t.nDense)
	a.denseEnd = uint32(t.nDense) * k
	a.dense = t.dense
	a.level = make([]levelState, 0, t.nLevel)
	a.deep = make([]deepState, 0, n-t.nDense-t.nLevel)
	a.edgeStart = make([]uint32, 0, n-t.nDense+1)
	for _, v := range t.order[t.nDense : t.nDense+t.nLevel] {
		a.sparse(t, v)
	}
	for v := range n {
		if t.isDeep[v] {
			a.sparse(t, uint32(v))
		}
	}
	a.edgeStart = append(a.edgeStart, uint32(len(a.edges)))
	a.out = make([]int32, n)
	a.depth = make([]int32, n)
	for v := range n {
		a.out[t.newID[v]] = t.out[v]
		a.depth[t.newID[v]] = t.depth[v]
	}
}

// sparse appends the record of sparse node v; they must come in order of
// their numbers.
func (a *automaton) sparse(t *trie, v uint32) {
	a.edgeStart = append(a.edgeStart, uint32(len(a.edges)))
	kids := t.kids(v)
	if len(kids) > 1 {
		for _, w := range kids {
			a.edges = append(a.edges, edge{to: t.target(w), cls: t.cls[w]})
		}
	}
	o := uint16(min(t.out[v], outInArray))
	if !t.isDeep[v] {
		st := levelState{fail: t.value(t.newID[t.fail[v]]), more: len(kids) > 1, out: o}
		if len(kids) > 0 {
			st.child, st.cls = t.target(kids[0]), t.cls[kids[0]]
		}
		a.level = append(a.level, st)
		return
	}
	st := deepState{fail: t.value(t.newID[t.fail[v]]), out: o}
	if len(kids) > 0 {
		if t.newID[kids[0]] != t.newID[v]+1 {
			panic("redact: first child is not the next state")
		}
		st.cls = t.cls[kids[0]]
		if t.out[kids[0]] > 0 {
			st.flags |= firstMatches
		}
	}
	if len(kids) > 1 {
		st.flags |= moreChildren
	}
	a.deep = append(a.deep, st)
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
