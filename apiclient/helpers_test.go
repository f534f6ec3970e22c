package apiclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testKey is the API key of every test client; tests check it never shows.
const testKey = "key-7f3a9c-SENTINEL"

// newTestClient starts h on loopback and returns a Client for it. The server is
// closed at the end of the test.
func newTestClient(t *testing.T, h http.Handler) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{HTTP: srv.Client(), BaseURL: u, APIKey: testKey, UserAgent: "daestro-jobs-test"}, srv
}

// submit is Submit as most tests read it: the id or the error.
func submit(c *Client, body []byte) (string, error) {
	s := c.Submit(context.Background(), body)
	return s.ID, s.Err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func okBody(id string) map[string]any {
	return map[string]any{"ok": true, "data": map[string]any{"id": id}}
}

func errBody(msg string) map[string]any {
	return map[string]any{"ok": false, "message": msg}
}
