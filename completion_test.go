package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCompletionAnswers: what the scripts are told on each Tab.
func TestCompletionAnswers(t *testing.T) {
	for _, tc := range []struct {
		words []string // after the program's name; the last is being completed
		mode  string
		lead  string
		want  []string // every one offered
		not   []string // none of these
	}{
		{words: []string{""}, mode: modeWords, want: []string{"apply", "validate", "status", "completion", "help"}, not: []string{"h", completeCommandName}},
		{words: []string{"ap"}, mode: modeWords, want: []string{"apply"}},
		{words: []string{"--"}, mode: modeWords, want: []string{"--help", "--version"}},
		{words: []string{"apply", "--"}, mode: modeWords, want: []string{"--dry-run", "--filename", "--env-file", "--output", "--help"}, not: []string{"--wait-poll", "--generate-bash-completion"}},
		{words: []string{"apply", ""}, mode: modeWords, want: []string{"--filename", "--dry-run"}, not: []string{"h", "help"}},
		{words: []string{"apply", "--dry-run", "--d"}, mode: modeWords, want: []string{"--duplicate-pattern", "--detailed-exitcode"}, not: []string{"--dry-run"}},
		{words: []string{"apply", "-f", "a.yaml", "--f"}, mode: modeWords, want: []string{"--filename"}},
		{words: []string{"apply", "-o", ""}, mode: modeWords, want: []string{"text", "json", "github"}, not: []string{"junit", "sarif", "--output"}},
		{words: []string{"apply", "--output", "j"}, mode: modeWords, want: []string{"json"}},
		{words: []string{"validate", "-o", ""}, mode: modeWords, want: []string{"text", "json", "github", "junit", "sarif", "gitlab"}},
		{words: []string{"status", "-o", ""}, mode: modeWords, want: []string{"text", "json"}, not: []string{"github"}},
		{words: []string{"apply", "--output=j"}, mode: modeWords, lead: "--output=", want: []string{"--output=json"}},
		{words: []string{"completion", ""}, mode: modeWords, want: []string{"bash", "zsh", "fish"}},
		{words: []string{"completion", "bash", ""}, mode: modeWords, want: []string{"--help"}},
		{words: []string{"help", "v"}, mode: modeWords, want: []string{"validate", "version"}},
		{words: []string{"apply", "-f", "jo"}, mode: modeYAML},
		{words: []string{"validate", "--filename", ""}, mode: modeYAML},
		{words: []string{"apply", "--env-file", "ex"}, mode: modeFiles},
		{words: []string{"apply", "--env-file=ex"}, mode: modeFiles, lead: "--env-file="},
		{words: []string{"status", "--api-key-file", ""}, mode: modeFiles},
		{words: []string{"validate", "--report-root", ""}, mode: modeDirs},
		{words: []string{"emulator", "--state", ""}, mode: modeFiles},
		{words: []string{"apply", "--concurrency", ""}, mode: modeNone},
		{words: []string{"status", ""}, mode: modeNone},
		{words: []string{"aply", ""}, mode: modeNone},
		{words: []string{"apply", "--", ""}, mode: modeNone},
	} {
		t.Run(strings.Join(tc.words, " "), func(t *testing.T) {
			code, out, errOut := runInProcess(t, nil, append([]string{completeCommandName}, tc.words...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			mode, lead, _ := strings.Cut(lines[0], "\t")
			if mode != tc.mode || lead != tc.lead {
				t.Errorf("mode %q lead %q, want %q %q", mode, lead, tc.mode, tc.lead)
			}
			var got []string
			for _, l := range lines[1:] {
				v, _, _ := strings.Cut(l, "\t")
				got = append(got, v)
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("%q not offered: %q", w, got)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("%q offered: %q", n, got)
				}
			}
		})
	}
}

// TestCompletionInShells drives real interactive bash, zsh and fish under
// tmux, as people use them: it loads the script as the README says, types,
// presses Tab and reads the screen. Each shell starts in its own tmux server
// with its own HOME and rc files, and the screen is polled until the
// expected text shows or a deadline passes.
func TestCompletionInShells(t *testing.T) {
	// Beside the other tests that wait: its shells and tmux servers are its own.
	t.Parallel()
	need := func(name string) string {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Skipf("%s is not installed (Debian package %s; .ci/run installs it): completion is not tried in real shells", name, name)
		}
		return p
	}
	need("tmux")
	// The binary built once for the run: every Tab runs it, and the test
	// binary (jobsBinary), built with -race, sleeps a second as it exits.
	bin := builtBinary(t)

	type keys struct {
		typed string   // the line typed
		tabs  int      // Tabs pressed after it
		want  []string // patterns the screen must show
		not   []string // patterns it must not show once it does
	}
	cases := []keys{
		{typed: "daestro-jobs ap", tabs: 1, want: []string{`daestro-jobs apply`}},
		{typed: "daestro-jobs apply --dr", tabs: 1, want: []string{`apply --dry-run`}},
		{typed: "daestro-jobs apply --", tabs: 2, want: []string{`--env-file`, `--detailed-exitcode`}, not: []string{`--wait-poll`, `generate-bash`}},
		{typed: "daestro-jobs apply -o ", tabs: 2, want: []string{`github`, `json`}, not: []string{`junit`, `--output`}},
		{typed: "daestro-jobs validate -o sa", tabs: 1, want: []string{`-o sarif`}},
		{typed: "daestro-jobs completion ", tabs: 2, want: []string{`bash`, `fish`, `zsh`}},
		// Every candidate is a flag: the shell inserts their common "--".
		{typed: "daestro-jobs apply ", tabs: 1, want: []string{`daestro-jobs apply --`}, not: []string{`(?m)(^|  )h(  |$)`, `(?m)(^|  )help(  |$)`}},
		{typed: "daestro-jobs apply -f jo", tabs: 1, want: []string{`-f jobs/a\.yaml`}},
		{typed: "daestro-jobs apply -f ", tabs: 2, want: []string{`jobs/`, `other\.yaml`}, not: []string{`example\.env`, `notes\.txt`}},
		{typed: "daestro-jobs apply --env-file ex", tabs: 1, want: []string{`--env-file example\.env`}},
	}

	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			shellPath := need(shell)
			// One HOME per shell (zsh's compinit dump is made once), a
			// fresh tmux server and shell per case.
			home := shellHome(t, shell, shellPath)
			for _, tc := range cases {
				t.Run(tc.typed, func(t *testing.T) {
					s := startShell(t, home, shell, shellPath, bin)
					s.send(t, "-l", tc.typed)
					for range tc.tabs {
						s.send(t, "Tab")
					}
					if tc.tabs == 1 && strings.Contains(tc.typed, "-f jo") {
						// Descend: the directory was completed with no
						// space after it, so one more Tab goes inside.
						s.waitFor(t, []string{`-f jobs/`}, nil)
						s.send(t, "Tab")
					}
					s.waitFor(t, tc.want, tc.not)
				})
			}
		})
	}
}

// tmuxShell is one interactive shell in a tmux server of its own.
type tmuxShell struct {
	socket string
	env    []string
}

// shellPrompt is the prompt of the shells under test.
const shellPrompt = "READY> "

// shellHome is a HOME whose rc file loads the completion as the README
// says, with a directory of manifests and other files to complete.
func shellHome(t *testing.T, shell, shellPath string) string {
	t.Helper()
	home := t.TempDir()
	work := filepath.Join(home, "work")
	for _, dir := range []string{filepath.Join(work, "jobs"), filepath.Join(home, ".config", "fish")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"jobs/a.yaml":    "job_definition: acme::d:1\njob_queue: acme::q\n",
		"jobs/notes.txt": "not a manifest\n",
		"other.yaml":     "job_definition: acme::d:1\njob_queue: acme::q\n",
		"example.env":    "A=1\n",
		"notes.txt":      "not a manifest\n",
	} {
		writeFile(t, filepath.Join(work, name), content)
	}
	const prompt = shellPrompt
	switch shell {
	case "bash":
		writeFile(t, filepath.Join(home, ".bashrc"), "PS1='"+prompt+"'\nsource <(daestro-jobs completion bash)\n")
	case "zsh":
		// No compinit in the rc file: the script must work without it.
		writeFile(t, filepath.Join(home, ".zshrc"), "PS1='"+prompt+"'\nsource <(daestro-jobs completion zsh)\n")
	case "fish":
		writeFile(t, filepath.Join(home, ".config", "fish", "config.fish"), strings.Join([]string{
			"set -g fish_greeting",
			"set -g fish_autosuggestion_enabled 0",
			"function fish_prompt; printf '" + prompt + "'; end",
			"daestro-jobs completion fish | source",
		}, "\n")+"\n")
	}
	return home
}

// startShell starts an interactive shell in a tmux server of its own, in
// home's work directory, and waits for its prompt.
func startShell(t *testing.T, home, shell, shellPath, bin string) *tmuxShell {
	t.Helper()
	cmd := shellPath + " -i"
	if shell == "bash" {
		cmd = shellPath + " --noprofile --rcfile " + filepath.Join(home, ".bashrc") + " -i"
	}
	// A socket of its own per case, on a short path (sockets have a limit).
	sockDir, err := os.MkdirTemp("", "dj-tmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	s := &tmuxShell{
		socket: filepath.Join(sockDir, "sock"),
		env: []string{
			"HOME=" + home, "ZDOTDIR=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
			"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
			"PATH=" + bin + string(os.PathListSeparator) + "/usr/local/bin:/usr/bin:/bin",
			"TERM=xterm-256color", "LANG=C.UTF-8", "SHELL=" + shellPath,
		},
	}
	s.tmux(t, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "-c", filepath.Join(home, "work"), cmd)
	t.Cleanup(func() { _ = s.command("kill-server").Run() })
	s.waitFor(t, []string{regexp.QuoteMeta(shellPrompt)}, nil)
	return s
}

func (s *tmuxShell) command(args ...string) *exec.Cmd {
	c := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...)
	c.Env = s.env
	return c
}

func (s *tmuxShell) tmux(t *testing.T, args ...string) string {
	t.Helper()
	out, err := s.command(args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// send types keys: with "-l" first, literally.
func (s *tmuxShell) send(t *testing.T, keys ...string) {
	t.Helper()
	s.tmux(t, append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// waitFor polls the screen until every pattern of want matches, then
// checks that none of not does; it fails after a deadline.
func (s *tmuxShell) waitFor(t *testing.T, want, not []string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		screen := s.tmux(t, "capture-pane", "-p", "-J", "-t", "0")
		missing := ""
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(screen) {
				missing = w
				break
			}
		}
		if missing == "" {
			for _, n := range not {
				if regexp.MustCompile(n).MatchString(screen) {
					t.Errorf("the screen shows %q:\n%s", n, screen)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", missing, screen)
		}
		<-tick.C
	}
}
