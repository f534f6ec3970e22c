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
// Start-up: the file is read, a torn last line (no newline, or not JSON) is
// ignored, and if there was one it is cut off in place (ftruncate, then
// fsync), so the next append does not glue onto garbage. Cutting a tail is
// one metadata change that a crash leaves done or not done, and the valid
// prefix is never rewritten; unlike replacing the file through a rename, it
// keeps the file's inode, which is what the lock (state.go) is held on. A bad
// line anywhere else is corruption, not a torn write, and New refuses to start
// rather than forget jobs and later accept their names twice.
//
// The journal holds request bodies, sensitive values included, so it is
// created readable by its owner only.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// parseJournal decodes the lines of a journal. It returns the jobs and the
// length of the prefix they occupy; anything after it is a torn last line.
func parseJournal(data []byte) ([]Job, int, error) {
	var jobs []Job
	off := 0
	for n := 1; off < len(data); n++ {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			return jobs, off, nil // the last write never finished
		}
		line, next := data[off:off+end], off+end+1
		if len(bytes.TrimSpace(line)) == 0 {
			off = next
			continue
		}
		var job Job
		if err := json.Unmarshal(line, &job); err != nil {
			// A power loss can leave a whole line of garbage or zeros at the
			// end; only there is a bad line a torn write.
			if len(bytes.Trim(data[next:], " \t\r\n\x00")) == 0 {
				return jobs, off, nil
			}
			return nil, 0, fmt.Errorf("line %d is not a job: %w", n, err)
		}
		jobs = append(jobs, job)
		off = next
	}
	return jobs, off, nil
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
