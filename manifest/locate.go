package manifest

import (
	"strconv"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"gopkg.in/yaml.v3"
)

// locate finds the nodes at a path: the key node (nil for the root or list
// items) and the value node. It follows aliases and merge keys the way the
// converter did, so a problem is reported where the value is written.
func locate(ix *keyIndex, root *yaml.Node, path []string) (key, val *yaml.Node) {
	key, val, _ = locateFrom(ix, root, path, nil)
	return key, val
}

// locateFrom is locate that also says which defaults file the nodes found
// come from (nil: the document), by the deepest node on the way that origins
// knows.
func locateFrom(ix *keyIndex, root *yaml.Node, path []string, origins map[*yaml.Node]*DefaultsFile) (key, val *yaml.Node, from *DefaultsFile) {
	val = root
	for _, tok := range path {
		val = deref(val)
		if val == nil {
			return key, nil, from
		}
		switch val.Kind {
		case yaml.MappingNode:
			k, v := ix.lookup(val, tok)
			if v == nil {
				return key, val, from
			}
			key, val = k, v
			if o := origins[v]; o != nil {
				from = o
			} else if o := origins[k]; o != nil {
				from = o
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(val.Content) {
				return key, val, from
			}
			key, val = nil, val.Content[i]
		default:
			return key, val, from
		}
	}
	return key, val, from
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < MaxDepth; i++ {
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
// into it) took minutes. A small mapping that merges nothing is scanned
// instead, with nothing allocated: what locating a valid document's name
// costs. The zero value is ready to use.
type keyIndex struct {
	m map[*yaml.Node]map[string]keyVal
}

// smallMapping is the most entries (keys and values) a mapping may hold to
// be scanned rather than indexed.
const smallMapping = 64

type keyVal struct{ k, v *yaml.Node }

// lookup returns the key and value nodes of key in mapping m: a key written
// in m wins, then the first merged mapping holding it, in merge order.
func (ix *keyIndex) lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if t, ok := ix.m[m]; ok {
		kv := t[key]
		return kv.k, kv.v
	}
	if len(m.Content) <= smallMapping {
		if k, v, ok := scan(m, key); ok {
			return k, v
		}
	}
	if ix.m == nil {
		ix.m = map[*yaml.Node]map[string]keyVal{}
	}
	kv := ix.of(m, 0)[key]
	return kv.k, kv.v
}

// scan looks key up in mapping m as the index would, without indexing it:
// the first key written wins. ok is false when m merges other mappings and
// key is not written in m itself: the index decides then.
func scan(m *yaml.Node, key string) (k, v *yaml.Node, ok bool) {
	merges := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		if isMergeKey(kn) {
			merges = true
			continue
		}
		if d := deref(kn); d != nil && d.Kind == yaml.ScalarNode && d.Value == key {
			return kn, m.Content[i+1], true
		}
	}
	return nil, nil, !merges
}

func (ix *keyIndex) of(m *yaml.Node, depth int) map[string]keyVal {
	if t, ok := ix.m[m]; ok {
		return t
	}
	t := make(map[string]keyVal, len(m.Content)/2)
	ix.m[m] = t // before the merges: a mapping merged into itself stops here
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
	if depth > MaxDepth {
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
func renderPath(ix *keyIndex, root *yaml.Node, path []string) string {
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
	return diag.FieldPath(path, func(i int) bool { return list[i] })
}
