package apiclient

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// DefaultDuplicatePattern matches the messages with which an API says that a name
// is already taken. Daestro does not document its wording (see docs/api.md), so the
// pattern covers the usual phrasings: "already exists", "already taken", "already
// in use", "duplicate", "not unique", "must be unique", "is taken", "unique
// constraint". --duplicate-pattern replaces it when Daestro words it otherwise.
// It is applied to 400 answers only, case-insensitively, and counts only when
// the message is about the job's name (see IsNameTaken).
const DefaultDuplicatePattern = `(?i)already\s+(exists?|been\s+taken|taken|in\s+use)|\bduplicate|\bnot\s+unique\b|\bmust\s+be\s+unique\b|\bis\s+taken\b|\bunique\s+constraint\b`

// defaultDuplicate returns DefaultDuplicatePattern compiled. sync.OnceValue
// compiles it once, on first use; the result is never modified, so sharing it is
// not shared state (a *regexp.Regexp is safe for concurrent use).
var defaultDuplicate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(DefaultDuplicatePattern)
})

// nameWord matches the word "name" or "names" in any case ("job_name" and
// "jobs.name" count, "named" and "rename" do not).
var nameWord = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^a-z])names?($|[^a-z])`)
})

// IsNameTaken reports whether a Job Submit answer says that the job called
// name is already taken in its queue: any 409, or a 400 whose message
// matches pattern.
//
// With the default pattern (pattern nil), the message must also be about the
// job's name: it mentions the name itself (as a whole word, in any case) or
// the word "name". A 400 that says something else exists ("queue
// 'acme::nightlyy' does not exist; a queue named 'acme::nightly' already
// exists") is a failure, not a job found: reading it as "exists" would report
// success for a job that was never created. A pattern given with
// --duplicate-pattern is the user's reading of their server's words and is
// taken alone.
//
// Other endpoints give 409 and 400 other meanings; use it for Job Submit
// answers only.
func IsNameTaken(status int, message, name string, pattern *regexp.Regexp) bool {
	switch status {
	case http.StatusConflict:
		return true
	case http.StatusBadRequest:
		if pattern != nil {
			return pattern.MatchString(message)
		}
		return defaultDuplicate().MatchString(message) && aboutName(message, name)
	}
	return false
}

// aboutName reports whether message mentions the word "name" or name itself,
// as a whole word: not inside a longer name ("nightly" is not in
// "nightly-2").
func aboutName(message, name string) bool {
	if nameWord().MatchString(message) {
		return true
	}
	if name == "" {
		return false
	}
	lower, n := strings.ToLower(message), strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(lower[i:], n)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(n)
		if (start == 0 || !nameByte(lower[start-1])) && (end == len(lower) || !nameByte(lower[end])) {
			return true
		}
		i = start + 1
	}
}

// nameByte reports the bytes that continue a job name: letters, digits,
// '-', '_' and '.'.
func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c >= 0x80
}
