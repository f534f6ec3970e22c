package emulator

// Persistence: an append-only journal of JSON lines, one accepted job per line.
//
// Why a journal and not a snapshot: a snapshot rewritten per job costs O(n) per
// submit and O(n²) over a run of 2,000 jobs; appending one line is O(1), and
// jobs are never changed or deleted (states are derived from the clock), so the
// lines are the whole state.
//
// Why one write call per line, before the answer: the line reaches the kernel
// in one write(2) on an O_APPEND file before the client hears 202 (or has its
// answer dropped), so a job a client may believe in survives the emulator
// being killed; concurrent submits are serialised by the server's lock, so
// lines never interleave.
//
// Why no fsync per job: once write(2) returns, the data survives the process
// dying, which is the restart this emulator is for (a test or a person stops
// and starts it). Only a kernel crash or power loss could lose the tail, and
// that leaves at worst a torn last line, which start-up drops. An fsync per
// job would cost milliseconds each on real disks, seconds over a large apply,
// for durability a test tool does not need. Close and the start-up repair of a
// torn tail do fsync.
//
// Start-up: the file is read, and only a file the emulator wrote is used.
// Its first line must be a journal record (a JSON object with exactly the
// fields of Job, id, name, queue, body and created_at set); anything else (an
// ssh public key, a line of text without a newline, a file that starts with a
// blank line) is refused, and the file is left as it is. After at least one
// valid record, a torn last line (no newline, or not a record, or only blank
// and NUL bytes) is ignored, and cut off in place (ftruncate, then fsync), so
// the next append does not glue onto garbage. Cutting a tail is one metadata
// change that a crash leaves done or not done, and the valid prefix is never
// rewritten; unlike replacing the file through a rename, it keeps the file's
// inode, which is what the lock (state.go) is held on. A bad line anywhere
// else is corruption, not a torn write, and New refuses to start rather than
// forget jobs and later accept their names twice.
//
// The journal holds request bodies, sensitive values included, so it is
// created readable by its owner only.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// journal appends jobs to the state file. Its methods are called with the
// server's lock held.
type journal struct {
	f    *os.File
	size int64 // bytes of whole lines, where the next line starts
	err  error // set once the file could not be repaired after a failed write
}

// openJournal opens and locks the state file at path, reads its jobs, drops a
// torn tail, and keeps the file open for appending. A missing file is an
// empty journal.
func openJournal(path string) (*journal, []Job, error) {
	f, err := openState(path)
	if err != nil {
		return nil, nil, err
	}
	data, err := readState(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("emulator: reading state: %w", err)
	}
	jobs, good, err := parseJournal(data)
	if errors.Is(err, errNotJournal) {
		f.Close()
		return nil, nil, &NotJournalError{Path: path}
	}
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("emulator: %s: %w", path, err)
	}
	if good < len(data) {
		if err := errors.Join(f.Truncate(int64(good)), f.Sync()); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("emulator: cutting the torn end off the state file: %w", err)
		}
	}
	return &journal{f: f, size: int64(good)}, jobs, nil
}

// readState reads the whole state file from its start, in one allocation of
// its size.
func readState(f *os.File) ([]byte, error) {
	var buf bytes.Buffer
	if info, err := f.Stat(); err == nil {
		buf.Grow(int(info.Size()) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}

// NotJournalError is New's error for a state file that the emulator did not
// write: its first line is not a journal record. The file is left unchanged.
type NotJournalError struct {
	// Path is the state file, as given in Options.StatePath.
	Path string
}

func (e *NotJournalError) Error() string {
	return fmt.Sprintf("emulator: %s is not an emulator state file (its first line is not a job record); "+
		"it is left unchanged: give a new path, or the file an emulator wrote", e.Path)
}

// errNotJournal is parseJournal's verdict on a file whose first line is not a
// record; openJournal names the file.
var errNotJournal = errors.New("not a journal")

// parseJournal decodes the lines of a journal. It returns the jobs and the
// length of the prefix they occupy; anything after it is a torn last line.
func parseJournal(data []byte) ([]Job, int, error) {
	var jobs []Job
	off := 0
	for n := 1; off < len(data); n++ {
		line, next := data[off:], len(data)
		if end := bytes.IndexByte(data[off:], '\n'); end >= 0 {
			line, next = data[off:off+end], off+end+1
		}
		job, err := parseRecord(line)
		switch {
		case n == 1 && err != nil:
			// Not a file this emulator wrote, or one whose only line
			// is torn: neither is a journal to repair.
			return nil, 0, errNotJournal
		case err == nil && next == len(data) && data[len(data)-1] != '\n':
			// A whole record without its newline: the write that
			// ended the file did not finish.
			return jobs, off, nil
		case err != nil && len(bytes.Trim(data[next:], " \t\r\n\x00")) == 0:
			// A torn last line, or garbage, blank lines or zeros at
			// the end, as a power loss can leave them.
			return jobs, off, nil
		case err != nil:
			return nil, 0, fmt.Errorf("line %d is not a job: %w", n, err)
		}
		jobs = append(jobs, job)
		off = next
	}
	return jobs, off, nil
}

// parseRecord decodes one journal line: a JSON object holding exactly
// Job's fields, with id, name, queue, body and created_at set.
func parseRecord(line []byte) (Job, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var job Job
	if err := dec.Decode(&job); err != nil {
		return Job{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Job{}, errors.New("more than one value on the line")
	}
	if job.ID == "" || job.Name == "" || job.Queue == "" || len(job.Body) == 0 || job.CreatedAt.IsZero() {
		return Job{}, errors.New("id, name, queue, body and created_at are required")
	}
	return job, nil
}

// append writes one job as one line, in one write call.
func (j *journal) append(job Job) error {
	if j.err != nil {
		return j.err
	}
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false) // keep bodies byte-identical across a restart
	if err := enc.Encode(job); err != nil {
		return err
	}
	n, err := j.f.Write(line.Bytes())
	if err != nil {
		// A short write would leave a partial line for the next one to glue
		// onto; cut it off, and stop writing if even that fails.
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				j.err = fmt.Errorf("state file left with a partial line: %w", terr)
			}
		}
		return err
	}
	j.size += int64(n)
	return nil
}

// close makes the journal durable and closes it.
func (j *journal) close() error {
	return errors.Join(j.f.Sync(), j.f.Close())
}
