package submit

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/internal/clock"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/schema"
)

// planOf plans YAML given as stdin, as apply would.
func planOf(t *testing.T, yaml string) *plan.Plan {
	t.Helper()
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(context.Background(), plan.Options{
		Source:    manifest.Source{Paths: []string{"-"}, Stdin: strings.NewReader(yaml)},
		Env:       func(string) (string, bool) { return "", false },
		Now:       time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
		Validator: v,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	jobA = "job_definition: acme::d:1\njob_queue: acme::q\nname: a\n"
	jobB = "job_definition: acme::d:1\njob_queue: acme::q\nname: b\n"
	jobC = "job_definition: acme::d:1\njob_queue: acme::q\nname: c\n"
)

// outcomes lists what became of each job, with its id or note.
func outcomes(a *outcome.Apply) []string {
	var out []string
	for _, j := range a.Jobs {
		s := string(j.Outcome) + " " + j.Job.Name
		if j.ID != "" {
			s += " id " + j.ID
		}
		if j.Note != "" {
			s += " (" + j.Note + ")"
		}
		out = append(out, s)
	}
	return out
}

// counting answers each job by its name: "a" created, "b" taken.
func counting(t *testing.T, sent *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		switch name := jobName(t, r); name {
		case "b":
			writeJSON(w, http.StatusConflict, errBody("job name 'b' already exists"))
		case "refused":
			writeJSON(w, http.StatusUnauthorized, errBody("invalid API key"))
		default:
			writeJSON(w, http.StatusAccepted, okBody("id-"+name))
		}
	}
}

func TestApplyOutcomes(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, counting(t, &sent))
	p := planOf(t, jobA+"---\n"+jobB+"---\n"+jobA)
	times := []time.Time{time.Unix(100, 0), time.Unix(102, 0)}
	now := func() time.Time { t := times[0]; times = times[1:]; return t }
	var seen []string
	opts := DefaultOptions()
	opts.Clock, opts.OnResult = clock.NowFunc(now), func(r Result) { seen = append(seen, string(r.Outcome)) }
	a, err := Apply(context.Background(), p, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"created a id id-a", "exists b", "duplicate a (same job as <stdin>:1)"}
	if diff := cmp.Diff(want, outcomes(a)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if sent.Load() != 2 || len(seen) != 2 {
		t.Errorf("sent %d requests, OnResult saw %v: the duplicate must not be sent", sent.Load(), seen)
	}
	if a.Elapsed != 2*time.Second || a.Failed() || a.Interrupted {
		t.Errorf("elapsed %v (want the injected clock's 2s), failed %v, interrupted %v", a.Elapsed, a.Failed(), a.Interrupted)
	}
}

// TestApplyInvalidSendsNothing: one invalid document, or one file that does
// not parse with no job at all, and nothing is sent; the apply fails.
func TestApplyInvalidSendsNothing(t *testing.T) {
	for name, yaml := range map[string]string{
		"one invalid document":       jobA + "---\njob_definition: acme::d:1\n",
		"a file that does not parse": "a:\n\tb: c\n",
	} {
		t.Run(name, func(t *testing.T) {
			var sent atomic.Int32
			c, _ := newTestClient(t, counting(t, &sent))
			a, err := Apply(context.Background(), planOf(t, yaml), c, DefaultOptions())
			if err != nil || sent.Load() != 0 || !a.Failed() {
				t.Errorf("err %v, sent %d, failed %v: want nothing sent and a failed apply", err, sent.Load(), a.Failed())
			}
			for _, j := range a.Jobs {
				if j.Outcome != outcome.Invalid && j.Outcome != outcome.NotSubmitted {
					t.Errorf("%s: %s", j.Job.Name, j.Outcome)
				}
			}
		})
	}
}

func TestApplyDryRun(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, counting(t, &sent))
	a, err := Apply(context.Background(), planOf(t, jobA+"---\n"+jobA), c, withOptions(func(o *Options) { o.DryRun = true }))
	if err != nil || sent.Load() != 0 {
		t.Fatalf("err %v, sent %d", err, sent.Load())
	}
	want := []string{"planned a", "duplicate a (same job as <stdin>:1)"}
	if diff := cmp.Diff(want, outcomes(a)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if a.Failed() || a.Elapsed != 0 {
		t.Errorf("a dry run failed (%v) or took time (%v)", a.Failed(), a.Elapsed)
	}
}

// TestApplyRefusedStops: the first 401 stops the run; what was not sent is
// not submitted, and the error says the key was refused.
func TestApplyRefusedStops(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, counting(t, &sent))
	refused := strings.Replace(jobA, "name: a", "name: refused", 1)
	a, err := Apply(context.Background(), planOf(t, refused+"---\n"+jobB+"---\n"+jobC), c, withOptions(func(o *Options) { o.Concurrency = 1 }))
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	want := []string{"failed refused", "not submitted b (not sent: the run stopped because the server refused the API key)",
		"not submitted c (not sent: the run stopped because the server refused the API key)"}
	if diff := cmp.Diff(want, outcomes(a)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if sent.Load() != 1 || !a.Failed() {
		t.Errorf("sent %d, failed %v", sent.Load(), a.Failed())
	}
}

// TestApplyInterrupted: a run interrupted before it sends reports every job
// not submitted, and says it was interrupted.
func TestApplyInterrupted(t *testing.T) {
	var sent atomic.Int32
	c, _ := newTestClient(t, counting(t, &sent))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, err := Apply(ctx, planOf(t, jobA+"---\n"+jobB), c, DefaultOptions())
	if !errors.Is(err, context.Canceled) || !a.Interrupted || !a.Failed() || sent.Load() != 0 {
		t.Fatalf("err %v, interrupted %v, failed %v, sent %d", err, a.Interrupted, a.Failed(), sent.Load())
	}
	for _, j := range a.Jobs {
		if j.Outcome != outcome.NotSubmitted {
			t.Errorf("%s: %s", j.Job.Name, j.Outcome)
		}
	}
}

func TestSendable(t *testing.T) {
	if n := Sendable(planOf(t, jobA+"---\n"+jobA+"---\n"+jobB)); n != 2 {
		t.Errorf("Sendable = %d, want 2 (a and b; the repeat of a is not sent)", n)
	}
}
