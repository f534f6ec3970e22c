package manifest

import (
	"strings"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"gopkg.in/yaml.v3"
)

// How defaults merge, as docker compose merges files: a nearer file's keys
// override a farther one's and a document's keys override all; a mapping
// value (container_env, container_cmd_parameter) merges key by key, its
// entries replacing whole; lists and scalars replace. `KEY: !reset null`
// removes an inherited entry, `KEY: !override {...}` replaces an inherited
// mapping instead of merging into it. The merge works on node trees, so that
// every value keeps the place it was written at.

// The merge tags, as compose spells them.
const (
	tagReset    = "!reset"
	tagOverride = "!override"
)

// pair is one entry of a mapping: its key as text, its key node and its
// value node as written (possibly an alias).
type pair struct {
	key  string
	k, v *yaml.Node
}

// flatten returns the entries of mapping m as decoding reads them: the keys
// written in m in order (the first of a duplicate), then the keys merged in
// with "<<" that m does not write, in merge order.
func flatten(m *yaml.Node, depth int) []pair {
	out := make([]pair, 0, len(m.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if isMergeKey(k) {
			merges = append(merges, m.Content[i+1])
			continue
		}
		if d := deref(k); d != nil && d.Kind == yaml.ScalarNode && !has(out, d.Value) {
			out = append(out, pair{d.Value, k, m.Content[i+1]})
		}
	}
	if depth > MaxDepth {
		return out
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
			if it = deref(it); it == nil || it.Kind != yaml.MappingNode {
				continue
			}
			for _, p := range flatten(it, depth+1) {
				if !has(out, p.key) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func has(ps []pair, key string) bool { return find(ps, key) >= 0 }

func find(ps []pair, key string) int {
	for i := range ps {
		if ps[i].key == key {
			return i
		}
	}
	return -1
}

// isMapping reports whether n is, or is an alias of, a mapping.
func isMapping(n *yaml.Node) bool {
	d := deref(n)
	return d != nil && d.Kind == yaml.MappingNode
}

// untagged returns v without a merge tag, so that it decodes as what it
// says: a copy, its tag left for the parser's resolution (Content shared).
// made is told of the copy.
func untagged(v *yaml.Node, made func(*yaml.Node)) *yaml.Node {
	if v.Tag != tagOverride && v.Tag != tagReset {
		return v
	}
	c := *v
	c.Tag = ""
	made(&c)
	return &c
}

// warnFunc is told of a merge tag with nothing inherited to act on, at n.
type warnFunc func(n *yaml.Node, path []string, msg string)

func nothing(*yaml.Node) {}

// mergePairs applies the entries of a nearer file (over) on top of the
// entries inherited (base) and returns the result; neither is changed.
// made is told of each mapping node it makes; warn of a merge tag with
// nothing inherited to act on.
func mergePairs(base, over []pair, made func(*yaml.Node), warn warnFunc) []pair {
	out := make([]pair, len(base), len(base)+len(over))
	copy(out, base)
	for _, p := range over {
		i := find(out, p.key)
		switch {
		case p.v.Tag == tagReset:
			if i < 0 {
				warn(p.v, []string{p.key}, "!reset: nothing is inherited to reset (no defaults file above sets "+p.key+")")
				continue
			}
			out = append(out[:i], out[i+1:]...)
		case p.v.Tag == tagOverride:
			if i < 0 {
				warn(p.v, []string{p.key}, "!override: nothing is inherited to override (no defaults file above sets "+p.key+")")
				out = append(out, pair{p.key, p.k, untagged(p.v, made)})
				continue
			}
			out[i] = pair{p.key, p.k, untagged(p.v, made)}
		case i >= 0 && isMapping(out[i].v) && isMapping(p.v):
			m := mergeMapping(deref(out[i].v), deref(p.v), p.key, made, warn)
			made(m)
			out[i] = pair{p.key, p.k, m}
		default:
			v := p.v
			if v.Kind == yaml.MappingNode && hasEntryTags(v) {
				// Nothing to merge into: the tags have nothing to act on.
				v = mergeMapping(&yaml.Node{Kind: yaml.MappingNode}, v, p.key, made, warn)
				made(v)
			}
			if i >= 0 {
				out[i] = pair{p.key, p.k, v}
			} else {
				out = append(out, pair{p.key, p.k, v})
			}
		}
	}
	return out
}

// mergeMapping merges the entries of mapping over into those of base, key
// by key, into a new mapping node at over's place.
func mergeMapping(base, over *yaml.Node, key string, made func(*yaml.Node), warn warnFunc) *yaml.Node {
	entries := flatten(base, 0)
	out := make([]pair, len(entries), len(entries)+len(over.Content)/2)
	copy(out, entries)
	for _, e := range flatten(over, 0) {
		i := find(out, e.key)
		switch {
		case e.v.Tag == tagReset:
			if i < 0 {
				warn(e.v, []string{key, e.key}, "!reset: nothing is inherited to reset")
				continue
			}
			out = append(out[:i], out[i+1:]...)
		case i >= 0:
			out[i] = pair{e.key, e.k, untagged(e.v, made)}
		default:
			if e.v.Tag == tagOverride {
				warn(e.v, []string{key, e.key}, "!override: nothing is inherited to override")
			}
			out = append(out, pair{e.key, e.k, untagged(e.v, made)})
		}
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: over.Style, Line: over.Line, Column: over.Column,
		Content: make([]*yaml.Node, 0, 2*len(out))}
	for _, p := range out {
		m.Content = append(m.Content, p.k, p.v)
	}
	return m
}

// hasMergeTags reports whether a document's mapping uses !reset or
// !override on a top-level key or on an entry of a top-level mapping.
func hasMergeTags(root *yaml.Node) bool {
	for i := 1; i < len(root.Content); i += 2 {
		v := root.Content[i]
		if v.Tag == tagReset || v.Tag == tagOverride {
			return true
		}
		if v.Kind == yaml.MappingNode {
			for j := 1; j < len(v.Content); j += 2 {
				if t := v.Content[j].Tag; t == tagReset || t == tagOverride {
					return true
				}
			}
		}
	}
	return false
}

// mergeDocument applies a chain of defaults under a document's mapping and
// returns the mapping to decode: a new node when anything changed, root
// itself otherwise. The document's own nodes are kept as written (its merge
// keys and duplicate keys included, for decoding to report), with the
// inherited entries it does not write added after them. warn is told of a
// merge tag with nothing inherited to act on.
func mergeDocument(c *Chain, root *yaml.Node, warn warnFunc) *yaml.Node {
	if c.empty() && !hasMergeTags(root) {
		return root
	}
	var inherited []pair
	if c != nil && c.invalid == nil {
		inherited = c.pairs
	}
	own := flatten(root, 0) // what the document sets, merge keys followed
	content := make([]*yaml.Node, 0, len(root.Content)+2*len(inherited))
	written := map[*yaml.Node]bool{} // value nodes of the keys written in root
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if isMergeKey(k) {
			content = append(content, k, v)
			continue
		}
		written[v] = true
		key := ""
		if d := deref(k); d != nil && d.Kind == yaml.ScalarNode {
			key = d.Value
		}
		j := find(inherited, key)
		if strings.HasPrefix(key, "x-") {
			content = append(content, k, v)
			continue
		}
		switch {
		case v.Tag == tagReset:
			if j < 0 {
				warn(v, []string{key}, "!reset: nothing is inherited to reset (no _defaults.yaml above this manifest sets "+key+"); the key is left out")
			}
			continue
		case v.Tag == tagOverride:
			if j < 0 {
				warn(v, []string{key}, "!override: nothing is inherited to override (no _defaults.yaml above this manifest sets "+key+")")
			}
			v = untagged(v, nothing)
		case j >= 0 && isMapping(inherited[j].v) && isMapping(v):
			v = mergeMapping(deref(inherited[j].v), deref(v), key, nothing, warn)
		case v.Kind == yaml.MappingNode && hasEntryTags(v):
			// Nothing to merge into: the tags have nothing to act on.
			v = mergeMapping(&yaml.Node{Kind: yaml.MappingNode}, v, key, nothing, warn)
		}
		content = append(content, k, v)
	}
	// Keys the document sets through its own merge keys: those holding a
	// mapping merge with what is inherited, as a key written there would.
	for _, p := range own {
		if written[p.v] {
			continue
		}
		if j := find(inherited, p.key); j >= 0 && isMapping(inherited[j].v) && isMapping(p.v) {
			content = append(content, p.k, mergeMapping(deref(inherited[j].v), deref(p.v), p.key, nothing, warn))
		}
	}
	for _, p := range inherited {
		if !has(own, p.key) {
			content = append(content, p.k, p.v)
		}
	}
	m := *root
	m.Content = content
	return &m
}

// hasEntryTags reports whether a mapping has an entry tagged !reset or
// !override.
func hasEntryTags(m *yaml.Node) bool {
	for j := 1; j < len(m.Content); j += 2 {
		if t := m.Content[j].Tag; t == tagReset || t == tagOverride {
			return true
		}
	}
	return false
}

// mergeWarning is a warning about a merge tag, at n in the document.
func (d *Document) mergeWarning(n *yaml.Node, path []string, msg string) {
	line := n.Line + d.lineOffset
	d.Problems = append(d.Problems, diag.Diagnostic{File: d.File, Line: line, Col: n.Column, EndCol: d.TokenEnd(line, n.Column), Path: diag.FieldPath(path, nil),
		Severity: diag.Warning, Source: d.LineText(line), Message: msg})
}
