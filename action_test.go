package main

// Tests of the GitHub Action (action.yml) without GitHub: its shape is
// checked, then its run: steps are run with bash as the runner runs a
// composite action's steps (each script written to a file in RUNNER_TEMP and
// run as `bash --noprofile --norc -eo pipefail FILE`, with the runner's
// environment and file commands), against the emulator on loopback. uses:
// steps (setup-go, the cache) are skipped: Go is on the machine.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// actionManifest is action.yml as far as the runner reads it. It is decoded
// with known fields only: a key these tests do not model is an error, not
// something silently left out of the simulation.
type actionManifest struct {
	Name        string                  `yaml:"name"`
	Author      string                  `yaml:"author"`
	Description string                  `yaml:"description"`
	Branding    map[string]string       `yaml:"branding"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Runs        struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionInput struct {
	Description string  `yaml:"description"`
	Required    bool    `yaml:"required"`
	Default     *string `yaml:"default"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
}

// label names a step in messages.
func (s actionStep) label(i int) string {
	switch {
	case s.ID != "":
		return fmt.Sprintf("step %d (id %s)", i, s.ID)
	case s.Name != "":
		return fmt.Sprintf("step %d (%s)", i, s.Name)
	}
	return fmt.Sprintf("step %d", i)
}

func loadAction(t *testing.T) *actionManifest {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var a actionManifest
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return &a
}

// The step outputs and counts the tool writes under -o github (report/github.go),
// and what the action's run step adds.
var (
	actionApplyOutputs    = []string{"jobs-total", "created", "exists", "duplicate", "planned", "failed", "not-submitted", "invalid", "created-jobs"}
	actionValidateOutputs = []string{"files", "documents", "valid", "invalid", "errors", "warnings"}
	actionOwnOutputs      = []string{"exit-code", "changed"}
	actionDiffOutputs     = []string{"new", "edited", "removed", "unchanged"}
)

// actionExpr is a ${{ }} expression; the simulation knows only the forms
// action.yml uses (actionRun.eval).
var actionExpr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// TestActionShape checks action.yml as the runner would load it: composite,
// the inputs and outputs documented, no expression in any script, every
// expression one the tests can evaluate, referring to an input or an
// earlier step that exists.
func TestActionShape(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	if a.Name == "" || a.Description == "" {
		t.Error("action.yml needs a name and a description (the Marketplace shows them)")
	}
	// Secrets must never be inputs: inputs are written to the log.
	for _, want := range []string{"DAESTRO_API_KEY", "env:", "with:"} {
		if !strings.Contains(a.Description, want) {
			t.Errorf("the description does not say how secrets are passed (no %q)", want)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if strings.Contains(strings.ToLower(name), "key") || strings.Contains(strings.ToLower(name), "secret") {
			t.Errorf("input %s looks like a secret: secrets go in env:, inputs are logged", name)
		}
	}
	for name, want := range map[string]string{
		"command": "validate", "paths": "jobs/", "args": "", "go-version": "1.26", "setup-go": "true",
	} {
		in, ok := a.Inputs[name]
		switch {
		case !ok:
			t.Errorf("no input %s", name)
		case in.Default == nil || *in.Default != want:
			t.Errorf("input %s: default %v, want %q", name, in.Default, want)
		}
	}
	outs := append(append(append(append([]string{}, actionOwnOutputs...), actionApplyOutputs...), actionValidateOutputs...), actionDiffOutputs...)
	for _, name := range outs {
		o, ok := a.Outputs[name]
		if !ok {
			t.Errorf("no output %s", name)
			continue
		}
		if want := "${{ steps.run.outputs." + name + " }}"; o.Value != want {
			t.Errorf("output %s = %q, want %q", name, o.Value, want)
		}
		if o.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}

	ids := map[string]bool{}
	check := func(where, s string) {
		for _, m := range actionExpr.FindAllStringSubmatch(s, -1) {
			if err := actionCheckExpr(a, ids, m[1]); err != nil {
				t.Errorf("%s: ${{ %s }}: %v", where, m[1], err)
			}
		}
	}
	for i, s := range a.Runs.Steps {
		where := s.label(i)
		if (s.Uses == "") == (s.Run == "") {
			t.Errorf("%s: wants exactly one of uses: and run:", where)
		}
		if s.Run != "" {
			// An expression in a script is pasted into its text before bash
			// reads it: an input would become code. Inputs go through env:.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: ${{ }} inside run: (pass it through env: and expand a shell variable)", where)
			}
			if s.Shell != "bash" {
				t.Errorf("%s: shell %q, want bash (composite steps must name one)", where, s.Shell)
			}
			if s.If != "" {
				t.Errorf("%s: if: on a run step is not simulated by these tests", where)
			}
		}
		for _, v := range s.Env {
			check(where+" env", v)
		}
		for _, v := range s.With {
			check(where+" with", v)
		}
		check(where+" working-directory", s.WorkingDirectory)
		if s.If != "" {
			check(where+" if", "${{ "+s.If+" }}")
		}
		if s.ID != "" {
			if ids[s.ID] {
				t.Errorf("%s: id %s used twice", where, s.ID)
			}
			ids[s.ID] = true
		}
	}
	// The action's outputs are read after the last step: ids has them all.
	for name, o := range a.Outputs {
		check("output "+name, o.Value)
	}
	// setup-go must be skippable, as the tests skip it.
	for i, s := range a.Runs.Steps {
		if strings.HasPrefix(s.Uses, "actions/setup-go@") && !strings.Contains(s.If, "inputs.setup-go") {
			t.Errorf("%s: setup-go runs whatever the input setup-go says", s.label(i))
		}
	}
}

// actionCheckExpr reports whether expr is an expression the action may use:
// an input, a step output of a step defined before (ids), a few contexts,
// or, in if:, a comparison of an input with a string.
func actionCheckExpr(a *actionManifest, ids map[string]bool, expr string) error {
	for _, in := range actionInputRef.FindAllStringSubmatch(expr, -1) {
		if _, ok := a.Inputs[in[1]]; !ok {
			return fmt.Errorf("no input %s", in[1])
		}
	}
	for _, st := range actionStepOutput.FindAllStringSubmatch(expr, -1) {
		if !ids[st[1]] {
			return fmt.Errorf("no step %s before this one", st[1])
		}
	}
	if actionInputIs.MatchString(expr) {
		return nil
	}
	_, ok := actionEvalForm(expr)
	if !ok {
		return errors.New("not a form the tests evaluate")
	}
	return nil
}

var (
	actionStepOutput = regexp.MustCompile(`^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$`)
	actionInputRef   = regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`)
	actionInputIs    = regexp.MustCompile(`^inputs\.[A-Za-z0-9_-]+ == '[^']*'$`) // in if:
)

// actionEvalForm names the kind of a value expression, or says it is not one
// the simulation knows.
func actionEvalForm(expr string) (string, bool) {
	switch {
	case strings.HasPrefix(expr, "inputs.") && !strings.ContainsAny(expr, " =()"):
		return "input", true
	case actionStepOutput.MatchString(expr):
		return "step output", true
	case expr == "github.action_path", expr == "github.workspace", expr == "runner.temp", expr == "runner.os":
		return "context", true
	}
	return "", false
}

// TestActionOutputFileFormat checks the parser of the runner's file
// commands ($GITHUB_OUTPUT, $GITHUB_ENV) the simulation uses: name=value and
// name<<DELIMITER heredocs, as the runner reads them.
func TestActionOutputFileFormat(t *testing.T) {
	got, err := actionParseFileCommand("a=1\n\nb=x=y\nc<<EOF\nline 1\nline 2\nEOF\nd<<ghadelim_1\n\nghadelim_1\ne=\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "x=y", "c": "line 1\nline 2", "d": "", "e": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"novalue\n", "=x\n", "f<<EOF\nnever closed\n"} {
		if _, err := actionParseFileCommand(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// actionParseFileCommand reads a file command as the runner does: each
// entry is NAME=VALUE on one line, or NAME<<DELIMITER, lines, DELIMITER.
// The first of "=" and "<<" on the line decides the form.
func actionParseFileCommand(s string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSuffix(lines[i], "\r")
		if line == "" {
			continue
		}
		eq, heredoc := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq > 0 && (heredoc < 0 || eq < heredoc):
			out[line[:eq]] = line[eq+1:]
		case heredoc > 0 && (eq < 0 || heredoc < eq):
			name, delim := line[:heredoc], line[heredoc+2:]
			var value []string
			closed := false
			for i++; i < len(lines); i++ {
				if strings.TrimSuffix(lines[i], "\r") == delim {
					closed = true
					break
				}
				value = append(value, lines[i])
			}
			if !closed {
				return nil, fmt.Errorf("%s: delimiter %q not found", name, delim)
			}
			out[name] = strings.Join(value, "\n")
		default:
			return nil, fmt.Errorf("invalid line %q", line)
		}
	}
	return out, nil
}

// actionRun is one run of the action in a simulated runner.
type actionRun struct {
	t         *testing.T
	action    *actionManifest
	inputs    map[string]string // with: of the uses: step
	env       map[string]string // env: of the uses: step (secrets, the API URL)
	workspace string            // GITHUB_WORKSPACE
	temp      string            // RUNNER_TEMP
	repo      string            // GITHUB_ACTION_PATH: this module

	// Results.
	code    int                          // the exit code of the step that failed, 0 if none
	log     strings.Builder              // what every run step wrote, stdout and stderr
	steps   map[string]map[string]string // step outputs by step id
	outputs map[string]string            // the action's outputs
	summary strings.Builder              // every step's summary
	files   strings.Builder              // every file command written, as written
}

// runAction runs action.yml's steps with the given inputs and workflow env
// in workspace, and returns the run.
func runAction(t *testing.T, workspace string, inputs, env map[string]string) *actionRun {
	t.Helper()
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	r := &actionRun{t: t, action: loadAction(t), inputs: inputs, env: env, workspace: workspace,
		temp: t.TempDir(), repo: repo, steps: map[string]map[string]string{}, outputs: map[string]string{}}
	for name := range inputs {
		if _, ok := r.action.Inputs[name]; !ok {
			t.Fatalf("action.yml has no input %s", name)
		}
	}
	seedActionBinary(t, r.temp)
	r.run()
	return r
}

// seedActionBinary copies the binary this test run built (builtBinary, with
// the build step's flags) to where the build step writes it. The step still
// runs its go build, which finds the binary up to date by its build ID and
// does not link again (seconds per run otherwise); a change to the module
// since builtBinary, or to the step's flags, makes it link anew.
func seedActionBinary(t *testing.T, runnerTemp string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(builtBinary(t), "daestro-jobs"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(runnerTemp, "daestro-jobs-bin")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "daestro-jobs"), b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// eval replaces the ${{ }} expressions of s.
func (r *actionRun) eval(s string) string {
	r.t.Helper()
	return actionExpr.ReplaceAllStringFunc(s, func(m string) string {
		expr := actionExpr.FindStringSubmatch(m)[1]
		kind, ok := actionEvalForm(expr)
		if !ok {
			r.t.Fatalf("the simulation cannot evaluate ${{ %s }}", expr)
		}
		switch kind {
		case "input":
			name := strings.TrimPrefix(expr, "inputs.")
			if v, ok := r.inputs[name]; ok {
				return v
			}
			in, ok := r.action.Inputs[name]
			if !ok {
				r.t.Fatalf("no input %s", name)
			}
			if in.Default != nil {
				return *in.Default
			}
			return ""
		case "step output":
			sm := actionStepOutput.FindStringSubmatch(expr)
			return r.steps[sm[1]][sm[2]] // "" when unset, as on the runner
		}
		return map[string]string{
			"github.action_path": r.repo, "github.workspace": r.workspace,
			"runner.temp": r.temp, "runner.os": "Linux",
		}[expr]
	})
}

// baseEnv is the environment every step starts from: the machine's, less
// anything that would change what the tool or the runner does, then what a
// runner sets, then the workflow's env: for the step.
func (r *actionRun) baseEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "DAESTRO_"), strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "RUNNER_"),
			strings.HasPrefix(k, "INPUT_"), strings.HasPrefix(k, "BASH_ENV"), k == "ENV", k == "CDPATH":
			continue
		}
		env[k] = v
	}
	env["PATH"] = pathWithout("daestro-jobs") // only the binary the action built
	// Hermetic: the build uses the module cache this test's own build
	// filled, and never the network or another toolchain.
	env["GOPROXY"] = "off"
	env["GOTOOLCHAIN"] = "local"
	maps.Copy(env, map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": r.workspace, "GITHUB_ACTION_PATH": r.repo,
		"GITHUB_ACTION": "__daestro-jobs_daestro-jobs", "GITHUB_EVENT_NAME": "push",
		"RUNNER_TEMP": r.temp, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
	})
	maps.Copy(env, r.env)
	return env
}

// run runs the steps in order until one fails, as the runner does, then
// reads the action's outputs.
func (r *actionRun) run() {
	t := r.t
	t.Helper()
	jobEnv := r.baseEnv()
	var paths []string // GITHUB_PATH entries, newest first
	commands := filepath.Join(r.temp, "_runner_file_commands")
	if err := os.MkdirAll(commands, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range r.action.Runs.Steps {
		if s.Uses != "" {
			for _, v := range s.With {
				r.eval(v) // every expression must be one the runner could evaluate
			}
			continue
		}
		// Fresh file commands for every step, as the runner makes them.
		files := map[string]string{}
		for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
			p := filepath.Join(commands, fmt.Sprintf("%s_%d", strings.ToLower(f), i))
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			files[f] = p
		}
		env := map[string]string{}
		maps.Copy(env, jobEnv)
		if len(paths) > 0 {
			env["PATH"] = strings.Join(paths, string(os.PathListSeparator)) + string(os.PathListSeparator) + env["PATH"]
		}
		for k, v := range s.Env {
			env[k] = r.eval(v)
		}
		maps.Copy(env, files)
		script := filepath.Join(r.temp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := r.workspace
		if s.WorkingDirectory != "" {
			dir = filepath.Join(r.workspace, r.eval(s.WorkingDirectory))
		}
		code := r.bash(script, dir, env)

		// The runner reads the file commands after the step, whatever its
		// exit code.
		read := func(name string) string {
			b, err := os.ReadFile(files[name])
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&r.files, "## %s of %s\n%s", name, s.label(i), b)
			return string(b)
		}
		outs, err := actionParseFileCommand(read("GITHUB_OUTPUT"))
		if err != nil {
			t.Fatalf("%s: GITHUB_OUTPUT: %v", s.label(i), err)
		}
		if s.ID != "" {
			r.steps[s.ID] = outs
		}
		envs, err := actionParseFileCommand(read("GITHUB_ENV"))
		if err != nil {
			t.Fatalf("%s: GITHUB_ENV: %v", s.label(i), err)
		}
		maps.Copy(jobEnv, envs)
		for p := range strings.SplitSeq(read("GITHUB_PATH"), "\n") {
			if p = strings.TrimSpace(p); p != "" {
				paths = append([]string{p}, paths...)
			}
		}
		read("GITHUB_STATE")
		r.summary.WriteString(read("GITHUB_STEP_SUMMARY"))
		if code != 0 {
			r.code = code
			break
		}
	}
	for name, o := range r.action.Outputs {
		r.outputs[name] = r.eval(o.Value)
	}
}

// bash runs a step's script file as the runner runs shell: bash, and
// returns its exit code. Stdout and stderr go to one log, as on the runner.
func (r *actionRun) bash(script, dir string, env map[string]string) int {
	t := r.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	cmd.Dir = dir
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	sort.Strings(cmd.Env)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r.log.Write(out.Bytes())
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s did not end within 5 minutes:\n%s", script, out.String())
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return 0
}

// dump logs what a run did, for a failing test.
func (r *actionRun) dump() string {
	return fmt.Sprintf("exit %d\n--- log\n%s--- file commands\n%s--- outputs\n%v", r.code, r.log.String(), r.files.String(), r.outputs)
}

// wantOutputs checks outputs of the action, by name.
func (r *actionRun) wantOutputs(t *testing.T, want map[string]string) {
	t.Helper()
	for name, v := range want {
		if got := r.outputs[name]; got != v {
			t.Errorf("output %s = %q, want %q", name, got, v)
		}
	}
}

// intOutputs checks that every count output the tool wrote is an integer.
func (r *actionRun) intOutputs(t *testing.T, names []string) {
	t.Helper()
	for _, name := range append([]string{"exit-code"}, names...) {
		if name == "created-jobs" {
			continue
		}
		if _, err := strconv.Atoi(r.outputs[name]); err != nil {
			t.Errorf("output %s = %q: not an integer", name, r.outputs[name])
		}
	}
}

// noSecrets checks that no secret appears in the log, the outputs, the file
// commands or the summary, except in the ::add-mask:: commands that hand
// them to the runner, and that those were written.
func (r *actionRun) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	outputs, _ := json.Marshal(r.outputs)
	for _, place := range []struct{ name, text string }{
		{"the log", r.log.String()}, {"the file commands", r.files.String()},
		{"the summary", r.summary.String()}, {"the outputs", string(outputs)},
	} {
		sc := bufio.NewScanner(strings.NewReader(place.text))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			for _, s := range secrets {
				if strings.Contains(sc.Text(), s) && !strings.HasPrefix(sc.Text(), "::add-mask::") {
					t.Errorf("a secret in %s: %q", place.name, sc.Text())
				}
			}
		}
	}
	for _, s := range secrets {
		if !strings.Contains(r.log.String(), "::add-mask::"+s+"\n") {
			t.Errorf("no ::add-mask:: for the secret %q", s)
		}
	}
}

// actionWorkspace copies testdata/action/NAME... into a new workspace.
func actionWorkspace(t *testing.T, names ...string) string {
	t.Helper()
	ws := t.TempDir()
	for _, name := range names {
		src := filepath.Join("testdata", "action", name)
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(src, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			dst := filepath.Join(ws, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// createdJob is one element of the created-jobs output.
type createdJob struct {
	Queue, Name, ID, File string
	Line                  int
}

// TestActionApply runs `apply` through the action against the emulator, as
// a workflow would with its secrets in env: twice (created, then exists),
// then with an invalid manifest (nothing sent, annotations, a failed step).
func TestActionApply(t *testing.T) {
	t.Parallel()
	const secret = "s3ntinel-db-Pa55-7f1c9e"
	const key = "dk_test_action_5b7d0c2e9a41"
	srv, err := emulator.New(emulator.Options{APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	env := map[string]string{"DAESTRO_API_KEY": key, "DAESTRO_API_URL": hs.URL, "DB_PASSWORD": secret}
	ws := actionWorkspace(t, "good")
	// Newline- and space-separated paths, as a YAML block would give them.
	inputs := map[string]string{"command": "apply", "paths": "jobs/report.yaml\n  jobs/batch/\n"}

	t.Run("first run creates with --detailed-exitcode", func(t *testing.T) {
		in := map[string]string{"args": "--detailed-exitcode --concurrency 2"}
		maps.Copy(in, inputs)
		r := runAction(t, ws, in, env)
		if r.code != 0 {
			t.Fatalf("the action failed; exit 2 of --detailed-exitcode is a success:\n%s", r.dump())
		}
		r.wantOutputs(t, map[string]string{"exit-code": "2", "changed": "true", "jobs-total": "3", "created": "3",
			"exists": "0", "duplicate": "0", "planned": "0", "failed": "0", "not-submitted": "0", "invalid": "0"})
		r.intOutputs(t, actionApplyOutputs)
		var created []createdJob
		if err := json.Unmarshal([]byte(r.outputs["created-jobs"]), &created); err != nil {
			t.Fatalf("created-jobs %q: %v", r.outputs["created-jobs"], err)
		}
		held := map[string]emulator.Job{}
		for _, j := range srv.Jobs() {
			held[j.ID] = j
		}
		if len(created) != 3 || len(held) != 3 {
			t.Fatalf("created-jobs has %d jobs, the emulator holds %d; want 3 and 3", len(created), len(held))
		}
		for _, c := range created {
			j, ok := held[c.ID]
			if !ok || j.Queue != c.Queue || j.Name != c.Name {
				t.Errorf("created-jobs names %+v; the emulator holds %+v", c, j)
			}
			// Paths relative to the workspace: the annotations and links work.
			if !strings.HasPrefix(c.File, "jobs/") || c.Line < 1 {
				t.Errorf("created-jobs: file %q line %d, want jobs/... and a line", c.File, c.Line)
			}
			if c.Name == "nightly-report" && !strings.Contains(string(j.Body), secret) {
				t.Errorf("the secret did not reach the job: %s", j.Body)
			}
		}
		if !strings.Contains(r.summary.String(), "### daestro-jobs apply") {
			t.Errorf("no apply summary:\n%s", r.summary.String())
		}
		r.noSecrets(t, secret, key)
		if t.Failed() {
			t.Log(r.dump())
		}
	})

	t.Run("second run finds every job", func(t *testing.T) {
		r := runAction(t, ws, inputs, env)
		if r.code != 0 {
			t.Fatalf("the action failed:\n%s", r.dump())
		}
		r.wantOutputs(t, map[string]string{"exit-code": "0", "changed": "false", "jobs-total": "3", "created": "0",
			"exists": "3", "failed": "0", "invalid": "0", "created-jobs": "[]"})
		r.intOutputs(t, actionApplyOutputs)
		if n := len(srv.Jobs()); n != 3 {
			t.Errorf("the emulator holds %d jobs, want 3", n)
		}
		r.noSecrets(t, secret, key)
		if t.Failed() {
			t.Log(r.dump())
		}
	})

	t.Run("an invalid manifest sends nothing and fails", func(t *testing.T) {
		bad := actionWorkspace(t, "good", "bad")
		r := runAction(t, bad, map[string]string{"command": "apply"}, env) // paths: the default, jobs/
		if r.code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", r.code, r.dump())
		}
		for _, want := range []string{
			"::error file=jobs/bad.yaml,line=2,col=12,title=daestro-jobs apply::job_queue: ",
			"::error file=jobs/bad.yaml,line=3,col=1,title=daestro-jobs apply::nmae: unknown key",
		} {
			if !strings.Contains(r.log.String(), want) {
				t.Errorf("no annotation %q", want)
			}
		}
		r.wantOutputs(t, map[string]string{"exit-code": "1", "changed": "false", "created": "0", "created-jobs": "[]"})
		r.intOutputs(t, actionApplyOutputs)
		if n := len(srv.Jobs()); n != 3 {
			t.Errorf("the emulator holds %d jobs, want 3: nothing is sent when a manifest is invalid", n)
		}
		r.noSecrets(t, secret, key)
		if t.Failed() {
			t.Log(r.dump())
		}
	})
}

// TestActionValidate runs `validate` through the action, offline: the
// default command and paths, an --env-file in args, and an invalid manifest.
func TestActionValidate(t *testing.T) {
	t.Parallel()
	t.Run("valid", func(t *testing.T) {
		ws := actionWorkspace(t, "good")
		if err := os.WriteFile(filepath.Join(ws, "ci.env"), []byte("DB_PASSWORD=from-the-env-file\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runAction(t, ws, map[string]string{"args": "--env-file ci.env"}, nil)
		if r.code != 0 {
			t.Fatalf("the action failed:\n%s", r.dump())
		}
		r.wantOutputs(t, map[string]string{"exit-code": "0", "changed": "false", "files": "2", "documents": "3",
			"valid": "3", "invalid": "0", "errors": "0", "warnings": "0", "created": "", "created-jobs": ""})
		r.intOutputs(t, actionValidateOutputs)
		if !strings.Contains(r.summary.String(), "### daestro-jobs validate") {
			t.Errorf("no validate summary:\n%s", r.summary.String())
		}
		if t.Failed() {
			t.Log(r.dump())
		}
	})
	t.Run("invalid", func(t *testing.T) {
		ws := actionWorkspace(t, "good", "bad")
		r := runAction(t, ws, nil, nil)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1:\n%s", r.code, r.dump())
		}
		for _, want := range []string{
			"::error file=jobs/bad.yaml,line=2,col=12,title=daestro-jobs validate::job_queue: ",
			"::error file=jobs/bad.yaml,line=3,col=1,title=daestro-jobs validate::nmae: unknown key",
			// No secrets in a pull request: unset variables are warnings.
			"::warning file=jobs/report.yaml,line=12,col=12,title=daestro-jobs validate::container_env.DB_PASSWORD.value: ",
			"jobs/bad.yaml:2:12: job_queue: ",
		} {
			if !strings.Contains(r.log.String(), want) {
				t.Errorf("no %q in the log", want)
			}
		}
		r.wantOutputs(t, map[string]string{"exit-code": "1", "files": "3", "documents": "4", "valid": "3",
			"invalid": "1", "errors": "2", "warnings": "1"})
		r.intOutputs(t, actionValidateOutputs)
		if !strings.Contains(r.summary.String(), "| error | jobs/bad.yaml | 2:12 |") {
			t.Errorf("the summary does not list the error:\n%s", r.summary.String())
		}
		if t.Failed() {
			t.Log(r.dump())
		}
	})
}

// TestActionDiff runs `diff` through the action on a pull request: the base
// from GITHUB_BASE_REF (origin/main), a warning on the edited job's name:
// line, the counts as outputs, exit 2 of --detailed-exitcode a success.
func TestActionDiff(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ws := actionWorkspace(t, "good")
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = ws
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	git("update-ref", "refs/remotes/origin/main", "HEAD")
	report := filepath.Join(ws, "jobs", "report.yaml")
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(report, bytes.Replace(b, []byte("2030-01-06"), []byte("2030-01-07"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "jobs", "new.yaml"), []byte("job_definition: acme::x:1\njob_queue: acme::q\nname: fresh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runAction(t, ws, map[string]string{"command": "diff", "args": "--detailed-exitcode"}, map[string]string{"GITHUB_BASE_REF": "main"})
	if r.code != 0 {
		t.Fatalf("the action failed; exit 2 of --detailed-exitcode is a success:\n%s", r.dump())
	}
	r.wantOutputs(t, map[string]string{"exit-code": "2", "changed": "true", "new": "1", "edited": "1", "removed": "0", "unchanged": "2"})
	r.intOutputs(t, actionDiffOutputs)
	for _, want := range []string{
		"::warning file=jobs/report.yaml,line=5,col=1,title=daestro-jobs diff::acme::nightly/nightly-report: the edit will not reach Daestro",
		"diff against origin/main (",
	} {
		if !strings.Contains(r.log.String(), want) {
			t.Errorf("no %q in the log", want)
		}
	}
	if !strings.Contains(r.summary.String(), "| new | acme::q/fresh |") {
		t.Errorf("the summary does not list the new job:\n%s", r.summary.String())
	}
	if t.Failed() {
		t.Log(r.dump())
	}
}

// TestActionInputsAreData gives the action inputs that would run commands if
// they were pasted into a script: they stay arguments, split on whitespace,
// never globbed or evaluated, and a bad command or an -o is refused.
func TestActionInputsAreData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		inputs map[string]string
		want   string // in the log
	}{
		{name: "command substitution in paths",
			inputs: map[string]string{"paths": "jobs/ $(touch${IFS}pwned-1) `touch pwned-2`"},
			want:   "$(touch${IFS}pwned-1)"},
		{name: "shell syntax in args",
			inputs: map[string]string{"args": "--allow-empty ;touch${IFS}pwned-3 && touch pwned-4 | touch pwned-5 \n touch pwned-6"},
			want:   `unexpected argument ";touch${IFS}pwned-3"`},
		{name: "a quote in args",
			inputs: map[string]string{"args": `--env-file "' ; touch pwned-7 ; '"`},
			want:   `unexpected argument ";"`},
		{name: "a glob in paths",
			inputs: map[string]string{"paths": "jobs/*.yaml"},
			want:   "::error title=daestro-jobs action::the input paths holds a glob (jobs/*.yaml): paths are not globbed; name a directory (jobs/)"},
		{name: "a bad command",
			inputs: map[string]string{"command": "validate; touch pwned-8"},
			want:   "::error title=daestro-jobs action::the input command must be validate, apply or diff"},
		{name: "-o in args",
			inputs: map[string]string{"args": "-o json"},
			want:   "::error title=daestro-jobs action::the input args must not set -o"},
		{name: "--output= in args",
			inputs: map[string]string{"args": "--output=sarif"},
			want:   "must not set -o"},
		{name: "no paths",
			inputs: map[string]string{"paths": " \n "},
			want:   "the input paths is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := actionWorkspace(t, "good")
			r := runAction(t, ws, tc.inputs, nil)
			if r.code == 0 {
				t.Errorf("the action passed, want a failure")
			}
			// Refused or run, the step says how it ended.
			if r.outputs["exit-code"] == "" || r.outputs["exit-code"] == "0" {
				t.Errorf("exit-code output %q, want the failure's code", r.outputs["exit-code"])
			}
			if !strings.Contains(r.log.String(), tc.want) {
				t.Errorf("no %q in the log", tc.want)
			}
			for _, dir := range []string{ws, r.temp, r.repo} {
				if m, _ := filepath.Glob(filepath.Join(dir, "pwned-*")); len(m) > 0 {
					t.Errorf("an input ran as a command: %v", m)
				}
			}
			if t.Failed() {
				t.Log(r.dump())
			}
		})
	}
}

// TestActionWorkflowExample keeps examples/ci/.github/workflows/jobs.yml
// true to action.yml: the steps that use the action give it inputs it has,
// secrets only through env:, no expression inside a script, and later steps
// read outputs it has.
func TestActionWorkflowExample(t *testing.T) {
	a := loadAction(t)
	b, err := os.ReadFile(filepath.Join("examples", "ci", ".github", "workflows", "jobs.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []actionStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	commands := map[string]bool{}
	outputRef := regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	actionSteps := map[string]bool{} // ids of the steps that use the action
	for job, j := range wf.Jobs {
		for i, s := range j.Steps {
			where := fmt.Sprintf("job %s %s", job, s.label(i))
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: ${{ }} inside run:", where)
			}
			for _, v := range s.Env {
				for _, m := range outputRef.FindAllStringSubmatch(v, -1) {
					if _, ok := a.Outputs[m[2]]; actionSteps[m[1]] && !ok {
						t.Errorf("%s: the action has no output %s", where, m[2])
					}
				}
			}
			for _, m := range outputRef.FindAllStringSubmatch(s.If, -1) {
				if _, ok := a.Outputs[m[2]]; actionSteps[m[1]] && !ok {
					t.Errorf("%s: the action has no output %s", where, m[2])
				}
			}
			if s.Uses != "daestro-jobs/daestro-jobs@v1" {
				continue
			}
			actionSteps[s.ID] = true
			for k, v := range s.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("%s: the action has no input %s", where, k)
				}
				if strings.Contains(v, "secrets.") {
					t.Errorf("%s: a secret as the input %s (inputs are logged; use env:)", where, k)
				}
			}
			commands[s.With["command"]] = true
			if s.With["command"] == "apply" && !strings.Contains(s.Env["DAESTRO_API_KEY"], "secrets.DAESTRO_API_KEY") {
				t.Errorf("%s: apply without DAESTRO_API_KEY from the secrets in env:", where)
			}
		}
	}
	if !commands["validate"] || !commands["apply"] {
		t.Errorf("the example should validate and apply with the action; it runs %v", commands)
	}
}
