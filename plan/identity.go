package plan

import (
	"crypto/sha256"
	"fmt"

	"github.com/daestro-jobs/daestro-jobs/diag"
)

// identityKey names a job on the server: a SHA-256 prefix of its queue and
// name, 16 bytes however long they are, so that the map of a 100,000-job run
// holds no strings. Two identities colliding in 128 bits is not a case to
// handle, as git does not for object names.
type identityKey [16]byte

func keyOf(queue, name string) identityKey {
	var buf [256]byte // a queue and a name fit: no allocation
	b := appendString(appendString(buf[:0], queue), name)
	sum := sha256.Sum256(b)
	return identityKey(sum[:16])
}

// firstJob is the first valid job of an identity, as much of it as the
// check of the jobs after it needs, in 24 bytes: a 100,000-job run holds one
// per job.
type firstJob struct {
	index, file, line, col int32 // file is an index into b.paths; line and col of its name
	digest                 [8]byte
}

// identity checks a job of file fileIndex against the valid jobs before it
// in the run: the same identity and body is a duplicate, sent once; a
// different body is an error naming both places. Called in manifest order,
// one map lookup each. Bodies are compared by 8 bytes of their digest, and
// only between jobs of one identity.
func (b *builder) identity(j *Job, index, fileIndex int) *diag.Diagnostic {
	if j.Invalid {
		return nil
	}
	k := keyOf(j.Queue, j.Name)
	digest := [8]byte(j.Digest[:8])
	f, seen := b.first[k]
	if !seen {
		b.first[k] = firstJob{index: int32(index), file: int32(fileIndex), line: int32(j.NameLine), col: int32(j.NameCol), digest: digest}
		return nil
	}
	if f.digest == digest {
		j.DuplicateOf = int(f.index)
		return nil
	}
	j.Invalid = true
	return &diag.Diagnostic{
		File: j.File, Line: j.NameLine, Col: j.NameCol, Path: "name", Severity: diag.Error, Doc: index,
		// The document is gone by now; its name stands for its line.
		Source: "name: " + j.Name,
		Message: fmt.Sprintf("job %q in queue %q is also defined at %s:%d:%d with a different body; give one of them another name",
			j.Name, j.Queue, b.paths.Get(int(f.file)), f.line, f.col),
	}
}
