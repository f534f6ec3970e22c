package manifest

import (
	"fmt"
	"testing"
)

func TestPathStore(t *testing.T) {
	var paths []string
	for i := range 200 {
		switch {
		case i%37 == 0:
			paths = append(paths, "") // stdin and the like never are, but nothing breaks
		case i%11 == 0:
			paths = append(paths, fmt.Sprintf("other/dir-%d/ünïcödé %d.yaml", i, i))
		default:
			paths = append(paths, fmt.Sprintf("jobs/team-%02d/job-%06d.yaml", i/50, i))
		}
	}
	var ps Paths
	for i, p := range paths {
		ps.Add(p)
		if got := ps.Get(i); got != p {
			t.Fatalf("right after adding: get(%d) = %q, want %q", i, got, p)
		}
	}
	for i, p := range paths {
		if got := ps.Get(i); got != p {
			t.Errorf("get(%d) = %q, want %q", i, got, p)
		}
	}
	raw := 0
	for _, p := range paths {
		raw += len(p)
	}
	if len(ps.data) >= raw/2 {
		t.Errorf("stored %d bytes for %d bytes of paths; neighbours share most of theirs", len(ps.data), raw)
	}
}
