package report

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/schedule"
)

// StatusRow is one job `daestro-jobs status` asked for: its detail, or why
// it could not be read.
type StatusRow struct {
	api.Detail
	Error string `json:"error,omitempty"`
	// Err is why the job could not be read, as the client returned it:
	// the printers render it (Error is then ignored).
	Err error `json:"-"`
}

// statusPrinter is the printer of one status format.
type statusPrinter interface {
	status(rows []StatusRow) error
}

type statusJSON struct {
	s  Streams
	sc scrub
}

func (p statusJSON) status(rows []StatusRow) error {
	sc := p.sc
	out := make([]StatusRow, len(rows))
	for i, r := range rows {
		out[i] = StatusRow{Detail: r.Detail.Map(sc.masked), Error: sc.errMasked(r.Err, r.Error)}
	}
	return writeJSON(p.s.Out, map[string]any{"jobs": out})
}

type statusText struct {
	s  Streams
	sc scrub
}

func (p statusText) status(rows []StatusRow) error {
	sc := p.sc
	tw := tabwriter.NewWriter(p.s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATE\tSCHEDULE_AT\tCREATED_AT\tUPDATED_AT")
	for _, r := range rows {
		if r.Err != nil || r.Error != "" {
			fmt.Fprintf(tw, "%s\t-\terror: %s\t\t\t\n", sc.lead(r.ID), sc.errMessage(r.Err, r.Error))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sc.lead(r.ID), sc.text(r.Name), sc.text(string(r.State)),
			orDash(sc, r.ScheduleAt), sc.text(timestamp(r.CreatedAt)), orDash(sc, r.UpdatedAt))
		if n := r.SystemNote; n != nil && *n != "" {
			fmt.Fprintf(tw, "\tnote: %s\t\t\t\t\n", sc.message(*n))
		}
	}
	return tw.Flush()
}

func orDash(sc scrub, s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return sc.text(timestamp(*s))
}

// timestamp is a time the server sent, written as apply writes times: UTC
// with milliseconds (2026-11-29T02:00:00.000Z). Text that does not read as
// RFC 3339 is shown as it came.
func timestamp(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return schedule.Format(t)
}
