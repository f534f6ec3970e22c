package plan

import (
	"crypto/sha256"
	"fmt"

	"github.com/daestro-jobs/jobs/manifest"
)

// identityKey names a job on the server: a SHA-256 prefix of its queue and
// name, 16 bytes however long they are, so that the map of a 100,000-job run
// holds no strings. Two identities colliding in 128 bits is as likely as two
// bodies colliding in Digest: not a case to handle.
type identityKey [16]byte

func keyOf(queue, name string) identityKey {
	h := sha256.New()
	h.Write([]byte(queue))
	h.Write([]byte{0})
	h.Write([]byte(name))
	var k identityKey
	copy(k[:], h.Sum(nil))
	return k
}

// firstJob is the first valid job of an identity, as much of it as the
// check of the jobs after it needs.
type firstJob struct {
	index, line, col int32
	file             string // shares the path's bytes
	digest           [16]byte
}

// identity checks a job against the valid jobs before it in the run: the
// same identity and body is a duplicate, sent once; a different body is an
// error naming both places. Called in manifest order, one map lookup each.
func (b *builder) identity(j *Job, index int) *manifest.Diagnostic {
	if j.Invalid {
		return nil
	}
	k := keyOf(j.Queue, j.Name)
	digest := [16]byte(j.Digest[:16])
	f, seen := b.first[k]
	if !seen {
		b.first[k] = firstJob{index: int32(index), line: int32(j.Line), col: int32(j.Col), file: j.File, digest: digest}
		return nil
	}
	if f.digest == digest {
		j.DuplicateOf = int(f.index)
		return nil
	}
	j.Invalid = true
	return &manifest.Diagnostic{
		File: j.File, Line: j.Line, Col: j.Col, Path: "name", Severity: manifest.Error, Doc: index,
		Message: fmt.Sprintf("job %q in queue %q is also defined at %s:%d:%d with a different body; give one of them another name",
			j.Name, j.Queue, f.file, f.line, f.col),
	}
}
