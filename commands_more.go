package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
	"github.com/daestro-jobs/daestro-jobs/submit"
	"github.com/urfave/cli/v2"
)

func statusCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show jobs by id (Job Detail API): state, schedule, timestamps",
		ArgsUsage: "ID...",
		Flags: append(apiFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text, json"}),
		Action: func(c *cli.Context) error {
			ids := c.Args().Slice()
			if len(ids) == 0 {
				return usagef("status needs at least one job ID (printed by daestro-jobs apply)")
			}
			format := c.String("output")
			if format != "text" && format != "json" {
				return usagef("unknown output format %q; choose one of text, json", format)
			}
			client, err := apiClient(c, e, 1)
			if err != nil {
				return err
			}
			streams, _, closeStreams := redactedStreams(e, []string{client.APIKey})
			defer closeStreams()
			type row struct {
				submit.Detail
				Error string `json:"error,omitempty"`
			}
			rows := make([]row, 0, len(ids))
			failed := false
			for _, id := range ids {
				ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
				d, err := client.Job(ctx, id)
				cancel()
				if errors.Is(err, context.DeadlineExceeded) && c.Context.Err() == nil {
					err = fmt.Errorf("no answer within %v: %w", c.Duration("timeout"), err)
				}
				if errors.Is(err, context.Canceled) {
					return err
				}
				var apiErr *submit.APIError
				if errors.As(err, &apiErr) && apiErr.Refused() {
					fmt.Fprintf(streams.Err, "daestro-jobs: the server refused the API key (%v): check DAESTRO_API_KEY or --api-key-file\n", err)
					return &exitError{code: exitFailure}
				}
				r := row{Detail: d}
				if err != nil {
					r.ID, r.Error, failed = id, err.Error(), true
				}
				rows = append(rows, r)
			}
			if format == "json" {
				enc := json.NewEncoder(streams.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"jobs": rows}); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tSTATE\tSCHEDULE_AT\tCREATED_AT\tUPDATED_AT")
				for _, r := range rows {
					if r.Error != "" {
						fmt.Fprintf(tw, "%s\t-\terror: %s\t\t\t\n", r.ID, r.Error)
						continue
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.State, orDash(r.ScheduleAt), r.CreatedAt, orDash(r.UpdatedAt))
					if r.SystemNote != nil && *r.SystemNote != "" {
						fmt.Fprintf(tw, "\tnote: %s\t\t\t\t\n", *r.SystemNote)
					}
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if failed {
				return &exitError{code: exitFailure}
			}
			return nil
		},
	}
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

func emulatorCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "emulator",
		Usage: "serve a local Daestro-compatible API, for trying the tool and for tests",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen `ADDRESS` (loopback unless you mean otherwise)"},
			&cli.StringFlag{Name: "state", Usage: "keep jobs in `FILE` so they survive a restart"},
			&cli.StringFlag{Name: "api-key", Usage: "accept only this `KEY` (default: any key); a test key, not a real one"},
			&cli.DurationFlag{Name: "step", Value: time.Second, Usage: "time per job state, from submitted to completed"},
			&cli.StringFlag{Name: "latency", Usage: "added latency per request: `D` or MIN-MAX, e.g. 100ms-300ms"},
			&cli.Float64Flag{Name: "fail-rate", Usage: "`FRACTION` of submits answered 503 before storing"},
			&cli.Float64Flag{Name: "drop-rate", Usage: "`FRACTION` of submits stored, then the connection closed with no answer"},
			&cli.Float64Flag{Name: "rate-limit", Usage: "answer 429 with Retry-After above `R` requests per second"},
			&cli.Int64Flag{Name: "seed", Usage: "seed of the fault injection, for reproducible runs"},
		},
		Action: func(c *cli.Context) error {
			for _, f := range []string{"fail-rate", "drop-rate"} {
				if v := c.Float64(f); v < 0 || v > 1 {
					return usagef("--%s must be between 0 and 1", f)
				}
			}
			opts := emulator.Options{
				APIKey:    c.String("api-key"),
				Step:      c.Duration("step"),
				FailRate:  c.Float64("fail-rate"),
				DropRate:  c.Float64("drop-rate"),
				RateLimit: c.Float64("rate-limit"),
				StatePath: c.String("state"),
				Seed:      c.Int64("seed"),
			}
			if s := c.String("latency"); s != "" {
				lo, jitter, err := emulator.ParseLatency(s)
				if err != nil {
					return usagef("--latency: %v", err)
				}
				opts.Latency, opts.LatencyJitter = lo, jitter
			}
			srv, err := emulator.New(opts)
			if err != nil {
				return &exitError{code: exitFailure, msg: err.Error()}
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", c.String("addr"))
			if err != nil {
				return &exitError{code: exitFailure, msg: err.Error()}
			}
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(e.stdout, "emulator listening on http://%s\n", ln.Addr())
			fmt.Fprintf(e.stdout, "try: DAESTRO_API_URL=http://%s DAESTRO_API_KEY=%s daestro-jobs apply -f examples/\n", ln.Addr(), keyHint(opts.APIKey))
			done := make(chan error, 1)
			go func() { done <- hs.Serve(ln) }()
			select {
			case err := <-done:
				return &exitError{code: exitFailure, msg: err.Error()}
			case <-c.Context.Done():
				ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Context), 5*time.Second)
				defer cancel()
				_ = hs.Shutdown(ctx)
				fmt.Fprintln(e.stdout, "emulator stopped")
				return nil
			}
		},
	}
}

func keyHint(key string) string {
	if key == "" {
		return "anything"
	}
	return "<the --api-key value>"
}

func versionCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print version and build information",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprintln(e.stdout, versionString())
			return err
		},
	}
}

// moduleVersion is the module version from build information, "(devel)"
// for a local build.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// versionString reads build information lazily, at the command, not at init.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "daestro-jobs (unknown build)"
	}
	parts := []string{"daestro-jobs " + moduleVersion()}
	var rev, when, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "commit "+rev+modified)
	}
	if when != "" {
		parts = append(parts, "built from "+when)
	}
	parts = append(parts, bi.GoVersion)
	return strings.Join(parts, ", ")
}
