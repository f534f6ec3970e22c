package apiclient

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // the URL returned, when valid
		wantErr string // a part of the error message, when not
	}{
		{name: "https", raw: "https://api.daestro.com", want: "https://api.daestro.com"},
		{name: "trailing slash", raw: "https://api.daestro.com/", want: "https://api.daestro.com/"},
		{name: "path prefix", raw: "https://proxy.example/daestro", want: "https://proxy.example/daestro"},
		{name: "spaces trimmed", raw: "  https://api.daestro.com\n", want: "https://api.daestro.com"},
		{name: "upper-case scheme", raw: "HTTPS://api.daestro.com", want: "https://api.daestro.com"},
		{name: "http localhost", raw: "http://localhost:8080", want: "http://localhost:8080"},
		{name: "http LOCALHOST", raw: "http://LOCALHOST:8080", want: "http://LOCALHOST:8080"},
		{name: "http 127.0.0.1", raw: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{name: "http 127/8", raw: "http://127.1.2.3", want: "http://127.1.2.3"},
		{name: "http ::1", raw: "http://[::1]:8080/", want: "http://[::1]:8080/"},
		{name: "http v4-mapped loopback", raw: "http://[::ffff:127.0.0.1]:1", want: "http://[::ffff:127.0.0.1]:1"},
		{name: "http remote", raw: "http://api.daestro.com", wantErr: "plain http"},
		{name: "http localhost suffix", raw: "http://localhost.evil.example", wantErr: "plain http"},
		{name: "http sub.localhost", raw: "http://foo.localhost", wantErr: "plain http"},
		{name: "http private", raw: "http://10.0.0.1", wantErr: "plain http"},
		{name: "http unspecified", raw: "http://0.0.0.0:8080", wantErr: "plain http"},
		{name: "http ::", raw: "http://[::]:8080", wantErr: "plain http"},
		{name: "user info", raw: "https://user:hunter2@api.daestro.com", wantErr: "must not contain a user name or password"},
		{name: "user name only", raw: "https://hunter2@api.daestro.com", wantErr: "must not contain a user name or password"},
		{name: "key in query", raw: "https://api.daestro.com/?api_key=hunter2", wantErr: "query or fragment"},
		{name: "key in fragment", raw: "https://api.daestro.com/#hunter2", wantErr: "query or fragment"},
		{name: "key in query, plain http", raw: "http://api.daestro.com/?k=hunter2", wantErr: "query or fragment"},
		{name: "no scheme", raw: "api.daestro.com", wantErr: `API URL "api.daestro.com" has no scheme: did you mean https://api.daestro.com?`},
		{name: "no scheme, loopback port", raw: "127.0.0.1:8080", wantErr: `has no scheme: did you mean http://127.0.0.1:8080?`},
		{name: "no scheme, localhost", raw: "localhost:8080", wantErr: `did you mean http://localhost:8080?`},
		{name: "no scheme, ::1", raw: "[::1]:8080", wantErr: `did you mean http://[::1]:8080?`},
		{name: "no scheme, /v1", raw: "api.daestro.com/v1", wantErr: `did you mean https://api.daestro.com?`},
		{name: "no scheme, password", raw: "u:hunter2@api.daestro.com", wantErr: `did you mean https://api.daestro.com?`},
		{name: "no scheme, unparsable", raw: "u:hunter2@%zz", wantErr: `has no scheme: write it as https://host`},
		{name: "trailing /v1", raw: "http://127.0.0.1:8080/v1", wantErr: `ends in /v1: omit /v1, which the tool adds to every request: http://127.0.0.1:8080`},
		{name: "trailing /v1/", raw: "https://proxy.example/daestro/v1/", wantErr: `omit /v1, which the tool adds to every request: https://proxy.example/daestro`},
		{name: "v1 inside the path", raw: "https://proxy.example/v1x", want: "https://proxy.example/v1x"},
		{name: "other scheme", raw: "ftp://api.daestro.com", wantErr: `scheme "ftp" is not supported`},
		{name: "no host", raw: "https://", wantErr: "has no host"},
		{name: "opaque", raw: "https:api.daestro.com", wantErr: "has no host"},
		{name: "query", raw: "https://api.daestro.com/?key=1", wantErr: "query or fragment"},
		{name: "empty query", raw: "https://api.daestro.com/?", wantErr: "query or fragment"},
		{name: "fragment", raw: "https://api.daestro.com/#x", wantErr: "query or fragment"},
		{name: "empty", raw: " ", wantErr: "empty"},
		{name: "unparsable", raw: "http://[::1", wantErr: "not a valid URL"},
		{name: "unparsable with password", raw: "https://u:hunter2@%zz", wantErr: "not a valid URL"},
		// The parser's reason quotes the port: a password read as one.
		{name: "password read as a port", raw: "https://apikey:hunter2#x@api.daestro.com/", wantErr: "invalid port after host"},
		{name: "password in a host", raw: "https://api.daestro.com:hunter2/", wantErr: "not a valid URL"},
		{name: "bad escape in a password", raw: "https://u:hunter2%zz@api.daestro.com/", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := CheckBaseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.String() != tt.want {
				t.Errorf("URL = %q, want %q", u, tt.want)
			}
		})
	}
}

func TestIsNameTaken(t *testing.T) {
	german := regexp.MustCompile(`(?i)schon vorhanden`)
	tests := []struct {
		name    string
		status  int
		message string
		job     string
		pattern *regexp.Regexp
		want    bool
	}{
		{name: "409 always", status: 409, message: "", want: true},
		{name: "409 with a custom pattern", status: 409, message: "whatever", pattern: german, want: true},
		{name: "already exists", status: 400, message: "job name already exists in queue", want: true},
		{name: "already exist", status: 400, message: "A job with this name already exist", want: true},
		{name: "upper case", status: 400, message: "NAME ALREADY EXISTS", want: true},
		{name: "already been taken", status: 400, message: "Name has already been taken", want: true},
		{name: "already in use", status: 400, message: "name already in use", want: true},
		{name: "duplicate", status: 400, message: "Duplicate job name", want: true},
		{name: "is a duplicate", status: 400, message: "name is a duplicate", want: true},
		{name: "not unique", status: 400, message: "name is not unique within the queue", want: true},
		{name: "must be unique", status: 400, message: "Name must be unique", want: true},
		{name: "is taken", status: 400, message: "name is taken", want: true},
		{name: "unique constraint", status: 400, message: "UNIQUE constraint failed: jobs.queue_id, jobs.name", want: true},
		{name: "line break between words", status: 400, message: "name already\nexists", want: true},
		{name: "validation error", status: 400, message: "invalid job_queue", want: false},
		{name: "not found", status: 400, message: "job_definition not found", want: false},
		{name: "unique as a word part", status: 400, message: "uniqueness of Param::x", want: false},
		{name: "taken elsewhere", status: 400, message: "mistaken format", want: false},
		{name: "empty", status: 400, message: "", want: false},
		{name: "422 is not 400", status: 422, message: "name already exists", want: false},
		{name: "500 is not 400", status: 500, message: "duplicate", want: false},
		{name: "success", status: 202, message: "already exists", want: false},
		{name: "custom pattern matches", status: 400, message: "Name schon vorhanden", pattern: german, want: true},
		{name: "custom pattern replaces the default", status: 400, message: "name already exists", pattern: german, want: false},
		// Issue 22 item 4: only a message about this job's name counts.
		{name: "another thing exists", status: 400, job: "nightly-report",
			message: "queue 'acme::nightlyy' does not exist; a queue named 'acme::nightly' already exists", want: false},
		{name: "duplicate of something else", status: 400, job: "nightly-report", message: "duplicate key in container_env", want: false},
		{name: "the job named", status: 400, job: "nightly-report", message: "job 'Nightly-Report' already exists", want: true},
		{name: "the name inside a longer one", status: 400, job: "nightly", message: "job 'nightly-2' already exists", want: false},
		{name: "the word name", status: 400, job: "nightly-report", message: "job_name already exists in queue", want: true},
		{name: "custom pattern needs no name", status: 400, job: "x", message: "Auftrag schon vorhanden", pattern: german, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNameTaken(tt.status, tt.message, tt.job, tt.pattern); got != tt.want {
				t.Errorf("IsNameTaken(%d, %q) = %v, want %v", tt.status, tt.message, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{name: "seconds", value: "120", want: 120 * time.Second, wantOK: true},
		{name: "zero", value: "0", want: 0, wantOK: true},
		{name: "spaces", value: " 5 ", want: 5 * time.Second, wantOK: true},
		{name: "leading zeros", value: "007", want: 7 * time.Second, wantOK: true},
		{name: "largest that fits", value: "9223372036", want: 9223372036 * time.Second, wantOK: true},
		{name: "one more saturates", value: "9223372037", want: math.MaxInt64, wantOK: true},
		{name: "huge saturates", value: "99999999999999999999999999", want: math.MaxInt64, wantOK: true},
		{name: "IMF-fixdate", value: "Sat, 28 Nov 2026 12:00:30 GMT", want: 30 * time.Second, wantOK: true},
		{name: "RFC 850 date", value: "Saturday, 28-Nov-26 12:01:00 GMT", want: time.Minute, wantOK: true},
		{name: "asctime date", value: "Sat Nov 28 12:00:10 2026", want: 10 * time.Second, wantOK: true},
		{name: "date in the past", value: "Fri, 27 Nov 2026 12:00:00 GMT", want: 0, wantOK: true},
		{name: "empty", value: "", wantOK: false},
		{name: "negative", value: "-5", wantOK: false},
		{name: "plus sign", value: "+5", wantOK: false},
		{name: "fraction", value: "1.5", wantOK: false},
		{name: "unit", value: "5s", wantOK: false},
		{name: "garbage", value: "soon", wantOK: false},
		{name: "invalid date", value: "Sat, 32 Nov 2026 12:00:00 GMT", wantOK: false},
		{name: "date without zone", value: "2026-11-28T12:00:30Z", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
