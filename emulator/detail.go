package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// The answers, as docs/api.md describes them. The emulator has its own
// types rather than the client's, so that a JSON name the client gets wrong
// is not got wrong here too.

// envelope is every answer: {"ok": true, "data": …} or
// {"ok": false, "message": …}.
type envelope struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	Data    any    `json:"data,omitempty"`
}

// created is the data of an accepted Job Submit (HTTP 202).
type created struct {
	ID string `json:"id"`
}

// detail is the data of Job Detail (HTTP 200). The nullable fields are
// pointers, and never omitted: the API sends them as null.
type detail struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	State      state   `json:"state"`
	SystemNote *string `json:"system_note"`
	ScheduleAt *string `json:"schedule_at"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  *string `json:"updated_at"`
}

// state is a job's state in Job Detail.
type state string

// The states the emulator's jobs pass through, and the terminal ones a test
// can ask for. The API's cancelling and cancelled never happen here: nothing
// cancels a job through the documented API.
const (
	submitted state = "submitted"
	pending   state = "pending"
	runnable  state = "runnable"
	starting  state = "starting"
	running   state = "running"
	completed state = "completed"
	failed    state = "failed"
	errored   state = "error"
	timedOut  state = "timeout"
)

// timeLayout is how Job Detail writes times: UTC with microseconds, as in the
// API documentation's example.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// handleDetail serves GET /v1/client/job/{id}; id is the last path segment,
// decoded.
func (s *Server) handleDetail(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.fail(w, r, http.StatusMethodNotAllowed, "method not allowed: use GET")
		return
	}
	if !s.authorized(w, r) {
		return
	}
	var rec *record
	if u, err := uuid.Parse(id); err == nil {
		s.mu.Lock()
		rec = s.byID[u.String()]
		s.mu.Unlock()
	}
	if rec == nil {
		s.fail(w, r, http.StatusNotFound, "job not found")
		return
	}
	d := describe(rec, s.opts.Now(), s.opts.Step)
	s.respond(w, r, http.StatusOK, envelope{OK: true, Data: d}, "")
}

// describe derives a job's Job Detail at now. The state is a pure function of
// the clock, so a test moves a fake clock instead of waiting, and nothing runs
// in the background.
func describe(rec *record, now time.Time, step time.Duration) detail {
	// The states every job passes through, one Step each, before its
	// terminal state.
	progress := [...]state{submitted, pending, runnable, starting, running}
	job := rec.job
	d := detail{
		ID:        job.ID,
		Name:      job.Name,
		State:     progress[0],
		CreatedAt: job.CreatedAt.Format(timeLayout),
	}
	// A scheduled job waits in submitted until its time, then advances.
	start := job.CreatedAt
	if job.ScheduleAt != nil {
		d.ScheduleAt = new(job.ScheduleAt.Format(timeLayout))
		if job.ScheduleAt.After(start) {
			start = *job.ScheduleAt
		}
	}
	if !now.After(start) {
		return d
	}
	n := min(int64(now.Sub(start)/step), int64(len(progress)))
	if n == 0 {
		return d // updated_at stays null until the first change, as in the API
	}
	d.UpdatedAt = new(start.Add(time.Duration(n) * step).Format(timeLayout))
	if n < int64(len(progress)) {
		d.State = progress[n]
		return d
	}
	d.State = rec.ending
	if rec.ending != completed {
		e := string(rec.ending)
		d.SystemNote = new("emulator: the job ended " + e + " because its container_env sets " + resultVar + "=" + e)
	}
	return d
}

// fail answers an error in the API's envelope, {"ok": false, "message": …}.
// The message is clipped to maxMessage and escaped as a whole, whatever its
// parts were: JSON would carry a control character from a request (a job
// name) back to the client intact.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	msg = escape(clip(msg, maxMessage))
	s.respond(w, r, status, envelope{Message: msg}, msg)
}

// respond writes a JSON answer (an envelope) and logs it, with msg when
// it is an error.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, e any, msg string) {
	b, err := json.Marshal(e)
	if err != nil {
		// Only the types defined in this package are encoded; this cannot happen.
		status, b = http.StatusInternalServerError, []byte(`{"ok":false,"message":"emulator: encoding the answer failed"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	// A length, rather than a chunked answer ended when the handler returns:
	// a refused request's answer is complete as soon as it is flushed, while
	// the handler still reads what is left of the body (refuse).
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	if msg == "" {
		s.logf("%s %d", requestLine(r), status)
	} else {
		s.logf("%s %d %s", requestLine(r), status, msg)
	}
}

// abort ends the exchange with no answer at all, as a lost response looks to
// the client. On HTTP/1 it closes the connection; where hijacking is not
// possible (HTTP/2) the ErrAbortHandler panic makes net/http reset the stream
// without logging.
func abort(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}
