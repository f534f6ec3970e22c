package emulator

// The Job Submit body, checked as the API pages describe it (docs/api.md),
// and written from those pages alone: the emulator never asks the CLI's
// manifest schema or its wire types what a body may hold. A test double that
// shared them would agree with every mistake they make. The manifest schema,
// for one, accepts a container_env string shorthand and numbers as
// parameter values, which the tool must turn into the API's form before
// sending; if it ever did not, this check refuses the body and the
// end-to-end tests fail.
//
// Where the pages are silent the emulator is strict, so that a request the
// real API might refuse is not waved through by its double:
//   - keys the table does not list are refused (a misspelled key would
//     otherwise be ignored, and the job sent without it);
//   - null is not a value of any key (the table gives each one a type);
//   - a name, a parameter name and a variable name are not empty, and a
//     variable name holds no '=' or NUL, which no environment can hold;
//   - the string form of schedule_at is RFC 3339, as in the page's example;
//     unix seconds are a number.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Keys of the Job Submit body, as the API's table lists them.
const (
	keyDefinition = "job_definition"
	keyQueue      = "job_queue"
	keyName       = "name"
	keyCmd        = "container_cmd"
	keyParameter  = "container_cmd_parameter"
	keyEnv        = "container_env"
	keySchedule   = "schedule_at"
)

// submission is a Job Submit body that passed the checks, with what the
// emulator keeps of it.
type submission struct {
	body       json.RawMessage // compacted as the journal writes it, so Jobs() reads the same after a restart
	queue      string
	name       string // empty: generate one
	scheduleAt *time.Time
	ending     state
}

// problems collects what is wrong with a body: the first maxProblems as
// "field.path: message", and a count of the rest, so a body of 30,000 wrong
// values costs a counter, not 30,000 messages.
type problems struct {
	list []string
	more int
}

// maxProblems is how many problems a 400 message lists.
const maxProblems = 10

func (p *problems) add(path []string, msg string) {
	if len(p.list) == maxProblems {
		p.more++
		return
	}
	if len(path) > 0 {
		// The path holds the body's own keys (variable names): echoed.
		msg = echo(strings.Join(path, ".")) + ": " + msg
	}
	p.list = append(p.list, msg)
}

func (p *problems) message() string {
	if len(p.list) == 0 {
		return ""
	}
	list := p.list
	if p.more > 0 {
		list = append(list, fmt.Sprintf("and %d more", p.more))
	}
	return "invalid job: " + strings.Join(list, "; ")
}

// parseSubmit decodes and checks a Job Submit body. A non-empty second
// result is the 400 message.
func parseSubmit(body []byte) (submission, string) {
	doc, err := decode(body)
	if err != nil {
		return submission{}, "invalid JSON body: " + err.Error()
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return submission{}, "invalid job: the body must be a JSON object, not " + kind(doc)
	}
	var p problems
	sub := submission{ending: completed}
	// The required keys first, then every key in a fixed order, so the
	// message is the same from run to run.
	for _, k := range []string{keyDefinition, keyQueue} {
		if _, ok := m[k]; !ok {
			p.add([]string{k}, "required")
		}
	}
	for _, k := range sortedKeys(m) {
		v, path := m[k], []string{k}
		switch k {
		case keyDefinition:
			if s, ok := str(&p, path, v); ok && !isDefinition(s) {
				p.add(path, "must be project_code::definition_name:version, the version a number")
			}
		case keyQueue:
			if s, ok := str(&p, path, v); ok {
				if !isQueue(s) {
					p.add(path, "must be project_code::queue_name, the queue name letters, digits and hyphens")
				}
				sub.queue = s
			}
		case keyName:
			if s, ok := str(&p, path, v); ok {
				if s == "" {
					p.add(path, "must not be empty")
				}
				sub.name = s
			}
		case keyCmd:
			checkCmd(&p, path, v)
		case keyParameter:
			checkParameters(&p, path, v)
		case keyEnv:
			sub.ending = checkEnv(&p, path, v)
		case keySchedule:
			at, err := scheduleOf(v)
			if err != nil {
				p.add(path, err.Error())
			}
			sub.scheduleAt = at
		default:
			p.add(path, "unknown key")
		}
	}
	if msg := p.message(); msg != "" {
		return submission{}, msg
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return submission{}, "invalid JSON body: " + err.Error() // decode accepted it; kept for safety
	}
	sub.body = compact.Bytes()
	return sub, ""
}

// str checks that v is a string.
func str(p *problems, path []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.add(path, "must be a string, not "+kind(v))
	}
	return s, ok
}

// checkCmd checks container_cmd: an array of strings.
func checkCmd(p *problems, path []string, v any) {
	items, ok := v.([]any)
	if !ok {
		p.add(path, "must be an array of strings, not "+kind(v))
		return
	}
	for i, item := range items {
		str(p, append(slices.Clip(path), strconv.Itoa(i)), item)
	}
}

// checkParameters checks container_cmd_parameter: an object of strings.
func checkParameters(p *problems, path []string, v any) {
	params, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be an object of strings, not "+kind(v))
		return
	}
	for _, k := range sortedKeys(params) {
		at := append(slices.Clip(path), k)
		if k == "" {
			p.add(path, "a parameter name must not be empty")
			continue
		}
		str(p, at, params[k])
	}
}

// checkEnv checks container_env: an object whose values are objects with a
// string "value" and an optional boolean "sensitive", as in the API's
// example, and returns the state the job will end in (EMULATOR_RESULT).
func checkEnv(p *problems, path []string, v any) state {
	env, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be an object, not "+kind(v))
		return completed
	}
	ending := completed
	for _, k := range sortedKeys(env) {
		at := append(slices.Clip(path), k)
		if k == "" || strings.ContainsAny(k, "=\x00") {
			p.add(at, "not a variable name: it must not be empty or hold '=' or NUL")
		}
		entry, ok := env[k].(map[string]any)
		if !ok {
			p.add(at, `must be an object {"value": "…", "sensitive": true|false}, not `+kind(env[k]))
			continue
		}
		if _, ok := entry["value"]; !ok {
			p.add(at, `"value" is required`)
		}
		for _, ek := range sortedKeys(entry) {
			switch ek {
			case "value":
				s, ok := str(p, append(slices.Clip(at), ek), entry[ek])
				if ok && k == resultVar {
					if st, err := endingOf(s); err != nil {
						p.add(at, err.Error())
					} else {
						ending = st
					}
				}
			case "sensitive":
				if _, ok := entry[ek].(bool); !ok {
					p.add(append(slices.Clip(at), ek), "must be a boolean, not "+kind(entry[ek]))
				}
			default:
				p.add(append(slices.Clip(at), ek), `unknown key: an entry holds "value" and "sensitive"`)
			}
		}
	}
	return ending
}

// isDefinition reports whether s reads project_code::definition_name:version
// with a numeric version.
func isDefinition(s string) bool {
	project, rest, ok := strings.Cut(s, "::")
	if !ok || !isCode(project) {
		return false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || !digits(rest[i+1:]) {
		return false
	}
	return isCode(rest[:i])
}

// isQueue reports whether s reads project_code::queue_name, the queue name
// made of letters, digits and hyphens as the concept pages say.
func isQueue(s string) bool {
	project, queue, ok := strings.Cut(s, "::")
	if !ok || !isCode(project) || queue == "" {
		return false
	}
	for _, r := range queue {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// isCode reports whether s can be a project code or a definition name: not
// empty, and holding no ':' (which separates them) or white space. The pages
// do not say more.
func isCode(s string) bool {
	return s != "" && !strings.ContainsAny(s, ": \t\r\n")
}

// maxUnix is 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
const maxUnix = 253402300799

// scheduleOf reads schedule_at as the API documents it: an RFC 3339 string,
// or a number of unix seconds. The CLI's other forms (+1h, a zone, a digit
// string) are resolved before sending, so the emulator refuses them.
func scheduleOf(v any) (*time.Time, error) {
	var t time.Time
	switch v := v.(type) {
	case json.Number:
		if !digits(string(v)) {
			return nil, errors.New("unix seconds must be a whole number, not negative")
		}
		secs, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || secs > maxUnix {
			return nil, errors.New("unix seconds out of range")
		}
		t = time.Unix(secs, 0)
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return nil, errors.New("must be an RFC 3339 time or a number of unix seconds")
		}
	default:
		return nil, errors.New("must be an RFC 3339 time or a number of unix seconds, not " + kind(v))
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, nil
}

// resultVar is the container_env variable through which a test asks for a job
// to end in a state other than completed. A variable, because it travels in a
// body the real API accepts unchanged.
const resultVar = "EMULATOR_RESULT"

// endingOf reads EMULATOR_RESULT's value: the terminal state a job will reach.
func endingOf(value string) (state, error) {
	switch st := state(value); st {
	case "", completed:
		return completed, nil
	case failed, errored, timedOut:
		return st, nil
	}
	// A typo must not silently end a test's job completed.
	return "", errors.New("the emulator ends a job completed, failed, error or timeout")
}

// decode reads one JSON value, numbers kept as written, and refuses anything
// after it.
func decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty body")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return doc, nil
}

// kind names a decoded JSON value's type for a message.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
