package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBodySlots(t *testing.T) {
	body := `{"job_definition":"acme::report:1","job_queue":"acme::nightly","name":"%s"}`
	post := func(url, name string) (*http.Response, error) {
		return http.Post(url+"/v1/client/job", "application/json", strings.NewReader(fmt.Sprintf(body, name)))
	}
	fill := func(s *Server) {
		for range cap(s.bodies) {
			s.bodies <- struct{}{}
		}
	}

	t.Run("a request waits for a slot", func(t *testing.T) {
		s, err := New(Options{BodyTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		waiting := make(chan struct{})
		s.waiting = func() { close(waiting) }
		ts := httptest.NewServer(s)
		defer ts.Close()
		fill(s)
		type result struct {
			resp *http.Response
			err  error
		}
		done := make(chan result, 1)
		go func() {
			resp, err := post(ts.URL, "waited")
			done <- result{resp, err}
		}()
		<-waiting
		<-s.bodies // one slot frees up: the waiting request takes it
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		r.resp.Body.Close()
		if r.resp.StatusCode != http.StatusAccepted {
			t.Errorf("answered %d, want 202", r.resp.StatusCode)
		}
		if n := len(s.bodies); n != cap(s.bodies)-1 {
			t.Errorf("%d slots taken after the answer, want %d: the request's slot was not given back", n, cap(s.bodies)-1)
		}
	})

	t.Run("a request that waits too long is answered 503", func(t *testing.T) {
		s, err := New(Options{BodyTimeout: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ts := httptest.NewServer(s)
		defer ts.Close()
		fill(s) // and never freed
		resp, err := post(ts.URL, "busy")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env struct {
			OK      bool   `json:"ok"`
			Message string `json:"message"`
		}
		json.NewDecoder(resp.Body).Decode(&env)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" || env.OK || env.Message == "" {
			t.Errorf("answered %d, Retry-After %q, %+v; want 503, Retry-After 1 and a message",
				resp.StatusCode, resp.Header.Get("Retry-After"), env)
		}
		if st := s.Stats(); st.Busy != 1 || st.Created != 0 {
			t.Errorf("Stats %+v, want Busy 1 and nothing created", st)
		}
	})

	t.Run("a request without a body takes no slot", func(t *testing.T) {
		s, err := New(Options{BodyTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.waiting = func() { t.Error("a request without a body waited for a body slot") }
		ts := httptest.NewServer(s)
		defer ts.Close()
		fill(s)
		resp, err := http.Get(ts.URL + "/v1/client/job/" + "0198a000-0000-7000-8000-000000000000")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("Job Detail answered %d, want 404", resp.StatusCode)
		}
	})
}
