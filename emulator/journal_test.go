package emulator_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// journalLine is one record as an emulator writes it.
const journalLine = `{"id":"0198a000-0000-7000-8000-000000000001","name":"kept","queue":"acme::nightly",` +
	`"body":{"job_definition":"acme::report-builder:3","job_queue":"acme::nightly","name":"kept"},` +
	`"created_at":"2026-11-28T12:00:00.123456Z"}` + "\n"

// TestStateRefusesWhatIsNotAJournal: the emulator never changes a file it did
// not write. A state file whose first line is not a journal record is refused
// and left byte for byte as it was, however short, and a symbolic link is
// refused whatever it points at.
func TestStateRefusesWhatIsNotAJournal(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{name: "an ssh public key", content: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0kq3bXqpnU2Kp3v0TXn5Oqg2hR5D3x alice@host\n"},
		{name: "one line without a newline", content: "hunter2"},
		{name: "one byte", content: "x"},
		{name: "a blank line first", content: "\n" + journalLine},
		{name: "JSON that is not a record", content: `{"id":"1","name":"n"}` + "\n"},
		{name: "a record with a field the journal never writes", content: strings.Replace(journalLine, `"id"`, `"extra":1,"id"`, 1)},
		{name: "a torn first record", content: journalLine[:40]},
		{name: "a text file of many lines", content: "line one\nline two\n" + journalLine},
		{name: "zeros", content: "\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := emulator.New(emulator.Options{StatePath: path})
			if err == nil {
				s.Close()
				t.Fatal("New accepted the file as its journal")
			}
			var nj *emulator.NotJournalError
			if !errors.As(err, &nj) || nj.Path != path || !strings.Contains(err.Error(), "left unchanged") {
				t.Errorf("error %v, want a NotJournalError naming %s", err, path)
			}
			assertFile(t, path, tt.content, 0o644)
		})
	}

	t.Run("symbolic links", func(t *testing.T) {
		dir := t.TempDir()
		key := filepath.Join(dir, "id_ed25519.pub")
		journal := filepath.Join(dir, "journal")
		const keyText = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0kq3bXqpnU2Kp3v0TXn5Oqg2hR5D3x alice@host"
		os.WriteFile(key, []byte(keyText), 0o644)
		os.WriteFile(journal, []byte(journalLine), 0o600)
		links := map[string]string{"to an ssh key": key, "to a journal": journal, "dangling": filepath.Join(dir, "missing")}
		for name, target := range links {
			link := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("cannot make a symbolic link here: %v", err)
			}
			s, err := emulator.New(emulator.Options{StatePath: link})
			if err == nil {
				s.Close()
				t.Errorf("%s: New accepted a symbolic link as its state file", name)
				continue
			}
			if !strings.Contains(err.Error(), "symbolic link") {
				t.Errorf("%s: error %q, want it to say the path is a symbolic link", name, err)
			}
		}
		assertFile(t, key, keyText, 0o644)
		assertFile(t, journal, journalLine, 0o600)
		if _, err := os.Lstat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a dangling link's target was created (%v)", err)
		}
	})
}

// TestStateRepairsOnlyATornTail: after valid records, a torn last line is cut
// off; the records before it are kept.
func TestStateRepairsOnlyATornTail(t *testing.T) {
	tests := []struct {
		name, tail string
	}{
		{name: "a record cut short", tail: journalLine[:40]},
		{name: "a whole record without its newline", tail: strings.Replace(journalLine, "kept", "last", 2)[:len(journalLine)-1]},
		{name: "a garbage line", tail: "garbage\n"},
		{name: "blank lines and zeros", tail: "\n\n\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state")
			if err := os.WriteFile(path, []byte(journalLine+tt.tail), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := emulator.New(emulator.Options{StatePath: path})
			if err != nil {
				t.Fatal(err)
			}
			jobs := s.Jobs()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if len(jobs) != 1 || jobs[0].Name != "kept" {
				t.Errorf("jobs %+v, want the one record before the torn tail", jobs)
			}
			assertFile(t, path, journalLine, 0o600)
		})
	}
}

// TestStateCreatedPrivate: a new state file holds sensitive values, so only
// its owner may read it, whatever the umask lets through.
func TestStateCreatedPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	s, err := emulator.New(emulator.Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	code := httptestDo(s, job(map[string]any{"name": "secret", "container_env": map[string]any{
		"TOKEN": map[string]any{"value": "s3cret", "sensitive": true}}}))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if code != http.StatusAccepted {
		t.Fatalf("submit answered %d", code)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("new state file has mode %v, want 0600", info.Mode().Perm())
	}
}

// assertFile checks that path holds exactly content, with mode perm.
func assertFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content {
		t.Errorf("%s changed: now %q, was %q", path, got, content)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != perm {
		t.Errorf("%s: mode %v (%v), want %v", path, info.Mode().Perm(), err, perm)
	}
}
