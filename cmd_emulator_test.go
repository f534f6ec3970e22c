package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestEmulatorBadFlags: a flag value that cannot mean anything is a usage
// error, exit 2, naming the flag, before anything is listened on. The
// context is cancelled, so that a value wrongly accepted ends the emulator at
// once (exit 0) instead of serving for ever.
func TestEmulatorBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "fail rate above one", args: []string{"--fail-rate", "1.5"}, want: "--fail-rate"},
		{name: "negative drop rate", args: []string{"--drop-rate=-0.1"}, want: "--drop-rate"},
		{name: "fail rate NaN", args: []string{"--fail-rate", "NaN"}, want: "--fail-rate"},
		{name: "fail rate not a number", args: []string{"--fail-rate", "often"}, want: "fail-rate"},
		{name: "negative rate limit", args: []string{"--rate-limit=-1"}, want: "--rate-limit"},
		{name: "negative step", args: []string{"--step=-1s"}, want: "--step"},
		{name: "zero step", args: []string{"--step", "0s"}, want: "--step"},
		{name: "step not a duration", args: []string{"--step", "fast"}, want: "step"},
		{name: "latency not a duration", args: []string{"--latency", "slow"}, want: "--latency"},
		{name: "latency range upside down", args: []string{"--latency", "300ms-100ms"}, want: "--latency"},
		{name: "address without a port", args: []string{"--addr", "localhost"}, want: "--addr"},
		{name: "seed not a number", args: []string{"--seed", "x"}, want: "seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			args := append([]string{"daestro-jobs", "emulator", "--addr", "127.0.0.1:0"}, tt.args...)
			var out, errb bytes.Buffer
			code := run(ctx, args, env{
				stdin:  strings.NewReader(""),
				stdout: &out,
				stderr: &errb,
				lookup: func(string) (string, bool) { return "", false },
				now:    func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
			})
			if code != exitUsage || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 naming %s", code, errb.String(), tt.want)
			}
			if strings.Contains(out.String(), "listening") {
				t.Errorf("the emulator started: %q", out.String())
			}
		})
	}
}
