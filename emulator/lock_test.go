//go:build unix && !solaris && !aix

package emulator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

func TestStateLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	first, err := emulator.New(emulator.Options{StatePath: path, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	if code := httptestDo(first, job(map[string]any{"name": "kept"})); code != 202 {
		t.Fatalf("submit answered %d", code)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// flock locks belong to an open file description, so a second emulator
	// in this very process is refused just as one in another process is.
	second, err := emulator.New(emulator.Options{StatePath: path})
	if err == nil {
		second.Close()
		t.Fatal("a second emulator opened a state file in use")
	}
	var inUse *emulator.StateInUseError
	if !errors.As(err, &inUse) || inUse.Path != path {
		t.Fatalf("error %v, want a *StateInUseError for %s", err, path)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "in use by another emulator") {
		t.Errorf("error %q does not say which file is in use", err)
	}
	// The holder's pid comes from /proc/locks, where there is one (Linux;
	// a sandbox may not list locks there).
	if inUse.PID != 0 && inUse.PID != os.Getpid() {
		t.Errorf("holder pid %d, want this process's, %d", inUse.PID, os.Getpid())
	}
	t.Logf("second New: %v", err)
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Errorf("the refused emulator changed the state file:\n%q\nwant\n%q", after, before)
	}
	if _, err := os.Stat(path + ".lock"); err == nil {
		t.Error("a lock file was left beside the state file")
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third, err := emulator.New(emulator.Options{StatePath: path})
	if err != nil {
		t.Fatalf("New after Close: %v", err)
	}
	defer third.Close()
	if jobs := third.Jobs(); len(jobs) != 1 || jobs[0].Name != "kept" {
		t.Errorf("jobs after reopening %+v, want the one kept", jobs)
	}
}

func TestStateLockSurvivesTornTail(t *testing.T) {
	// Repairing a torn tail must keep the file that is locked: were it
	// replaced by a rename, a second emulator would open the new file and
	// find it unlocked.
	path := filepath.Join(t.TempDir(), "state.jsonl")
	s, err := emulator.New(emulator.Options{StatePath: path, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	httptestDo(s, job(map[string]any{"name": "a"}))
	s.Close()
	appendFile(t, path, `{"id":"torn`)

	first, err := emulator.New(emulator.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if second, err := emulator.New(emulator.Options{StatePath: path}); err == nil {
		second.Close()
		t.Fatal("after repairing a torn tail, a second emulator opened the state file")
	}
}
