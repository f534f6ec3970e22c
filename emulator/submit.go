package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/internal/ascii"
	"github.com/google/uuid"
)

// submission is a Job Submit body that passed validation, with what the
// emulator needs from it.
type submission struct {
	body       json.RawMessage // compacted as the journal writes it, so Jobs() reads the same after a restart
	queue      string
	name       string // empty: generate one
	scheduleAt *time.Time
	ending     api.State
}

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
	// run after it. It takes a parse slot: an invalid body costs hundreds of
	// times its size to validate (limits.go).
	select {
	case s.parses <- struct{}{}:
	case <-r.Context().Done():
		s.logf("%s abandoned by the client while waiting to be validated", requestLine(r))
		return
	}
	sub, invalid := s.parse(body)
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
		s.respond(w, r, http.StatusAccepted, api.Envelope[api.Created]{OK: true, Data: &api.Created{ID: rec.job.ID}}, "")
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

// parse decodes and validates a Job Submit body. A non-empty second result is
// the 400 message.
func (s *Server) parse(body []byte) (submission, string) {
	doc, err := decode(body)
	if err != nil {
		return submission{}, "invalid JSON body: " + err.Error()
	}
	if vs := s.validator.Validate(doc); len(vs) > 0 {
		problems := make([]string, 0, len(vs))
		for _, v := range vs {
			problems = append(problems, problem(v.Path, v.Message))
		}
		// The validator's order follows map iteration; sorting keeps the
		// message the same from run to run.
		slices.Sort(problems)
		problems = slices.Compact(problems)
		// A body of 30,000 wrong numbers has 30,000 problems: the message
		// names the first few, as a person reads no more.
		if n := len(problems) - maxProblems; n > 0 {
			problems = append(problems[:maxProblems], fmt.Sprintf("and %d more", n))
		}
		return submission{}, "invalid job: " + strings.Join(problems, "; ")
	}
	m := doc.(map[string]any) // the schema requires an object
	at, err := scheduleOf(m["schedule_at"])
	if err != nil {
		return submission{}, "invalid job: " + problem([]string{"schedule_at"}, err.Error())
	}
	ending, err := endingOf(m)
	if err != nil {
		return submission{}, "invalid job: " + problem([]string{"container_env", resultVar}, err.Error())
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return submission{}, "invalid JSON body: " + err.Error() // decode accepted it; kept for safety
	}
	name, _ := m["name"].(string)
	return submission{
		body:       compact.Bytes(),
		queue:      m["job_queue"].(string),
		name:       name,
		scheduleAt: at,
		ending:     ending,
	}, ""
}

// maxProblems is how many validation problems a 400 message lists.
const maxProblems = 10

// problem formats one validation problem as "field.path: message". The path
// holds the body's own keys (container_env names), so it is echoed.
func problem(path []string, msg string) string {
	if len(path) == 0 {
		return msg
	}
	return echo(strings.Join(path, ".")) + ": " + msg
}

// decode reads one JSON value the way the schema package expects it (numbers
// as json.Number) and refuses anything after it.
func decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty body")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return doc, nil
}

// maxUnix is 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
const maxUnix = 253402300799

// scheduleOf reads schedule_at as the API does: RFC 3339, or unix seconds as an
// integer or a digit string. The CLI's other forms (+1h, zones) are resolved
// before sending, so the server rejects them. Nil means not scheduled.
func scheduleOf(v any) (*time.Time, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		s = string(v)
	case string:
		s = v
	default:
		return nil, errors.New("must be RFC 3339 or unix seconds")
	}
	var t time.Time
	if ascii.IsDigits(s) {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs > maxUnix {
			return nil, errors.New("unix seconds out of range")
		}
		t = time.Unix(secs, 0)
	} else {
		var err error
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return nil, errors.New("must be RFC 3339 or unix seconds")
		}
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, nil
}

// resultVar is the container_env variable through which a test asks for a job
// to end in a state other than completed. A variable, because it travels in a
// body the real API accepts unchanged.
const resultVar = "EMULATOR_RESULT"

// endingOf returns the terminal state a job will reach.
func endingOf(doc any) (api.State, error) {
	m, _ := doc.(map[string]any)
	env, _ := m["container_env"].(map[string]any)
	var value string
	switch v := env[resultVar].(type) {
	case string:
		value = v
	case map[string]any:
		value, _ = v["value"].(string)
	}
	switch st := api.State(value); st {
	case "", api.Completed:
		return api.Completed, nil
	case api.Failed, api.Error, api.Timeout:
		return st, nil
	}
	// A typo must not silently end a test's job completed.
	return "", errors.New("the emulator ends a job completed, failed, error or timeout")
}
