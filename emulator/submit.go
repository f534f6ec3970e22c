package emulator

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// handleSubmit serves POST /v1/client/job with the body ServeHTTP read. The
// rate limit was applied by ServeHTTP; the order after it is FailRate,
// validation, store, DropRate, as a real outage fails before the database is
// touched and a lost answer is lost after the job exists.
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.fail(w, r, http.StatusMethodNotAllowed, "method not allowed: use POST")
		return
	}
	if !s.authorized(w, r) {
		return
	}
	// Validation needs no lock and is the costly part, so it runs before the
	// lock; its verdict is only given after the FailRate draw, as if it had
	// run after it. It takes a parse slot: decoding a body costs several times
	// its size (limits.go).
	select {
	case s.parses <- struct{}{}:
	case <-r.Context().Done():
		s.logf("%s abandoned by the client while waiting to be validated", requestLine(r))
		return
	}
	sub, invalid := parseSubmit(body)
	<-s.parses

	s.mu.Lock()
	if s.roll(s.opts.FailRate) {
		s.stats.Injected503++
		s.mu.Unlock()
		s.fail(w, r, http.StatusServiceUnavailable, "service unavailable (injected by the emulator's fail rate)")
		return
	}
	if invalid != "" {
		s.mu.Unlock()
		s.fail(w, r, http.StatusBadRequest, invalid)
		return
	}
	rec, status, msg := s.storeLocked(sub)
	drop := rec != nil && s.roll(s.opts.DropRate)
	if drop {
		s.stats.Dropped++
	}
	s.mu.Unlock()

	switch {
	case rec == nil:
		s.fail(w, r, status, msg)
	case drop:
		s.logf("%s stored job %s (%s), dropping the connection", requestLine(r), rec.job.ID, rec.job.Name)
		abort(w)
	default:
		s.respond(w, r, http.StatusAccepted, envelope{OK: true, Data: created{ID: rec.job.ID}}, "")
	}
}

// storeLocked names, journals and stores a valid submission; the caller holds
// mu. On refusal it returns a nil record with the status and message to answer.
func (s *Server) storeLocked(sub submission) (*record, int, string) {
	if s.closed {
		return nil, http.StatusServiceUnavailable, "the emulator is shutting down"
	}
	now := s.opts.Now().UTC().Truncate(time.Microsecond)
	name := sub.name
	if name == "" {
		name = s.generateName(sub.queue, now)
	} else if s.names[queueName{sub.queue, name}] {
		s.stats.NameTaken++
		return nil, http.StatusBadRequest, fmt.Sprintf("job name '%s' already exists in queue '%s'", echo(name), echo(sub.queue))
	}
	id, err := s.newID()
	if err != nil {
		return nil, http.StatusInternalServerError, "emulator: generating a job id: " + err.Error()
	}
	rec := &record{
		job: Job{
			ID:         id,
			Name:       name,
			Queue:      sub.queue,
			Body:       sub.body,
			CreatedAt:  now,
			ScheduleAt: sub.scheduleAt,
		},
		ending: sub.ending,
	}
	// The journal line is written before the job is visible or answered: a job
	// a client heard about (or whose answer was dropped) is never lost by a
	// restart.
	if s.journal != nil {
		if err := s.journal.append(rec.job); err != nil {
			return nil, http.StatusInternalServerError, "emulator: saving the job: " + err.Error()
		}
	}
	s.insert(rec)
	s.stats.Created++
	return rec, 0, ""
}

// generateName names an unnamed job the way Daestro does, "YH-<unix ms>".
// Several jobs in one millisecond (or under a frozen test clock) take the next
// free millisecond, so generated names never repeat within a server and never
// collide with a name already in the queue.
func (s *Server) generateName(queue string, now time.Time) string {
	ms := max(now.UnixMilli(), s.lastGen+1)
	for s.names[queueName{queue, "YH-" + strconv.FormatInt(ms, 10)}] {
		ms++
	}
	s.lastGen = ms
	return "YH-" + strconv.FormatInt(ms, 10)
}

// newID returns a UUIDv7 not yet used. A collision is practically impossible,
// but checking costs one map lookup and makes Job Detail unambiguous.
func (s *Server) newID() (string, error) {
	for {
		u, err := uuid.NewV7()
		if err != nil {
			return "", err
		}
		if id := u.String(); s.byID[id] == nil {
			return id, nil
		}
	}
}

// authorized checks the bearer key when one is configured and answers 401
// otherwise. Messages never repeat the presented key: it may be a real one
// sent to the wrong server.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.APIKey == "" {
		return true
	}
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.fail(w, r, http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
		return false
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) != 1 {
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.fail(w, r, http.StatusUnauthorized, "invalid API key")
		return false
	}
	return true
}
