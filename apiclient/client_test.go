package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

func TestClientSubmitRequest(t *testing.T) {
	body := []byte(`{"job_definition":"acme::report:3","job_queue":"acme::nightly","name":"n1"}`)
	var got struct {
		method, path, auth, ctype, accept, ua string
		body                                  string
	}
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.path, got.body = r.Method, r.URL.Path, string(b)
		got.auth, got.ctype = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		got.accept, got.ua = r.Header.Get("Accept"), r.Header.Get("User-Agent")
		writeJSON(w, http.StatusAccepted, okBody("019782a8-4054-7ae2-8adb-499a03e5460a"))
	}))
	id, err := submit(c, body)
	if err != nil {
		t.Fatal(err)
	}
	if id != "019782a8-4054-7ae2-8adb-499a03e5460a" {
		t.Errorf("id = %q", id)
	}
	want := []string{http.MethodPost, "/v1/client/job", "Bearer " + testKey, "application/json", "application/json", "daestro-jobs-test", string(body)}
	if diff := cmp.Diff(want, []string{got.method, got.path, got.auth, got.ctype, got.accept, got.ua, got.body}); diff != "" {
		t.Errorf("request mismatch (-want +got):\n%s", diff)
	}
}

func TestClientBasePathPrefix(t *testing.T) {
	var path string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		writeJSON(w, http.StatusAccepted, okBody("x"))
	}))
	c.BaseURL = c.BaseURL.JoinPath("daestro/")
	if _, err := submit(c, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if path != "/daestro/v1/client/job" {
		t.Errorf("path = %q", path)
	}
}

func TestClientSubmitAnswers(t *testing.T) {
	bigHTML := "<!DOCTYPE html>\n<html><head>\n<title>\n 502 Bad   Gateway\n</title></head><body>" +
		strings.Repeat("<p>nginx error page</p>\n", 5000) + "</body></html>"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantID  string
		wantAPI *APIError // nil: no *APIError expected
		wantIs  error     // the error must match with errors.Is
	}{
		{
			name:    "202 accepted",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 202, okBody("id-1")) },
			wantID:  "id-1",
		},
		{
			name:    "400 JSON message",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, errBody("invalid job_queue")) },
			wantAPI: &APIError{Status: 400, Message: "invalid job_queue"},
		},
		{
			name: "400 multi-line message with a terminal escape",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, errBody("bad\n\x1b[31mthing\r\n  here"))
			},
			wantAPI: &APIError{Status: 400, Message: "bad [31mthing here"},
		},
		{
			name:    "400 JSON without message",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 400, map[string]any{"ok": false}) },
			wantAPI: &APIError{Status: 400, Message: "application/json body: {\"ok\":false}"},
		},
		{
			name: "HTML 502 page keeps only its title",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(502)
				io.WriteString(w, bigHTML)
			},
			wantAPI: &APIError{Status: 502, Message: "text/html body: 502 Bad Gateway"},
		},
		{
			name: "HTML page without title is cut short",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(503)
				io.WriteString(w, "<html><script>var x = 1;</script><body><h1>Service\nUnavailable</h1>"+strings.Repeat("word ", 100)+"</body></html>")
			},
			wantAPI: &APIError{Status: 503, Message: "text/html body: Service Unavailable " + strings.TrimSpace(strings.Repeat("word ", 100))[:200-len("Service Unavailable ")] + "…"},
		},
		{
			name: "plain text 500",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "upstream connect error", http.StatusInternalServerError)
			},
			wantAPI: &APIError{Status: 500, Message: "text/plain body: upstream connect error"},
		},
		{
			name:    "empty 503",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) },
			wantAPI: &APIError{Status: 503, Message: "empty unknown type body"},
		},
		{
			name: "429 with Retry-After",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "7")
				writeJSON(w, 429, errBody("slow down"))
			},
			wantAPI: &APIError{Status: 429, Message: "slow down", RetryAfter: 7 * time.Second},
		},
		{
			name: "non-JSON 200",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><head><title>Captive portal</title></head></html>")
			},
			wantAPI: &APIError{Status: 200, Message: "unexpected answer, not the API's JSON: text/html body: Captive portal"},
		},
		{
			name:    "200 JSON without id",
			handler: func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"ok": true}) },
			wantAPI: &APIError{Status: 200, Message: `unexpected answer, not the API's JSON: application/json body: {"ok":true}`},
		},
		{
			name: "200 larger than the cap",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"ok":true,"data":{"id":"x","pad":"`+strings.Repeat("a", MaxBodySize)+`"}}`)
			},
			wantAPI: &APIError{Status: 200, Message: fmt.Sprintf("response body larger than %d bytes", MaxBodySize)},
		},
		{
			name: "redirect is not followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			},
			wantAPI: &APIError{Status: 302, Message: "redirected to /elsewhere, not followed: check the API URL"},
		},
		{
			name: "truncated 202 body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, _ := w.(http.Hijacker).Hijack()
				buf.WriteString("HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\":true,\"da")
				buf.Flush()
				conn.Close()
			},
			wantIs: io.ErrUnexpectedEOF,
		},
		{
			name: "truncated 400 body is still a 400",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, _ := w.(http.Hijacker).Hijack()
				buf.WriteString("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\":false,\"mess")
				buf.Flush()
				conn.Close()
			},
			wantAPI: &APIError{Status: 400, Message: `application/json body: {"ok":false,"mess`},
		},
		{
			name: "401 echoing the key",
			handler: func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 401, errBody("invalid token "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
			},
			wantAPI: &APIError{Status: 401, Message: "invalid token ***"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, tt.handler)
			id, err := submit(c, []byte(`{"name":"n"}`))
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			var apiErr *APIError
			switch {
			case tt.wantAPI != nil:
				if !errors.As(err, &apiErr) {
					t.Fatalf("err = %v, want an *APIError", err)
				}
				// The text people see: the answer as it came, masked
				// with the output layer's mask (here the key's), then
				// read as HTML, folded and cut.
				want := fmt.Sprintf("HTTP %d: %s", tt.wantAPI.Status, tt.wantAPI.Message)
				if got := apiErr.Text(redact.New(testKey).String); got != want || apiErr.Status != tt.wantAPI.Status || apiErr.RetryAfter != tt.wantAPI.RetryAfter {
					t.Errorf("APIError %d (Retry-After %v): %q, want %d (%v): %q", apiErr.Status, apiErr.RetryAfter, got, tt.wantAPI.Status, tt.wantAPI.RetryAfter, want)
				}
			case tt.wantIs != nil:
				if !errors.Is(err, tt.wantIs) || errors.As(err, &apiErr) {
					t.Errorf("err = %v, want a transport error wrapping %v", err, tt.wantIs)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			}
			if apiErr != nil && strings.Contains(apiErr.Text(redact.New(testKey).String), testKey) {
				t.Errorf("error text contains the API key: %v", err)
			}
		})
	}
}

func TestClientConnectionErrorHasNoKey(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(srv.URL)
	srv.Close()
	c := &Client{BaseURL: u, APIKey: testKey}
	_, err := submit(c, []byte(`{}`))
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(fmt.Sprintf("%+v %#v", err, err), testKey) {
		t.Errorf("error contains the API key: %v", err)
	}
}

func TestClientBadKey(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("request sent with an invalid key")
	}))
	c.APIKey = testKey + "\n"
	_, err := submit(c, []byte(`{}`))
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("err = %v, want an error without the key", err)
	}
}

func TestClientJob(t *testing.T) {
	var gotURI string
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotURI = r.RequestURI
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer "+testKey {
			t.Errorf("bad request: %s %v", r.Method, r.Header)
		}
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimPrefix(r.URL.Path, "/v1/client/job/") {
		case "done":
			io.WriteString(w, `{"ok":true,"data":{"id":"done","name":"YH-1","state":"completed","system_note":null,"schedule_at":null,"created_at":"2025-06-14T13:43:00.008875Z","updated_at":"2025-06-18T07:21:56.081435Z"}}`)
		case "sched":
			io.WriteString(w, `{"ok":true,"data":{"id":"sched","name":"n","state":"pending","system_note":"waiting","schedule_at":1747463820,"created_at":"c","updated_at":null}}`)
		case "a/b c":
			io.WriteString(w, `{"ok":true,"data":{"id":"a/b c","name":"n","state":"running","schedule_at":"2026-11-29T02:00:00.000Z","created_at":"c"}}`)
		default:
			writeJSON(w, 404, errBody("job not found"))
		}
	}))
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		id      string
		want    api.Detail
		wantURI string
		wantErr string
	}{
		{
			name:    "completed",
			id:      "done",
			wantURI: "/v1/client/job/done",
			want: api.Detail{ID: "done", Name: "YH-1", State: "completed", CreatedAt: "2025-06-14T13:43:00.008875Z",
				UpdatedAt: str("2025-06-18T07:21:56.081435Z")},
		},
		{
			name:    "numeric schedule_at",
			id:      "sched",
			wantURI: "/v1/client/job/sched",
			want:    api.Detail{ID: "sched", Name: "n", State: "pending", SystemNote: str("waiting"), ScheduleAt: str("1747463820"), CreatedAt: "c"},
		},
		{
			name:    "id is path-escaped",
			id:      "a/b c",
			wantURI: "/v1/client/job/a%2Fb%20c",
			want:    api.Detail{ID: "a/b c", Name: "n", State: "running", ScheduleAt: str("2026-11-29T02:00:00.000Z"), CreatedAt: "c"},
		},
		{name: "not found", id: "nope", wantURI: "/v1/client/job/nope", wantErr: "HTTP 404: job not found"},
		{name: "dot-dot refused", id: "..", wantErr: `invalid job id ".."`},
		{name: "empty refused", id: "", wantErr: `invalid job id ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotURI = ""
			d, err := c.Job(context.Background(), tt.id)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, d); diff != "" {
				t.Errorf("Detail mismatch (-want +got):\n%s", diff)
			}
			if gotURI != tt.wantURI {
				t.Errorf("request URI = %q, want %q", gotURI, tt.wantURI)
			}
		})
	}
}

// TestSubmitKeepsTheID: the id is what Job Detail must be asked for, so it is
// kept as the server sent it, whatever it holds; printers scrub and escape it
// like any other text from a server.
func TestSubmitKeepsTheID(t *testing.T) {
	const id = "echo \x1b[2J\n::error::x s3cr3t"
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusAccepted, okBody(id))
	}))
	got, err := submit(c, []byte(`{}`))
	if err != nil || got != id {
		t.Errorf("Submit = %q, %v; want the id as sent", got, err)
	}
}

// TestMessagesMaskedBeforeCut: the client keeps the server's words as they
// came, and Text applies the output layer's mask to them before it cuts or
// folds them (the Content-Type header included, which a media-type parser
// would lower-case), so no piece of a secret survives a cut; decisions read
// them as they came.
func TestMessagesMaskedBeforeCut(t *testing.T) {
	const secret = "Tk-SeCrEt/P@ss"
	long := "name " + strings.Repeat("x", maxMessage-10)
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/client/job":
			writeJSON(w, 400, errBody(long+secret+" already exists"))
		default:
			w.Header().Set("Content-Type", "text/"+secret+"; charset=utf-8")
			w.WriteHeader(500)
			io.WriteString(w, "oops")
		}
	}))
	mask := redact.New(testKey, secret).String
	_, err := submit(c, []byte(`{}`))
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	text := apiErr.Text(mask)
	if strings.Contains(text, "Tk-") || !apiErr.NameTaken("", nil) || apiErr.Message != long+secret+" already exists" {
		t.Errorf("text %q (name taken: %v): a piece of the secret survived the cut, or the decision read the masked text", text[len(long)-10:], apiErr.NameTaken("", nil))
	}
	_, err = c.Job(context.Background(), "x")
	if !errors.As(err, &apiErr) {
		t.Fatalf("Job = %v", err)
	}
	if text := apiErr.Text(mask); strings.Contains(strings.ToLower(text), strings.ToLower(secret)) || text != "HTTP 500: text/*** body: oops" {
		t.Errorf("Job = %q, want the Content-Type masked as it came", text)
	}
}
