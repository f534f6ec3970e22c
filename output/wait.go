package output

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/submit"
)

// WaitResult is what became of one job apply --wait watched.
type WaitResult struct {
	Job    JobResult
	Detail submit.Detail // the last one read; State is "" if none could be
	Error  string        // the last read error, already scrubbed
}

// WaitReport is what `daestro-jobs apply --wait` has to say after the apply report.
type WaitReport struct {
	Results []WaitResult
	// Skipped counts jobs not watched, by reason.
	SkippedExists, SkippedScheduled int
	TimedOut                        bool
}

// WaitProgress renders the live count, "waiting for 5 jobs: 2 running, 3
// completed", from the latest details.
func WaitProgress(latest []submit.Detail) string {
	counts := map[string]int{}
	var order []string
	for _, d := range latest {
		s := d.State
		if s == "" {
			s = "unknown"
		}
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[s], s)
	}
	return fmt.Sprintf("waiting for %s: %s", plural(len(latest), "job", "jobs"), strings.Join(parts, ", "))
}

// Wait reports the end of a wait: in JSON a second document after the apply
// report, otherwise lines for people.
func Wait(f Format, s Streams, r *WaitReport) error {
	if f == JSON {
		type job struct {
			File       string  `json:"file"`
			Line       int     `json:"line"`
			Name       string  `json:"name"`
			ID         string  `json:"id"`
			State      string  `json:"state"`
			SystemNote *string `json:"system_note"`
			Error      string  `json:"error,omitempty"`
		}
		doc := struct {
			Wait             []job `json:"wait"`
			SkippedExists    int   `json:"skipped_exists"`
			SkippedScheduled int   `json:"skipped_scheduled"`
			TimedOut         bool  `json:"timed_out"`
		}{Wait: []job{}, SkippedExists: r.SkippedExists, SkippedScheduled: r.SkippedScheduled, TimedOut: r.TimedOut}
		for _, w := range r.Results {
			doc.Wait = append(doc.Wait, job{File: w.Job.Job.File, Line: w.Job.Job.Line, Name: w.Job.Job.Name,
				ID: w.Job.ID, State: w.Detail.State, SystemNote: w.Detail.SystemNote, Error: w.Error})
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(s.Out, "%s\n", b)
		return err
	}
	var b strings.Builder
	if r.SkippedExists > 0 {
		fmt.Fprintf(&b, "not waiting for %s: the API gives no id for a job found by its name\n",
			plural(r.SkippedExists, "existing job", "existing jobs"))
	}
	if r.SkippedScheduled > 0 {
		fmt.Fprintf(&b, "not waiting for %s (--wait-scheduled waits for them too)\n",
			plural(r.SkippedScheduled, "scheduled job", "scheduled jobs"))
	}
	completed := 0
	for _, w := range r.Results {
		state := w.Detail.State
		if state == "completed" {
			completed++
		}
		if state == "" {
			state = "unknown"
		}
		fmt.Fprintf(&b, "%-13s  %s/%s  %s:%d  id %s", state, w.Job.Job.Queue, w.Job.Job.Name, w.Job.Job.File, w.Job.Job.Line, w.Job.ID)
		if n := w.Detail.SystemNote; n != nil && *n != "" && state != "completed" {
			fmt.Fprintf(&b, "  %s", *n)
		}
		if w.Error != "" {
			fmt.Fprintf(&b, "  (%s)", w.Error)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "waited for %s: %d completed", plural(len(r.Results), "job", "jobs"), completed)
	if n := len(r.Results) - completed; n > 0 {
		fmt.Fprintf(&b, ", %d did not", n)
	}
	if r.TimedOut {
		b.WriteString(" (--wait-timeout reached)")
	}
	b.WriteByte('\n')
	_, err := fmt.Fprint(s.Out, b.String())
	return err
}
