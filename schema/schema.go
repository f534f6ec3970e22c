// Package schema holds the JSON Schema of a job manifest, derived from the Daestro
// Job Submit API, and validates decoded documents against it.
//
// The schema file is the single source of truth: the CLI prints it (`daestro-jobs schema`)
// for editors, the validator compiles it, and the error messages people see come
// from its "errorMessage" annotations rather than from a second list in Go.
package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed jobs.schema.json
var source string

// ID is the schema's $id, the absolute URI it is compiled under. A relative name
// would be resolved against the working directory as a URL, and a directory
// whose name holds '%' or '#' (~/src/C#/) would break compilation.
const ID = "https://raw.githubusercontent.com/daestro-jobs/daestro-jobs/main/schema/jobs.schema.json"

// The printed schema is read by editors, which see a manifest as written;
// the tool validates documents with references resolved and merge keys
// followed. resolve makes the schema the tool compiles: the printed one
// without what only the written form holds.
const (
	// referenceAlternative ends the patterns of job_definition and
	// job_queue: any text holding a reference ("${", or "$" and a name's
	// first character). Resolved, a '$' is no reference any more.
	referenceAlternative = `|[\s\S]*\$(?:\{|[A-Za-z_])[\s\S]*`
	// mergeAlternative ends the patterns of container_env's and
	// container_cmd_parameter's names: "<<", a YAML merge key, which the
	// tool has followed (a quoted "<<" is a name like any other).
	mergeAlternative = "|<<"
	mergeKey         = "<<"
)

// resolve turns the printed schema, as values, into the one the tool
// compiles, and checks that it found what it takes out.
func resolve(raw map[string]any) error {
	refs, merges := 0, 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if p, ok := v["pattern"].(string); ok {
				if q := strings.Replace(p, referenceAlternative, "", 1); q != p {
					refs++
					v["pattern"] = q
				} else if q := strings.Replace(p, mergeAlternative, "", 1); q != p {
					merges++
					v["pattern"] = q
				}
			}
			if props, ok := v["properties"].(map[string]any); ok {
				if _, ok := props[mergeKey]; ok {
					delete(props, mergeKey)
					merges++
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)
	if refs != 2 || merges != 4 {
		return fmt.Errorf("schema: found %d reference and %d merge-key alternatives, want 2 and 4", refs, merges)
	}
	return nil
}

// JSON returns the embedded schema document, as printed by `daestro-jobs schema`.
func JSON() string { return source }

// Validator validates decoded manifest documents. It is immutable once built and
// safe for concurrent use, so one Validator serves every document of a run.
type Validator struct {
	compiled *jsonschema.Schema
	fast     *fastSchema    // nil when the schema uses a keyword it lacks
	raw      map[string]any // the schema as JSON values, to read annotations by keyword location
}

// New compiles the embedded schema. Compile once per process and share the result:
// compilation costs far more than validating one document.
func New() (*Validator, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(source), &raw); err != nil {
		return nil, fmt.Errorf("schema: decoding the embedded schema: %w", err)
	}
	if err := resolve(raw); err != nil {
		return nil, err
	}
	checked, err := merged(raw)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(ID, strings.NewReader(checked)); err != nil {
		return nil, fmt.Errorf("schema: loading the embedded schema: %w", err)
	}
	compiled, err := c.Compile(ID)
	if err != nil {
		return nil, fmt.Errorf("schema: compiling the embedded schema: %w", err)
	}
	return &Validator{compiled: compiled, fast: compileFast(compiled), raw: raw}, nil
}

// merged turns the printed schema, which describes one file as written,
// into the schema of a merged document, which the validator checks: the keys
// of x-required-merged required, and no x- keys (the manifest stage drops
// them, so the fast path needs no patternProperties). raw is changed to
// match, so annotations are read where the validator points.
func merged(raw map[string]any) (string, error) {
	req, ok := raw["x-required-merged"]
	if !ok {
		return "", fmt.Errorf("schema: the embedded schema lacks x-required-merged")
	}
	raw["required"] = req
	delete(raw, "patternProperties")
	b, err := json.Marshal(raw)
	if err != nil {
		return "", fmt.Errorf("schema: encoding the merged-document schema: %w", err)
	}
	return string(b), nil
}

// Violation is one way a document breaks the schema.
type Violation struct {
	// Path is the instance location as a list of object keys and array indexes
	// (decimal strings), e.g. ["container_env", "DB_PASSWORD", "value"].
	Path []string
	// Key is set when the violation is about a key rather than a value: a missing
	// required key (Path is then the object that lacks it), an unknown key or an
	// invalid key name (Path ends with the key itself).
	Key string
	// Keyword is the JSON Schema keyword that failed ("type", "pattern",
	// "required", "additionalProperties", ...).
	Keyword string
	// Message says what is wrong, for people.
	Message string
	// Allowed lists the keys the object may hold, for unknown keys, so a caller
	// can suggest the nearest one.
	Allowed []string
}

// Validate checks one decoded document: maps are map[string]any, arrays []any,
// numbers json.Number or Go integers, as encoding/json with UseNumber produces.
// It returns every violation, not just the first; nil means valid.
func (v *Validator) Validate(doc any) []Violation {
	if v.fast != nil && v.fast.valid(doc) {
		return nil
	}
	err := v.compiled.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		// Only a broken instance (a Go type JSON has no name for) gets here.
		return []Violation{{Keyword: "type", Message: err.Error()}}
	}
	var out []Violation
	v.collect(ve, doc, &out)
	return out
}

// collect walks the error tree and turns each leaf into violations.
func (v *Validator) collect(ve *jsonschema.ValidationError, doc any, out *[]Violation) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			v.collect(c, doc, out)
		}
		return
	}
	path := splitPointer(ve.InstanceLocation)
	kwPath := splitPointer(ve.KeywordLocation)
	if len(kwPath) == 0 {
		*out = append(*out, Violation{Path: path, Message: ve.Message})
		return
	}
	keyword := kwPath[len(kwPath)-1]
	parent := lookup(v.raw, kwPath[:len(kwPath)-1])
	custom, _ := parent["errorMessage"].(string)
	switch keyword {
	case "required":
		present, _ := at(doc, path).(map[string]any)
		required, _ := parent["required"].([]any)
		for _, r := range required {
			key, _ := r.(string)
			if _, ok := present[key]; !ok {
				*out = append(*out, Violation{Path: path, Key: key, Keyword: keyword,
					Message: fmt.Sprintf("missing required key %q", key)})
			}
		}
	case "additionalProperties":
		obj, _ := at(doc, path).(map[string]any)
		props, _ := parent["properties"].(map[string]any)
		allowed := make([]string, 0, len(props))
		for k := range props {
			allowed = append(allowed, k)
		}
		sort.Strings(allowed)
		var unknown []string
		for k := range obj {
			if _, ok := props[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			*out = append(*out, Violation{Path: append(clone(path), k), Key: k, Keyword: keyword,
				Message: fmt.Sprintf("unknown key %q", k), Allowed: allowed})
		}
	case "pattern":
		msg := ve.Message
		if custom != "" {
			msg = custom
		}
		if len(kwPath) >= 2 && kwPath[len(kwPath)-2] == "propertyNames" && len(path) > 0 {
			key := path[len(path)-1]
			*out = append(*out, Violation{Path: path, Key: key, Keyword: "propertyNames",
				Message: fmt.Sprintf("invalid name %q: %s", key, msg)})
			return
		}
		*out = append(*out, Violation{Path: path, Keyword: keyword, Message: msg})
	case "type":
		want := typeNames(parent["type"])
		got := jsonType(at(doc, path))
		msg := fmt.Sprintf("must be %s, not %s", want, got)
		if (got == "a number" || got == "an integer" || got == "a boolean") && want == "a string" {
			msg += " (quote the value to send it as text)"
		}
		*out = append(*out, Violation{Path: path, Keyword: keyword, Message: msg})
	case "minLength":
		msg := "must not be empty"
		if custom != "" {
			msg = custom
		}
		*out = append(*out, Violation{Path: path, Keyword: keyword, Message: msg})
	default:
		msg := ve.Message
		if custom != "" {
			msg = custom
		}
		*out = append(*out, Violation{Path: path, Keyword: keyword, Message: msg})
	}
}

// splitPointer turns a JSON pointer as the validator writes it ("/a/b%20c/0")
// into its tokens. The validator percent-escapes tokens and JSON pointer escapes
// '~' and '/'.
func splitPointer(p string) []string {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[i+1:]
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		s = strings.ReplaceAll(s, "~1", "/")
		parts[i] = strings.ReplaceAll(s, "~0", "~")
	}
	return parts
}

// lookup returns the schema object at a keyword path, or nil.
func lookup(schema map[string]any, path []string) map[string]any {
	cur := schema
	for _, tok := range path {
		next, ok := cur[tok].(map[string]any)
		if !ok {
			return nil
		}
		cur = next
	}
	return cur
}

// at returns the instance value at a path, or nil.
func at(doc any, path []string) any {
	cur := doc
	for _, tok := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			var i int
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func clone(s []string) []string { return append([]string(nil), s...) }

// typeNames renders a schema "type" value ("string" or ["string","object"]).
func typeNames(t any) string {
	// YAML people say mapping and list where JSON Schema says object and array.
	article := func(s string) string {
		switch s {
		case "object":
			return "a mapping"
		case "array":
			return "a list"
		case "integer":
			return "an integer"
		}
		return "a " + s
	}
	switch t := t.(type) {
	case string:
		return article(t)
	case []any:
		names := make([]string, 0, len(t))
		for _, n := range t {
			s, _ := n.(string)
			names = append(names, article(s))
		}
		if len(names) > 2 {
			return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
		}
		return strings.Join(names, " or ")
	}
	return "another type"
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return "a number"
		}
		return "an integer"
	case float32, float64:
		return "a number"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "an integer"
	}
	return fmt.Sprintf("%T", v)
}
