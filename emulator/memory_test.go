package emulator_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/emulator"
)

// peakLimitKB is the most resident memory an emulator may reach under
// TestMemoryUnderHostileLoad: 200 MB.
const peakLimitKB = 200 * 1000

// TestMemoryUnderHostileLoad sends 500 concurrent 1 MiB bodies, and 20 that
// are the costliest a body under the cap can be, and checks the peak resident
// set size (VmHWM) of the emulator's process against 200 MB. It was 3.4 GB
// when every handler read its 1 MB body whole. The emulator runs in a child
// process built without the race detector, which multiplies memory and would
// measure itself.
//
// Half the 1 MiB bodies declare their length (refused before they are read),
// half are chunked (read up to the cap). The costly bodies are validated one
// at a time, and each is still answered 400 while the large ones are
// refused: every client gets its answer, none a reset.
func TestMemoryUnderHostileLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and loads a child process")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc/self/status to read the peak memory from")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the emulator with")
	}
	bin := filepath.Join(t.TempDir(), "rssserver")
	build := exec.Command(goTool, "build", "-race=false", "-o", bin, "./testdata/rssserver")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the emulator: %v\n%s", err, out)
	}

	cmd := exec.Command(bin)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child exits when its input closes
		if err := cmd.Wait(); err != nil {
			t.Errorf("emulator process: %v", err)
		}
	}()
	out := bufio.NewScanner(stdout)
	line := func() string {
		if !out.Scan() {
			t.Fatalf("emulator process said nothing: %v", out.Err())
		}
		return out.Text()
	}
	peak := func() int {
		io.WriteString(stdin, "peak\n")
		kb, err := strconv.Atoi(line())
		if err != nil {
			t.Fatal(err)
		}
		return kb
	}
	url := "http://" + line() + "/v1/client/job"
	before := peak()

	megabyte := bytes.Repeat([]byte("x"), 1<<20)
	bomb := costly(emulator.MaxBodySize)
	type load struct {
		name string
		n    int
		body func() io.Reader
		want int
	}
	loads := []load{
		{name: "1 MiB, declared", n: 250, want: http.StatusRequestEntityTooLarge,
			body: func() io.Reader { return bytes.NewReader(megabyte) }},
		{name: "1 MiB, chunked", n: 250, want: http.StatusRequestEntityTooLarge,
			// Hidden behind a plain io.Reader, its length is unknown and the
			// client sends it chunked.
			body: func() io.Reader { return struct{ io.Reader }{bytes.NewReader(megabyte)} }},
		{name: "costliest under the cap", n: 20, want: http.StatusBadRequest,
			body: func() io.Reader { return strings.NewReader(bomb) }},
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	var (
		wg       sync.WaitGroup
		start    = make(chan struct{})
		mu       sync.Mutex
		got      = map[string]map[string]int{} // load: outcome: count
		firstErr error
	)
	for _, l := range loads {
		got[l.name] = map[string]int{}
		for range l.n {
			wg.Go(func() {
				<-start
				outcome := "no answer"
				resp, err := client.Post(url, "application/json", l.body())
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					outcome = strconv.Itoa(resp.StatusCode)
				}
				mu.Lock()
				got[l.name][outcome]++
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	after := peak()
	t.Logf("emulator's peak RSS: %d kB at start, %d kB after 520 concurrent hostile requests (limit %d kB)", before, after, peakLimitKB)
	for _, l := range loads {
		want := map[string]int{strconv.Itoa(l.want): l.n}
		if fmt.Sprint(got[l.name]) != fmt.Sprint(want) {
			t.Errorf("%s: outcomes %v, want %v", l.name, got[l.name], want)
		}
	}
	if firstErr != nil {
		t.Errorf("first request with no answer: %v", firstErr)
	}
	if after > peakLimitKB {
		t.Errorf("peak RSS %d kB, over the limit of %d kB", after, peakLimitKB)
	}
}

// costly returns a Job Submit body of at most n bytes that is as costly to
// validate as any: a command of thousands of empty lists where strings
// belong, each a validation error of its own.
func costly(n int) string {
	head := `{"job_definition":"acme::report:1","job_queue":"acme::nightly","container_cmd":[[]`
	return head + strings.Repeat(",[]", (n-len(head)-2)/3) + "]}"
}
