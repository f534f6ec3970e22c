// Package review compares the jobs of two revisions of the manifests (the
// working tree and a git revision, for `daestro-jobs diff` and
// `apply --since`) and says what applying the newer one will do to each:
// create it (new), find its name taken with the same body (unchanged), find
// its name taken with another body (edited: the edit will not reach
// Daestro), or nothing for a job that is gone (removed: a submitted job is
// not cancelled). It takes two plans and returns values; it reads no file
// and prints nothing.
//
// Bodies are compared as the reviewer reads them, not as the server would
// get them: a sensitive value, and a value whose reference is unset where
// the review runs, are compared as written (${DB_PASSWORD}), never
// resolved, so rotating a secret is no change and no secret is ever part
// of a result.
package review

import (
	"maps"
	"slices"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/plan"
)

// Change is what applying the newer revision does to a job.
type Change string

// The changes, in the order a summary lists them.
const (
	New       Change = "new"       // not at the base: applying creates it
	Edited    Change = "edited"    // same identity, another body: the edit will not reach Daestro
	Removed   Change = "removed"   // at the base, not now: a submitted job is not cancelled
	Unchanged Change = "unchanged" // same identity and body: applying reports exists
)

// Field is one field of a job's body that differs between the revisions.
// A field absent on one side has its Has flag false there.
type Field struct {
	Path                string
	Before, After       string
	HasBefore, HasAfter bool
}

// Entry is one job of either revision and its change.
type Entry struct {
	Change Change
	// Queue and Name are the job's identity as compared: a name with an
	// unset reference is as written.
	Queue, Name string
	// File, Line and Col locate the job: its name: line (where it starts
	// when the name is generated) in the newer revision, or in the base
	// for Removed.
	File      string
	Line, Col int
	// Replaces is the generated name of the job this one replaces, for an
	// unnamed job whose content changed (paired by file and position).
	Replaces string
	// Fields are the differences, for Edited and for a replacement.
	Fields []Field
	// Job is the job in the newer revision, nil for Removed; Index is its
	// place in that plan's Jobs, -1 for Removed.
	Job   *plan.Job
	Index int
}

// Counts tallies the changes.
type Counts struct {
	New       int `json:"new"`
	Edited    int `json:"edited"`
	Removed   int `json:"removed"`
	Unchanged int `json:"unchanged"`
}

// Result is a comparison: every job of the newer revision that is valid
// and not a repeat, in manifest order, then the removed ones in the base's
// order.
type Result struct {
	Entries []Entry
	Counts  Counts
}

// Unchanged reports, for each job of the newer plan by index, whether the
// comparison found it unchanged: what `apply --since` does not send.
func (r *Result) Unchanged(jobs int) []bool {
	out := make([]bool, jobs)
	for _, e := range r.Entries {
		if e.Change == Unchanged && e.Index >= 0 && e.Index < jobs {
			out[e.Index] = true
		}
	}
	return out
}

type identity struct{ queue, name string }

type side struct {
	job    *plan.Job
	index  int
	id     identity
	fields []kv
}

// Compare classifies the jobs of head (the working tree) against base (the
// revision). Invalid jobs and repeats of an earlier job are left out of
// both: the plan reports them.
//
// same, when not nil, names the files of head whose bytes are those at the
// base, left out of base by the caller (nor their defaults changed): their
// jobs are Unchanged without a look at their fields, and a job of base
// whose identity one of them holds is not Removed.
func Compare(base, head *plan.Plan, same func(file string) bool) *Result {
	b := sides(base, nil)
	h := sides(head, same)
	byID := make(map[identity]int, len(b))
	for i, s := range b {
		byID[s.id] = i
	}
	matched := make([]bool, len(b))
	r := &Result{}
	var fresh []int // entries that are New, candidates for a replacement
	sameFile, sameAnswer := "", false
	for _, s := range h {
		e := Entry{Change: New, Queue: s.id.queue, Name: s.id.name, File: s.job.File, Line: s.job.NameLine, Col: s.job.NameCol, Job: s.job, Index: s.index}
		if same != nil && s.job.File != sameFile { // jobs of a file are in a row: ask once
			sameFile, sameAnswer = s.job.File, same(s.job.File)
		}
		if same != nil && sameAnswer {
			e.Change = Unchanged
			if i, ok := byID[s.id]; ok {
				matched[i] = true
			}
		} else if i, ok := byID[s.id]; ok {
			matched[i] = true
			e.Fields = diffFields(b[i].fields, s.fields)
			e.Change = Unchanged
			if len(e.Fields) > 0 {
				e.Change = Edited
			}
		} else if s.job.NameGenerated {
			fresh = append(fresh, len(r.Entries))
		}
		r.Entries = append(r.Entries, e)
	}
	// An unnamed job whose content changed has a new generated name: it
	// replaces the unnamed job at the same place of the same file, and is
	// reported once, not as a new and a removed.
	type place struct {
		file string
		doc  int
	}
	gone := map[place]int{}
	for i, s := range b {
		if !matched[i] && s.job.NameGenerated {
			gone[place{s.job.File, s.job.DocIndex}] = i
		}
	}
	for _, k := range fresh {
		e := &r.Entries[k]
		i, ok := gone[place{e.Job.File, e.Job.DocIndex}]
		if !ok {
			continue
		}
		delete(gone, place{e.Job.File, e.Job.DocIndex})
		matched[i] = true
		e.Replaces = b[i].id.name
		e.Fields = diffFields(b[i].fields, h[indexOf(h, e.Index)].fields)
	}
	for i, s := range b {
		if !matched[i] {
			r.Entries = append(r.Entries, Entry{Change: Removed, Queue: s.id.queue, Name: s.id.name,
				File: s.job.File, Line: s.job.NameLine, Col: s.job.NameCol, Index: -1})
		}
	}
	for _, e := range r.Entries {
		switch e.Change {
		case New:
			r.Counts.New++
		case Edited:
			r.Counts.Edited++
		case Removed:
			r.Counts.Removed++
		case Unchanged:
			r.Counts.Unchanged++
		}
	}
	return r
}

func indexOf(h []side, index int) int {
	i, _ := slices.BinarySearchFunc(h, index, func(s side, t int) int { return s.index - t })
	return i
}

// sides lists the jobs of p a comparison takes: valid, not repeats. The
// fields of jobs in files same names are not needed, nor flattened.
func sides(p *plan.Plan, same func(file string) bool) []side {
	var out []side
	sameFile, sameAnswer := "", false
	for i := range p.Jobs {
		j := &p.Jobs[i]
		if j.Invalid || j.DuplicateOf >= 0 {
			continue
		}
		id := identity{queue: written(j, "job_queue", j.Queue), name: j.Name}
		if !j.NameGenerated {
			id.name = written(j, "name", j.Name)
		}
		s := side{job: j, index: i, id: id}
		if same != nil && j.File != sameFile {
			sameFile, sameAnswer = j.File, same(j.File)
		}
		if same == nil || !sameAnswer {
			s.fields = fields(j)
		}
		out = append(out, s)
	}
	return out
}

// written is the value of a field as written when the plan kept it (an
// unset reference, a sensitive value), else resolved.
func written(j *plan.Job, path, resolved string) string {
	if w, ok := j.Written[path]; ok {
		return w
	}
	return resolved
}

// kv is one field of a body, flattened.
type kv struct{ path, value string }

// fields flattens the body a job sends into the fields a review compares,
// in the order of plan.Body.Fields (so a field added to the body is compared
// with no change here): sensitive values and values with an unset reference
// as written. This is the one function that reads the plan's body; the
// rest of the package sees fields only.
func fields(j *plan.Job) []kv {
	var out []kv
	used := make(map[string]bool, len(j.Written))
	take := func(path, resolved string) string {
		if w, ok := j.Written[path]; ok {
			used[path] = true
			return w
		}
		return resolved
	}
	used["name"] = j.NameGenerated // a generated name follows the content: not compared
	for f := range j.Body.Fields() {
		switch {
		case f.Path[0] == "name" && j.NameGenerated:
			continue
		case f.Path[0] == "container_cmd": // never interpolated
			out = append(out, kv{"container_cmd[" + f.Path[1] + "]", f.Value})
			continue
		}
		p := strings.Join(f.Path, ".")
		v := take(p, f.Value)
		if len(f.Path) == 3 && f.Path[2] == "value" {
			// The shorthand NAME: value is written at the entry.
			entry := f.Path[0] + "." + f.Path[1]
			if _, ok := j.Written[p]; !ok {
				v = take(entry, f.Value)
			}
		}
		out = append(out, kv{p, v})
	}
	// A string that resolved to nothing (an unset reference) is not in the
	// body's walk; it is compared as written.
	for _, p := range slices.Sorted(maps.Keys(j.Written)) {
		if !used[p] {
			out = append(out, kv{p, j.Written[p]})
		}
	}
	return out
}

// diffFields lists the fields that differ: those of after in its order,
// then those only in before.
func diffFields(before, after []kv) []Field {
	old := make(map[string]string, len(before))
	for _, f := range before {
		old[f.path] = f.value
	}
	var out []Field
	seen := make(map[string]bool, len(after))
	for _, f := range after {
		seen[f.path] = true
		v, ok := old[f.path]
		if ok && v == f.value {
			continue
		}
		out = append(out, Field{Path: f.path, Before: v, HasBefore: ok, After: f.value, HasAfter: true})
	}
	for _, f := range before {
		if !seen[f.path] {
			out = append(out, Field{Path: f.path, Before: f.value, HasBefore: true})
		}
	}
	return out
}
