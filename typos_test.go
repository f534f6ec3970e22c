package main

import (
	"strings"
	"testing"
)

// TestTypos: a mistyped command or flag is answered as kubectl answers it:
// the nearest name, the flag written with --, the way to --help; exit 2.
func TestTypos(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string // lines of stderr, in order
	}{
		{[]string{"aply"}, []string{`daestro-jobs: unknown command "aply"; did you mean "apply"?`, "Run 'daestro-jobs --help' for usage."}},
		{[]string{"help", "valdate"}, []string{`daestro-jobs: unknown command "valdate"; did you mean "validate"?`}},
		{[]string{"frobnicate"}, []string{`daestro-jobs: unknown command "frobnicate"`, "Run 'daestro-jobs --help' for usage."}},
		{[]string{"apply", "--dryrun"}, []string{"daestro-jobs: unknown flag --dryrun; did you mean --dry-run?", "Run 'daestro-jobs apply --help' for usage."}},
		{[]string{"apply", "-dryrun"}, []string{"daestro-jobs: unknown flag --dryrun; did you mean --dry-run?"}},
		{[]string{"validate", "--wait"}, []string{"daestro-jobs: unknown flag --wait: it is a flag of apply", "Run 'daestro-jobs validate --help' for usage."}},
		{[]string{"--verison"}, []string{"daestro-jobs: unknown flag --verison; did you mean --version?"}},
		{[]string{"apply", "--api-key", "dk_live_x"}, []string{"daestro-jobs: --api-key is not a flag: the API key is read from DAESTRO_API_KEY or from a file named with --api-key-file FILE"}},
		{[]string{"status", "--api-key=dk_live_x", "id"}, []string{"--api-key is not a flag"}},
		{[]string{"apply", "-f"}, []string{"daestro-jobs: -f needs a value: -f PATH"}},
		{[]string{"apply", "--concurrency", "x"}, []string{`daestro-jobs: --concurrency N: "x" is not a valid N`}},
		{[]string{"apply", "--timeout", "5"}, []string{`daestro-jobs: --timeout DURATION: "5" is not a valid DURATION (such as 30s, 5m or 1h30m)`}},
		{[]string{"apply", "--dry-run=maybe"}, []string{`daestro-jobs: --dry-run takes no value ("maybe" given)`}},
		{[]string{"validate", "--wait-poll", "1s"}, []string{"daestro-jobs: unknown flag --wait-poll"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runInProcess(t, nil, tc.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
			}
			rest := errOut
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stderr lacks %q (in order):\n%s", w, errOut)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(errOut, "dk_live_x") {
				t.Errorf("stderr repeats the key given as a flag:\n%s", errOut)
			}
		})
	}
}

// TestHelpCommand: help has no one-letter alias and answers known commands.
func TestHelpCommand(t *testing.T) {
	if code, out, _ := runInProcess(t, nil, "help", "apply"); code != 0 || !strings.Contains(out, "daestro-jobs apply") {
		t.Errorf("help apply: exit %d\n%s", code, out)
	}
	if code, _, errOut := runInProcess(t, nil, "h"); code != exitUsage || !strings.Contains(errOut, `unknown command "h"`) {
		t.Errorf("h: exit %d\n%s", code, errOut)
	}
	for _, args := range [][]string{nil, {"--help"}, {"-h"}, {"help"}} {
		if code, out, errOut := runInProcess(t, nil, args...); code != 0 || !strings.Contains(out, "Commands:") {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	if code, out, errOut := runInProcess(t, nil, "apply", "--help"); code != 0 || !strings.Contains(out, "--dry-run") {
		t.Errorf("apply --help: exit %d\n%s%s", code, out, errOut)
	}
}
