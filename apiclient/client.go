// Package apiclient is the HTTP client of the Daestro client API: one Job Submit
// or Job Detail request at a time, every answer read within limits and turned
// into a value or an *APIError. Retries, concurrency and outcomes are package
// submit's; the wire types are package api's.
//
// The client returns data and errors, never text for people: an APIError
// holds the server's words as they came (up to maxRaw bytes of each), and
// Text renders them once the output layer has masked them with its own mask
// (package report): masked as they came, before they are read as HTML,
// folded onto a line or cut, so that no piece of a secret survives a cut.
// The client knows no secret but the key it sends.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/printable"
)

// MaxBodySize caps how much of a response body is read. Daestro's answers are a
// few hundred bytes; the cap keeps a misbehaving server or proxy from filling memory.
const MaxBodySize = 1 << 20

// DefaultTimeout bounds one request, its answer's body included, when the
// caller sets no other bound.
const DefaultTimeout = 30 * time.Second

// Lengths of text the server sends: an error keeps at most maxRaw bytes of
// each piece as it came; Text reduces a non-JSON body (an HTML error page) to
// a one-line excerpt and cuts a JSON message that is huge (a server echoing
// the whole body back), after masking.
const (
	maxRaw     = 64 << 10
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

// APIError is an HTTP answer that is not a success, or a success whose body
// could not be understood.
//
// Its fields hold what the server sent, as it came: print it only through
// Text with the run's mask (the output layer does), never its fields or
// Error directly.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Message is the server's "message" as it came, up to maxRaw bytes; ""
	// when the body is not the API's JSON.
	Message string
	// MediaType and Body are, for a body that is not the API's JSON, its
	// Content-Type header and its start (up to maxRaw bytes), as they came.
	MediaType, Body string
	// Location is a redirect's Location header, as it came.
	Location string
	// Unexpected marks a success (2xx) whose body is not the API's JSON:
	// the request may well have been carried out.
	Unexpected bool
	// TooLarge marks a success whose body is over MaxBodySize.
	TooLarge bool
	// NotJSON marks an answer whose body is not the API's {ok, message}:
	// MediaType and Body describe it.
	NotJSON bool
	// RetryAfter is the delay the Retry-After header asked for, 0 if none.
	RetryAfter time.Duration
}

// Text renders the error for people, "HTTP 502: text/html body: 502 Bad
// Gateway", after mask has been applied to each piece the server sent as it
// came: the message, the media type, the body and the Location header. It
// then reads HTML, folds the text onto one line and cuts it. mask nil masks
// nothing (Error).
func (e *APIError) Text(mask func(string) string) string {
	if mask == nil {
		mask = func(s string) string { return s }
	}
	var what string
	switch {
	case e.TooLarge:
		what = fmt.Sprintf("response body larger than %d bytes", MaxBodySize)
	case e.Location != "" && e.Status >= 300 && e.Status < 400:
		what = fmt.Sprintf("redirected to %s, not followed: check the API URL", printable.Excerpt(mask(e.Location), maxExcerpt))
	case e.Unexpected:
		what = "unexpected answer, not the API's JSON: " + describe(mask(e.MediaType), mask(e.Body))
	case e.NotJSON:
		what = describe(mask(e.MediaType), mask(e.Body))
	default:
		what = printable.Excerpt(mask(e.Message), maxMessage)
	}
	if what == "" {
		what = http.StatusText(e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, what)
}

// NameTaken reports whether this Job Submit answer says that the job called
// name is already taken in its queue (see IsNameTaken), reading the server's
// words as they came: a scrubbed message could hide the phrase (a one-letter
// secret masks every letter of it).
func (e *APIError) NameTaken(name string, pattern *regexp.Regexp) bool {
	return IsNameTaken(e.Status, e.Message, name, pattern)
}

// Refused reports whether the server refused the API key (401 or 403).
func (e *APIError) Refused() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// Error reads "HTTP <status>: <message>", nothing masked: for logs and
// tests. People see Text with the run's mask.
func (e *APIError) Error() string { return e.Text(nil) }

// Job reads one job from GET {base}/v1/client/job/{id}.
func (c *Client) Job(ctx context.Context, id string) (api.Detail, error) {
	// "." and ".." would be resolved by the path and address another
	// resource, whatever the escaping.
	if id == "" || id == "." || id == ".." {
		return api.Detail{}, fmt.Errorf("invalid job id %q", id)
	}
	if err := c.Check(); err != nil {
		return api.Detail{}, err
	}
	resp, err := c.do(ctx, http.MethodGet, c.endpoint("v1", "client", "job", id), nil)
	if err != nil {
		return api.Detail{}, err
	}
	var env api.Envelope[api.Detail]
	if err := json.Unmarshal(resp.body, &env); err != nil || !env.OK || env.Data == nil || env.Data.ID == "" {
		return api.Detail{}, unexpected(resp)
	}
	return *env.Data, nil
}

// Submitted is what one Job Submit request came to.
type Submitted struct {
	// ID is the new job's id, as the server sent it, when it was created.
	ID string
	// Status is the HTTP status of the answer, 0 when none arrived.
	Status int
	// Err is nil when the job was created; an *APIError for an answer that
	// says otherwise; a transport error when no complete answer arrived.
	Err error
	// Connected is true once a connection was handed to the request: from
	// then on the server may have received the body, so a failure without an
	// answer leaves it unknown whether the job was created.
	Connected bool
}

// Submit sends one job body to POST {base}/v1/client/job.
func (c *Client) Submit(ctx context.Context, body []byte) Submitted {
	if err := c.Check(); err != nil {
		return Submitted{Err: err}
	}
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	resp, err := c.do(ctx, http.MethodPost, c.endpoint("v1", "client", "job"), body)
	a := Submitted{Err: err, Connected: connected.Load()}
	if resp == nil {
		return a
	}
	a.Status = resp.status
	if a.Err != nil {
		return a
	}
	var env api.Envelope[api.Created]
	if err := json.Unmarshal(resp.body, &env); err != nil || !env.OK || env.Data == nil || env.Data.ID == "" {
		a.Err = unexpected(resp)
		return a
	}
	// Kept as sent: it is what Job Detail must be asked for. Whoever prints
	// it scrubs and escapes it like any other text from a server.
	a.ID = env.Data.ID
	return a
}

// Check reports a Client that cannot make a request. The key is checked here so
// that net/http never gets the chance to put it in an error of its own.
func (c *Client) Check() error {
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
	var raw strings.Builder
	raw.WriteString(strings.TrimSuffix(c.BaseURL.EscapedPath(), "/"))
	plain := strings.TrimSuffix(c.BaseURL.Path, "/")
	for _, s := range segments {
		raw.WriteString("/" + url.PathEscape(s))
		plain += "/" + s
	}
	u.Path, u.RawPath = plain, raw.String()
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
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte) (*response, error) {
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
			return resp, &APIError{Status: hres.StatusCode, TooLarge: true}
		}
		resp.body = resp.body[:MaxBodySize]
	}
	if ok {
		return resp, nil
	}
	apiErr := apiError(resp)
	if loc := hres.Header.Get("Location"); hres.StatusCode >= 300 && hres.StatusCode < 400 && loc != "" {
		apiErr.Location = clipRaw(loc)
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
// "message":…} when the body is that, or the body as it came.
func apiError(r *response) *APIError {
	var env struct {
		OK      *bool   `json:"ok"`
		Message *string `json:"message"`
	}
	if json.Unmarshal(r.body, &env) == nil && env.Message != nil {
		return &APIError{Status: r.status, Message: clipRaw(*env.Message)}
	}
	return &APIError{Status: r.status, NotJSON: true, MediaType: clipRaw(r.contentType), Body: clipRaw(string(r.body))}
}

// unexpected reports a 2xx answer that is not the API's envelope. The request
// may well have been carried out, which Text says.
func unexpected(r *response) *APIError {
	return &APIError{Status: r.status, Unexpected: true, NotJSON: true, MediaType: clipRaw(r.contentType), Body: clipRaw(string(r.body))}
}

// clipRaw keeps at most maxRaw bytes of s, as it came: an error holds that
// much of a server's text, whatever it sent.
func clipRaw(s string) string {
	if len(s) <= maxRaw {
		return s
	}
	return s[:maxRaw]
}

// describe names a body that is not the API's JSON by its media type and a
// short excerpt: the <title> of an HTML page, else its text. Both come
// masked, as they came (Text): reading HTML, cutting and folding happen
// after masking.
func describe(contentType, body string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = printable.Excerpt(mt, maxExcerpt)
	if mt == "" {
		mt = "unknown type"
	}
	text := body
	if isHTML(strings.ToLower(mt), text) {
		text = htmlText(text)
	}
	ex := printable.Excerpt(text, maxExcerpt)
	if ex == "" {
		return fmt.Sprintf("empty %s body", mt)
	}
	return fmt.Sprintf("%s body: %s", mt, ex)
}

func isHTML(mediaType, body string) bool {
	if strings.TrimSpace(mediaType) == "text/html" {
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
