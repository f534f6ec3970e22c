package manifest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/internal/ascii"
	"gopkg.in/yaml.v3"
)

// Document is one non-empty YAML document of a manifest file, decoded. Its
// node tree stays reachable through the Document only as long as the caller
// holds it: Stream hands each to a check and drops it afterwards.
type Document struct {
	File  string // the path as the user gave it, or StdinName
	Index int    // position of the document in its file, from 0, empty ones included
	// Line and Col are where the document's content starts.
	Line, Col int
	// Value is the document as plain values (map[string]any, []any, string,
	// json.Number, bool, nil), aliases and merge keys followed, ready for the
	// schema; nil when the document is not a mapping or could not be
	// decoded. It is the caller's to change.
	Value map[string]any
	// Problems are what decoding found: a document that is not a mapping,
	// duplicate keys, keys that are not strings, too deep nesting, an alias
	// bomb, a merge tag with nothing to act on. Their Doc is 0: the caller
	// numbers documents.
	Problems []diag.Diagnostic
	// Defaults are the defaults files applied under the document, farthest
	// first (see Chain); Value is the merged document.
	Defaults []*DefaultsFile

	root       *yaml.Node
	origins    map[*yaml.Node]*DefaultsFile // of the nodes that came from defaults
	keys       keyIndex
	text       []byte // of the chunk the tree was parsed from
	lineOffset int    // lines of the file before that chunk
	lines      lines  // of text, indexed when a problem is first located
}

// asWritten is the chain given to decode a defaults file itself: no merge,
// its merge tags kept for its chain to act on. It is never changed.
var asWritten = &Chain{}

// newDocument decodes the tree of one document, parsed from text, with the
// chain of defaults applied under it (nil: none); lineOffset is added to the
// tree's line numbers, which count from the start of text.
func newDocument(file string, index int, tree *yaml.Node, text []byte, lineOffset int, chain *Chain) *Document {
	root := deref(tree)
	d := &Document{File: file, Index: index, root: root, text: text, lineOffset: lineOffset}
	if root != nil {
		d.Line, d.Col = root.Line+lineOffset, root.Column
	}
	if root == nil || root.Kind != yaml.MappingNode {
		what := "nothing"
		if root != nil {
			what = "a " + kindName(root)
		}
		msg := fmt.Sprintf("a job manifest must be a mapping of API keys (job_definition, job_queue, ...), not %s", what)
		if chain == asWritten {
			msg = fmt.Sprintf("a defaults file must be one mapping of body keys (job_definition, job_queue, container_env, ...), not %s", what)
		}
		d.Problems = append(d.Problems, diag.Diagnostic{File: file, Line: d.Line, Col: d.Col, EndCol: d.TokenEnd(d.Line, d.Col), Severity: diag.Error, Source: d.LineText(d.Line), Message: msg})
		return d
	}
	switch {
	case chain == asWritten: // a defaults file, merged by its chain
	case !chain.empty() && chain.invalid != nil:
		d.Defaults = chain.Files
		d.Problems = append(d.Problems, diag.Diagnostic{File: file, Line: d.Line, Col: d.Col, EndCol: d.TokenEnd(d.Line, d.Col), Severity: diag.Error, Source: d.LineText(d.Line),
			Message: fmt.Sprintf("not checked: the defaults file %s that applies to it has errors", chain.invalid.Name)})
		return d
	case !chain.empty():
		d.Defaults = chain.Files
		d.origins = chain.origins
		d.root = mergeDocument(chain, root, d.mergeWarning)
	case hasMergeTags(root):
		d.root = mergeDocument(nil, root, d.mergeWarning)
	}
	c := &converter{doc: d}
	if chain == asWritten {
		c.tagsUpTo = 2
	}
	// One path buffer for the walk: a path is only read before its next
	// sibling overwrites it.
	v, _ := c.value(d.root, make([]string, 0, 8), 0).(map[string]any)
	d.Problems = append(d.Problems, c.diags...)
	if c.tooBig {
		return d
	}
	if v == nil {
		v = map[string]any{}
	}
	d.Value = v
	return d
}

// Place is where a value is written: in the document's file, or in a
// defaults file applied to it.
type Place struct {
	File      string
	Line, Col int
	EndCol    int    // just past the token at Line and Col, 0 when unknown
	Source    string // the line's text, trimmed
	// Defaults is set when the place is in a defaults file rather than in
	// the document's own file.
	Defaults bool
}

// Where returns where the value at path is written (with key, where its key
// is written), as Position does, in whichever file wrote it.
func (d *Document) Where(path []string, key bool) Place {
	if d.root == nil {
		return Place{File: d.File, Line: d.Line, Col: d.Col, EndCol: d.TokenEnd(d.Line, d.Col), Source: d.LineText(d.Line)}
	}
	k, v, from := locateFrom(&d.keys, d.root, path, d.origins)
	n := v
	if key && k != nil {
		n = k
	}
	if n == nil {
		n, from = d.root, nil
	}
	if from != nil {
		return Place{File: from.Name, Line: n.Line + from.offset, Col: n.Column, EndCol: tokenEnd(from.text, n.Line, n.Column), Source: lineText(from.text, n.Line), Defaults: true}
	}
	line := n.Line + d.lineOffset
	return Place{File: d.File, Line: line, Col: n.Column, EndCol: d.TokenEnd(line, n.Column), Source: d.LineText(line)}
}

// DefaultsNames returns the names of the defaults files applied, farthest
// first.
func (d *Document) DefaultsNames() []string {
	if len(d.Defaults) == 0 {
		return nil
	}
	out := make([]string, len(d.Defaults))
	for i, f := range d.Defaults {
		out[i] = f.Name
	}
	return out
}

// Position returns where the value at path is written (with key, where its
// key is written, if it has one), following aliases and merge keys the way
// decoding did; a path that does not lead anywhere gives the place of the
// deepest node it reaches.
func (d *Document) Position(path []string, key bool) (line, col int) {
	if d.root == nil {
		return d.Line, d.Col
	}
	k, v := locate(&d.keys, d.root, path)
	n := v
	if key && k != nil {
		n = k
	}
	if n == nil {
		n = d.root
	}
	return n.Line + d.lineOffset, n.Column
}

// LineText returns the text of line n of the file, white space trimmed, if
// it is one of the document's lines, else "".
func (d *Document) LineText(n int) string {
	line, _ := d.lines.line(d.text, n-d.lineOffset)
	return sourceText(line)
}

// FieldPath renders path as people write it, with list indexes in
// brackets: container_cmd[2], container_env["my.var"].value.
func (d *Document) FieldPath(path []string) string {
	return renderPath(&d.keys, d.root, path)
}

// converter turns a document's node tree into plain values (map[string]any,
// []any, string, json.Number, bool, nil) for the schema validator, following
// aliases and merge keys, and reports what the YAML parser lets through:
// duplicate keys, non-string keys, too deep nesting, alias bombs.
type converter struct {
	doc   *Document
	nodes int
	diags []diag.Diagnostic
	// tooBig is set once the node limit is hit, so one bomb gives one message.
	tooBig bool
	// tagsUpTo is how deep a merge tag (!reset, !override) may stand: 2 in
	// a defaults file read as written (a top-level key, an entry of a
	// mapping), for its chain to act on; 0 in a merged document, where the
	// merge has acted on every tag it can.
	tagsUpTo int
}

func (c *converter) errorAt(n *yaml.Node, path []string, format string, args ...any) {
	c.diags = append(c.diags, diag.Diagnostic{
		File: c.doc.File, Line: n.Line + c.doc.lineOffset, Col: n.Column, EndCol: tokenEnd(c.doc.text, n.Line, n.Column), Path: c.doc.FieldPath(path),
		Message: fmt.Sprintf(format, args...), Severity: diag.Error, Source: lineText(c.doc.text, n.Line),
	})
}

// textual reports whether the scalar at path is sent as the text written,
// whatever YAML would type it as: parameter values and environment values.
func textual(path []string) bool {
	switch {
	case len(path) == 2 && (path[0] == "container_cmd_parameter" || path[0] == "container_env"):
		return true
	case len(path) == 3 && path[0] == "container_env" && path[2] == "value":
		return true
	}
	return false
}

// spend counts n values against MaxNodes and reports whether the walk may go
// on; the first time the budget runs out it reports the document.
func (c *converter) spend(n int) bool {
	if c.tooBig {
		return false
	}
	c.nodes += n
	if c.nodes > MaxNodes {
		c.tooBig = true
		// Reported at the document, not at whichever deep alias crossed the line.
		c.errorAt(c.doc.root, nil, "the document expands to more than %d values once aliases are followed (an alias bomb?)", MaxNodes)
		return false
	}
	return true
}

func (c *converter) value(n *yaml.Node, path []string, depth int) any {
	if !c.spend(1) {
		return nil
	}
	if depth > MaxDepth {
		c.tooBig = true
		c.errorAt(n, path, "nested more than %d levels deep", MaxDepth)
		return nil
	}
	if (n.Tag == tagReset || n.Tag == tagOverride) && len(path) > c.tagsUpTo {
		// Left as it is, "!reset null" would be sent as the text "null".
		c.errorAt(n, path, "%s acts only on a top-level key or on an entry of container_env or container_cmd_parameter, written in the mapping itself", n.Tag)
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], path, depth)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil
		}
		return c.value(n.Alias, path, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			out = append(out, c.value(item, append(path, strconv.Itoa(i)), depth+1))
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		c.mapping(n, path, depth, out, false)
		return out
	case yaml.ScalarNode:
		return scalar(n, textual(path))
	}
	return nil
}

// mapping fills out from a mapping node. Keys written in the mapping win over
// keys merged in with "<<", as in YAML's merge key convention; a key written
// twice is an error. A key already in out has been seen: written earlier in
// this mapping, or (when merged) written in the mapping merged into.
func (c *converter) mapping(n *yaml.Node, path []string, depth int, out map[string]any, merged bool) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			merges = append(merges, v)
			continue
		}
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			c.errorAt(k, path, "keys must be plain strings, not a %s", kindName(k))
			continue
		}
		key := k.Value
		if len(path) == 0 && strings.HasPrefix(key, "x-") {
			continue // extension fields, as compose's: a place for anchors, never sent
		}
		if _, dup := out[key]; dup {
			if !merged {
				first := firstKey(n, key)
				c.errorAt(k, append(path, key), "duplicate key %q (first at line %d, column %d)", diag.Clip(key), first.Line+c.doc.lineOffset, first.Column)
			}
			continue
		}
		out[key] = c.value(v, append(path, key), depth+1)
	}
	for _, m := range merges {
		c.merge(m, path, depth, out)
	}
}

// isMergeKey reports whether k is YAML's merge key "<<". Only "<<" itself or
// an explicitly tagged key can be one, so other keys skip the tag resolution.
func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && (k.Value == "<<" || k.Tag != "") && k.ShortTag() == "!!merge"
}

// firstKey returns the first key node of mapping n spelled key (the one a
// duplicate repeats).
func firstKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind == yaml.ScalarNode && k.Value == key && !isMergeKey(k) {
			return k
		}
	}
	return n
}

func (c *converter) merge(m *yaml.Node, path []string, depth int, out map[string]any) {
	// Every merge and every key it walks is counted, even a key already set
	// that is skipped: mappings merged into each other through aliases are
	// an alias bomb that builds nothing, only takes time.
	if !c.spend(1 + len(m.Content)/2) {
		return
	}
	if depth > MaxDepth {
		c.tooBig = true
		c.errorAt(m, path, "nested more than %d levels deep", MaxDepth)
		return
	}
	switch {
	case m.Kind == yaml.AliasNode && m.Alias != nil:
		c.merge(m.Alias, path, depth+1, out)
	case m.Kind == yaml.MappingNode:
		// Merged keys never override: mark them seen only after the explicit ones.
		c.mapping(m, path, depth+1, out, true)
	case m.Kind == yaml.SequenceNode:
		for _, item := range m.Content {
			c.merge(item, path, depth+1, out)
		}
	default:
		c.errorAt(m, path, "a merge key (<<) takes a mapping or a list of mappings")
	}
}

// scalar converts a scalar node. Numbers become json.Number so the schema can
// tell integers from other numbers without losing digits.
func scalar(n *yaml.Node, text bool) any {
	tag := n.ShortTag()
	if text && tag != "!!null" {
		return n.Value
	}
	switch tag {
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value { // YAML 1.2's spellings, as yaml.v3 resolves them
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
		var b bool // an explicit !!bool tag on another spelling
		if err := n.Decode(&b); err == nil {
			return b
		}
		return n.Value
	case "!!int":
		if isDecimal(n.Value) {
			return json.Number(strings.TrimPrefix(n.Value, "+"))
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		return json.Number("0.5") // an integer too large for 64 bits: typed as a number, never sent
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			// .inf and .nan have no JSON form; only their type matters to the
			// schema, which rejects numbers wherever they are not sent as text.
			return json.Number("0.5")
		}
		if v := strings.TrimPrefix(strings.ReplaceAll(n.Value, "_", ""), "+"); json.Valid([]byte(v)) {
			// As written, when JSON can hold it: 1795917600.0 stays a
			// whole number (an integer to JSON Schema) and messages quote
			// what the manifest says, not 1.7959176e+09.
			return json.Number(v)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	// !!str, !!timestamp (an unquoted date stays the text written), !!binary
	// and custom tags are all text.
	return n.Value
}

// isDecimal reports a plain decimal integer that fits in 64 bits, which is
// passed on as written.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	return len(s) <= 18 && ascii.IsDigits(s)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}
