package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// mergeBomb nests the anchors inside the merge lists that use them, so no key
// of the document holds them and only the merges walk them: levels deep, fan
// out 10, 10^levels merges.
func mergeBomb(levels int) string {
	d := "&x0 {k: v}"
	for i := 1; i <= levels; i++ {
		d = fmt.Sprintf("&x%d {<<: [%s%s]}", i, d, strings.Repeat(fmt.Sprintf(", *x%d", i-1), 9))
	}
	return "job_definition: acme::report-builder:3\njob_queue: acme::nightly\ncontainer_env: " + d + "\n"
}

// TestMergeKeyBomb: merge keys that only ever merge keys already set build
// nothing, so the values the converter makes stayed few while the walk took
// 10^levels steps (a 10-level file ran for minutes). Every merge and every key
// it walks now counts against MaxNodes.
func TestMergeKeyBomb(t *testing.T) {
	for _, levels := range []int{10, 30} {
		doc := onlyDocument(t, mergeBomb(levels))
		conv := &converter{doc: doc}
		conv.value(doc.root, nil, 0)
		if conv.nodes > MaxNodes+100 {
			t.Errorf("%d levels: walked %d values, past the %d limit", levels, conv.nodes, MaxNodes)
		}
		if len(conv.diags) != 1 || !strings.Contains(conv.diags[0].Message, "an alias bomb") && !strings.Contains(conv.diags[0].Message, "levels deep") {
			t.Errorf("%d levels: diagnostics %v", levels, conv.diags)
		}
	}
	// A few levels are a legitimate use and still convert.
	if doc := onlyDocument(t, mergeBomb(3)); len(doc.Problems) != 0 || doc.Value == nil {
		t.Errorf("3 levels: %v", doc.Problems)
	}
}

// onlyDocument decodes a file of one document.
func onlyDocument(t *testing.T, data string) *Document {
	t.Helper()
	var docs []*Document
	problems, _ := Decode("f.yaml", []byte(data), func(d *Document) { docs = append(docs, d) })
	if len(docs) != 1 || len(problems) != 0 {
		t.Fatalf("decoded %d documents, problems %v", len(docs), problems)
	}
	return docs[0]
}
