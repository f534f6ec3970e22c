package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzForgedOutput feeds what an attacker controls, a manifest's file name
// and job name (a pull request can add any file) and a server's answers (an
// id, a message), through validate and apply, and checks what a CI log or a
// terminal would see: no escape character is printed, -o text never starts a
// line with "::", and -o github starts exactly the lines it means to with
// "::" (one per diagnostic and per failed job).
func FuzzForgedOutput(f *testing.F) {
	f.Add("a\n::error title=pwn::x.yaml", "\n::stop-commands::tok", "\n::error::INJECTED", "ok", true)
	f.Add("job.yaml", "plain", "01a22570-6065-7b61-bd88-cba1f11d643f", "name taken\n::error::x", false)
	f.Add("\x1b[2Jclear.yaml", "\u202eevil", "\x1b]0;title\x07", "\r::warning::x\x1b[0m", false)
	f.Add("::error::start.yaml", "n\r\n::add-mask::x", "id\u2028::error::y", "%0A::error::z", true)
	f.Fuzz(func(t *testing.T, file, name, id, msg string, created bool) {
		file = strings.Map(func(r rune) rune {
			if r == '/' || r == 0 {
				return '_'
			}
			return r
		}, file)
		if file == "" || file == "." || file == ".." || len(file) > 200 || strings.HasPrefix(file, "-") {
			return
		}
		dir := t.TempDir()
		quoted, _ := json.Marshal(name) // a YAML double-quoted string takes JSON's escapes
		manifest := fmt.Sprintf("job_definition: acme::d:1\njob_queue: acme::q\nname: %s\n---\njob_definition: bad\njob_queue: acme::q\nname: %s-2\n", quoted, quoted)
		path := filepath.Join(dir, file+".yaml")
		if err := os.WriteFile(path, []byte(manifest), 0o644); err != nil {
			return // a name the file system refuses
		}
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if created {
				w.WriteHeader(http.StatusAccepted)
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "data": map[string]any{"id": id}})
				return
			}
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": msg})
		}))
		defer hs.Close()
		vars := map[string]string{"DAESTRO_API_URL": hs.URL, "DAESTRO_API_KEY": "dk_test_5f0c2a9e7b41d836"}
		// Both documents valid, so that the request is sent: drop the bad one.
		good := filepath.Join(dir, "only-good.yaml")
		if err := os.WriteFile(good, []byte(strings.SplitN(manifest, "---", 2)[0]), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"validate", "-f", path},
			{"apply", "--retries", "0", "-f", path},
			{"apply", "--retries", "0", "-f", good},
		} {
			_, jsonOut, _ := runInProcess(t, vars, append([]string{args[0], "-o", "json"}, args[1:]...)...)
			var doc struct {
				Diagnostics []json.RawMessage `json:"diagnostics"`
				Jobs        []struct {
					Outcome string `json:"outcome"`
				} `json:"jobs"`
			}
			if err := json.Unmarshal([]byte(jsonOut), &doc); err != nil {
				t.Fatalf("%v: -o json is not JSON: %v\n%q", args, err, jsonOut)
			}
			want := len(doc.Diagnostics)
			for _, j := range doc.Jobs {
				if j.Outcome == "failed" {
					want++
				}
			}
			for _, format := range []string{"text", "github"} {
				code, out, errOut := runInProcess(t, vars, append([]string{args[0], "-o", format}, args[1:]...)...)
				all := out + errOut
				if strings.ContainsRune(all, 0x1b) || strings.Contains(all, "\u009b") {
					t.Fatalf("%v -o %s printed an escape sequence:\n%q", args, format, all)
				}
				commands := 0
				for _, line := range strings.Split(all, "\n") {
					if strings.HasPrefix(line, "::") {
						commands++
					}
				}
				if format == "text" && commands > 0 || format == "github" && commands != want {
					t.Fatalf("%v -o %s (exit %d): %d lines start a workflow command, want %d:\n%s",
						args, format, code, commands, map[bool]int{true: 0, false: want}[format == "text"], all)
				}
			}
		}
	})
}
