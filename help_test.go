package main

import (
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestHelp: every command's help has examples and placeholders that say
// what a value is; the commands that report list their formats honestly;
// the root help lists the environment; prose fits 80 columns.
func TestHelp(t *testing.T) {
	app := newApp(env{})
	for _, c := range app.Commands {
		if c.Hidden || c.Name == "help" { // help --help is the root's help
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			code, out, errOut := runInProcess(t, nil, c.Name, "--help")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range []string{"Usage:\n  daestro-jobs " + c.Name, "Options:", "-h, --help", "Examples:\n  # "} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
			for _, f := range c.Flags {
				if d, ok := f.(cli.DocGenerationFlag); ok && d.TakesValue() && visible(f) && !strings.Contains(d.GetUsage(), "`") {
					t.Errorf("--%s takes a value but names no placeholder", f.Names()[0])
				}
			}
			if regexp.MustCompile(`-\S+ value`).MatchString(out) || strings.Contains(out, "{{") {
				t.Errorf("a placeholder reads value, or a template leaked:\n%s", out)
			}
			prose(t, out)
		})
	}
	_, apply, _ := runInProcess(t, nil, "apply", "--help")
	for _, want := range []string{"junit, sarif, gitlab are for validate only.", "DAESTRO_API_KEY", "DAESTRO_API_URL", "GITHUB_OUTPUT", "--concurrency N", "--timeout DURATION", "(default 8)"} {
		if !strings.Contains(apply, want) {
			t.Errorf("apply --help lacks %q", want)
		}
	}
	_, status, _ := runInProcess(t, nil, "status", "--help")
	if !strings.Contains(status, "github is for validate, apply and diff only.") || strings.Contains(status, "  github  ") {
		t.Errorf("status --help offers github, or does not say whose it is:\n%s", status)
	}
	_, emu, _ := runInProcess(t, nil, "emulator", "--help")
	for _, want := range []string{"--seed N", "--step DURATION", "EMULATOR_RESULT"} {
		if !strings.Contains(emu, want) {
			t.Errorf("emulator --help lacks %q", want)
		}
	}
	_, root, _ := runInProcess(t, nil, "--help")
	for _, v := range environment() {
		if !strings.Contains(root, v.name) {
			t.Errorf("--help does not list %s", v.name)
		}
	}
	for _, want := range []string{"Environment:", "Examples:", "GITHUB_STEP_SUMMARY", "validate", "completion"} {
		if !strings.Contains(root, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	if strings.Contains(root, "help, h") || strings.Contains(root, completeCommandName) {
		t.Errorf("--help lists the h alias or the hidden command:\n%s", root)
	}
	prose(t, root)
}

// prose checks that help's lines fit 80 columns; command lines of the
// examples are written whole.
func prose(t *testing.T, out string) {
	t.Helper()
	inExamples := false
	for _, l := range strings.Split(out, "\n") {
		if l == "Examples:" {
			inExamples = true
		}
		if len(l) > helpWidth && !inExamples && !strings.HasPrefix(l, "  daestro-jobs ") {
			t.Errorf("line wider than %d: %q", helpWidth, l)
		}
	}
}

// TestReadmeStopsTheEmulator: every shell block of the README that starts
// the emulator in the background also stops it, and the go install line
// says how to put the binary on PATH.
func TestReadmeStopsTheEmulator(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```(?:sh|console|bash)\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	started := 0
	for _, b := range blocks {
		if regexp.MustCompile(`daestro-jobs emulator[^\n]*&`).MatchString(b[1]) {
			started++
			if !strings.Contains(b[1], "kill %1") {
				t.Errorf("a README block starts the emulator and does not stop it:\n%s", b[1])
			}
		}
	}
	if started < 2 {
		t.Errorf("found %d README blocks starting the emulator; the test looks in the wrong place", started)
	}
	if !strings.Contains(string(readme), `export PATH="$(go env GOPATH)/bin:$PATH"`) {
		t.Error("the README's go install does not say how to put $(go env GOPATH)/bin on PATH")
	}
}

// TestEmulatorBusyPort: a busy port is said, with the flag that changes it.
func TestEmulatorBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errOut := runInProcess(t, nil, "emulator", "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errOut, ln.Addr().String()+" is in use") || !strings.Contains(errOut, "--addr") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}
