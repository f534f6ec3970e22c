package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// emulatorOptions are the flags of `daestro-jobs emulator`.
type emulatorOptions struct {
	addr, state, apiKey, latency string
	step                         time.Duration
	failRate, dropRate           float64
	rateLimit                    float64
	seed                         int64
}

func (o *emulatorOptions) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Destination: &o.addr, Usage: "listen `ADDRESS` (loopback unless you mean otherwise)"},
		&cli.StringFlag{Name: "state", Destination: &o.state, Usage: "keep jobs in `FILE` so they survive a restart (one emulator per file)"},
		&cli.StringFlag{Name: "api-key", Destination: &o.apiKey, Usage: "accept only this `KEY` (default: any key); a test key, not a real one"},
		&cli.DurationFlag{Name: "step", Value: time.Second, Destination: &o.step, Usage: "`DURATION` per job state, from submitted to completed"},
		&cli.StringFlag{Name: "latency", Destination: &o.latency, Usage: "added latency per request: a `DURATION`, or MIN-MAX for a random one between, e.g. 100ms-300ms"},
		&cli.Float64Flag{Name: "fail-rate", Destination: &o.failRate, Usage: "`FRACTION` of submits answered 503 before storing"},
		&cli.Float64Flag{Name: "drop-rate", Destination: &o.dropRate, Usage: "`FRACTION` of submits stored, then the connection closed with no answer"},
		&cli.Float64Flag{Name: "rate-limit", Destination: &o.rateLimit, Usage: "answer 429 with Retry-After above `RATE` requests per second"},
		&cli.Int64Flag{Name: "seed", Destination: &o.seed, Usage: "seed `N` of the fault injection, for reproducible runs"},
	}
}

func emulatorCommand(e env) *cli.Command {
	o := &emulatorOptions{}
	return &cli.Command{
		Name:   "emulator",
		Usage:  "serve a local Daestro-compatible API, for trying the tool and for tests",
		Flags:  o.flags(),
		Action: func(c *cli.Context) error { return runEmulator(c.Context, e, o) },
	}
}

// exampleKey is the key the emulator's hint suggests: any key is accepted
// without --api-key, and one shaped like a real key reads like one, where
// a word such as "dev" would be masked everywhere it appears.
const exampleKey = "dk_test_5f0c2a9e7b41d836"

// check refuses flag values that cannot mean anything, as usage errors (exit
// 2) naming the flag, before anything is opened or listened on.
func (o *emulatorOptions) check() error {
	fraction := func(v float64) bool { return v >= 0 && v <= 1 } // false for NaN
	switch {
	case o.step <= 0:
		return usagef("--step %v: must be a positive duration, e.g. 1s", o.step)
	case !fraction(o.failRate):
		return usagef("--fail-rate %v: must be a fraction between 0 and 1", o.failRate)
	case !fraction(o.dropRate):
		return usagef("--drop-rate %v: must be a fraction between 0 and 1", o.dropRate)
	case !(o.rateLimit >= 0):
		return usagef("--rate-limit %v: must be a number of requests per second, 0 for unlimited", o.rateLimit)
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return usagef("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", o.addr)
	}
	return nil
}

// runEmulator serves the emulator until ctx ends (Ctrl-C).
func runEmulator(ctx context.Context, e env, o *emulatorOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	opts := emulator.Options{APIKey: o.apiKey, Step: o.step, FailRate: o.failRate, DropRate: o.dropRate,
		RateLimit: o.rateLimit, StatePath: o.state, Seed: o.seed}
	if o.latency != "" {
		lo, jitter, err := emulator.ParseLatency(o.latency)
		if err != nil {
			return usagef("--latency: %v", err)
		}
		opts.Latency, opts.LatencyJitter = lo, jitter
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return failf(nil, "%v", err) // a state file that is locked, corrupt or not a file
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return failf(nil, "%s is in use (another emulator?): choose another address with --addr, e.g. --addr 127.0.0.1:18080, or --addr 127.0.0.1:0 for any free port", o.addr)
	}
	if err != nil {
		return failf(nil, "%v", err)
	}
	hs := emulator.NewHTTPServer(srv)
	key := exampleKey
	if o.apiKey != "" {
		key = "<the --api-key value>"
	}
	fmt.Fprintf(e.stdout, "emulator listening on http://%s (Ctrl-C stops it)\n", ln.Addr())
	fmt.Fprintf(e.stdout, "try: DAESTRO_API_URL=http://%s DAESTRO_API_KEY=%s daestro-jobs apply --env-file examples/example.env -f examples/\n", ln.Addr(), key)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return failf(nil, "%v", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		fmt.Fprintln(e.stdout, "emulator stopped")
		return nil
	}
}

func emulatorDoc() commandDoc {
	return commandDoc{
		synopsis: []string{"[--addr ADDRESS] [--api-key KEY] [--step DURATION] [OPTIONS]"},
		description: []string{
			"Serves a local Daestro-compatible API (Job Submit and Job Detail) for trying the tool and for tests; Ctrl-C stops it. Jobs move from submitted to completed one state per --step. A busy port is an error that names --addr.",
			"To make a job fail for --wait tests, set EMULATOR_RESULT in its container_env to failed, error or timeout: the emulator ends the job in that state, with a system_note saying why (any other value is refused). --fail-rate and --drop-rate inject 503 answers and lost answers into submits, --rate-limit answers 429 above a rate, --latency delays every answer.",
		},
		examples: []example{
			{"serve on the default address, apply against it, then stop it", "daestro-jobs emulator &\nexport DAESTRO_API_URL=http://127.0.0.1:8080\nexport DAESTRO_API_KEY=dk_test_5f0c2a9e7b41d836\ndaestro-jobs apply -f jobs/\nkill %1"},
			{"a job that ends failed, in a manifest (for --wait tests)", "container_env:\n  EMULATOR_RESULT: failed"},
			{"another port, a state file, jobs that end within seconds", "daestro-jobs emulator --addr 127.0.0.1:18080 --state emu.json --step 200ms"},
			{"a flaky, slow API, reproducibly", "daestro-jobs emulator --fail-rate 0.2 --drop-rate 0.1 --latency 50ms-200ms --seed 7"},
		},
	}
}
