// Package gittree reads the files of a git revision through the git CLI
// (the one every CI image has; no git library), as an fs.FS that the
// manifest stage reads like the working tree: `daestro-jobs diff` and
// `apply --since` compare the jobs of the working tree with those of a
// revision.
//
// Revisions and paths are input (a branch name, a variable a fork's pull
// request sets), so none is ever read as an option of git: a revision is
// resolved to a commit id first, with --end-of-options; paths go after "--"
// and are taken literally (--literal-pathspecs), never as pathspec magic.
// Files are read by one `git cat-file --batch` process, not one per file.
// A symbolic link in the tree is never followed: it is listed as one, and
// opening it is an error. Nothing git writes is returned unchecked: object
// ids are checked to be hex, and messages are the caller's to escape.
package gittree

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// ErrNotRepository is returned by Open outside a git working tree.
var ErrNotRepository = errors.New("not inside a git repository")

// ErrUnknownRevision is wrapped by Resolve's error when the revision does
// not name a commit of the clone.
var ErrUnknownRevision = errors.New("unknown revision")

// Repo is the git working tree holding a directory.
type Repo struct {
	// Dir is where git runs: the directory paths are relative to.
	Dir string
	// Prefix is Dir relative to the root of the working tree, with forward
	// slashes: "" at the root, else ending in "/".
	Prefix string
	// Shallow is true for a shallow clone (actions/checkout's default
	// fetch-depth: 1, GitLab's GIT_DEPTH).
	Shallow bool
}

// Open finds the working tree holding dir ("" for the working directory).
func Open(ctx context.Context, dir string) (*Repo, error) {
	r := &Repo{Dir: dir}
	out, err := r.git(ctx, nil, "rev-parse", "--is-inside-work-tree", "--show-prefix", "--is-shallow-repository")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, ErrNotRepository
		}
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "true" {
		return nil, ErrNotRepository
	}
	r.Prefix = lines[1]
	r.Shallow = lines[2] == "true"
	return r, nil
}

// Resolve turns a revision (a branch, a tag, origin/main, a commit id) into
// the id of the commit it names, never reading it as an option.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.ContainsAny(rev, "\x00\n") {
		return "", fmt.Errorf("%w %q", ErrUnknownRevision, rev)
	}
	out, err := r.git(ctx, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%w %q", ErrUnknownRevision, rev)
		}
		return "", err
	}
	id := strings.TrimSpace(string(out))
	if !isHex(id) {
		return "", fmt.Errorf("git rev-parse gave %q for %q, not a commit id", id, rev)
	}
	return id, nil
}

// git runs git in r.Dir with stdin, returning its standard output; its
// standard error is in the error, cut short.
func (r *Repo) git(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := r.command(ctx, args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, left: 4096}
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out, &gitError{args: args, stderr: strings.TrimSpace(stderr.String()), err: ee}
		}
		return out, fmt.Errorf("running git: %w", err)
	}
	return out, nil
}

func (r *Repo) command(ctx context.Context, args ...string) *exec.Cmd {
	// --literal-pathspecs: a path is a path, never ":(glob)" magic;
	// --no-pager and no optional locks: a read-only, non-interactive use.
	cmd := exec.CommandContext(ctx, "git", append([]string{"--literal-pathspecs", "--no-pager"}, args...)...)
	cmd.Dir = r.Dir
	cmd.Env = append(cmd.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

// gitError is git exiting non-zero, with what it said.
type gitError struct {
	args   []string
	stderr string
	err    *exec.ExitError
}

func (e *gitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", e.args[0], e.err)
	if e.stderr != "" {
		msg += ": " + e.stderr
	}
	return msg
}

func (e *gitError) Unwrap() error { return e.err }

// limitedBuffer keeps the first left bytes written to it and drops the
// rest, so a chatty git cannot fill memory.
type limitedBuffer struct {
	buf  *bytes.Buffer
	left int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if l.left > 0 {
		k := min(l.left, n)
		l.buf.Write(p[:k])
		l.left -= k
	}
	return n, nil
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseTree reads `git ls-tree -r -t -l -z` output: "<mode> SP <type> SP
// <object> SP+ <size> TAB <path> NUL" per entry.
func parseTree(out []byte, add func(e entry)) error {
	for len(out) > 0 {
		end := bytes.IndexByte(out, 0)
		if end < 0 {
			return errors.New("git ls-tree: output not terminated")
		}
		rec := out[:end]
		out = out[end+1:]
		meta, name, ok := bytes.Cut(rec, []byte{'\t'})
		if !ok {
			return fmt.Errorf("git ls-tree: unexpected entry %q", clip(rec))
		}
		f := strings.Fields(string(meta))
		if len(f) != 4 || !isHex(f[2]) {
			return fmt.Errorf("git ls-tree: unexpected entry %q", clip(rec))
		}
		e := entry{mode: f[0], kind: f[1], oid: f[2], size: -1}
		if f[3] != "-" {
			n, err := strconv.ParseInt(f[3], 10, 64)
			if err != nil {
				return fmt.Errorf("git ls-tree: unexpected size in %q", clip(rec))
			}
			e.size = n
		}
		e.path = string(name)
		add(e)
	}
	return nil
}

func clip(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// batch is one `git cat-file --batch` process, reading objects by id.
type batch struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func (r *Repo) startBatch(ctx context.Context) (*batch, error) {
	cmd := r.command(ctx, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running git cat-file: %w", err)
	}
	return &batch{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

// read reads the answer for the next object asked for: its contents, or an
// error when git says it is missing or not the size expected.
func (b *batch) read(oid string, maxSize int64) ([]byte, error) {
	header, err := b.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	f := strings.Fields(header)
	if len(f) == 2 && f[1] == "missing" {
		return nil, fmt.Errorf("git cat-file: object %s is missing (a partial clone?)", oid)
	}
	if len(f) != 3 || f[0] != oid {
		return nil, fmt.Errorf("git cat-file: unexpected answer %q", clip([]byte(header)))
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 || size > maxSize {
		return nil, fmt.Errorf("git cat-file: unexpected size in %q", clip([]byte(header)))
	}
	data := make([]byte, size+1) // and the LF after the contents
	if _, err := io.ReadFull(b.out, data); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	if data[size] != '\n' {
		return nil, errors.New("git cat-file: contents not followed by a newline")
	}
	return data[:size], nil
}

func (b *batch) close() error {
	b.in.Close()
	_, _ = io.Copy(io.Discard, b.out)
	return b.cmd.Wait()
}
