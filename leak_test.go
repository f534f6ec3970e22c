package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/emulator"
	"github.com/daestro-jobs/daestro-jobs/report"
)

// The sentinels of TestSecretLeaks: a secret referenced by a sensitive
// container_env value, and the API key.
const (
	sentinelSecret = "SENTINEL-SECRET-7f3a"
	sentinelKey    = "SENTINEL-APIKEY-c91e"
	// sentinelLiteral is a sensitive value written literally in a manifest
	// (with --allow-literal-secrets): no variable names it, yet it is masked.
	sentinelLiteral = "SENTINEL-LITERAL-55aa"
	// sentinelOdd has every character that escaping changes: JSON, URL and
	// HTML escaping each give it another form.
	sentinelOdd = `odd<&>"'\ é+/?%#-SENTINEL-9d2b`
	// sentinelAt has what servers' partial escapings change: Python's
	// urllib.parse.quote writes @ as %40 and keeps /, PHP writes / as \/,
	// Java writes ö as \u00F6.
	sentinelAt = "p@ss/wörd-SENTINEL-41c0"
)

// sentinelForms are the ways a sentinel can leave the program: raw,
// JSON-escaped (quoted, and with the HTML escaping of encoding/json), URL
// escaped. The sentinels are ASCII, so those are all the same text except for
// a variant with a mixed-in character; the list keeps the check honest if a
// sentinel ever changes.
func sentinelForms() []string {
	var forms []string
	for _, s := range []string{sentinelSecret, sentinelKey, sentinelLiteral, sentinelOdd, sentinelAt} {
		j, _ := json.Marshal(s)
		var plain strings.Builder
		enc := json.NewEncoder(&plain)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		forms = append(forms, s, strings.Trim(string(j), `"`), strings.Trim(strings.TrimSpace(plain.String()), `"`),
			url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s))
		// A distinctive tail is enough to catch a secret cut or re-encoded,
		// and a server may lower-case what it echoes (a media type).
		forms = append(forms, s[len(s)-9:], strings.ToLower(s[len(s)-9:]))
	}
	return forms
}

// The escapes readings undoes.
var (
	jsonish  = strings.NewReplacer(`\/`, "/", `\"`, `"`, `\\`, `\`)
	unicode  = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)
	percent  = regexp.MustCompile(`%[0-9a-fA-F]{2}`)
	markdown = regexp.MustCompile(`\\([\\|*_\[\]<>&` + "`" + `])`)
)

// readings are the ways a person or a program may read printed text back:
// as written, JSON-decoded, percent-decoded, HTML-decoded, with a markdown
// table's and a workflow command's escapes undone. A sentinel must be in
// none of them.
func readings(text string) []string {
	decodeJSON := func(s string) string {
		s = unicode.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.ParseUint(m[2:], 16, 32)
			return string(rune(n))
		})
		return jsonish.Replace(s)
	}
	decodePercent := func(s string) string {
		return percent.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.ParseUint(m[1:], 16, 8)
			return string([]byte{byte(n)})
		})
	}
	out := []string{text, decodeJSON(text), decodeJSON(decodeJSON(text)), decodePercent(text), html.UnescapeString(text),
		markdown.ReplaceAllString(html.UnescapeString(text), "$1")}
	out = append(out, strings.ReplaceAll(decodePercent(text), "+", " "))
	return out
}

// echoServer answers every request with status and a body built by body from
// the request it read (its body and headers), the worst a server can do.
func echoServer(t *testing.T, status int, contentType string, body func(req []byte, r *http.Request) string) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		fmt.Fprint(w, body(b, r))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// echoAll quotes the whole request, body and Authorization header, as the
// message of an {ok, message} error.
func echoAll(req []byte, r *http.Request) string {
	msg, _ := json.Marshal(fmt.Sprintf("bad request: %s (auth %s, url %s)", req, r.Header.Get("Authorization"), r.URL))
	return `{"ok":false,"message":` + string(msg) + `}`
}

// TestSecretLeaks runs every command in every output format through success
// and failure paths, with servers that echo everything back, and checks that
// neither sentinel appears, in any form, on stdout, stderr or the GitHub step
// summary.
func TestSecretLeaks(t *testing.T) {
	// Beside the tests that wait on processes (the action, pre-commit): its
	// runs are in-process and one at a time (runApp), its servers its own.
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(good, `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-job
container_env:
  DB_PASSWORD:
    value: ${DB_PASSWORD}
    sensitive: true
  DB_URL:
    value: postgres://app:${DB_PASSWORD}@db/app
    sensitive: true
---
job_definition: acme::worker:1
job_queue: acme::leak
container_env:
  TOKEN: {value: "tok-${DB_PASSWORD}-x", sensitive: true}
  ODD: {value: "${ODD}", sensitive: true}
  AT: {value: "${AT}", sensitive: true}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: leak-named-${AT}
container_env:
  AT: {value: "${AT}", sensitive: true}
`)
	// Invalid: a schema error beside the secret, and a sensitive value
	// written literally (an error unless --allow-literal-secrets).
	bad := filepath.Join(dir, "bad.yaml")
	write(bad, `job_definition: not-a-definition
job_queue: acme::leak
name: leak-bad
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  LITERAL: {value: "`+sentinelSecret+`", sensitive: true}
`)
	literal := filepath.Join(dir, "literal.yaml")
	write(literal, `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-literal
container_env:
  LIT: {value: "`+sentinelLiteral+`", sensitive: true}
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
`)
	keyFile := filepath.Join(dir, "key")
	write(keyFile, sentinelKey+"\n")

	_, _, emuURL := startEmulator(t, emulator.Options{APIKey: sentinelKey})
	_, _, refusing := startEmulator(t, emulator.Options{APIKey: "another-key"})
	// Jobs on this one run through their states in milliseconds, for --wait.
	_, _, quick := startEmulator(t, emulator.Options{APIKey: sentinelKey, Step: time.Millisecond})
	urls := map[string]string{
		"emulator": emuURL,
		"refusing": refusing,
		"echo 400": echoServer(t, http.StatusBadRequest, "application/json", echoAll),
		"echo 422": echoServer(t, http.StatusUnprocessableEntity, "application/json", echoAll),
		"echo 401": echoServer(t, http.StatusUnauthorized, "application/json", echoAll),
		"echo 404": echoServer(t, http.StatusNotFound, "application/json", echoAll),
		"html 502": echoServer(t, http.StatusBadGateway, "text/html", func(b []byte, r *http.Request) string {
			return "<html><body><pre>" + string(b) + r.Header.Get("Authorization") + "</pre></body></html>"
		}),
		"text 200": echoServer(t, http.StatusOK, "text/plain", func(b []byte, r *http.Request) string { return string(b) + r.Header.Get("Authorization") }),
		"json 200": echoServer(t, http.StatusOK, "application/json", func(b []byte, r *http.Request) string {
			return `{"ok":true,"data":{"id":` + strconvQuote(string(b)) + `}}`
		}),
		"redirect": redirectServer(t),
		"html escaped 502": echoServer(t, http.StatusBadGateway, "text/html", func(b []byte, r *http.Request) string {
			return "<html><head><title>502: " + html.EscapeString(envValues(b)) + "</title></head><body>" + html.EscapeString(string(b)) + "</body></html>"
		}),
		"values 400": echoServer(t, http.StatusBadRequest, "application/json", func(b []byte, r *http.Request) string {
			return `{"ok":false,"message":` + strconvQuote("rejected values "+envValues(b)) + `}`
		}),
		// Servers that escape what they echo in ways of their own: PHP
		// (\/), Java (upper-case \u00F6), Python's urllib.parse.quote (%40,
		// / kept), lower-case percent hex; in a message, an id and a
		// Location header; and the key echoed in a Content-Type.
		"php 400": echoServer(t, http.StatusBadRequest, "application/json", func(b []byte, r *http.Request) string {
			return phpJSON("bad " + string(b) + r.Header.Get("Authorization"))
		}),
		"java 400": echoServer(t, http.StatusBadRequest, "application/json", func(b []byte, r *http.Request) string {
			return javaJSON("bad " + envValues(b) + r.Header.Get("Authorization"))
		}),
		"python 400": echoServer(t, http.StatusBadRequest, "application/json", func(b []byte, r *http.Request) string {
			return strconvQuoteMsg("bad " + pyQuote(envValues(b)+r.Header.Get("Authorization")))
		}),
		"lowerhex 400": echoServer(t, http.StatusBadRequest, "application/json", func(b []byte, r *http.Request) string {
			return strconvQuoteMsg("bad " + lowerHex(envValues(b)+r.Header.Get("Authorization")))
		}),
		"php id 202": echoServer(t, http.StatusAccepted, "application/json", func(b []byte, r *http.Request) string {
			id, _ := json.Marshal(envValues(b) + r.Header.Get("Authorization"))
			return `{"ok":true,"data":{"id":` + strings.ReplaceAll(string(id), "/", `\/`) + `}}`
		}),
		"python location": locationServer(t, func(b []byte, r *http.Request) string {
			return "https://elsewhere.example/?q=" + pyQuote(envValues(b)+r.Header.Get("Authorization"))
		}),
		"key in content-type": contentTypeServer(t),
		"refused":             "http://127.0.0.1:1",
		"key query":           "http://127.0.0.1:1/?api_key=" + sentinelKey,
		"key user":            "http://" + sentinelKey + "@127.0.0.1:1",
		"key path":            "http://127.0.0.1:1/" + sentinelKey,
		"key http":            "http://api.example/?k=" + sentinelKey,
	}

	// The formats each command offers, from the tables -o is checked
	// against, so a format added there is covered here without a change.
	formats := map[string][]string{}
	for _, c := range report.Commands() {
		formats[string(c)] = report.FormatNames(c)
	}
	if len(formats["validate"]) < 5 || len(formats["apply"]) < 3 {
		t.Fatalf("formats offered: %v", formats)
	}

	type run struct {
		name string
		args []string // after the command and -o
		url  string   // key of urls; "" for none
	}
	var runs []run
	for _, set := range []struct {
		label string
		files []string
	}{
		{"good", []string{"-f", good}},
		{"invalid", []string{"-f", bad}},
		{"good and invalid", []string{"-f", good, "-f", bad}},
		{"literal", []string{"--allow-literal-secrets", "-f", literal}},
	} {
		label, files := set.label, set.files
		runs = append(runs,
			run{name: "validate " + label, args: append([]string{"validate"}, files...)},
			run{name: "dry-run " + label, args: append([]string{"apply", "--dry-run"}, files...)},
		)
		for u := range urls {
			runs = append(runs, run{name: "apply " + u + " " + label, args: append([]string{"apply", "--retries", "0", "--timeout", "5s"}, files...), url: u})
		}
	}
	for u := range urls {
		runs = append(runs,
			run{name: "status " + u, args: []string{"status", "--timeout", "5s", "01a22570-6065-7b61-bd88-cba1f11d643f", sentinelKey}, url: u},
			run{name: "apply key file " + u, args: []string{"apply", "--retries", "0", "--timeout", "5s", "--api-key-file", keyFile, "-f", good}, url: u},
		)
	}
	// The second apply to the emulator meets the names the first one took.
	runs = append(runs, run{name: "apply emulator again", args: []string{"apply", "-f", good}, url: "emulator"})
	// --wait follows the created jobs through the Job Detail API.
	urls["quick"] = quick
	urls["echo detail"] = echoDetailServer(t)
	runs = append(runs, run{name: "status echo detail", args: []string{"status", "01a22570-6065-7b61-bd88-cba1f11d643f"}, url: "echo detail"})
	for _, u := range []string{"quick", "echo detail", "echo 404", "html 502", "text 200"} {
		runs = append(runs, run{name: fmt.Sprintf("apply --wait %s", u),
			args: []string{"apply", "--wait", "--wait-timeout", "20s", "--retries", "0", "--timeout", "5s",
				"--allow-literal-secrets", "-f", good, "-f", literal},
			url: u})
	}

	forms := sentinelForms()
	for _, r := range runs {
		for _, format := range formats[r.args[0]] {
			t.Run(r.name+" -o "+format, func(t *testing.T) {
				summary := filepath.Join(t.TempDir(), "summary.md")
				vars := map[string]string{
					"DB_PASSWORD":         sentinelSecret,
					"ODD":                 sentinelOdd,
					"AT":                  sentinelAt,
					"GITHUB_STEP_SUMMARY": summary,
				}
				if r.url != "" {
					vars["DAESTRO_API_URL"] = urls[r.url]
				}
				args := append([]string{r.args[0], "-o", format}, r.args[1:]...)
				if !strings.Contains(strings.Join(args, " "), "--api-key-file") {
					vars["DAESTRO_API_KEY"] = sentinelKey
				}
				code, out, errOut := runInProcess(t, vars, args...)
				sum, _ := os.ReadFile(summary)
				for name, text := range map[string]string{"stdout": out, "stderr": errOut, "step summary": string(sum)} {
					for _, reading := range readings(text) {
						for _, f := range forms {
							if strings.Contains(reading, f) {
								t.Errorf("exit %d: %s shows %q:\n%s", code, name, f, text)
							}
						}
					}
				}
				if out == "" && errOut == "" {
					t.Errorf("exit %d with no output at all", code)
				}
			})
		}
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// redirectServer answers with a redirect whose Location carries the key.
func redirectServer(t *testing.T) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, "https://elsewhere.example/login?key="+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), http.StatusFound)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// echoDetailServer accepts every job and describes it, through the Job Detail
// API, as failed with a system_note quoting what it received: the submitted
// body and the Authorization header.
func echoDetailServer(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPost {
			seen = append(seen, string(b))
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"ok":true,"data":{"id":"01a22570-6065-7b61-bd88-%012d"}}`, len(seen))
			return
		}
		note := fmt.Sprintf("received %s with %s at %s", strings.Join(seen, ", "), r.Header.Get("Authorization"), r.URL)
		fmt.Fprintf(w, `{"ok":true,"data":{"id":%s,"name":"leak-job","state":"failed","system_note":%s,"created_at":"2026-11-28T12:00:00Z"}}`,
			strconvQuote(strings.TrimPrefix(r.URL.Path, "/v1/client/job/")), strconvQuote(note))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// envValues lists the container_env values of a request body, first thing,
// so that a server's short excerpt (an HTML page's title) holds them.
func envValues(body []byte) string {
	var job struct {
		Env map[string]struct {
			Value string `json:"value"`
		} `json:"container_env"`
	}
	_ = json.Unmarshal(body, &job)
	var vs []string
	for _, v := range job.Env {
		vs = append(vs, v.Value)
	}
	return strings.Join(vs, " ")
}

// strconvQuoteMsg is an {ok:false, message} answer.
func strconvQuoteMsg(msg string) string { return `{"ok":false,"message":` + strconvQuote(msg) + `}` }

// phpJSON is an {ok:false, message} answer as PHP's json_encode writes it: /
// as \/.
func phpJSON(msg string) string {
	return strings.ReplaceAll(strconvQuoteMsg(msg), "/", `\/`)
}

// javaJSON writes every non-ASCII character as an upper-case \uXXXX, as many
// Java encoders do.
func javaJSON(msg string) string {
	var b strings.Builder
	for _, r := range strconvQuoteMsg(msg) {
		if r > 0x7e {
			fmt.Fprintf(&b, `\u%04X`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pyQuote is Python's urllib.parse.quote(s): every byte but letters, digits,
// _.-~ and / percent-encoded, upper-case hex.
func pyQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// lowerHex percent-encodes every byte but letters and digits, lower-case hex.
func lowerHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return b.String()
}

// locationServer redirects to a Location built from the request.
func locationServer(t *testing.T, loc func(b []byte, r *http.Request) string) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", loc(b, r))
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// contentTypeServer answers 500 with the API key in its Content-Type, which
// a media-type parser would lower-case before it was printed.
func contentTypeServer(t *testing.T) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/"+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+"; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "oops")
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestAPIKeyInEveryCommand: the API key is a secret in every command, those
// that never send it included (validate, apply --dry-run), in every format:
// a manifest that reaches it through another variable shows it masked, and
// one that references DAESTRO_API_KEY itself is refused (issue 22 item 1).
func TestAPIKeyInEveryCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// KEYCOPY reaches the key through the env file, in a parameter (which
	// a dry run prints) and as schedule_at (whose error quotes it).
	envFile := write("copy.env", "KEYCOPY=${DAESTRO_API_KEY}\n")
	copied := write("copied.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: copied
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: ${KEYCOPY}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: copied-schedule
schedule_at: ${KEYCOPY}
`)
	direct := write("direct.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: direct
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: ${DAESTRO_API_KEY}
`)
	keyFile := write("key", sentinelKey+"\n")
	forms := sentinelForms()
	check := func(t *testing.T, vars map[string]string, args ...string) (int, string) {
		t.Helper()
		summary := filepath.Join(t.TempDir(), "summary.md")
		vars["GITHUB_STEP_SUMMARY"] = summary
		code, out, errOut := runInProcess(t, vars, args...)
		sum, _ := os.ReadFile(summary)
		for name, text := range map[string]string{"stdout": out, "stderr": errOut, "step summary": string(sum)} {
			for _, reading := range readings(text) {
				for _, f := range forms {
					if strings.Contains(reading, f) {
						t.Errorf("%v: exit %d: %s shows %q:\n%s", args, code, name, f, text)
					}
				}
			}
		}
		return code, out + errOut
	}
	for _, f := range report.FormatNames(report.ValidateCommand) {
		t.Run("validate -o "+f, func(t *testing.T) {
			check(t, map[string]string{"DAESTRO_API_KEY": sentinelKey}, "validate", "-o", f, "--env-file", envFile, "-f", copied)
			code, all := check(t, map[string]string{"DAESTRO_API_KEY": sentinelKey}, "validate", "-o", f, "-f", direct)
			if code != 1 || !strings.Contains(all, "DAESTRO_API_KEY") {
				t.Errorf("validate of a manifest referencing the key: exit %d, want 1 naming DAESTRO_API_KEY:\n%s", code, all)
			}
		})
	}
	for _, f := range report.FormatNames(report.ApplyCommand) {
		t.Run("dry-run -o "+f, func(t *testing.T) {
			check(t, map[string]string{"DAESTRO_API_KEY": sentinelKey}, "apply", "--dry-run", "-o", f, "--env-file", envFile, "-f", copied)
			// The key from --api-key-file, the copy from the environment.
			check(t, map[string]string{"KEYCOPY": sentinelKey}, "apply", "--dry-run", "-o", f, "--api-key-file", keyFile, "-f", copied)
			code, all := check(t, map[string]string{"DAESTRO_API_KEY": sentinelKey}, "apply", "--dry-run", "-o", f, "-f", direct)
			if code != 1 || !strings.Contains(all, "DAESTRO_API_KEY") {
				t.Errorf("dry run of a manifest referencing the key: exit %d, want 1 naming DAESTRO_API_KEY:\n%s", code, all)
			}
		})
	}
	// diff, in a repository of its own: the copy in a field diff and an
	// error, the key named directly at the base only (a warning there) and
	// in the working tree (refused).
	t.Run("diff", func(t *testing.T) {
		t.Chdir(diffRepo(t))
		key := map[string]string{"DAESTRO_API_KEY": sentinelKey}
		for _, f := range report.FormatNames(report.DiffCommand) {
			t.Run("-o "+f, func(t *testing.T) {
				_, all := runDiffChecked(t, key, "diff", "--base", "main", "-o", f, "--env-file", "copy.env", "-f", "keys/copied.yaml", "-f", "keys/was-direct.yaml")
				if !strings.Contains(all, "copied") || !strings.Contains(all, "was-direct") {
					t.Errorf("the jobs are not in the report:\n%s", all)
				}
				code, all := runDiffChecked(t, key, "diff", "--base", "main", "-o", f, "-f", "keys/direct.yaml")
				if code != 1 || !strings.Contains(strings.ReplaceAll(all, `\`, ""), "DAESTRO_API_KEY") {
					t.Errorf("diff of a manifest referencing the key: exit %d, want 1 naming DAESTRO_API_KEY:\n%s", code, all)
				}
			})
		}
	})
}

// TestSensitiveNotBoolean: `sensitive: "true"` (a string, or "yes", or 1)
// is a type error, and the entry is sensitive everywhere all the same: its
// literal value is masked in every format and stays out of the reports'
// fingerprints, which would otherwise be a hash of it to test guesses
// against (issue 22 item 8).
func TestSensitiveNotBoolean(t *testing.T) {
	dir := t.TempDir()
	manifest := func(literal string) string {
		p := filepath.Join(dir, "job.yaml")
		if err := os.WriteFile(p, []byte(`job_definition: acme::worker:1
job_queue: acme::leak
name: typed
container_env:
  A: {value: "`+literal+`", sensitive: "true"}
  B: {value: "`+literal+`-b", sensitive: "yes"}
  C: {value: "`+literal+`-c", sensitive: 1}
  D: {value: "${DB_PASSWORD}", sensitive: "TRUE"}
`), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	forms := sentinelForms()
	vars := map[string]string{"DB_PASSWORD": sentinelSecret}
	for _, args := range [][]string{{"validate"}, {"apply", "--dry-run"}, {"validate", "--allow-literal-secrets"}} {
		for _, f := range report.FormatNames(report.Command(args[0])) {
			t.Run(strings.Join(args, " ")+" -o "+f, func(t *testing.T) {
				var outs []string
				for _, literal := range []string{sentinelLiteral, "OTHERxxx-LITERAL-0000"} { // as long, so columns agree
					p := manifest(literal)
					code, out, errOut := runInProcess(t, vars, append(append(slices.Clone(args), "-o", f), "-f", p)...)
					if code != 1 || !strings.Contains(out+errOut, "must be a boolean") {
						t.Errorf("exit %d, want 1 and a type error:\n%s%s", code, out, errOut)
					}
					for name, text := range map[string]string{"stdout": out, "stderr": errOut} {
						for _, reading := range readings(text) {
							for _, form := range forms {
								if strings.Contains(reading, form) {
									t.Errorf("%s shows %q:\n%s", name, form, text)
								}
							}
						}
					}
					outs = append(outs, out+errOut)
				}
				if outs[0] != outs[1] {
					t.Errorf("the output depends on the literal value:\n%s\n---\n%s", outs[0], outs[1])
				}
			})
		}
	}
}

// The client's errors are rendered at the output edge, masked as they came.
var _ report.ServerText = (*apiclient.APIError)(nil)

// diffRepo is a git repository for the diff runs of the leak tests: at its
// base commit (branch main) and in its working tree, manifests whose
// sensitive values come from variables, a literal one, a key copied through
// an env file. The working tree edits a named job, replaces an unnamed one,
// removes one, adds one, fixes a base that was invalid, and changes values
// into and out of the secrets, so that every field diff holds one.
func diffRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const head = `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-job
container_env:
  DB_PASSWORD: {value: "${ODD}", sensitive: true}
  DB_URL: {value: "postgres://app2:${DB_PASSWORD}@db/app", sensitive: true}
container_cmd: ["run", "Param::day", "Param::who"]
container_cmd_parameter: {day: "2026-12-02", who: "${DB_PASSWORD}"}
---
job_definition: acme::worker:1
job_queue: acme::leak
container_env:
  TOKEN: {value: "tok2-${DB_PASSWORD}-x", sensitive: true}
  ODD: {value: "${ODD}", sensitive: true}
  PLAIN: {value: "${AT}"}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: leak-named-${AT}
container_env:
  AT: {value: "${AT}", sensitive: true}
  PLAIN: {value: "at ${AT}"}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: leak-new
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  AT: "${AT}"
`
	// The base: every value of the head's jobs another one, the secrets
	// in other places.
	write("jobs/good.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-job
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  DB_URL: {value: "postgres://app:${DB_PASSWORD}@db/app", sensitive: true}
container_cmd: ["run", "Param::day", "Param::who"]
container_cmd_parameter: {day: "2026-12-01", who: "${AT}"}
---
job_definition: acme::worker:1
job_queue: acme::leak
container_env:
  TOKEN: {value: "tok-${DB_PASSWORD}-x", sensitive: true}
  ODD: {value: "${ODD}", sensitive: true}
  PLAIN: {value: "${ODD}"}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: leak-named-${AT}
container_env:
  AT: {value: "${AT}", sensitive: true}
  PLAIN: {value: "${DB_PASSWORD} at"}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: leak-gone-${ODD}
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  PLAIN: "${ODD}"
`)
	// A literal secret at the base only, then also in the working tree;
	// an invalid base quoting the secret beside a schema error.
	write("jobs/literal.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-literal
container_env:
  LIT: {value: "`+sentinelLiteral+`", sensitive: true}
  PLAIN: "`+sentinelLiteral+`"
`)
	write("jobs/fixed.yaml", `job_definition: not-a-definition
job_queue: acme::leak
name: leak-fixed
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  LITERAL: {value: "`+sentinelSecret+`", sensitive: true}
  PLAIN: "${DB_PASSWORD}"
`)
	// The key, copied through an env file into a parameter and
	// schedule_at, and named directly (refused) at the base only.
	write("copy.env", "KEYCOPY=${DAESTRO_API_KEY}\n")
	write("keys/copied.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: copied
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: static
`)
	write("keys/was-direct.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: was-direct
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: ${DAESTRO_API_KEY}
`)
	gitCommitAll(t, dir)

	write("jobs/good.yaml", head)
	write("jobs/literal.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-literal
container_env:
  LIT: {value: "${DB_PASSWORD}", sensitive: true}
`)
	write("lit/lit.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-literal-new
container_env:
  LIT: {value: "`+sentinelLiteral+`", sensitive: true}
`)
	write("jobs/fixed.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: leak-fixed
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
`)
	write("keys/copied.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: copied
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: ${KEYCOPY}
---
job_definition: acme::worker:1
job_queue: acme::leak
name: copied-schedule
schedule_at: ${KEYCOPY}
`)
	write("keys/was-direct.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: was-direct
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: plain
`)
	write("keys/direct.yaml", `job_definition: acme::worker:1
job_queue: acme::leak
name: direct
container_cmd: ["run", "Param::k"]
container_cmd_parameter:
  k: ${DAESTRO_API_KEY}
`)
	// Invalid in the working tree: a schema error beside the secret, and
	// a sensitive value written literally.
	write("broken/bad.yaml", `job_definition: not-a-definition
job_queue: acme::leak
name: leak-bad
container_env:
  DB_PASSWORD: {value: "${DB_PASSWORD}", sensitive: true}
  LITERAL: {value: "`+sentinelSecret+`", sensitive: true}
`)
	return dir
}

// noSentinel fails t when a sentinel, in any of its forms, is in any
// reading of the texts (name to text).
func noSentinel(t *testing.T, what string, texts map[string]string) {
	t.Helper()
	forms := sentinelForms()
	for name, text := range texts {
		for _, reading := range readings(text) {
			for _, f := range forms {
				if strings.Contains(reading, f) {
					t.Errorf("%s: %s shows %q:\n%s", what, name, f, text)
				}
			}
		}
	}
}

// runDiffChecked runs diff in the working directory with the sentinels set
// as TestSecretLeaks sets them (vars added), GitHub's step summary and
// outputs files included, and checks that no sentinel leaves it.
func runDiffChecked(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	files := t.TempDir()
	summary, outputs := filepath.Join(files, "summary.md"), filepath.Join(files, "outputs.txt")
	all := map[string]string{
		"DB_PASSWORD":         sentinelSecret,
		"ODD":                 sentinelOdd,
		"AT":                  sentinelAt,
		"GITHUB_STEP_SUMMARY": summary,
		"GITHUB_OUTPUT":       outputs,
	}
	maps.Copy(all, vars)
	code, out, errOut := runInProcess(t, all, args...)
	sum, _ := os.ReadFile(summary)
	outs, _ := os.ReadFile(outputs)
	noSentinel(t, fmt.Sprintf("%v: exit %d", args, code), map[string]string{"stdout": out, "stderr": errOut,
		"step summary": string(sum), "step outputs": string(outs)})
	return code, out + errOut + string(sum)
}

// TestSecretLeaksDiff is TestSecretLeaks for diff, in every format it
// offers: against a base commit, a named job edited, an unnamed one
// replaced, one removed, one new, the values of each field diff drawn from
// the secrets. Sensitive values are shown as written; what a secret
// resolves to never is. Apart from TestSecretLeaks because diff runs git in
// the working directory, which a parallel test cannot change.
func TestSecretLeaksDiff(t *testing.T) {
	t.Chdir(diffRepo(t))
	formats := report.FormatNames(report.DiffCommand)
	if len(formats) < 4 {
		t.Fatalf("diff offers %v", formats)
	}
	key := map[string]string{"DAESTRO_API_KEY": sentinelKey}
	for _, r := range []struct {
		name string
		args []string
		code int
	}{
		{"good", []string{"-f", "jobs"}, 0},
		{"literal allowed", []string{"--allow-literal-secrets", "-f", "jobs", "-f", "lit"}, 0},
		{"invalid", []string{"-f", "jobs", "-f", "broken"}, 1},
	} {
		for _, f := range formats {
			t.Run(r.name+" -o "+f, func(t *testing.T) {
				code, all := runDiffChecked(t, key, append([]string{"diff", "--base", "main", "-o", f}, r.args...)...)
				// Markdown escapes $ and _.
				if code != r.code || !strings.Contains(all, "leak-job") || !strings.Contains(strings.ReplaceAll(all, `\`, ""), "${DB_PASSWORD}") {
					t.Errorf("exit %d, want %d and the edited job, its sensitive values as written:\n%s", code, r.code, all)
				}
				if f == string(report.JSON) && r.name == "good" {
					for _, want := range []string{`"new": 4`, `"edited": 2`, `"removed": 1`, `"replaces": "`} {
						if !strings.Contains(all, want) {
							t.Errorf("no %s: the repository is not what this test means:\n%s", want, all)
						}
					}
				}
			})
		}
	}
}
