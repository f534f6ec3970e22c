package gittree

import (
	"io/fs"
	"testing"
)

// FuzzParseTree feeds parseTree any bytes as git ls-tree's output: it
// returns an error or entries, never panics, and every entry it gives has a
// hex object id.
func FuzzParseTree(f *testing.F) {
	f.Add([]byte("100644 blob 0123456789abcdef0123456789abcdef01234567      12\tjobs/a.yaml\x00"))
	f.Add([]byte("040000 tree 0123456789abcdef0123456789abcdef01234567       -\tjobs\x00120000 blob 0123456789abcdef0123456789abcdef01234567       9\tjobs/l.yaml\x00"))
	f.Add([]byte("160000 commit 0123456789abcdef0123456789abcdef01234567       -\tsub\x00"))
	f.Fuzz(func(t *testing.T, out []byte) {
		_ = parseTree(out, func(e entry) {
			if !isHex(e.oid) {
				t.Errorf("entry %+v: object id is not hex", e)
			}
			_ = fs.ValidPath(e.path)
		})
	})
}
