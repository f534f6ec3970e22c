package wait

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

func TestWait(t *testing.T) {
	clock := newFakeClock() // shared by the emulator and Wait
	emu, err := emulator.New(emulator.Options{APIKey: testKey, Step: time.Second, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	c, _ := newTestClient(t, emu)
	ctx := context.Background()
	submitJob := func(body string) string {
		t.Helper()
		s := c.Submit(ctx, []byte(body))
		id, err := s.ID, s.Err
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ok := submitJob(`{"job_definition":"acme::d:1","job_queue":"acme::q","name":"ok"}`)
	bad := submitJob(`{"job_definition":"acme::d:1","job_queue":"acme::q","name":"bad","container_env":{"EMULATOR_RESULT":{"value":"failed"}}}`)

	var rounds int
	o := DefaultOptions()
	o.First, o.Cap, o.Clock, o.OnPoll = time.Second, 2*time.Second, clock, func([]Detail) { rounds++ }
	latest, errs, err := Poll(ctx, c, []string{ok, bad}, o)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Errorf("job %d: %v", i, e)
		}
	}
	if latest[0].State != "completed" || latest[1].State != "failed" {
		t.Fatalf("states %q, %q; want completed, failed", latest[0].State, latest[1].State)
	}
	if latest[1].SystemNote == nil || *latest[1].SystemNote == "" {
		t.Error("the failed job has no system_note")
	}
	// Five progress states of one second each, terminal from 5 s: polls at
	// 0, 1, 3 and 5 s.
	want := []time.Duration{time.Second, 2 * time.Second, 2 * time.Second}
	sleeps := clock.Sleeps()
	if len(sleeps) != len(want) {
		t.Fatalf("slept %v, want %v", sleeps, want)
	}
	for i := range want {
		if sleeps[i] != want[i] {
			t.Errorf("sleep %d = %v, want %v (doubling up to the cap)", i, sleeps[i], want[i])
		}
	}
	if rounds != len(want)+1 {
		t.Errorf("OnPoll called %d times, want %d", rounds, len(want)+1)
	}
}

// oneSubmitted starts an emulator on a fake clock, submits one job to it and
// returns the client and the job's id.
func oneSubmitted(t *testing.T) (*Client, string) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{APIKey: testKey, Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	c, _ := newTestClient(t, emu)
	s := c.Submit(context.Background(), []byte(`{"job_definition":"acme::d:1","job_queue":"acme::q","name":"n"}`))
	id, err := s.ID, s.Err
	if err != nil {
		t.Fatal(err)
	}
	return c, id
}

func TestWaitStopsWithContext(t *testing.T) {
	c, id := oneSubmitted(t)
	ctx, cancel := context.WithCancel(context.Background())
	o := DefaultOptions()
	o.Clock = sleepFunc(func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() })
	latest, _, err := Poll(ctx, c, []string{id}, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if latest[0].State != "submitted" {
		t.Errorf("state %q, want the last one read, submitted", latest[0].State)
	}
}

func TestWaitKeepsGoingPastAnUnreadableJob(t *testing.T) {
	clock := newFakeClock() // shared by the emulator and Wait
	emu, err := emulator.New(emulator.Options{APIKey: testKey, Step: time.Second, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	mux := http.NewServeMux()
	mux.Handle("/", emu)
	c, _ := newTestClient(t, mux)
	s := c.Submit(context.Background(), []byte(`{"job_definition":"acme::d:1","job_queue":"acme::q","name":"n"}`))
	id, err := s.ID, s.Err
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	missing := "00000000-0000-4000-8000-000000000000"
	calls := 0
	o := DefaultOptions()
	o.Clock = sleepFunc(func(ctx context.Context, d time.Duration) error {
		calls++
		if calls > 20 {
			cancel()
		}
		return clock.Sleep(ctx, d)
	})
	latest, errs, err := Poll(ctx, c, []string{id, missing}, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; the missing job never ends, so only ctx ends the wait", err)
	}
	if latest[0].State != "completed" {
		t.Errorf("the readable job: state %q, want completed", latest[0].State)
	}
	var apiErr *APIError
	if !errors.As(errs[1], &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("the missing job: err %v, want HTTP 404", errs[1])
	}
}

// A key refused while waiting ends the wait at once with that error, rather
// than polling until --wait-timeout.
func TestWaitStopsWhenTheKeyIsRefused(t *testing.T) {
	c, id := oneSubmitted(t)
	revoked := *c
	revoked.APIKey = "a-key-revoked-meanwhile"
	o := DefaultOptions()
	o.Clock = sleepFunc(func(context.Context, time.Duration) error {
		t.Fatal("Wait slept after the key was refused")
		return nil
	})
	_, errs, err := Poll(context.Background(), &revoked, []string{id}, o)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.Refused() {
		t.Fatalf("err = %v, want the refusal (401/403)", err)
	}
	if errs[0] == nil {
		t.Error("the job's own error is not recorded")
	}
}
