// Package submit sends resolved job bodies to the Daestro Job Submit API and reads
// jobs back through the Job Detail API.
//
// Client makes single requests. Run dispatches many jobs with bounded concurrency,
// an optional rate limit and retries, and turns every answer into a Result with an
// Outcome. Nothing here prints: errors and notes in results are already scrubbed of
// the API key and the job's secrets, ready for the caller's output.
package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/redact"
)

// MaxBodySize caps how much of a response body is read. Daestro's answers are a
// few hundred bytes; the cap keeps a misbehaving server or proxy from filling memory.
const MaxBodySize = 1 << 20

// Lengths kept of text the server sends: a non-JSON body (an HTML error page) is
// reduced to a one-line excerpt; a JSON message is kept whole unless it is huge
// (a server echoing the whole body back).
const (
	maxExcerpt = 200
	maxMessage = 4096
)

// Client talks to the Daestro client API. The zero value is not usable: BaseURL
// is required. A Client is safe for concurrent use.
type Client struct {
	// HTTP sends the requests; nil means a client with http.DefaultTransport.
	// Redirects are not followed unless HTTP has its own CheckRedirect: a
	// redirected POST would turn into a GET and the job would silently not be
	// submitted, so a 3xx is reported as an error instead.
	HTTP *http.Client
	// BaseURL is the API root, such as https://api.daestro.com; a path prefix is
	// kept. Check it with CheckBaseURL.
	BaseURL *url.URL
	// APIKey is sent as a Bearer token. It never appears in an error.
	APIKey string
	// UserAgent is sent when non-empty.
	UserAgent string
}

// Detail is a job as the Job Detail API describes it.
type Detail struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	State      string  `json:"state"`
	SystemNote *string `json:"system_note"`
	ScheduleAt *string `json:"schedule_at"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  *string `json:"updated_at"`
}

// APIError is an HTTP answer that is not a success, or a success whose body
// could not be understood.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Message is the server's "message", or for a body that is not the API's
	// JSON, a short single-line excerpt of it. It is already scrubbed.
	Message string
	// RetryAfter is the delay the Retry-After header asked for, 0 if none.
	RetryAfter time.Duration
}

// Refused reports whether the server refused the API key (401 or 403).
func (e *APIError) Refused() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// Error reads "HTTP <status>: <message>".
func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// Submit sends one job body to POST {base}/v1/client/job and returns the new
// job's id. A failure answered by the server is an *APIError; anything else is a
// transport error from net/http.
func (c *Client) Submit(ctx context.Context, body []byte) (id string, err error) {
	a := c.submit(ctx, body, redact.New(c.APIKey))
	return a.id, a.err
}

// Job reads one job from GET {base}/v1/client/job/{id}.
func (c *Client) Job(ctx context.Context, id string) (Detail, error) {
	// "." and ".." would be resolved by the path and address another
	// resource, whatever the escaping.
	if id == "" || id == "." || id == ".." {
		return Detail{}, fmt.Errorf("invalid job id %q", id)
	}
	if err := c.check(); err != nil {
		return Detail{}, err
	}
	red := redact.New(c.APIKey)
	resp, err := c.do(ctx, http.MethodGet, c.endpoint("v1", "client", "job", id), nil, red)
	if err != nil {
		return Detail{}, err
	}
	var env struct {
		OK   bool `json:"ok"`
		Data *struct {
			Detail
			// schedule_at is accepted by the submit API as a string or a
			// number; tolerate either on the way back.
			ScheduleAt json.RawMessage `json:"schedule_at"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.body, &env); err != nil || !env.OK || env.Data == nil || env.Data.ID == "" {
		return Detail{}, resp.unexpected(red)
	}
	d := env.Data.Detail
	if raw := env.Data.ScheduleAt; len(raw) > 0 && string(raw) != "null" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw) // a number: keep its digits as written
		}
		d.ScheduleAt = &s
	}
	return d, nil
}

// attempt is what Run needs to know about one submit request.
type attempt struct {
	id     string
	status int // 0 when no HTTP answer arrived
	err    error
	// connected is true once a connection was handed to the request: from then
	// on the server may have received the body, so a failure without an answer
	// leaves it unknown whether the job was created.
	connected bool
}

// submit is Submit with the job's Redactor, so that an excerpt of an echoed body
// is scrubbed before it is cut short (cutting first could leave half a secret).
func (c *Client) submit(ctx context.Context, body []byte, red *redact.Redactor) attempt {
	if err := c.check(); err != nil {
		return attempt{err: err}
	}
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	resp, err := c.do(ctx, http.MethodPost, c.endpoint("v1", "client", "job"), body, red)
	a := attempt{err: err, connected: connected.Load()}
	if resp == nil {
		return a
	}
	a.status = resp.status
	if a.err != nil {
		return a
	}
	var env struct {
		OK   bool `json:"ok"`
		Data *struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(resp.body, &env); err != nil || !env.OK || env.Data == nil || env.Data.ID == "" {
		a.err = resp.unexpected(red)
		return a
	}
	// The id is the server's text like any other: a server that echoes the
	// request into it must not get a secret printed, and it would not be
	// masked later once an output format has escaped it (a markdown cell, a
	// JSON string).
	a.id = red.String(env.Data.ID)
	return a
}

// check reports a Client that cannot make a request. The key is checked here so
// that net/http never gets the chance to put it in an error of its own.
func (c *Client) check() error {
	if c.BaseURL == nil {
		return errors.New("no API URL configured")
	}
	for i := 0; i < len(c.APIKey); i++ {
		if b := c.APIKey[i]; b != '\t' && (b < 0x20 || b == 0x7f) {
			return errors.New("the API key contains a line break or control character (a trailing newline in the key file?)")
		}
	}
	return nil
}

// endpoint joins path segments to the base URL, escaping each segment, so a job
// id can never add a segment or a query.
func (c *Client) endpoint(segments ...string) *url.URL {
	u := *c.BaseURL
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	raw := strings.TrimSuffix(c.BaseURL.EscapedPath(), "/")
	plain := strings.TrimSuffix(c.BaseURL.Path, "/")
	for _, s := range segments {
		raw += "/" + url.PathEscape(s)
		plain += "/" + s
	}
	u.Path, u.RawPath = plain, raw
	return &u
}

// response is a complete, size-capped HTTP answer.
type response struct {
	status      int
	contentType string
	body        []byte
}

// do sends one request and reads the answer. A non-2xx status is returned as an
// *APIError together with the response; transport errors come back as they are.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte, red *redact.Redactor) (*response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}

	hres, err := c.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer hres.Body.Close()
	resp := &response{status: hres.StatusCode, contentType: hres.Header.Get("Content-Type")}
	resp.body, err = io.ReadAll(io.LimitReader(hres.Body, MaxBodySize+1))
	ok := hres.StatusCode >= 200 && hres.StatusCode < 300
	if err != nil && ok {
		// A success whose body was cut off: the job was probably created but its
		// id is lost. Reported as a transport failure, so Run retries and learns
		// from "name taken" that the job exists.
		return resp, fmt.Errorf("read response (HTTP %d): %w", hres.StatusCode, err)
	}
	// An error answer cut off mid-way is still that error: what was read is
	// reported below like any other body.
	if len(resp.body) > MaxBodySize {
		if ok {
			return resp, &APIError{Status: hres.StatusCode, Message: fmt.Sprintf("response body larger than %d bytes", MaxBodySize)}
		}
		resp.body = resp.body[:MaxBodySize]
	}
	if ok {
		return resp, nil
	}
	apiErr := resp.apiError(red)
	if loc := hres.Header.Get("Location"); hres.StatusCode >= 300 && hres.StatusCode < 400 && loc != "" {
		apiErr.Message = fmt.Sprintf("redirected to %s, not followed: check the API URL", clean(red.String(loc), maxExcerpt))
	}
	apiErr.RetryAfter, _ = ParseRetryAfter(hres.Header.Get("Retry-After"), time.Now())
	return resp, apiErr
}

func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	if hc.CheckRedirect == nil {
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return &hc
}

// apiError turns an error answer into an *APIError: the API's {"ok":false,
// "message":…} when the body is that, or a short excerpt of whatever it is.
func (r *response) apiError(red *redact.Redactor) *APIError {
	var env struct {
		OK      *bool   `json:"ok"`
		Message *string `json:"message"`
	}
	if json.Unmarshal(r.body, &env) == nil && env.Message != nil {
		msg := clean(red.String(*env.Message), maxMessage)
		if msg == "" {
			msg = http.StatusText(r.status)
		}
		return &APIError{Status: r.status, Message: msg}
	}
	return &APIError{Status: r.status, Message: r.describe(red)}
}

// unexpected reports a 2xx answer that is not the API's envelope. The request
// may well have been carried out, which the message says.
func (r *response) unexpected(red *redact.Redactor) *APIError {
	return &APIError{Status: r.status, Message: "unexpected answer, not the API's JSON: " + r.describe(red)}
}

// describe names a body that is not the API's JSON by its media type and a short
// excerpt: the <title> of an HTML page, else its text.
func (r *response) describe(red *redact.Redactor) string {
	mt, _, _ := mime.ParseMediaType(r.contentType)
	if mt == "" {
		mt = "unknown type"
	}
	text := red.String(string(r.body))
	if isHTML(mt, text) {
		text = htmlText(text)
	}
	ex := clean(text, maxExcerpt)
	if ex == "" {
		return fmt.Sprintf("empty %s body", mt)
	}
	return fmt.Sprintf("%s body: %s", mt, ex)
}

func isHTML(mediaType, body string) bool {
	if mediaType == "text/html" {
		return true
	}
	head := strings.ToLower(strings.TrimSpace(body[:min(len(body), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// htmlText returns the page's title if it has one, else its text with tags,
// scripts and styles dropped. A crude reading, good enough for "502 Bad Gateway".
func htmlText(s string) string {
	lower := strings.ToLower(s)
	if i := strings.Index(lower, "<title"); i >= 0 {
		if j := strings.IndexByte(lower[i:], '>'); j >= 0 {
			start := i + j + 1
			if k := strings.Index(lower[start:], "</title"); k >= 0 {
				if t := strings.TrimSpace(s[start : start+k]); t != "" {
					return t
				}
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '<' {
			b.WriteByte(s[i])
			i++
			continue
		}
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(lower[i+1:], skip) {
				if k := strings.Index(lower[i:], "</"+skip); k >= 0 {
					i += k + 2
				}
			}
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		i += end + 1
		b.WriteByte(' ')
	}
	return b.String()
}

// clean makes server text safe for a one-line report: valid UTF-8, control
// characters (terminal escapes included) and line breaks turned into spaces, runs
// of spaces collapsed, at most max bytes, cut on a rune boundary with "…".
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		// Bidi controls can make a terminal show text in another order.
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if len(out) <= max {
		return out
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(out[cut]) {
		cut--
	}
	return out[:cut] + "…"
}
