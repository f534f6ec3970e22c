package plan

import (
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/suggest"
	"github.com/daestro-jobs/daestro-jobs/interp"
	"github.com/daestro-jobs/daestro-jobs/manifest"
	"github.com/daestro-jobs/daestro-jobs/schedule"
	"github.com/daestro-jobs/daestro-jobs/schema"
)

// placeholders yields the keys of the Param::<key> placeholders in a
// command item, as the regexp `Param::([A-Za-z0-9_-]+)` would find them,
// without one (a regexp here was a tenth of checking a document).
func placeholders(s string) iter.Seq[string] {
	const prefix = "Param::"
	return func(yield func(string) bool) {
		for {
			i := strings.Index(s, prefix)
			if i < 0 {
				return
			}
			s = s[i+len(prefix):]
			n := 0
			for n < len(s) && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= '0' && s[n] <= '9' || s[n] == '_' || s[n] == '-') {
				n++
			}
			if n > 0 {
				if !yield(s[:n]) {
					return
				}
				s = s[n:]
			}
		}
	}
}

// docCheck holds the state of checking one document.
type docCheck struct {
	doc   *manifest.Document
	opts  Options
	diags []diag.Diagnostic
	// unresolved holds the paths of strings with unset variables, whose
	// pattern checks would only repeat the report about the variable.
	unresolved map[string]bool
	secrets    []string
	written    map[string]string // Options.KeepWritten
	uses       []refUse          // the strings that held a reference (oracle.go)
	// named is set when the document names its job without a reference:
	// no name is generated then (an empty one the schema refuses), so uses
	// need not be recorded.
	named bool
	// value is the document as plain values, expanded in place.
	value map[string]any
}

// report records a problem where the value at path is written: in the
// document, or in the defaults file it came from, naming the manifest.
func (c *docCheck) report(sev diag.Severity, path []string, keyNode bool, format string, args ...any) {
	at := c.doc.Where(path, keyNode)
	msg := fmt.Sprintf(format, args...)
	if at.Defaults {
		msg += " (in the defaults applied to " + c.doc.File + ")"
	}
	c.diags = append(c.diags, diag.Diagnostic{
		File: at.File, Line: at.Line, Col: at.Col, EndCol: at.EndCol, Path: c.doc.FieldPath(path),
		Message: msg, Severity: sev, Source: at.Source,
	})
}

// check plans one document; the diagnostics' Doc is set when it joins.
func check(doc *manifest.Document, opts Options) checked {
	job := Job{File: doc.File, Line: doc.Line, Col: doc.Col, NameLine: doc.Line, NameCol: doc.Col, DocIndex: doc.Index, DuplicateOf: -1,
		Defaults: doc.DefaultsNames()}
	c := &docCheck{doc: doc, opts: opts, diags: doc.Problems}
	v := doc.Value
	if v == nil {
		job.Invalid = true
		return checked{job, c.diags, doc.Defaults}
	}

	// What only the document as written tells: read before expansion.
	rawSchedule, scheduleIsNumber := scheduleAsWritten(v)
	literal := literalSecrets(v)
	if name, ok := v["name"].(string); ok && !strings.Contains(name, "$") {
		c.named = true
	}
	c.value = v
	c.expand(v, make([]string, 0, 8))
	violations := opts.Validator.Validate(v)
	for _, viol := range violations {
		c.violation(viol)
	}
	// The one decode into the typed body: every check after this one, the
	// name, the digest and the body sent read it.
	body := decodeBody(v)
	c.sensitive(&body, literal)
	if len(violations) == 0 {
		c.params(&body) // warnings about a broken command or parameters would be noise
	}
	at := ""
	if !refuses(violations, "schedule_at") {
		// One message a value: a schedule_at the schema refused (.inf, a
		// fraction, a negative number) is not parsed as well.
		at = c.schedule(body.ScheduleAt, scheduleIsNumber)
	}

	job.Secrets = c.secrets
	job.Written = c.written
	for _, d := range c.diags {
		if d.Severity == diag.Error {
			job.Invalid = true
		}
	}
	if job.Invalid {
		return checked{job, c.diags, doc.Defaults}
	}
	job.Queue = body.JobQueue
	job.ScheduleAt = at
	job.Name = body.Name
	if job.Name == "" {
		job.Name = generatedName(doc.File, nameBody(body, asWritten(c.uses)), rawSchedule)
		job.NameGenerated = true
	} else {
		job.NameLine, job.NameCol = doc.Position([]string{"name"}, true)
	}
	body.Name, body.ScheduleAt = job.Name, at
	job.Digest = digest(&body)
	if opts.Keep == KeepBodies {
		job.Body = body
	}
	return checked{job, c.diags, doc.Defaults}
}

// scheduleAsWritten returns schedule_at before expansion and whether YAML
// typed it as a number.
func scheduleAsWritten(v map[string]any) (string, bool) {
	switch s := v["schedule_at"].(type) {
	case string:
		return s, false
	case json.Number:
		return string(s), true
	}
	return "", false
}

// literalSecrets lists, sorted, the sensitive entries whose value holds no
// reference, checked before expansion replaces the references.
func literalSecrets(v map[string]any) []string {
	env, _ := v["container_env"].(map[string]any)
	var out []string
	for k, e := range env {
		m, ok := e.(map[string]any)
		if !ok || !markedSensitive(m) {
			continue
		}
		if s, ok := m["value"].(string); ok && !interp.HasReference(s) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// expand replaces references in every string value except the items of
// container_cmd, in place, reporting every problem. path is a buffer its
// callers reuse: it is read, never kept.
func (c *docCheck) expand(v any, path []string) {
	switch t := v.(type) {
	case map[string]any:
		for k, item := range t {
			if s, ok := item.(string); ok {
				if c.opts.Env != nil && strings.Contains(s, "$") {
					t[k] = c.expandString(s, append(path, k))
				}
				continue
			}
			c.expand(item, append(path, k))
		}
	case []any:
		if len(path) == 1 && path[0] == "container_cmd" {
			return // left for the container's shell; see docs/contract.md, References
		}
		for i, item := range t {
			if s, ok := item.(string); ok {
				if c.opts.Env != nil && strings.Contains(s, "$") {
					t[i] = c.expandString(s, append(path, strconv.Itoa(i)))
				}
				continue
			}
			c.expand(item, append(path, strconv.Itoa(i)))
		}
	}
}

func (c *docCheck) expandString(s string, path []string) string {
	res, problems := interp.Expand(s, c.opts.Env)
	for _, name := range res.Refs {
		if slices.Contains(c.opts.Forbidden, name) {
			c.report(diag.Error, path, false, "%s holds the API key of daestro-jobs and cannot be referenced in a manifest; "+
				"give a job a key of its own through another variable, in a sensitive container_env entry", name)
		}
	}
	sensitive := c.isSensitiveValue(path)
	if len(res.Used) > 0 && !c.named {
		u := refUse{path: strings.Join(path, "\x00"), written: s, sensitive: sensitive}
		for _, v := range res.Used {
			u.used = append(u.used, v.Name)
		}
		c.uses = append(c.uses, u)
	}
	if c.opts.KeepWritten && (sensitive || len(problems) > 0) {
		if c.written == nil {
			c.written = map[string]string{}
		}
		c.written[strings.Join(path, ".")] = s
	}
	if sensitive {
		c.secrets = append(c.secrets, composedSecrets(res)...)
	}
	for _, pr := range problems {
		sev := diag.Error
		if pr.Kind != interp.Syntax {
			// A value that is not UTF-8 is wrong on every machine: an error
			// in validate too.
			if c.opts.UnsetIsWarning && pr.Kind != interp.Encoding {
				sev = diag.Warning
			}
			if c.unresolved == nil {
				c.unresolved = map[string]bool{}
			}
			c.unresolved[strings.Join(path, "\x00")] = true
		}
		msg := pr.Message
		if pr.Kind == interp.Unset {
			msg += "; export it or put it in an --env-file"
		}
		c.report(sev, path, false, "%s", msg)
		if pr.Kind == interp.Unset {
			c.diags[len(c.diags)-1].Unset = pr.Var
		}
	}
	return res.Value
}

// composedSecrets are the secrets of a sensitive value: the value of each
// variable that fed it (the secret itself, masked also when printed alone),
// and the composed text only when it holds one of them. A text that holds
// no secret ("Bearer " with $API_TOKEN unset) is never one: masking it would
// hide "Bearer" in every later line of a CI log.
func composedSecrets(res interp.Result) []string {
	var out []string
	holds := false
	for _, u := range res.Used {
		if u.Value == "" {
			continue
		}
		out = append(out, u.Value)
		holds = holds || strings.Contains(res.Value, u.Value)
	}
	if holds && !slices.Contains(out, res.Value) {
		out = append(out, res.Value)
	}
	return out
}

// isSensitiveValue reports whether path is the value of a sensitive
// container_env entry (markedSensitive). Expansion changes strings only, so
// reading it during expansion gives the answer the YAML gave before it.
func (c *docCheck) isSensitiveValue(path []string) bool {
	if len(path) != 3 || path[0] != "container_env" || path[2] != "value" {
		return false
	}
	env, _ := c.value["container_env"].(map[string]any)
	entry, _ := env[path[1]].(map[string]any)
	return markedSensitive(entry)
}

// markedSensitive reports whether a container_env entry is to be treated as
// sensitive: `sensitive: true`, and, on the side of masking, any other value
// but a false one (`"true"`, `"yes"`, `1`). Those are type errors, so the
// job is never sent, but the entry is sensitive everywhere all the same: its
// value, literal or from a reference, is a secret of the run, masked in
// every message and kept out of every fingerprint.
func markedSensitive(entry map[string]any) bool {
	switch s := entry["sensitive"].(type) {
	case nil:
		return false
	case bool:
		return s
	case string:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "", "false", "no", "off", "n", "0":
			return false
		}
		return true
	case json.Number:
		return s != "0"
	}
	return true // a mapping or a list: a type error, sensitive to be safe
}

func (c *docCheck) violation(v schema.Violation) {
	path := v.Path
	if c.unresolved[strings.Join(path, "\x00")] && (v.Keyword == "pattern" || v.Keyword == "minLength") {
		return
	}
	switch v.Keyword {
	case "required":
		c.report(diag.Error, append(clip(path), v.Key), false, "required key is missing")
	case "additionalProperties":
		msg := "unknown key"
		if s := nearestKey(v.Key, v.Allowed); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else if len(v.Allowed) > 0 {
			msg += "; expected one of " + strings.Join(v.Allowed, ", ")
		}
		c.report(diag.Error, path, true, "%s", msg)
	case "propertyNames":
		c.report(diag.Error, path, true, "%s", v.Message)
	default:
		c.report(diag.Error, path, false, "%s", v.Message)
	}
}

// clip caps a slice so appending to it copies.
func clip(p []string) []string { return p[:len(p):len(p)] }

// sensitive turns literal secrets into errors (or warnings when allowed).
func (c *docCheck) sensitive(b *Body, literal []string) {
	for _, k := range literal {
		sev, hint := diag.Error, " (or pass --allow-literal-secrets)"
		if c.opts.AllowLiteralSecrets {
			sev, hint = diag.Warning, ""
		}
		c.report(sev, []string{"container_env", k, "value"}, false,
			"sensitive value is written literally in the manifest; take it from the environment, e.g. value: ${%s}%s", envName(k), hint)
	}
	// Literal secrets are still secrets: never print them either.
	for _, k := range literal {
		if i, ok := slices.BinarySearchFunc(b.ContainerEnv, k, func(e EnvVar, k string) int { return strings.Compare(e.Name, k) }); ok {
			c.secrets = append(c.secrets, b.ContainerEnv[i].Value)
		}
	}
}

// envName suggests a variable name for a container_env key.
func envName(key string) string {
	if key == "" {
		return "SECRET"
	}
	return strings.ToUpper(key)
}

// params warns about placeholders with no parameter and parameters no
// placeholder uses. Only warnings: the job definition may hold defaults, and
// without container_cmd the definition's own command uses the parameters.
func (c *docCheck) params(b *Body) {
	if b.ContainerCmd == nil {
		return
	}
	params := b.ContainerCmdParameter
	var usedBuf [16]bool
	used := usedBuf[:0]
	if len(params) > len(usedBuf) {
		used = make([]bool, len(params))
	} else {
		used = usedBuf[:len(params)]
	}
	for i, s := range b.ContainerCmd {
		for key := range placeholders(s) {
			if j, ok := slices.BinarySearchFunc(params, key, func(p Param, k string) int { return strings.Compare(p.Key, k) }); ok {
				used[j] = true
				continue
			}
			c.report(diag.Warning, []string{"container_cmd", strconv.Itoa(i)}, false,
				"Param::%s has no value in container_cmd_parameter; the job definition must supply a default", key)
		}
	}
	for j, p := range params {
		if !used[j] {
			c.report(diag.Warning, []string{"container_cmd_parameter", p.Key}, true,
				"no Param::%s placeholder in container_cmd uses this parameter", p.Key)
		}
	}
}

// refuses reports whether the schema refused the top-level key.
func refuses(violations []schema.Violation, key string) bool {
	for _, v := range violations {
		if len(v.Path) == 1 && v.Path[0] == key {
			return true
		}
	}
	return false
}

// schedule resolves schedule_at, as written with references expanded, to
// the normal form sent.
func (c *docCheck) schedule(raw string, isNumber bool) string {
	if raw == "" || c.unresolved["schedule_at"] {
		return ""
	}
	if isNumber && strings.HasPrefix(raw, "-") {
		return "" // the schema already said it must not be negative
	}
	t, err := c.opts.zones.Parse(raw, isNumber, c.opts.Now)
	if err != nil {
		c.report(diag.Error, []string{"schedule_at"}, false, "%s", err.Error())
		return ""
	}
	if t.Before(c.opts.Now) {
		c.report(diag.Warning, []string{"schedule_at"}, false,
			"%s is in the past (now is %s); the job is still submitted and runs as soon as it can",
			schedule.Format(t), schedule.Format(c.opts.Now))
	}
	return schedule.Format(t)
}

// nearestKey returns the allowed key nearest to key, if it is close enough
// to be a typo. Unlike suggest.Closest, a key is never completed from a
// prefix: a key is a whole word.
func nearestKey(key string, allowed []string) string {
	best, bestDist := "", 1<<30
	lk := strings.ToLower(key)
	for _, a := range allowed {
		d := suggest.Distance(lk, a)
		if d < bestDist {
			best, bestDist = a, d
		}
	}
	limit := max(2, len(key)/3)
	if bestDist <= limit {
		return best
	}
	return ""
}
