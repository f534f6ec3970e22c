package schema

// Design note: the second schema evaluator (fastSchema).
//
// What it guarantees. It answers only "valid", and only when jsonschema/v5
// would too: for a document it cannot prove valid, or whose values it does
// not handle, Validate asks jsonschema/v5, which stays the authority and
// writes every message. It is built from jsonschema/v5's own compiled
// schema, and only when the schema uses no keyword beyond the few it
// implements (compileFast returns nil otherwise, and every document goes to
// jsonschema/v5).
//
// The simple alternative: jsonschema/v5 alone. It is correct and complete,
// but most of its time goes to the bookkeeping of its general algorithm
// (instance locations, evaluated-property sets), allocated afresh for
// every document, valid or not: BenchmarkFastPath shows both on one valid
// job document.
//
// What keeps it honest: TestFastAgrees and FuzzFastAgrees hold the two
// evaluators to the same verdicts (the fast path never accepts what
// jsonschema/v5 rejects); TestFastRefusesUnknownKeywords keeps it from
// guessing at a keyword it lacks.

import (
	"strings"

	"encoding/json"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/daestro-jobs/daestro-jobs/internal/ascii"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// fastSchema is a second evaluator of the compiled schema, for the handful of
// keywords the job schema uses (type, required, properties,
// additionalProperties, propertyNames, items, pattern, minLength, minimum),
// read from jsonschema/v5's own compiled form: the same regular expressions,
// the same required lists, nothing parsed twice.
//
// It only ever answers "valid": a document it cannot prove valid, or whose
// values it does not handle (a number with a fraction or an exponent, a Go
// type JSON has no name for), goes to jsonschema/v5, which remains the
// authority and writes every message. jsonschema/v5 spends most of its time
// allocating the bookkeeping of its general algorithm (instance locations,
// evaluated-property sets); for a valid document this path allocates nothing.
// TestFastAgrees and FuzzFastAgrees hold the two evaluators to the same
// verdicts.
type fastSchema struct {
	types      typeSet
	required   []string
	properties map[string]*fastSchema
	// additional applies to keys not in properties: nil allows anything,
	// noAdditional refuses them.
	additional    *fastSchema
	noAdditional  bool
	propertyNames *fastSchema
	items         *fastSchema
	pattern       *regexp.Regexp
	minLength     int   // -1 when not set
	minimum       int64 // when hasMinimum
	hasMinimum    bool
}

// typeSet is a set of JSON types; 0 allows every type.
type typeSet uint8

const (
	typeNull typeSet = 1 << iota
	typeBoolean
	typeInteger
	typeNumber
	typeString
	typeArray
	typeObject
)

var typeBits = map[string]typeSet{
	"null": typeNull, "boolean": typeBoolean, "integer": typeInteger, "number": typeNumber | typeInteger,
	"string": typeString, "array": typeArray, "object": typeObject,
}

// compileFast builds the fast evaluator of s, or returns nil when s uses a
// keyword it does not implement: then every document goes to jsonschema/v5.
func compileFast(s *jsonschema.Schema) *fastSchema {
	return compileFastAt(s, map[*jsonschema.Schema]bool{})
}

func compileFastAt(s *jsonschema.Schema, onPath map[*jsonschema.Schema]bool) *fastSchema {
	if s == nil || onPath[s] || !fastSupports(s) {
		return nil
	}
	onPath[s] = true
	defer delete(onPath, s)
	f := &fastSchema{required: s.Required, pattern: s.Pattern, minLength: s.MinLength}
	for _, t := range s.Types {
		bit, ok := typeBits[t]
		if !ok {
			return nil
		}
		f.types |= bit
	}
	if s.Minimum != nil {
		if !s.Minimum.IsInt() || !s.Minimum.Num().IsInt64() {
			return nil
		}
		f.minimum, f.hasMinimum = s.Minimum.Num().Int64(), true
	}
	if len(s.Properties) > 0 {
		f.properties = make(map[string]*fastSchema, len(s.Properties))
		for k, p := range s.Properties {
			if f.properties[k] = compileFastAt(p, onPath); f.properties[k] == nil {
				return nil
			}
		}
	}
	switch a := s.AdditionalProperties.(type) {
	case nil:
	case bool:
		f.noAdditional = !a
	case *jsonschema.Schema:
		if f.additional = compileFastAt(a, onPath); f.additional == nil {
			return nil
		}
	default:
		return nil
	}
	if s.PropertyNames != nil {
		if f.propertyNames = compileFastAt(s.PropertyNames, onPath); f.propertyNames == nil {
			return nil
		}
	}
	if s.Items2020 != nil {
		if f.items = compileFastAt(s.Items2020, onPath); f.items == nil {
			return nil
		}
	}
	return f
}

// fastSupports reports whether s uses only the keywords fastSchema
// implements. Anything else set, from $ref to format, is a no.
func fastSupports(s *jsonschema.Schema) bool {
	return s.Always == nil && s.Ref == nil && s.RecursiveRef == nil && s.DynamicRef == nil &&
		s.Format == "" && len(s.Constant) == 0 && len(s.Enum) == 0 &&
		s.Not == nil && len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && s.If == nil &&
		s.MinProperties == -1 && s.MaxProperties == -1 && !s.RegexProperties && len(s.PatternProperties) == 0 &&
		len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 &&
		s.UnevaluatedProperties == nil &&
		s.MinItems == -1 && s.MaxItems == -1 && !s.UniqueItems && s.Items == nil && s.AdditionalItems == nil &&
		len(s.PrefixItems) == 0 && s.Contains == nil && s.UnevaluatedItems == nil &&
		s.MaxLength == -1 && s.ContentEncoding == "" && s.ContentMediaType == "" && s.ContentSchema == nil &&
		s.ExclusiveMinimum == nil && s.Maximum == nil && s.ExclusiveMaximum == nil && s.MultipleOf == nil &&
		len(s.Extensions) == 0
}

// valid reports whether v is proven valid. false means "ask jsonschema/v5":
// v may be invalid, or hold something this evaluator leaves to it.
func (f *fastSchema) valid(v any) bool {
	switch v := v.(type) {
	case nil:
		return f.allows(typeNull)
	case bool:
		return f.allows(typeBoolean)
	case string:
		return f.allows(typeString) && f.validString(v)
	case json.Number:
		n, ok := decimalInt(v)
		if !ok {
			return false // fractions and exponents: jsonschema/v5 decides
		}
		return f.allows(typeInteger) && (!f.hasMinimum || n >= f.minimum)
	case []any:
		if !f.allows(typeArray) {
			return false
		}
		if f.items != nil {
			for _, item := range v {
				if !f.items.valid(item) {
					return false
				}
			}
		}
		return true
	case map[string]any:
		if !f.allows(typeObject) {
			return false
		}
		for _, r := range f.required {
			if _, ok := v[r]; !ok {
				return false
			}
		}
		for k, item := range v {
			// valid(k) as a string, without boxing k into an interface.
			if pn := f.propertyNames; pn != nil && !(pn.allows(typeString) && pn.validString(k)) {
				return false
			}
			if p, ok := f.properties[k]; ok {
				if !p.valid(item) {
					return false
				}
				continue
			}
			if f.noAdditional || f.additional != nil && !f.additional.valid(item) {
				return false
			}
		}
		return true
	}
	return false
}

func (f *fastSchema) allows(t typeSet) bool { return f.types == 0 || f.types&t != 0 }

// validString applies the string keywords; jsonschema/v5 counts minLength in
// code points and matches pattern unanchored, as this does.
func (f *fastSchema) validString(s string) bool {
	if f.minLength > 0 && utf8.RuneCountInString(s) < f.minLength {
		return false
	}
	return f.pattern == nil || f.pattern.MatchString(s)
}

// decimalInt parses a json.Number written as a plain decimal integer that
// fits in 64 bits; anything else is not ok.
func decimalInt(n json.Number) (int64, bool) {
	s := string(n)
	if !ascii.IsDigits(strings.TrimPrefix(s, "-")) {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
