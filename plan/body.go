package plan

import (
	"crypto/sha256"

	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

// newBody builds the request body from a validated, expanded document.
func newBody(v map[string]any, scheduleAt string) api.Body {
	b := api.Body{ScheduleAt: scheduleAt}
	b.JobDefinition, _ = v["job_definition"].(string)
	b.JobQueue, _ = v["job_queue"].(string)
	b.Name, _ = v["name"].(string)
	if cmd, ok := v["container_cmd"].([]any); ok {
		b.ContainerCmd = make([]string, 0, len(cmd))
		for _, c := range cmd {
			s, _ := c.(string)
			b.ContainerCmd = append(b.ContainerCmd, s)
		}
	}
	if params, ok := v["container_cmd_parameter"].(map[string]any); ok && len(params) > 0 {
		b.ContainerCmdParameter = make(map[string]string, len(params))
		for k, p := range params {
			b.ContainerCmdParameter[k], _ = p.(string)
		}
	}
	if env, ok := v["container_env"].(map[string]any); ok && len(env) > 0 {
		b.ContainerEnv = make(map[string]api.EnvVar, len(env))
		for k, e := range env {
			switch e := e.(type) {
			case string:
				b.ContainerEnv[k] = api.EnvVar{Value: e}
			case map[string]any:
				val, _ := e["value"].(string)
				sens, _ := e["sensitive"].(bool)
				b.ContainerEnv[k] = api.EnvVar{Value: val, Sensitive: sens}
			}
		}
	}
	return b
}

// Masked returns the job's body for display: every sensitive value replaced
// by redact.Mask.
func (j *Job) Masked() api.Body {
	b := j.Body
	if len(b.ContainerEnv) == 0 {
		return b
	}
	env := make(map[string]api.EnvVar, len(b.ContainerEnv))
	for k, e := range b.ContainerEnv {
		if e.Sensitive {
			e.Value = redact.Mask
		}
		env[k] = e
	}
	b.ContainerEnv = env
	return b
}

// Limits of generated names: the slug keeps the file recognisable, the hash
// tells documents apart. 40 + 1 + 12 = 53 characters, under the 64 promised.
const (
	maxSlug    = 40
	hashLength = 12
)

// generatedName names a job that has none: a slug of the file's base name and
// a hash of the document after expansion, with sensitive values left out (so
// rotating a secret does not make a new job) and schedule_at as written (so
// "+1h" does not make a new job every run).
func generatedName(file string, v map[string]any, scheduleAsWritten string) string {
	b := newBody(v, scheduleAsWritten)
	for k, e := range b.ContainerEnv {
		if e.Sensitive {
			e.Value = ""
			b.ContainerEnv[k] = e
		}
	}
	canon, _ := json.Marshal(b) // map keys are sorted: the same document gives the same bytes
	sum := sha256.Sum256(canon)
	return slug(file) + "-" + hex.EncodeToString(sum[:])[:hashLength]
}

// slug reduces a file's base name to [a-z0-9-].
func slug(file string) string {
	base := filepath.Base(file)
	if file == manifest.StdinName {
		base = "stdin"
	}
	for _, ext := range []string{".yaml", ".yml", ".YAML", ".YML"} {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > maxSlug {
		s = strings.TrimRight(s[:maxSlug], "-")
	}
	if s == "" {
		s = "job"
	}
	return s
}

// digest identifies the request a valid document becomes, so that two
// documents with one identity can be told apart as a duplicate (the same
// request) or a conflict: SHA-256 over the body's fields, each
// length-prefixed, map keys sorted, the container_env shorthand read as the
// body reads it. It needs no JSON encoding, so daestro-jobs validate builds no body.
func digest(v map[string]any, name, scheduleAt string) [sha256.Size]byte {
	var buf [512]byte // a typical job fits: no allocation
	b := appendField(buf[:0], v["job_definition"])
	b = appendField(b, v["job_queue"])
	b = appendString(b, name)
	cmd, _ := v["container_cmd"].([]any)
	b = binary.AppendUvarint(b, uint64(len(cmd)))
	for _, c := range cmd {
		b = appendField(b, c)
	}
	params, _ := v["container_cmd_parameter"].(map[string]any)
	b = binary.AppendUvarint(b, uint64(len(params)))
	for _, k := range sortedKeys(params) {
		b = appendString(b, k)
		b = appendField(b, params[k])
	}
	env, _ := v["container_env"].(map[string]any)
	b = binary.AppendUvarint(b, uint64(len(env)))
	for _, k := range sortedKeys(env) {
		b = appendString(b, k)
		sensitive := false
		switch e := env[k].(type) {
		case string:
			b = appendString(b, e)
		case map[string]any:
			b = appendField(b, e["value"])
			sensitive, _ = e["sensitive"].(bool)
		default:
			b = appendString(b, "")
		}
		if sensitive {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = appendString(b, scheduleAt)
	return sha256.Sum256(b)
}

// appendString appends s, length first.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendField appends a string value, or "" for anything else (the body
// sends such a field as "").
func appendField(b []byte, v any) []byte {
	s, _ := v.(string)
	return appendString(b, s)
}

func sortedKeys(m map[string]any) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
