package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/manifest"
	"gopkg.in/yaml.v3"
)

// converter turns a document's node tree into plain values (map[string]any,
// []any, string, json.Number, bool, nil) for the schema validator, following
// aliases and merge keys, and reports what the YAML parser lets through:
// duplicate keys, non-string keys, too deep nesting, alias bombs.
type converter struct {
	root  *yaml.Node
	file  string
	doc   int
	nodes int
	diags []manifest.Diagnostic
	// tooBig is set once the node limit is hit, so one bomb gives one message.
	tooBig bool
	keys   keyIndex // shared with the docCheck of the document; nil works
}

func (c *converter) errorAt(n *yaml.Node, path []string, format string, args ...any) {
	c.diags = append(c.diags, manifest.Diagnostic{
		File: c.file, Line: n.Line, Col: n.Column, Path: renderPath(c.keys, c.root, path),
		Message: fmt.Sprintf(format, args...), Severity: manifest.Error, Doc: c.doc,
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
	if c.nodes > manifest.MaxNodes {
		c.tooBig = true
		// Reported at the document, not at whichever deep alias crossed the line.
		c.errorAt(c.root, nil, "the document expands to more than %d values once aliases are followed (an alias bomb?)", manifest.MaxNodes)
		return false
	}
	return true
}

func (c *converter) value(n *yaml.Node, path []string, depth int) any {
	if !c.spend(1) {
		return nil
	}
	if depth > manifest.MaxDepth {
		c.tooBig = true
		c.errorAt(n, path, "nested more than %d levels deep", manifest.MaxDepth)
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
		if _, dup := out[key]; dup {
			if !merged {
				first := firstKey(n, key)
				c.errorAt(k, append(path, key), "duplicate key %q (first at line %d, column %d)", manifest.Clip(key), first.Line, first.Column)
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
	if depth > manifest.MaxDepth {
		c.tooBig = true
		c.errorAt(m, path, "nested more than %d levels deep", manifest.MaxDepth)
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
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	// !!str, !!timestamp (an unquoted date stays the text written), !!binary
	// and custom tags are all text.
	return n.Value
}

func isDecimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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

// locate finds the nodes at a path: the key node (nil for the root or list
// items) and the value node. It follows aliases and merge keys the way the
// converter did, so a problem is reported where the value is written.
func locate(ix keyIndex, root *yaml.Node, path []string) (key, val *yaml.Node) {
	val = root
	for _, tok := range path {
		val = deref(val)
		if val == nil {
			return key, nil
		}
		switch val.Kind {
		case yaml.MappingNode:
			k, v := ix.lookup(val, tok)
			if v == nil {
				return key, val
			}
			key, val = k, v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(val.Content) {
				return key, val
			}
			key, val = nil, val.Content[i]
		default:
			return key, val
		}
	}
	return key, val
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < manifest.MaxDepth; i++ {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	return n
}

// keyIndex finds keys in mapping nodes, merge keys followed, indexing each
// mapping once: a document with 40,000 unknown keys gets 40,000 diagnostics,
// and looking each one up by walking the mapping (and every mapping merged
// into it) took minutes.
type keyIndex map[*yaml.Node]map[string]keyVal

type keyVal struct{ k, v *yaml.Node }

// lookup returns the key and value nodes of key in mapping m: a key written
// in m wins, then the first merged mapping holding it, in merge order.
func (ix keyIndex) lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if ix == nil {
		ix = keyIndex{}
	}
	kv := ix.of(m, 0)[key]
	return kv.k, kv.v
}

func (ix keyIndex) of(m *yaml.Node, depth int) map[string]keyVal {
	if t, ok := ix[m]; ok {
		return t
	}
	t := make(map[string]keyVal, len(m.Content)/2)
	ix[m] = t // before the merges: a mapping merged into itself stops here
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		if isMergeKey(kn) {
			merges = append(merges, m.Content[i+1])
			continue
		}
		if d := deref(kn); d != nil && d.Kind == yaml.ScalarNode {
			if _, dup := t[d.Value]; !dup {
				t[d.Value] = keyVal{kn, m.Content[i+1]}
			}
		}
	}
	if depth > manifest.MaxDepth {
		return t
	}
	for _, mg := range merges {
		mg = deref(mg)
		if mg == nil {
			continue
		}
		items := []*yaml.Node{mg}
		if mg.Kind == yaml.SequenceNode {
			items = mg.Content
		}
		for _, it := range items {
			if it = deref(it); it != nil && it.Kind == yaml.MappingNode {
				for key, kv := range ix.of(it, depth+1) {
					if _, ok := t[key]; !ok {
						t[key] = kv
					}
				}
			}
		}
	}
	return t
}

// renderPath renders path tokens as people write them, with list indexes in
// brackets. It walks the node tree to know which tokens index a list, since a
// parameter may well be named "1".
func renderPath(ix keyIndex, root *yaml.Node, path []string) string {
	n := root
	list := make([]bool, len(path))
	for i, tok := range path {
		n = deref(n)
		if n == nil {
			break
		}
		switch n.Kind {
		case yaml.SequenceNode:
			list[i] = true
			j, err := strconv.Atoi(tok)
			if err != nil || j < 0 || j >= len(n.Content) {
				n = nil
				continue
			}
			n = n.Content[j]
		case yaml.MappingNode:
			_, n = ix.lookup(n, tok)
		default:
			n = nil
		}
	}
	return manifest.FieldPath(path, func(i int) bool { return list[i] })
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
