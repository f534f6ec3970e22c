package gittree

// Design note: dropping files the same at both revisions.
//
// What it guarantees: a file is left out of the base only when its bytes on
// disk are exactly the blob at the base (same size, then the blob id git
// would give them), it is a regular file on both sides, and no defaults file
// of the listed directories differs; the jobs it holds are then the same at
// both revisions, since the plan is a function of the bytes, the path, the
// defaults chain and the run's environment and clock, all shared. Anything
// else (filters such as CRLF conversion, links, a defaults change) is kept
// and compared in full: the step can only make a review cheaper, never
// different.
//
// The simple alternative is to plan every file at the base as well: about
// as much work again as the working tree, plus reading every blob through
// git. bench/diff.sh measured it at 3.1x validate's time on 10,000 files with
// 10 edited (median); with this step, 1.5x (target 2.5x). TestDropSame and
// the script testdata/script/diff.txtar keep it honest (a defaults file
// changed, added or renamed to .yml edits jobs whose files did not change).

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
)

// DropSame takes out of the tree every file whose bytes are those of the
// same file in the working tree, and returns their names: a review need
// not read or compare them, their jobs being the same at both revisions.
// work names a tree path on disk. Only regular files of the same size are
// hashed (as git names a blob: SHA-1, or SHA-256 in a repository of that
// format), never through a symbolic link on either side.
//
// Defaults files (_defaults.yaml, _defaults.yml) change the jobs of files
// whose bytes did not change: when any of them in the tree's directories
// differs from the working tree's, nothing is dropped. Directories only in
// the working tree hold only new files, which are not in the tree to drop.
func (t *Tree) DropSame(work func(name string) string) map[string]bool {
	dirs := []string{}
	for p, e := range t.entries {
		if e.kind == "tree" {
			dirs = append(dirs, p)
		}
	}
	for _, d := range dirs {
		for _, n := range [...]string{"_defaults.yaml", "_defaults.yml"} {
			p := path.Join(d, n)
			e, inTree := t.entries[p]
			_, err := os.Lstat(work(p))
			onDisk := err == nil
			if !inTree && !onDisk {
				continue
			}
			if !inTree || !onDisk || !t.sameOnDisk(e, work(p)) {
				return nil
			}
		}
	}
	dropped := map[string]bool{}
	for p, e := range t.entries {
		if e.regular() && !isDefaults(p) && t.sameOnDisk(e, work(p)) {
			dropped[p] = true
		}
	}
	for p := range dropped {
		delete(t.entries, p)
		dir, base := path.Dir(p), path.Base(p)
		if i, ok := slices.BinarySearch(t.children[dir], base); ok {
			t.children[dir] = slices.Delete(t.children[dir], i, i+1)
		}
	}
	return dropped
}

func isDefaults(p string) bool {
	b := path.Base(p)
	return b == "_defaults.yaml" || b == "_defaults.yml"
}

// sameOnDisk reports whether the file at file on disk, a regular file and
// not a link, holds the bytes of blob e.
func (t *Tree) sameOnDisk(e entry, file string) bool {
	if !e.regular() {
		return false
	}
	info, err := os.Lstat(file)
	if err != nil || !info.Mode().IsRegular() || info.Size() != e.size {
		return false
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	var h hash.Hash
	if len(e.oid) == 64 {
		h = sha256.New()
	} else {
		h = sha1.New()
	}
	io.WriteString(h, "blob "+strconv.FormatInt(e.size, 10)+"\x00")
	n, err := io.Copy(h, io.LimitReader(f, e.size+1))
	return err == nil && n == e.size && hex.EncodeToString(h.Sum(nil)) == e.oid
}

var _ fs.FS = (*Tree)(nil)
