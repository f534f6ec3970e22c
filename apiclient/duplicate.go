package apiclient

import (
	"net/http"
	"regexp"
	"sync"
)

// DefaultDuplicatePattern matches the messages with which an API says that a name
// is already taken. Daestro does not document its wording (see docs/api.md), so the
// pattern covers the usual phrasings: "already exists", "already taken", "already
// in use", "duplicate", "not unique", "must be unique", "is taken", "unique
// constraint". --duplicate-pattern replaces it when Daestro words it otherwise.
// It is applied to 400 answers only, case-insensitively.
const DefaultDuplicatePattern = `(?i)already\s+(exists?|been\s+taken|taken|in\s+use)|\bduplicate|\bnot\s+unique\b|\bmust\s+be\s+unique\b|\bis\s+taken\b|\bunique\s+constraint\b`

// defaultDuplicate returns DefaultDuplicatePattern compiled. sync.OnceValue
// compiles it once, on first use; the result is never modified, so sharing it is
// not shared state (a *regexp.Regexp is safe for concurrent use).
var defaultDuplicate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(DefaultDuplicatePattern)
})

// IsNameTaken reports whether a Job Submit answer says that the job's name is
// already taken in its queue: any 409, or a 400 whose message matches pattern
// (DefaultDuplicatePattern when pattern is nil). Other endpoints give 409 and 400
// other meanings; use it for Job Submit answers only.
func IsNameTaken(status int, message string, pattern *regexp.Regexp) bool {
	switch status {
	case http.StatusConflict:
		return true
	case http.StatusBadRequest:
		if pattern == nil {
			pattern = defaultDuplicate()
		}
		return pattern.MatchString(message)
	}
	return false
}
