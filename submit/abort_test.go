package submit

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/outcome"
)

// TestRunAbortEndsGrace: a second interrupt (Options.Abort closed after ctx
// is cancelled) ends the grace at once: the request in flight is cancelled
// and reported as possibly created, however long the grace is (issue 22
// item 9).
func TestRunAbortEndsGrace(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select { // never answers on its own
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	abort := make(chan struct{})
	opts := DefaultOptions()
	opts.Grace, opts.Abort, opts.Retries = time.Hour, abort, 0
	done := make(chan []Result, 1)
	go func() {
		res, _ := Run(ctx, c, requests(1), opts)
		done <- res
	}()
	<-arrived
	cancel()     // the first Ctrl-C: the grace begins, an hour long
	close(abort) // the second
	select {
	case res := <-done:
		if res[0].Outcome != outcome.Failed || res[0].Note == "" {
			t.Errorf("result %+v, want failed, may or may not have been created", res[0])
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a second interrupt did not end the grace")
	}
}
