package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

func TestSubmit(t *testing.T) {
	sched := time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		body      string
		wantCode  int
		wantMsg   string     // exact message of a refusal
		wantMsgRe string     // pattern of one, where the exact text is not the point
		wantSched *time.Time // schedule_at as stored, for accepted jobs
	}{
		{
			name:     "minimal",
			body:     job(map[string]any{"name": "minimal"}),
			wantCode: http.StatusAccepted,
		},
		{
			name: "every key",
			body: job(map[string]any{
				"name":                    "every-key",
				"container_cmd":           []string{"build-report", "Param::day"},
				"container_cmd_parameter": map[string]string{"day": "2026-11-28"},
				"container_env": map[string]any{
					"S3_BUCKET":   map[string]any{"value": "reports"},
					"DB_PASSWORD": map[string]any{"value": "s3cret", "sensitive": true},
				},
				"schedule_at": "2026-11-29T02:00:00.000Z",
			}),
			wantCode:  http.StatusAccepted,
			wantSched: &sched,
		},
		{
			name:      "schedule_at with an offset",
			body:      job(map[string]any{"name": "offset", "schedule_at": "2026-11-29T03:00:00+01:00"}),
			wantCode:  http.StatusAccepted,
			wantSched: &sched,
		},
		{
			name:      "schedule_at as unix seconds",
			body:      job(map[string]any{"name": "unix", "schedule_at": sched.Unix()}),
			wantCode:  http.StatusAccepted,
			wantSched: &sched,
		},
		{
			// The page's string form is RFC 3339; unix seconds are a
			// number. The CLI sends one normal form, never digits.
			name:     "schedule_at as a digit string",
			body:     job(map[string]any{"name": "digits", "schedule_at": fmt.Sprint(sched.Unix())}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: schedule_at: must be an RFC 3339 time or a number of unix seconds",
		},
		{
			name:     "missing job_queue",
			body:     job(map[string]any{"job_queue": nil}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: job_queue: required",
		},
		{
			name:      "queue name with a dot",
			body:      job(map[string]any{"job_queue": "acme::night.ly"}),
			wantCode:  http.StatusBadRequest,
			wantMsgRe: `^invalid job: job_queue: [^;]+$`,
		},
		{
			name:     "several problems, required first, then in key order",
			body:     job(map[string]any{"job_queue": nil, "job_que": "acme::nightly", "name": ""}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: job_queue: required; job_que: unknown key; name: must not be empty",
		},
		{
			name:     "list in container_env",
			body:     job(map[string]any{"container_env": map[string]any{"RETRIES": []int{3}}}),
			wantCode: http.StatusBadRequest,
			wantMsg:  `invalid job: container_env.RETRIES: must be an object {"value": "…", "sensitive": true|false}, not an array`,
		},
		{
			// The manifest's shorthand is the CLI's, not the API's: a
			// body builder that forgot to expand it must fail here.
			name:     "container_env string shorthand",
			body:     job(map[string]any{"container_env": map[string]any{"S3_BUCKET": "reports"}}),
			wantCode: http.StatusBadRequest,
			wantMsg:  `invalid job: container_env.S3_BUCKET: must be an object {"value": "…", "sensitive": true|false}, not a string`,
		},
		{
			name: "container_env entries not as the API's example",
			body: job(map[string]any{"container_env": map[string]any{
				"A": map[string]any{"value": 3},
				"B": map[string]any{"value": "x", "sensitive": "true"},
				"C": map[string]any{"sensitive": true},
				"D": map[string]any{"value": "x", "secret": true},
				"E": map[string]any{"value": nil},
				"":  map[string]any{"value": "x"},
			}}),
			wantCode: http.StatusBadRequest,
			wantMsg: "invalid job: container_env.: not a variable name: it must not be empty or hold '=' or NUL; " +
				"container_env.A.value: must be a string, not a number; " +
				"container_env.B.sensitive: must be a boolean, not a string; " +
				`container_env.C: "value" is required; ` +
				`container_env.D.secret: unknown key: an entry holds "value" and "sensitive"; ` +
				"container_env.E.value: must be a string, not null",
		},
		{
			name: "parameters and commands hold strings",
			body: job(map[string]any{
				"container_cmd_parameter": map[string]any{"retries": 3, "debug": true, "ok": "x"},
				"container_cmd":           []any{"run", 1},
			}),
			wantCode: http.StatusBadRequest,
			wantMsg: "invalid job: container_cmd.1: must be a string, not a number; " +
				"container_cmd_parameter.debug: must be a string, not a boolean; " +
				"container_cmd_parameter.retries: must be a string, not a number",
		},
		{
			name:     "null where a value is expected",
			body:     `{"job_definition": "acme::report-builder:3", "job_queue": "acme::nightly", "name": null, "schedule_at": null}`,
			wantCode: http.StatusBadRequest,
			wantMsg: "invalid job: name: must be a string, not null; " +
				"schedule_at: must be an RFC 3339 time or a number of unix seconds, not null",
		},
		{
			name:     "job_definition without a numeric version",
			body:     job(map[string]any{"job_definition": "acme::report-builder:latest"}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: job_definition: must be project_code::definition_name:version, the version a number",
		},
		{
			name:     "relative schedule_at is the CLI's, not the API's",
			body:     job(map[string]any{"schedule_at": "+1h"}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: schedule_at: must be an RFC 3339 time or a number of unix seconds",
		},
		{
			name:     "schedule_at in milliseconds",
			body:     job(map[string]any{"schedule_at": sched.UnixMilli()}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: schedule_at: unix seconds out of range",
		},
		{
			name:     "unknown EMULATOR_RESULT",
			body:     job(map[string]any{"container_env": map[string]any{"EMULATOR_RESULT": map[string]any{"value": "fail"}}}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid job: container_env.EMULATOR_RESULT: the emulator ends a job completed, failed, error or timeout",
		},
		{
			name:      "not an object",
			body:      `["acme::nightly"]`,
			wantCode:  http.StatusBadRequest,
			wantMsgRe: `^invalid job: [^:;]+$`,
		},
		{
			name:     "malformed JSON",
			body:     `{"job_queue": `,
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid JSON body: unexpected EOF",
		},
		{
			name:     "two documents",
			body:     job(nil) + job(nil),
			wantCode: http.StatusBadRequest,
			wantMsg:  "invalid JSON body: unexpected data after the JSON value",
		},
		{
			name:      "many problems, the first ten listed",
			body:      job(map[string]any{"container_cmd": slices.Repeat([]any{[]int{}}, 13)}),
			wantCode:  http.StatusBadRequest,
			wantMsgRe: `^invalid job: (container_cmd\.\d+: [^;]+; ){10}and 3 more$`,
		},
		{
			name:     "largest accepted",
			body:     sized(emulator.MaxBodySize, "largest"),
			wantCode: http.StatusAccepted,
		},
		{
			name:     "one byte too large",
			body:     sized(emulator.MaxBodySize+1, "too-large"),
			wantCode: http.StatusRequestEntityTooLarge,
			wantMsg:  "request body larger than 65536 bytes",
		},
		{
			name:     "a megabyte",
			body:     job(map[string]any{"container_cmd": []string{strings.Repeat("x", 1<<20)}}),
			wantCode: http.StatusRequestEntityTooLarge,
			wantMsg:  "request body larger than 65536 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{})
			a := e.submit(t, "", tt.body)
			if tt.wantCode != http.StatusAccepted {
				got := answer{Status: a.Status, OK: a.OK, Message: a.Message}
				want := answer{Status: tt.wantCode, Message: tt.wantMsg}
				if tt.wantMsgRe != "" {
					if !regexp.MustCompile(tt.wantMsgRe).MatchString(a.Message) {
						t.Errorf("message %q does not match %s", a.Message, tt.wantMsgRe)
					}
					want.Message = a.Message
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("answer (-want +got):\n%s", diff)
				}
				if n := len(e.srv.Jobs()); n != 0 {
					t.Errorf("%d jobs stored after a refusal, want 0", n)
				}
				return
			}
			id := idOf(t, a)
			u, err := uuid.Parse(id)
			if err != nil || u.Version() != 7 || id != u.String() {
				t.Errorf("id %q: want a UUIDv7 in canonical form (parse error %v)", id, err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(tt.body)); err != nil {
				t.Fatal(err)
			}
			var req struct { // only what identifies the job
				Name  string `json:"name"`
				Queue string `json:"job_queue"`
			}
			json.Unmarshal([]byte(tt.body), &req)
			want := []emulator.Job{{
				ID:         id,
				Name:       req.Name,
				Queue:      req.Queue,
				Body:       compact.Bytes(),
				CreatedAt:  t0.Truncate(time.Microsecond),
				ScheduleAt: tt.wantSched,
			}}
			if diff := cmp.Diff(want, e.srv.Jobs()); diff != "" {
				t.Errorf("stored jobs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNameUniqueness(t *testing.T) {
	e := start(t, emulator.Options{})
	steps := []struct {
		name     string
		body     string
		wantCode int
		wantMsg  string
	}{
		{
			name:     "first",
			body:     job(map[string]any{"name": "nightly-report"}),
			wantCode: http.StatusAccepted,
		},
		{
			name:     "same name, same queue",
			body:     job(map[string]any{"name": "nightly-report", "container_cmd": []string{"other"}}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "job name 'nightly-report' already exists in queue 'acme::nightly'",
		},
		{
			name:     "same name, another queue",
			body:     job(map[string]any{"name": "nightly-report", "job_queue": "acme::hourly"}),
			wantCode: http.StatusAccepted,
		},
		{
			name:     "same name, same queue, again",
			body:     job(map[string]any{"name": "nightly-report"}),
			wantCode: http.StatusBadRequest,
			wantMsg:  "job name 'nightly-report' already exists in queue 'acme::nightly'",
		},
	}
	for _, st := range steps {
		a := e.submit(t, "", st.body)
		got := answer{Status: a.Status, OK: a.OK, Message: a.Message}
		want := answer{Status: st.wantCode, OK: st.wantCode == http.StatusAccepted, Message: st.wantMsg}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: answer (-want +got):\n%s", st.name, diff)
		}
	}
	type identity struct{ Queue, Name string }
	var got []identity
	for _, j := range e.srv.Jobs() {
		got = append(got, identity{j.Queue, j.Name})
	}
	want := []identity{{"acme::nightly", "nightly-report"}, {"acme::hourly", "nightly-report"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored jobs (-want +got):\n%s", diff)
	}
	if s := e.srv.Stats(); s.Created != 2 || s.NameTaken != 2 {
		t.Errorf("Stats: %+v, want Created 2 and NameTaken 2", s)
	}
}

func TestGeneratedNames(t *testing.T) {
	e := start(t, emulator.Options{})
	ms := t0.UnixMilli()
	// A name someone chose that the generator would have picked next.
	idOf(t, e.submit(t, "", job(map[string]any{"name": fmt.Sprintf("YH-%d", ms+3)})))
	var got []string
	for range 4 {
		id := idOf(t, e.submit(t, "", job(nil))) // the clock never moves
		var d struct{ Name string }
		json.Unmarshal(e.get(t, "", id).Data, &d)
		got = append(got, d.Name)
	}
	want := []string{
		fmt.Sprintf("YH-%d", ms),
		fmt.Sprintf("YH-%d", ms+1),
		fmt.Sprintf("YH-%d", ms+2),
		fmt.Sprintf("YH-%d", ms+4),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generated names (-want +got):\n%s", diff)
	}
}

func TestAuth(t *testing.T) {
	const key = "dk_live_0123456789abcdef"
	tests := []struct {
		name     string
		apiKey   string // configured
		header   string // Authorization sent, "" for none
		wantCode int
		wantMsg  string
	}{
		{name: "no key configured, none sent", apiKey: "", header: "", wantCode: http.StatusAccepted},
		{name: "no key configured, any sent", apiKey: "", header: "Bearer whatever", wantCode: http.StatusAccepted},
		{name: "right key", apiKey: key, header: "Bearer " + key, wantCode: http.StatusAccepted},
		{name: "scheme is case-insensitive", apiKey: key, header: "bearer " + key, wantCode: http.StatusAccepted},
		{name: "missing", apiKey: key, header: "", wantCode: http.StatusUnauthorized,
			wantMsg: "missing API key: send Authorization: Bearer <key>"},
		{name: "wrong scheme", apiKey: key, header: "Basic " + key, wantCode: http.StatusUnauthorized,
			wantMsg: "missing API key: send Authorization: Bearer <key>"},
		{name: "wrong key", apiKey: key, header: "Bearer dk_live_presented_secret", wantCode: http.StatusUnauthorized,
			wantMsg: "invalid API key"},
		{name: "key with a suffix", apiKey: key, header: "Bearer " + key + "x", wantCode: http.StatusUnauthorized,
			wantMsg: "invalid API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var logged []string
			e := start(t, emulator.Options{APIKey: tt.apiKey, Log: func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				logged = append(logged, fmt.Sprintf(format, args...))
			}})
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				for _, line := range logged {
					if _, presented, _ := strings.Cut(tt.header, " "); presented != "" && strings.Contains(line, presented) {
						t.Errorf("log line %q repeats the presented key", line)
					}
				}
			}()
			for _, method := range []string{http.MethodPost, http.MethodGet} {
				path, body, code := "/v1/client/job", job(map[string]any{"name": "n"}), tt.wantCode
				if method == http.MethodGet {
					path, body = "/v1/client/job/"+uuid.NewString(), ""
					if code == http.StatusAccepted {
						code = http.StatusNotFound // authorised, and no such job
					}
				}
				req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				resp, err := e.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var got struct {
					OK      bool   `json:"ok"`
					Message string `json:"message"`
				}
				json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				if resp.StatusCode != code {
					t.Errorf("%s: status %d, want %d", method, resp.StatusCode, code)
				}
				if code == http.StatusUnauthorized && got.Message != tt.wantMsg {
					t.Errorf("%s: message %q, want %q", method, got.Message, tt.wantMsg)
				}
				if _, presented, _ := strings.Cut(tt.header, " "); presented != "" && strings.Contains(got.Message, presented) {
					t.Errorf("%s: message %q repeats the presented key", method, got.Message)
				}
			}
		})
	}
}

func TestJobDetail(t *testing.T) {
	e := start(t, emulator.Options{}) // Step defaults to one second
	plain := idOf(t, e.submit(t, "", job(map[string]any{"name": "plain"})))
	scheduled := idOf(t, e.submit(t, "", job(map[string]any{"name": "scheduled", "schedule_at": "2026-11-28T12:00:10Z"})))
	failed := idOf(t, e.submit(t, "", job(map[string]any{"name": "failed",
		"container_env": map[string]any{"EMULATOR_RESULT": map[string]any{"value": "failed"}}})))
	timeout := idOf(t, e.submit(t, "", job(map[string]any{"name": "timeout",
		"container_env": map[string]any{"EMULATOR_RESULT": map[string]any{"value": "timeout"}}})))

	type detail struct {
		ID         string  `json:"id"`
		Name       string  `json:"name"`
		State      string  `json:"state"`
		SystemNote *string `json:"system_note"`
		ScheduleAt *string `json:"schedule_at"`
		CreatedAt  string  `json:"created_at"`
		UpdatedAt  *string `json:"updated_at"`
	}
	str := func(s string) *string { return &s }
	const created = "2026-11-28T12:00:00.123456Z"
	tests := []struct {
		name  string
		at    time.Duration // clock offset from t0
		id    string
		want  detail
		nulls []string // keys that must be JSON null
	}{
		{
			name: "just submitted", at: 0, id: plain,
			want:  detail{ID: plain, Name: "plain", State: "submitted", CreatedAt: created},
			nulls: []string{"system_note", "schedule_at", "updated_at"},
		},
		{
			name: "still submitted within the first step", at: 999 * time.Millisecond, id: plain,
			want: detail{ID: plain, Name: "plain", State: "submitted", CreatedAt: created},
		},
		{
			name: "pending after one step", at: time.Second, id: plain,
			want: detail{ID: plain, Name: "plain", State: "pending", CreatedAt: created,
				UpdatedAt: str("2026-11-28T12:00:01.123456Z")},
		},
		{
			name: "running after four", at: 4 * time.Second, id: plain,
			want: detail{ID: plain, Name: "plain", State: "running", CreatedAt: created,
				UpdatedAt: str("2026-11-28T12:00:04.123456Z")},
		},
		{
			name: "completed after five", at: 5 * time.Second, id: plain,
			want: detail{ID: plain, Name: "plain", State: "completed", CreatedAt: created,
				UpdatedAt: str("2026-11-28T12:00:05.123456Z")},
			nulls: []string{"system_note"},
		},
		{
			name: "completed stays", at: time.Hour, id: plain,
			want: detail{ID: plain, Name: "plain", State: "completed", CreatedAt: created,
				UpdatedAt: str("2026-11-28T12:00:05.123456Z")},
		},
		{
			name: "scheduled job waits for its time", at: 9 * time.Second, id: scheduled,
			want: detail{ID: scheduled, Name: "scheduled", State: "submitted", CreatedAt: created,
				ScheduleAt: str("2026-11-28T12:00:10.000000Z")},
			nulls: []string{"updated_at"},
		},
		{
			name: "scheduled job advances from its time", at: 11 * time.Second, id: scheduled,
			want: detail{ID: scheduled, Name: "scheduled", State: "pending", CreatedAt: created,
				ScheduleAt: str("2026-11-28T12:00:10.000000Z"), UpdatedAt: str("2026-11-28T12:00:11.000000Z")},
		},
		{
			name: "scheduled job completes", at: 15 * time.Second, id: scheduled,
			want: detail{ID: scheduled, Name: "scheduled", State: "completed", CreatedAt: created,
				ScheduleAt: str("2026-11-28T12:00:10.000000Z"), UpdatedAt: str("2026-11-28T12:00:15.000000Z")},
		},
		{
			name: "failing job runs first", at: 4 * time.Second, id: failed,
			want: detail{ID: failed, Name: "failed", State: "running", CreatedAt: created,
				UpdatedAt: str("2026-11-28T12:00:04.123456Z")},
		},
		{
			name: "failing job ends failed with a note", at: 5 * time.Second, id: failed,
			want: detail{ID: failed, Name: "failed", State: "failed", CreatedAt: created,
				UpdatedAt:  str("2026-11-28T12:00:05.123456Z"),
				SystemNote: str("emulator: the job ended failed because its container_env sets EMULATOR_RESULT=failed")},
		},
		{
			name: "timeout", at: 5 * time.Second, id: timeout,
			want: detail{ID: timeout, Name: "timeout", State: "timeout", CreatedAt: created,
				UpdatedAt:  str("2026-11-28T12:00:05.123456Z"),
				SystemNote: str("emulator: the job ended timeout because its container_env sets EMULATOR_RESULT=timeout")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.Set(t0.Add(tt.at))
			a := e.get(t, "", tt.id)
			if a.Status != http.StatusOK || !a.OK {
				t.Fatalf("answer %d %q, want 200", a.Status, a.Message)
			}
			var got detail
			if err := json.Unmarshal(a.Data, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("detail (-want +got):\n%s", diff)
			}
			var raw map[string]json.RawMessage
			json.Unmarshal(a.Data, &raw)
			for _, k := range tt.nulls {
				if v, ok := raw[k]; !ok || string(v) != "null" {
					t.Errorf("%s = %s, want null", k, v)
				}
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	e := start(t, emulator.Options{})
	id := idOf(t, e.submit(t, "", job(map[string]any{"name": "x"})))
	tests := []struct {
		name      string
		method    string
		path      string
		wantCode  int
		wantMsg   string
		wantAllow string
	}{
		{name: "unknown id", method: http.MethodGet, path: "/v1/client/job/" + uuid.NewString(),
			wantCode: http.StatusNotFound, wantMsg: "job not found"},
		{name: "not an id", method: http.MethodGet, path: "/v1/client/job/nope",
			wantCode: http.StatusNotFound, wantMsg: "job not found"},
		{name: "upper-case id", method: http.MethodGet, path: "/v1/client/job/" + strings.ToUpper(id),
			wantCode: http.StatusOK},
		{name: "unknown path", method: http.MethodGet, path: "/v2/jobs",
			wantCode: http.StatusNotFound, wantMsg: "not found: /v2/jobs"},
		{name: "list is not offered", method: http.MethodGet, path: "/v1/client/job",
			wantCode: http.StatusMethodNotAllowed, wantMsg: "method not allowed: use POST", wantAllow: "POST"},
		{name: "detail is read-only", method: http.MethodDelete, path: "/v1/client/job/" + id,
			wantCode: http.StatusMethodNotAllowed, wantMsg: "method not allowed: use GET", wantAllow: "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, e.url+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := e.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var env struct {
				OK      bool   `json:"ok"`
				Message string `json:"message"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
				t.Fatalf("answer is not the JSON envelope: %v", err)
			}
			type result struct {
				Code    int
				OK      bool
				Message string
				Allow   string
			}
			got := result{resp.StatusCode, env.OK, env.Message, resp.Header.Get("Allow")}
			want := result{tt.wantCode, tt.wantCode == http.StatusOK, tt.wantMsg, tt.wantAllow}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFailRate(t *testing.T) {
	e := start(t, emulator.Options{FailRate: 1})
	for _, body := range []string{job(map[string]any{"name": "a"}), `{"invalid": true}`} {
		a := e.submit(t, "", body)
		if a.Status != http.StatusServiceUnavailable || a.OK || a.Message == "" {
			t.Errorf("answer %d %v %q, want 503 with a message", a.Status, a.OK, a.Message)
		}
	}
	if jobs := e.srv.Jobs(); len(jobs) != 0 {
		t.Errorf("%d jobs stored, want none", len(jobs))
	}
	if diff := cmp.Diff(emulator.Stats{Requests: 2, Injected503: 2}, e.srv.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestDropRate(t *testing.T) {
	e := start(t, emulator.Options{DropRate: 1})
	body := job(map[string]any{"name": "lost-answer"})
	if a, err := e.do(t, context.Background(), http.MethodPost, "/v1/client/job", "", body); err == nil {
		t.Fatalf("answer %d %q, want a connection error", a.Status, a.Message)
	}
	jobs := e.srv.Jobs()
	if len(jobs) != 1 || jobs[0].Name != "lost-answer" {
		t.Fatalf("stored jobs %+v, want the one whose answer was dropped", jobs)
	}
	// The client's retry learns that the job exists; refusals are not dropped.
	a := e.submit(t, "", body)
	if a.Status != http.StatusBadRequest || a.Message != "job name 'lost-answer' already exists in queue 'acme::nightly'" {
		t.Errorf("retry answered %d %q, want 400 name taken", a.Status, a.Message)
	}
	want := emulator.Stats{Requests: 2, Dropped: 1, Created: 1, NameTaken: 1}
	if diff := cmp.Diff(want, e.srv.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestFaultsAreReproducible(t *testing.T) {
	run := func(seed int64) []int {
		e := start(t, emulator.Options{FailRate: 0.5, Seed: seed})
		var codes []int
		for i := range 40 {
			codes = append(codes, e.submit(t, "", job(map[string]any{"name": fmt.Sprint("job-", i)})).Status)
		}
		return codes
	}
	first, second := run(42), run(42)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
	count := map[int]int{}
	for _, c := range first {
		count[c]++
	}
	if count[http.StatusAccepted] == 0 || count[http.StatusServiceUnavailable] == 0 || len(count) != 2 {
		t.Errorf("answers %v, want a mix of 202 and 503", count)
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name           string
		rate           float64
		burst          int // requests allowed at once
		wantRetryAfter string
	}{
		{name: "one per second", rate: 1, burst: 1, wantRetryAfter: "1"},
		{name: "three per second", rate: 3, burst: 3, wantRetryAfter: "1"},
		{name: "one every four seconds", rate: 0.25, burst: 1, wantRetryAfter: "4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{RateLimit: tt.rate})
			n := 0
			send := func() answer {
				n++
				return e.submit(t, "", job(map[string]any{"name": fmt.Sprint("job-", n)}))
			}
			for range tt.burst {
				if a := send(); a.Status != http.StatusAccepted {
					t.Fatalf("request within the burst answered %d %q", a.Status, a.Message)
				}
			}
			a := send()
			if a.Status != http.StatusTooManyRequests || a.RetryAfter != tt.wantRetryAfter {
				t.Fatalf("answer %d, Retry-After %q; want 429, Retry-After %q", a.Status, a.RetryAfter, tt.wantRetryAfter)
			}
			e.clock.Advance(time.Duration(float64(time.Second) / tt.rate))
			if a := send(); a.Status != http.StatusAccepted {
				t.Errorf("after waiting, answered %d %q, want 202", a.Status, a.Message)
			}
			if got := e.srv.Stats(); got.RateLimited != 1 || got.Created != tt.burst+1 {
				t.Errorf("Stats %+v, want RateLimited 1 and Created %d", got, tt.burst+1)
			}
		})
	}
}

func TestPersistence(t *testing.T) {
	tests := []struct {
		name string
		torn string // appended to the journal before the restart
	}{
		{name: "clean", torn: ""},
		{name: "line without newline", torn: `{"id":"0198a`},
		{name: "garbage line", torn: "{\"id\":\"0198a\n"},
		{name: "zeros after a power loss", torn: "\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.jsonl")
			c := newClock()
			opts := emulator.Options{StatePath: path, Now: c.Now}

			first, err := emulator.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range []string{
				job(map[string]any{"name": "kept", "container_env": map[string]any{"HTML": map[string]any{"value": "<a&b>"}}}),
				job(map[string]any{"schedule_at": "2026-11-28T12:00:10Z",
					"container_env": map[string]any{"EMULATOR_RESULT": map[string]any{"value": "failed"}}}),
			} {
				rec := httptestDo(first, b)
				if rec != http.StatusAccepted {
					t.Fatalf("submit answered %d", rec)
				}
			}
			before := first.Jobs()
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			clean, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("state file mode %v (%v), want 0600: it holds sensitive values", fi.Mode().Perm(), err)
			}
			appendFile(t, path, tt.torn)

			e := start(t, opts)
			if diff := cmp.Diff(before, e.srv.Jobs()); diff != "" {
				t.Fatalf("jobs after restart (-before +after):\n%s", diff)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, clean) {
				t.Errorf("journal after start-up is %q, want the torn tail removed:\n%q", got, clean)
			}
			if a := e.submit(t, "", job(map[string]any{"name": "kept"})); a.Status != http.StatusBadRequest {
				t.Errorf("resubmitting a job from before the restart answered %d, want 400", a.Status)
			}
			c.Set(t0.Add(time.Minute))
			var d struct{ State, Name string }
			json.Unmarshal(e.get(t, "", before[1].ID).Data, &d)
			if d.State != "failed" || d.Name != before[1].Name {
				t.Errorf("restored job's detail %+v, want %s failed", d, before[1].Name)
			}
			idOf(t, e.submit(t, "", job(map[string]any{"name": "after-restart"})))
			if err := e.srv.Close(); err != nil {
				t.Fatal(err)
			}

			third, err := emulator.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer third.Close()
			var names []string
			for _, j := range third.Jobs() {
				names = append(names, j.Name)
			}
			if diff := cmp.Diff([]string{"kept", before[1].Name, "after-restart"}, names); diff != "" {
				t.Errorf("jobs after a second restart (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPersistenceAtScale(t *testing.T) {
	// 2,000 jobs, as a large apply sends: each costs one appended line, so
	// this stays fast where a snapshot per job would rewrite the file 2,000
	// times.
	const n = 2000
	path := filepath.Join(t.TempDir(), "state.jsonl")
	opts := emulator.Options{StatePath: path, Now: newClock().Now}
	s, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if code := httptestDo(s, job(map[string]any{"name": fmt.Sprint("job-", i)})); code != http.StatusAccepted {
			t.Fatalf("submit %d answered %d", i, code)
		}
	}
	before := s.Jobs()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if code := httptestDo(s, job(map[string]any{"name": "late"})); code != http.StatusServiceUnavailable {
		t.Errorf("submit after Close answered %d, want 503", code)
	}
	again, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if diff := cmp.Diff(before, again.Jobs()); diff != "" {
		t.Errorf("jobs after restart (-before +after):\n%s", diff)
	}
}

func TestPersistenceRefusesCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.jsonl")
	s, err := emulator.New(emulator.Options{StatePath: path, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	httptestDo(s, job(map[string]any{"name": "a"}))
	httptestDo(s, job(map[string]any{"name": "b"}))
	s.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	// Garbage in the middle is not a torn write: starting would forget a job
	// and later accept its name twice.
	os.WriteFile(path, []byte(lines[0]+"garbage\n"+lines[1]), 0o600)
	if s, err := emulator.New(emulator.Options{StatePath: path}); err == nil {
		s.Close()
		t.Fatal("New accepted a journal with a bad line in the middle")
	} else if !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %q does not name the line", err)
	}
}

func TestConcurrentSubmitsOfOneName(t *testing.T) {
	tests := []struct {
		name     string
		dropRate float64
	}{
		{name: "answered", dropRate: 0},
		{name: "answers dropped", dropRate: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, emulator.Options{DropRate: tt.dropRate})
			const n = 50
			body := job(map[string]any{"name": "once"})
			ready := make(chan struct{})
			results := make(chan int, n) // status, or 0 for a connection error
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					<-ready
					a, err := e.do(t, context.Background(), http.MethodPost, "/v1/client/job", "", body)
					if err != nil {
						results <- 0
						return
					}
					results <- a.Status
				})
			}
			close(ready)
			wg.Wait()
			close(results)
			got := map[int]int{}
			for code := range results {
				got[code]++
			}
			answered := http.StatusAccepted
			if tt.dropRate == 1 {
				answered = 0
			}
			want := map[int]int{answered: 1, http.StatusBadRequest: n - 1}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("answers by status (-want +got):\n%s", diff)
			}
			if jobs := e.srv.Jobs(); len(jobs) != 1 {
				t.Errorf("%d jobs stored, want exactly 1", len(jobs))
			}
		})
	}
}

func TestLatency(t *testing.T) {
	t.Run("drawn in range, reproducibly", func(t *testing.T) {
		run := func() []time.Duration {
			var mu sync.Mutex
			var got []time.Duration
			e := start(t, emulator.Options{
				Latency: 100 * time.Millisecond, LatencyJitter: 50 * time.Millisecond, Seed: 7,
				Sleep: func(ctx context.Context, d time.Duration) error {
					mu.Lock()
					defer mu.Unlock()
					got = append(got, d)
					return nil
				},
			})
			for range 20 {
				e.get(t, "", uuid.NewString())
			}
			mu.Lock()
			defer mu.Unlock()
			return got
		}
		first := run()
		for _, d := range first {
			if d < 100*time.Millisecond || d >= 150*time.Millisecond {
				t.Errorf("latency %v outside [100ms, 150ms)", d)
			}
		}
		if diff := cmp.Diff(first, run()); diff != "" {
			t.Errorf("same seed, different latencies (-first +second):\n%s", diff)
		}
	})
	t.Run("a client that gives up ends the wait", func(t *testing.T) {
		entered, returned := make(chan struct{}), make(chan error, 1)
		e := start(t, emulator.Options{
			Latency: time.Hour,
			Sleep: func(ctx context.Context, d time.Duration) error {
				close(entered)
				<-ctx.Done() // an hour, unless the request's context ends
				returned <- ctx.Err()
				return ctx.Err()
			},
		})
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := e.do(t, ctx, http.MethodPost, "/v1/client/job", "", job(map[string]any{"name": "abandoned"}))
			errc <- err
		}()
		<-entered
		cancel()
		if err := <-errc; err == nil {
			t.Error("the cancelled request got an answer")
		}
		if err := <-returned; err == nil {
			t.Error("the sleep ended without the context")
		}
		if jobs := e.srv.Jobs(); len(jobs) != 0 {
			t.Errorf("%d jobs stored by an abandoned request, want 0", len(jobs))
		}
	})
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in         string
		wantMin    time.Duration
		wantJitter time.Duration
		wantErr    bool
	}{
		{in: "", wantMin: 0, wantJitter: 0},
		{in: "0", wantMin: 0, wantJitter: 0},
		{in: "100ms", wantMin: 100 * time.Millisecond},
		{in: " 1.5s ", wantMin: 1500 * time.Millisecond},
		{in: "100ms-300ms", wantMin: 100 * time.Millisecond, wantJitter: 200 * time.Millisecond},
		{in: "50ms-50ms", wantMin: 50 * time.Millisecond},
		{in: "0-1s", wantMin: 0, wantJitter: time.Second},
		{in: "300ms-100ms", wantErr: true},
		{in: "-100ms", wantErr: true},
		{in: "100ms-", wantErr: true},
		{in: "100", wantErr: true},
		{in: "fast", wantErr: true},
		{in: "1s-2s-3s", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			lo, jitter, err := emulator.ParseLatency(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseLatency(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff([2]time.Duration{tt.wantMin, tt.wantJitter}, [2]time.Duration{lo, jitter}); diff != "" {
				t.Errorf("ParseLatency(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNewRejectsMeaninglessOptions(t *testing.T) {
	tests := []struct {
		name string
		opts emulator.Options
	}{
		{name: "negative step", opts: emulator.Options{Step: -time.Second}},
		{name: "negative latency", opts: emulator.Options{Latency: -time.Second}},
		{name: "fail rate above 1", opts: emulator.Options{FailRate: 1.5}},
		{name: "negative drop rate", opts: emulator.Options{DropRate: -0.1}},
		{name: "negative rate limit", opts: emulator.Options{RateLimit: -1}},
		{name: "state in a missing directory", opts: emulator.Options{StatePath: filepath.Join(t.TempDir(), "no", "state")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := emulator.New(tt.opts); err == nil {
				s.Close()
				t.Error("New accepted the options")
			}
		})
	}
}

// httptestDo submits through the handler directly, for tests that restart a
// server and need no listener.
func httptestDo(h http.Handler, body string) int {
	rec := httptest.NewRecorder()
	req, _ := http.NewRequest(http.MethodPost, "/v1/client/job", strings.NewReader(body))
	h.ServeHTTP(rec, req)
	return rec.Code
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
