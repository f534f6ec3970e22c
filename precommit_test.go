package main

// Tests of the pre-commit hooks (.pre-commit-hooks.yaml). TestPreCommitEntry
// runs the hook's command as pre-commit builds it, with no pre-commit;
// TestPreCommitHooks runs the hooks for real with pre-commit (try-repo, and
// run on try-repo's configuration), and is skipped when pre-commit is not
// installed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// preCommitHook is one hook of .pre-commit-hooks.yaml, decoded with known
// fields only.
type preCommitHook struct {
	ID              string   `yaml:"id"`
	Name            string   `yaml:"name"`
	Description     string   `yaml:"description"`
	Language        string   `yaml:"language"`
	LanguageVersion string   `yaml:"language_version"`
	Entry           string   `yaml:"entry"`
	Args            []string `yaml:"args"`
	Files           string   `yaml:"files"`
	PassFilenames   *bool    `yaml:"pass_filenames"`
	RequireSerial   bool     `yaml:"require_serial"`
}

func loadPreCommitHooks(t *testing.T) map[string]preCommitHook {
	t.Helper()
	b, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var hooks []preCommitHook
	if err := dec.Decode(&hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	byID := map[string]preCommitHook{}
	for _, h := range hooks {
		if _, dup := byID[h.ID]; dup {
			t.Errorf("hook id %s twice", h.ID)
		}
		byID[h.ID] = h
	}
	return byID
}

// splitEntry splits a hook's entry into words as pre-commit does (Python's
// shlex.split): blanks separate words; single quotes keep everything;
// double quotes keep everything but a backslash before \ " $ `; a
// backslash outside quotes keeps the next character. Nothing is expanded.
func splitEntry(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("no closing quotation")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("no closing quotation")
			}
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
		default:
			w.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

func TestPreCommitSplitEntry(t *testing.T) {
	for in, want := range map[string][]string{
		`a b  c`:                  {"a", "b", "c"},
		`sh -c 'x "$@" y' name`:   {"sh", "-c", `x "$@" y`, "name"},
		`"a \"b\" \$c \d" e\ f''`: {`a "b" $c \d`, "e f"},
	} {
		got, err := splitEntry(in)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("splitEntry(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestPreCommitEntry checks both hooks' definitions and runs the command
// pre-commit builds for each (the entry's words, then args, then the file
// names when pass_filenames) with a stand-in daestro-jobs on PATH that
// prints its arguments.
func TestPreCommitEntry(t *testing.T) {
	hooks := loadPreCommitHooks(t)
	bin := t.TempDir()
	stub := "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "daestro-jobs"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, h preCommitHook, args, files []string) string {
		t.Helper()
		words, err := splitEntry(h.Entry)
		if err != nil {
			t.Fatalf("entry %q: %v", h.Entry, err)
		}
		argv := append(append(words, args...), files...)
		name := argv[0]
		if name == "daestro-jobs" { // the stand-in, not one installed on the machine
			name = filepath.Join(bin, name)
		}
		cmd := exec.Command(name, argv[1:]...)
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", argv, err, out)
		}
		return strings.TrimPrefix(string(out), filepath.Join(bin, "daestro-jobs")+"\n")
	}
	files := regexp.MustCompile(`^jobs/.*\.ya?ml$`) // the default of both hooks

	t.Run("daestro-jobs-validate", func(t *testing.T) {
		h, ok := hooks["daestro-jobs-validate"]
		if !ok {
			t.Fatal("no hook daestro-jobs-validate")
		}
		if h.Language != "golang" || h.Files != files.String() || (h.PassFilenames != nil && !*h.PassFilenames) || !h.RequireSerial {
			t.Errorf("want language golang, files %s, file names passed, require_serial: %+v", files, h)
		}
		// File names become -f NAME, in order; flags stay as they are; a
		// name with a blank or a quote stays one argument.
		got := run(t, h, []string{"--env-file=ci.env", "--allow-literal-secrets"},
			[]string{"jobs/a.yaml", "jobs/b c.yml", `jobs/it's.yaml`})
		want := "validate\n--env-file=ci.env\n--allow-literal-secrets\n-f\njobs/a.yaml\n-f\njobs/b c.yml\n-f\njobs/it's.yaml\n"
		if got != want {
			t.Errorf("daestro-jobs got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("daestro-jobs-validate-all", func(t *testing.T) {
		h, ok := hooks["daestro-jobs-validate-all"]
		if !ok {
			t.Fatal("no hook daestro-jobs-validate-all")
		}
		if h.Language != "golang" || h.Files != files.String() || h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("want language golang, files %s, pass_filenames false: %+v", files, h)
		}
		if got, want := run(t, h, h.Args, nil), "validate\n-f\njobs/\n"; got != want {
			t.Errorf("daestro-jobs got\n%s\nwant\n%s", got, want)
		}
	})
	for name, match := range map[string]bool{
		"jobs/a.yaml": true, "jobs/team/b.yml": true, "jobs/a.json": false,
		"examples/a.yaml": false, "deploy/jobs/a.yaml": false,
	} {
		if files.MatchString(name) != match {
			t.Errorf("files: %s matches %s: %v, want %v", files, name, !match, match)
		}
	}
}

// TestPreCommitHooks runs both hooks with pre-commit on git repositories of
// manifests: pre-commit builds the module with its golang language (go
// install ./..., the go on PATH) and runs the hook on the files named. The
// hooks are tried from a snapshot of the working tree: try-repo on the
// working tree directly would not do, as its commit of uncommitted changes
// takes tracked files only (git add -u), so a new hook file is not seen
// until committed.
//
// One case runs `pre-commit try-repo` itself. The others run what try-repo
// runs, `pre-commit run` on the configuration it writes (the snapshot at
// its commit, the one hook), with one pre-commit store for them all:
// try-repo makes a new store every time, and so builds and links the module
// again for every case, seconds each.
func TestPreCommitHooks(t *testing.T) {
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not installed, so the hooks are not run (Debian: apt-get install -y pre-commit)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed; pre-commit needs it")
	}
	t.Parallel()
	hookRepo, rev := preCommitSnapshot(t)
	env := preCommitEnv(t)

	examples, _ := filepath.Glob(filepath.Join("examples", "*.yaml"))
	good := map[string]string{}
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		good["jobs/"+filepath.Base(f)] = string(b)
	}
	bad, err := os.ReadFile(filepath.Join("testdata", "action", "bad", "jobs", "bad.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Two files that give one identity two bodies.
	clash := map[string]string{
		"jobs/a.yaml": "job_definition: acme::report-builder:3\njob_queue: acme::nightly\nname: nightly-report\n",
		"jobs/b.yaml": "job_definition: acme::report-builder:4\njob_queue: acme::nightly\nname: nightly-report\n",
	}
	repos := map[string]string{
		"good":  preCommitManifests(t, env, good),
		"bad":   preCommitManifests(t, env, map[string]string{"jobs/bad.yaml": string(bad), "jobs/warm-cache.yaml": good["jobs/warm-cache.yaml"]}),
		"clash": preCommitManifests(t, env, clash),
	}
	var goodFiles []string
	for f := range good {
		goodFiles = append(goodFiles, f)
	}

	for _, tc := range []struct {
		name, hook, repo string
		files            []string
		fail             bool
		want             []string // in the output
		tryRepo          bool     // run by pre-commit try-repo itself
	}{
		{name: "a bad manifest", hook: "daestro-jobs-validate", repo: "bad",
			files: []string{"jobs/bad.yaml", "jobs/warm-cache.yaml"}, fail: true,
			want: []string{"jobs/bad.yaml:2:12: job_queue: ", `jobs/bad.yaml:3:1: nmae: unknown key; did you mean "name"?`,
				"- hook id: daestro-jobs-validate", "1 invalid"}},
		{name: "the examples", hook: "daestro-jobs-validate", repo: "good", files: goodFiles,
			want: []string{"validate Daestro job manifests....", "Passed"}, tryRepo: true},
		{name: "no manifest staged", hook: "daestro-jobs-validate", repo: "good", files: []string{"README.md"},
			want: []string{"(no files to check)Skipped"}},
		{name: "a clash across the staged files", hook: "daestro-jobs-validate", repo: "clash",
			files: []string{"jobs/a.yaml", "jobs/b.yaml"}, fail: true,
			want: []string{"jobs/b.yaml:3:1: name: ", "also defined at jobs/a.yaml:3:1 with a different body"}},
		// The staged files only: a clash with a file not staged is not seen.
		{name: "a clash with a file not staged", hook: "daestro-jobs-validate", repo: "clash",
			files: []string{"jobs/a.yaml"}, want: []string{"Passed"}},
		{name: "all: a clash with a file not staged", hook: "daestro-jobs-validate-all", repo: "clash",
			files: []string{"jobs/a.yaml"}, fail: true,
			want: []string{"also defined at jobs/a.yaml:3:1 with a different body", "- hook id: daestro-jobs-validate-all"}},
		{name: "all: a bad manifest not staged", hook: "daestro-jobs-validate-all", repo: "bad",
			files: []string{"jobs/warm-cache.yaml"}, fail: true, want: []string{"jobs/bad.yaml:2:12: job_queue: "}},
		{name: "all: the examples", hook: "daestro-jobs-validate-all", repo: "good",
			files: []string{"jobs/warm-cache.yaml"}, want: []string{"validate all Daestro job manifests....", "Passed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"run", "--color", "never", "--config", tryRepoConfig(t, hookRepo, rev, tc.hook), "--files"}, tc.files...)
			if tc.tryRepo {
				args = append([]string{"try-repo", "--color", "never", hookRepo, tc.hook, "--ref", rev, "--files"}, tc.files...)
			}
			code, out := preCommitRun(t, preCommit, repos[tc.repo], env, args...)
			if (code != 0) != tc.fail {
				t.Errorf("exit %d, want failure %v", code, tc.fail)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in the output", w)
				}
			}
			if t.Failed() {
				t.Log(out)
			}
		})
	}

	// The example configuration, pointed at the snapshot: its hooks exist
	// and run as it says.
	t.Run("examples/ci/.pre-commit-config.yaml", func(t *testing.T) {
		t.Parallel()
		b, err := os.ReadFile(filepath.Join("examples", "ci", ".pre-commit-config.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := string(b)
		repoLine := regexp.MustCompile(`(?m)^(\s*- repo:) https://github\.com/daestro-jobs/daestro-jobs$`)
		revLine := regexp.MustCompile(`(?m)^(\s*rev:) v[0-9.]+$`)
		if !repoLine.MatchString(cfg) || !revLine.MatchString(cfg) {
			t.Fatalf("the example does not use the hooks of github.com/daestro-jobs/daestro-jobs at a release:\n%s", cfg)
		}
		cfg = repoLine.ReplaceAllString(cfg, "$1 "+hookRepo)
		cfg = revLine.ReplaceAllString(cfg, "$1 "+rev)
		path := filepath.Join(t.TempDir(), "pre-commit-config.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			repo string
			fail bool
			want string
		}{
			{repo: "bad", fail: true, want: "jobs/bad.yaml:3:1: nmae: unknown key"},
			{repo: "good", want: "Passed"},
		} {
			code, out := preCommitRun(t, preCommit, repos[tc.repo], env, "run", "--color", "never", "--config", path, "--all-files")
			if (code != 0) != tc.fail || !strings.Contains(out, tc.want) {
				t.Errorf("%s: exit %d (want failure %v), want %q in\n%s", tc.repo, code, tc.fail, tc.want, out)
			}
		}
	})
}

// tryRepoConfig writes the configuration pre-commit try-repo writes to try
// one hook of repo at rev, and returns its path.
func tryRepoConfig(t *testing.T, repo, rev, hook string) string {
	t.Helper()
	b, err := yaml.Marshal(map[string]any{"repos": []any{map[string]any{
		"repo": repo, "rev": rev, "hooks": []any{map[string]string{"id": hook}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ".pre-commit-config.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// preCommitEnv is the environment of git and pre-commit in these tests:
// the machine's, less what would change what they do, with a store of
// pre-commit's own and the Go module cache this test's build filled, so
// that building the hook needs no network, and -trimpath, so that it needs
// little compiling.
func preCommitEnv(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "DAESTRO_"), strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "PRE_COMMIT"),
			strings.HasPrefix(k, "GIT_"), k == "SKIP", k == "GOMODCACHE", k == "GOPROXY", k == "GOTOOLCHAIN", k == "GOWORK",
			k == "GOFLAGS":
			continue
		case k == "PATH":
			kv = "PATH=" + pathWithout("daestro-jobs")
		}
		env = append(env, kv)
	}
	return append(env,
		"PRE_COMMIT_HOME="+t.TempDir(),
		"GOMODCACHE="+strings.TrimSpace(string(out)), "GOPROXY=off", "GOTOOLCHAIN=local",
		// pre-commit clones the hooks' repository to a new directory every
		// run; without -trimpath that path is part of every package's
		// build, so the module would compile anew each time instead of
		// coming from the build cache (builtBinary builds it -trimpath too).
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"),
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.invalid",
	)
}

// preCommitSnapshot commits the working tree as it is (tracked files and
// untracked ones not ignored) to a new git repository, and returns it and
// the commit.
func preCommitSnapshot(t *testing.T) (dir, rev string) {
	t.Helper()
	list, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("not a git work tree, so no snapshot of it to try the hooks from: %v", err)
	}
	dir = t.TempDir()
	for name := range strings.SplitSeq(strings.TrimSuffix(string(list), "\x00"), "\x00") {
		fi, err := os.Lstat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(name)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				t.Fatal(err)
			}
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := preCommitEnv(t)
	preCommitGit(t, dir, env, "init", "-q")
	preCommitGit(t, dir, env, "add", "-A")
	preCommitGit(t, dir, env, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot of the work tree")
	return dir, strings.TrimSpace(preCommitGit(t, dir, env, "rev-parse", "HEAD"))
}

// preCommitManifests makes a git repository holding files (name: content),
// committed.
func preCommitManifests(t *testing.T, env []string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"README.md": "manifests\n"}
	maps.Copy(all, files)
	for name, content := range all {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	preCommitGit(t, dir, env, "init", "-q")
	preCommitGit(t, dir, env, "add", "-A")
	preCommitGit(t, dir, env, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "manifests")
	return dir
}

func preCommitGit(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// preCommitRun runs pre-commit in dir and returns its exit code and output.
func preCommitRun(t *testing.T, preCommit, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, preCommit, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("pre-commit %s did not end within 10 minutes:\n%s", strings.Join(args, " "), out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatal(err)
	}
	return 0, string(out)
}
