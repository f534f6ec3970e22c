package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/manifest"
)

// mergeBomb nests the anchors inside the merge lists that use them, so no key
// of the document holds them and only the merges walk them: levels deep, fan
// out 10, 10^levels merges.
func mergeBomb(levels int) string {
	d := "&x0 {k: v}"
	for i := 1; i <= levels; i++ {
		d = fmt.Sprintf("&x%d {<<: [%s%s]}", i, d, strings.Repeat(fmt.Sprintf(", *x%d", i-1), 9))
	}
	return head + "container_env: " + d + "\n"
}

// TestMergeKeyBomb: merge keys that only ever merge keys already set build
// nothing, so the values the converter makes stayed few while the walk took
// 10^levels steps (a 10-level file ran for minutes). Every merge and every key
// it walks now counts against MaxNodes.
func TestMergeKeyBomb(t *testing.T) {
	for _, levels := range []int{10, 30} {
		file := manifest.Parse("bomb.yaml", []byte(mergeBomb(levels)))
		if len(file.Docs) != 1 {
			t.Fatalf("%d levels: %v", levels, file.Diagnostics)
		}
		conv := &converter{root: file.Docs[0].Root, file: "bomb.yaml"}
		conv.value(file.Docs[0].Root, nil, 0)
		if conv.nodes > manifest.MaxNodes+100 {
			t.Errorf("%d levels: walked %d values, past the %d limit", levels, conv.nodes, manifest.MaxNodes)
		}
		if len(conv.diags) != 1 || !strings.Contains(conv.diags[0].Message, "an alias bomb") && !strings.Contains(conv.diags[0].Message, "levels deep") {
			t.Errorf("%d levels: diagnostics %v", levels, conv.diags)
		}
	}
	// A few levels are a legitimate use and still convert.
	file := manifest.Parse("ok.yaml", []byte(mergeBomb(3)))
	conv := &converter{root: file.Docs[0].Root, file: "ok.yaml"}
	conv.value(file.Docs[0].Root, nil, 0)
	if len(conv.diags) != 0 {
		t.Errorf("3 levels: %v", conv.diags)
	}
}
