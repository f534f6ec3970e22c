package gittree

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a git repository in a temporary directory with files (a
// value starting with "->" is a symbolic link to the rest), commits them,
// and returns its directory and the commit.
func repo(t *testing.T, files map[string]string) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	t.Setenv("HOME", dir)
	for k, v := range map[string]string{"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
		"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"} {
		t.Setenv(k, v)
	}
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(text, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(text), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "base")
	return dir, strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestResolveNeverAnOption(t *testing.T) {
	dir, commit := repo(t, map[string]string{"jobs/a.yaml": "a: 1\n"})
	ctx := context.Background()
	r, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Resolve(ctx, "main"); err != nil || got != commit {
		t.Errorf("Resolve(main) = %q, %v; want %s", got, err, commit)
	}
	pwned := filepath.Join(dir, "pwned")
	for _, rev := range []string{"-main", "--output=" + pwned, "--help", "-h", "--all", "main\nHEAD", "", "main:jobs/a.yaml"} {
		if got, err := r.Resolve(ctx, rev); !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("Resolve(%q) = %q, %v; want ErrUnknownRevision", rev, got, err)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Error("a revision was read as --output")
	}
}

func TestOpenOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	if _, err := Open(context.Background(), dir); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open outside a repository: %v, want ErrNotRepository", err)
	}
}

func TestTree(t *testing.T) {
	dir, commit := repo(t, map[string]string{
		"jobs/a.yaml":          "job: a\n",
		"jobs/sub/b.yml":       "job: b\n",
		"jobs/link.yaml":       "->../secret.yaml",
		"jobs/big.yaml":        strings.Repeat("x", 2048),
		"jobs/readme.txt":      "not a manifest\n",
		"secret.yaml":          "outside: jobs\n",
		"_defaults.yaml":       "job_queue: q\n",
		":(glob)*":             "magic\n",
		"other/_defaults.yaml": "not on the way\n",
	})
	ctx := context.Background()
	r, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := r.Tree(ctx, commit, []string{"jobs"}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()

	var names []string
	err = fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ". _defaults.yaml jobs jobs/a.yaml jobs/big.yaml jobs/link.yaml jobs/readme.txt jobs/sub jobs/sub/b.yml"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("the tree holds\n%s\nwant (the paths, and the defaults on the way up)\n%s", got, want)
	}

	read := func(name string) (string, error) {
		f, err := tree.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		return string(b), err
	}
	if got, err := read("jobs/sub/b.yml"); err != nil || got != "job: b\n" {
		t.Errorf("jobs/sub/b.yml = %q, %v", got, err)
	}
	if got, err := read("jobs/link.yaml"); !errors.Is(err, ErrSymlink) {
		t.Errorf("a symbolic link was opened: %q, %v", got, err)
	}
	if info, err := tree.Stat("jobs/link.yaml"); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Stat of a link: %v, %v; want a link", info, err)
	}
	info, err := tree.Stat("jobs/big.yaml")
	if err != nil || info.Size() != 2048 {
		t.Errorf("Stat of a file over the limit: %v, %v; want its size", info, err)
	}
	if _, err := read("jobs/big.yaml"); err == nil {
		t.Error("a file over the limit was read")
	}
	if _, err := read("secret.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file outside the paths: %v, want not found", err)
	}

	// Paths are literal: pathspec magic is a file name like any other.
	magic, err := r.Tree(ctx, commit, []string{":(glob)*"}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer magic.Close()
	entries, _ := fs.ReadDir(magic, ".")
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != ":(glob)* _defaults.yaml" {
		t.Errorf(`":(glob)*" listed %v; want only that file (and the root's defaults)`, got)
	}
}

func TestDropSame(t *testing.T) {
	dir, commit := repo(t, map[string]string{
		"jobs/same.yaml":      "job: same\n",
		"jobs/edited.yaml":    "job: edited\n",
		"jobs/samesize.yaml":  "job: aaaa\n",
		"jobs/gone.yaml":      "job: gone\n",
		"jobs/link.yaml":      "->same.yaml",
		"jobs/_defaults.yaml": "job_queue: q\n",
	})
	ctx := context.Background()
	r, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("jobs/edited.yaml", "job: edited again\n")
	write("jobs/samesize.yaml", "job: bbbb\n")
	if err := os.Remove(filepath.Join(dir, "jobs/gone.yaml")); err != nil {
		t.Fatal(err)
	}
	work := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }

	tree, err := r.Tree(ctx, commit, []string{"jobs"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	dropped := tree.DropSame(work)
	if len(dropped) != 1 || !dropped["jobs/same.yaml"] {
		t.Errorf("dropped %v; want only jobs/same.yaml", dropped)
	}
	if _, err := tree.Stat("jobs/same.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a dropped file is still in the tree: %v", err)
	}
	for _, name := range []string{"jobs/edited.yaml", "jobs/samesize.yaml", "jobs/gone.yaml", "jobs/link.yaml"} {
		if _, err := tree.Stat(name); err != nil {
			t.Errorf("%s was dropped: %v", name, err)
		}
	}

	// A defaults file that differs changes jobs whose files did not: none
	// is dropped.
	write("jobs/_defaults.yaml", "job_queue: other\n")
	tree2, err := r.Tree(ctx, commit, []string{"jobs"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	if dropped := tree2.DropSame(work); len(dropped) != 0 {
		t.Errorf("a defaults file differs, yet %v were dropped", dropped)
	}
	// So does one that is new in the working tree.
	write("jobs/_defaults.yaml", "job_queue: q\n")
	write("_defaults.yml", "job_queue: new\n")
	tree3, err := r.Tree(ctx, commit, []string{"jobs"}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer tree3.Close()
	if dropped := tree3.DropSame(work); len(dropped) != 0 {
		t.Errorf("a defaults file is new, yet %v were dropped", dropped)
	}
}
