package plan

import (
	"fmt"

	"github.com/daestro-jobs/jobs/manifest"
)

// identities finds jobs that share (job_queue, name): the same body twice is a
// duplicate, sent once; different bodies are an error naming both places.
// One map pass: linear in the number of jobs.
func identities(jobs []Job) []manifest.Diagnostic {
	type key struct{ queue, name string }
	first := make(map[key]int, len(jobs))
	var diags []manifest.Diagnostic
	for i := range jobs {
		j := &jobs[i]
		if j.Invalid {
			continue
		}
		k := key{j.Queue, j.Name}
		f, seen := first[k]
		if !seen {
			first[k] = i
			continue
		}
		if jobs[f].Digest == j.Digest {
			j.DuplicateOf = f
			continue
		}
		j.Invalid = true
		diags = append(diags, manifest.Diagnostic{
			File: j.File, Line: j.Line, Col: j.Col, Path: "name", Severity: manifest.Error, Doc: i,
			Message: fmt.Sprintf("job %q in queue %q is also defined at %s:%d:%d with a different body; give one of them another name",
				j.Name, j.Queue, jobs[f].File, jobs[f].Line, jobs[f].Col),
		})
	}
	return diags
}
