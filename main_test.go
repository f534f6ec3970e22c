package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
	"github.com/rogpeppe/go-internal/testscript"
)

// emulators holds the in-process emulator of one script.
type emulators struct {
	srv *emulator.Server
}

func TestScripts(t *testing.T) {
	// Beside the other tests that wait on processes; each script has its
	// own work directory, environment and emulator.
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Values["emu"] = &emulators{}
			// A clean environment: no real key or URL leaks in from the machine.
			env.Setenv("DAESTRO_API_KEY", "")
			env.Setenv("DAESTRO_API_URL", "")
			env.Setenv("GITHUB_ACTIONS", "")
			env.Setenv("GORACE", quickExitRace()) // exec daestro-jobs runs this test binary
			schemaFile, err := filepath.Abs(filepath.Join("schema", "jobs.schema.json"))
			if err != nil {
				return err
			}
			env.Setenv("SCHEMA_FILE", schemaFile)
			examples, err := filepath.Abs("examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"emulator":   cmdEmulator,
			"emujobs":    cmdEmuJobs,
			"cmpnorm":    cmdCmpNorm,
			"capture":    cmdCapture,
			"echoserver": cmdEchoServer,
		},
	})
}

// cmdEmulator starts the emulator's handler under httptest on loopback and
// points DAESTRO_API_URL at it. Flags: key=K fail=F drop=F ratelimit=R
// latency=D seed=N step=D state=FILE.
func cmdEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! emulator")
	}
	holder := ts.Value("emu").(*emulators)
	if holder.srv != nil {
		ts.Fatalf("emulator already running")
	}
	opts := emulator.Options{Seed: 1}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		var err error
		switch k {
		case "key":
			opts.APIKey = v
		case "fail":
			opts.FailRate, err = strconv.ParseFloat(v, 64)
		case "drop":
			opts.DropRate, err = strconv.ParseFloat(v, 64)
		case "ratelimit":
			opts.RateLimit, err = strconv.ParseFloat(v, 64)
		case "latency":
			opts.Latency, opts.LatencyJitter, err = emulator.ParseLatency(v)
		case "seed":
			opts.Seed, err = strconv.ParseInt(v, 10, 64)
		case "state":
			opts.StatePath = ts.MkAbs(v)
		case "step":
			opts.Step, err = time.ParseDuration(v)
		default:
			ts.Fatalf("emulator: unknown option %q", a)
		}
		ts.Check(err)
	}
	srv, err := emulator.New(opts)
	ts.Check(err)
	hs := httptest.NewServer(srv)
	holder.srv = srv
	ts.Defer(func() {
		hs.Close()
		srv.Close()
	})
	ts.Setenv("DAESTRO_API_URL", hs.URL)
}

// cmdEmuJobs asserts how many jobs the emulator holds, and that no
// (queue, name) is held twice: emujobs N
func cmdEmuJobs(ts *testscript.TestScript, neg bool, args []string) {
	holder := ts.Value("emu").(*emulators)
	if holder.srv == nil || len(args) != 1 {
		ts.Fatalf("usage: emujobs N (after emulator)")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	jobs := holder.srv.Jobs()
	seen := map[string]bool{}
	for _, j := range jobs {
		k := j.Queue + "/" + j.Name
		if seen[k] {
			ts.Fatalf("emulator holds %s twice", k)
		}
		seen[k] = true
	}
	if got := len(jobs); (got == want) == neg {
		ts.Fatalf("emulator holds %d jobs, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// elapsed matches the run times that differ from run to run.
var elapsed = regexp.MustCompile(`\(\d+(\.\d+)?(ns|µs|ms|s|m\d*s?)\)|"elapsed_seconds": [0-9.e+-]+`)

// cmdCmpNorm compares a stream or file with an expected file after masking
// elapsed times and writing the script's work directory as $WORK:
// cmpnorm stdout|stderr|FILE EXPECTED
func cmdCmpNorm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmpnorm stdout|stderr|FILE EXPECTED")
	}
	var got string
	switch args[0] {
	case "stdout", "stderr":
		got = ts.ReadFile(args[0])
	default:
		got = ts.ReadFile(args[0])
	}
	work := ts.Getenv("WORK")
	norm := func(s string) string {
		s = strings.ReplaceAll(s, work, "$WORK")
		return elapsed.ReplaceAllStringFunc(s, func(m string) string {
			if strings.HasPrefix(m, `"elapsed_seconds"`) {
				return `"elapsed_seconds": 0`
			}
			return "(TIME)"
		})
	}
	want := ts.ReadFile(args[1])
	if norm(got) == norm(want) {
		if neg {
			ts.Fatalf("%s and %s match", args[0], args[1])
		}
		return
	}
	if neg {
		return
	}
	ts.Logf("--- %s (normalised)\n%s\n--- %s\n%s", args[0], norm(got), args[1], norm(want))
	ts.Fatalf("%s and %s differ", args[0], args[1])
}

// cmdCapture sets an environment variable from the last command's stdout:
// "capture VAR REGEXP" takes the regexp's first group, for scripts that need
// an id the tool printed.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	m := re.FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("capture: no match for %s in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// cmdEchoServer starts a server that refuses every job with HTTP 400 and a
// message quoting the whole request, body and Authorization header, as a
// careless API might; it points DAESTRO_API_URL at it.
func cmdEchoServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: echoserver")
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		msg := fmt.Sprintf("invalid job %s (auth %q)", body, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": msg})
	}))
	ts.Defer(hs.Close)
	ts.Setenv("DAESTRO_API_URL", hs.URL)
}
