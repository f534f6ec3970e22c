package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"iter"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/api"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

// Body is a job's request body in its one typed form. Each document is
// decoded into it once, after its references are expanded; the checks read
// it, and everything else derives from it: the JSON sent (MarshalJSON, by
// way of the wire type api.Body), the digest that tells duplicates from
// conflicts, the generated name, the masked display (Masked, Map) and the
// field walk (Fields) that a diff compares.
//
// Mappings are held as slices sorted by key (the order the JSON and the
// digest use), so a walk over a body is ordered without sorting again.
//
// The list of the body's fields is written once, in fields(); decoding, the
// digest and Map are written against that list. A field added to api.Body
// and not here fails TestBodyFieldsHandledEverywhere.
type Body struct {
	JobDefinition string
	JobQueue      string
	Name          string
	// ContainerCmd is nil when the document has no container_cmd.
	ContainerCmd []string
	// ContainerCmdParameter is sorted by Key; keys are distinct.
	ContainerCmdParameter []Param
	// ContainerEnv is sorted by Name; names are distinct. The shorthand
	// NAME: text is {Name, Value: text}.
	ContainerEnv []EnvVar
	// ScheduleAt is the normal form sent, or "" (in a body being checked, the
	// text written, references expanded).
	ScheduleAt string
}

// Param is one container_cmd_parameter entry.
type Param struct{ Key, Value string }

// EnvVar is one container_env entry.
type EnvVar struct {
	Name, Value string
	Sensitive   bool
}

// field is one key of the body and where a Body holds its value: exactly
// one of the pointers is set, and says how the value is held.
type field struct {
	key    string // the API's JSON key, which is the manifest's key too
	str    *string
	list   *[]string
	params *[]Param
	env    *[]EnvVar
}

// fields lists the body's fields in the API's order, pointing into b. It is
// the one place that names them.
func (b *Body) fields() [7]field {
	return [...]field{
		{key: "job_definition", str: &b.JobDefinition},
		{key: "job_queue", str: &b.JobQueue},
		{key: "name", str: &b.Name},
		{key: "container_cmd", list: &b.ContainerCmd},
		{key: "container_cmd_parameter", params: &b.ContainerCmdParameter},
		{key: "container_env", env: &b.ContainerEnv},
		{key: "schedule_at", str: &b.ScheduleAt},
	}
}

// decodeBody reads a document (plain values, as manifest decodes them) into
// a Body. It accepts any document: a value of the wrong type reads as ""
// (a string field), is left out (a list item or entry becomes "", an
// environment entry that is neither text nor a mapping is dropped), so the
// checks may read a body whatever the schema said; only a valid document's
// body is sent. A number (schedule_at's unix seconds) reads as its digits.
func decodeBody(v map[string]any) Body {
	var b Body
	for _, f := range b.fields() {
		x, ok := v[f.key]
		if !ok {
			continue
		}
		switch {
		case f.str != nil:
			*f.str = text(x)
		case f.list != nil:
			items, ok := x.([]any)
			if !ok {
				continue
			}
			l := make([]string, len(items))
			for i, it := range items {
				l[i], _ = it.(string)
			}
			*f.list = l
		case f.params != nil:
			m, _ := x.(map[string]any)
			if len(m) == 0 {
				continue
			}
			ps := make([]Param, 0, len(m))
			for k, p := range m {
				s, _ := p.(string)
				ps = append(ps, Param{Key: k, Value: s})
			}
			slices.SortFunc(ps, func(a, b Param) int { return strings.Compare(a.Key, b.Key) })
			*f.params = ps
		case f.env != nil:
			m, _ := x.(map[string]any)
			if len(m) == 0 {
				continue
			}
			es := make([]EnvVar, 0, len(m))
			for k, e := range m {
				switch e := e.(type) {
				case string:
					es = append(es, EnvVar{Name: k, Value: e})
				case map[string]any:
					val, _ := e["value"].(string)
					sens, _ := e["sensitive"].(bool)
					es = append(es, EnvVar{Name: k, Value: val, Sensitive: sens})
				}
			}
			slices.SortFunc(es, func(a, b EnvVar) int { return strings.Compare(a.Name, b.Name) })
			*f.env = es
		}
	}
	return b
}

// text is a scalar as the body sends it: a string, or a number's digits.
func text(x any) string {
	switch x := x.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	}
	return ""
}

// Wire is the body as the API's wire type.
func (b *Body) Wire() api.Body {
	w := api.Body{JobDefinition: b.JobDefinition, JobQueue: b.JobQueue, Name: b.Name, ContainerCmd: b.ContainerCmd, ScheduleAt: b.ScheduleAt}
	if len(b.ContainerCmdParameter) > 0 {
		w.ContainerCmdParameter = make(map[string]string, len(b.ContainerCmdParameter))
		for _, p := range b.ContainerCmdParameter {
			w.ContainerCmdParameter[p.Key] = p.Value
		}
	}
	if len(b.ContainerEnv) > 0 {
		w.ContainerEnv = make(map[string]api.EnvVar, len(b.ContainerEnv))
		for _, e := range b.ContainerEnv {
			w.ContainerEnv[e.Name] = api.EnvVar{Value: e.Value, Sensitive: e.Sensitive}
		}
	}
	return w
}

// MarshalJSON encodes the body as it is sent (POST /v1/client/job).
func (b Body) MarshalJSON() ([]byte, error) { return json.Marshal(b.Wire()) }

// clone copies b deeply, so that changing the copy through fields() leaves
// b alone.
func (b Body) clone() Body {
	b.ContainerCmd = slices.Clone(b.ContainerCmd)
	b.ContainerCmdParameter = slices.Clone(b.ContainerCmdParameter)
	b.ContainerEnv = slices.Clone(b.ContainerEnv)
	return b
}

// Map returns a copy of b with f applied to every string it holds except
// the names of container_env (variable names): a display form, masked or
// escaped, that encodes to valid JSON whatever f does. Parameters are
// sorted again by their new keys.
func (b Body) Map(f func(string) string) Body {
	out := b.clone()
	for _, fl := range out.fields() {
		switch {
		case fl.str != nil:
			*fl.str = f(*fl.str)
		case fl.list != nil:
			for i := range *fl.list {
				(*fl.list)[i] = f((*fl.list)[i])
			}
		case fl.params != nil:
			for i := range *fl.params {
				p := &(*fl.params)[i]
				p.Key, p.Value = f(p.Key), f(p.Value)
			}
			slices.SortStableFunc(*fl.params, func(a, b Param) int { return strings.Compare(a.Key, b.Key) })
		case fl.env != nil:
			for i := range *fl.env {
				e := &(*fl.env)[i]
				e.Value = f(e.Value)
			}
		}
	}
	return out
}

// Masked returns b with every sensitive value replaced by redact.Mask.
func (b Body) Masked() Body { return b.withSensitive(redact.Mask) }

// withSensitive returns b with every sensitive value replaced by s.
func (b Body) withSensitive(s string) Body {
	if !slices.ContainsFunc(b.ContainerEnv, func(e EnvVar) bool { return e.Sensitive }) {
		return b
	}
	b.ContainerEnv = slices.Clone(b.ContainerEnv)
	for i := range b.ContainerEnv {
		if b.ContainerEnv[i].Sensitive {
			b.ContainerEnv[i].Value = s
		}
	}
	return b
}

// Field is one value of a body, as Fields visits it.
type Field struct {
	// Path is where the value is written in a manifest, as
	// manifest.Document.Position and FieldPath take it: ["job_queue"],
	// ["container_cmd", "2"], ["container_cmd_parameter", "day"],
	// ["container_env", "DB_PASSWORD", "value"] and, for a sensitive entry,
	// ["container_env", "DB_PASSWORD", "sensitive"] with the value "true".
	Path []string
	// Value is the value as sent.
	Value string
	// Sensitive marks the value of a sensitive container_env entry (and
	// its "sensitive" field): never show it.
	Sensitive bool
}

// Fields walks every value of the body in the order of the API's table
// (job_definition, job_queue, name, container_cmd, container_cmd_parameter,
// container_env, schedule_at), list items in order, mapping entries sorted
// by key: two bodies are equal exactly when their walks are. Strings that
// are empty are not visited (the body does not send them), nor is a false
// "sensitive". Each Path is the caller's to keep.
func (b *Body) Fields() iter.Seq[Field] {
	return func(yield func(Field) bool) {
		for _, f := range b.fields() {
			switch {
			case f.str != nil:
				if *f.str != "" && !yield(Field{Path: []string{f.key}, Value: *f.str}) {
					return
				}
			case f.list != nil:
				for i, s := range *f.list {
					if !yield(Field{Path: []string{f.key, strconv.Itoa(i)}, Value: s}) {
						return
					}
				}
			case f.params != nil:
				for _, p := range *f.params {
					if !yield(Field{Path: []string{f.key, p.Key}, Value: p.Value}) {
						return
					}
				}
			case f.env != nil:
				for _, e := range *f.env {
					if !yield(Field{Path: []string{f.key, e.Name, "value"}, Value: e.Value, Sensitive: e.Sensitive}) {
						return
					}
					if e.Sensitive && !yield(Field{Path: []string{f.key, e.Name, "sensitive"}, Value: "true", Sensitive: true}) {
						return
					}
				}
			}
		}
	}
}

// Masked returns the job's body for display: every sensitive value replaced
// by redact.Mask.
func (j *Job) Masked() Body { return j.Body.Masked() }

// Limits of generated names: the slug keeps the file recognisable, the hash
// tells documents apart. 40 + 1 + 12 = 53 characters, under the 64 promised.
const (
	maxSlug    = 40
	hashLength = 12
)

// generatedName names a job that has none: a slug of the file's base name and
// a hash of the body, sensitive values left out (so rotating a secret does
// not make a new job) and schedule_at as written, before expansion (so
// "+1h" does not make a new job every run). The hash is of the body's JSON
// as sent, map keys sorted: the same document gives the same bytes.
func generatedName(file string, b Body, scheduleAsWritten string) string {
	b = b.withSensitive("")
	b.Name, b.ScheduleAt = "", scheduleAsWritten
	canon, _ := json.Marshal(b.Wire())
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

// digest identifies the request a body is, so that two documents with one
// identity can be told apart as a duplicate (the same request) or a
// conflict: SHA-256 over the body's fields in order, each string
// length-prefixed, each list and mapping its length first. It needs no JSON
// encoding, so daestro-jobs validate encodes no body.
func digest(b *Body) [sha256.Size]byte {
	var buf [512]byte // a typical job fits: no allocation
	out := buf[:0]
	for _, f := range b.fields() {
		switch {
		case f.str != nil:
			out = appendString(out, *f.str)
		case f.list != nil:
			out = binary.AppendUvarint(out, uint64(len(*f.list)))
			for _, s := range *f.list {
				out = appendString(out, s)
			}
		case f.params != nil:
			out = binary.AppendUvarint(out, uint64(len(*f.params)))
			for _, p := range *f.params {
				out = appendString(appendString(out, p.Key), p.Value)
			}
		case f.env != nil:
			out = binary.AppendUvarint(out, uint64(len(*f.env)))
			for _, e := range *f.env {
				out = appendString(appendString(out, e.Name), e.Value)
				out = append(out, boolByte(e.Sensitive))
			}
		}
	}
	return sha256.Sum256(out)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// appendString appends s, length first.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
