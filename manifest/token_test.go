package manifest

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenEnd(t *testing.T) {
	for _, tc := range []struct {
		line string
		col  int
		want int
	}{
		{"job_queue: acme::night_ly", 12, 26},
		{"job_queue: acme::night_ly   # a comment", 12, 26},
		{"job_que: acme::nightly", 1, 8},
		{`name: "a \" b" # c`, 7, 15},
		{`name: 'it''s' # c`, 7, 14},
		{"container_env: {1X: a, B: b}", 17, 19},
		{"container_env: {1X: a, B: b}", 16, 29},
		{"container_cmd: [a, 3]", 21, 22},
		{"  É: {value: ééé, x: 1}", 14, 17},
		{"schedule_at: |", 14, 15},
		{"a: &anchor value", 4, 11},
		{"name:", 6, 6},
		{"name: x", 40, 0},
	} {
		if got := tokenEnd([]byte("first line\n"+tc.line+"\nlast"), 2, tc.col); got != tc.want {
			t.Errorf("tokenEnd(%q, %d) = %d, want %d", tc.line, tc.col, got, tc.want)
		}
	}
	if got := tokenEnd([]byte("a: b"), 3, 1); got != 0 {
		t.Errorf("past the last line: %d", got)
	}
}

// FuzzTokenEnd: any text and column give an end at or after the column and
// within the line, or 0 when the column is past the line.
func FuzzTokenEnd(f *testing.F) {
	for _, s := range []string{`name: "a \" b" # c`, "container_env: {1X: a, B: b}", "'it''s'", "[a, [b, {c: d}]]", "é: ééé", "a: |", ""} {
		f.Add(s, 1)
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, line string, col int) {
		if col > 1<<16 || col < -1<<16 {
			return
		}
		end := tokenEnd([]byte(line), 1, col)
		if end == 0 {
			return
		}
		first, _, _ := strings.Cut(line, "\n")
		first = strings.TrimRight(first, "\r")
		if end < col || end > utf8.RuneCountInString(first)+1 {
			t.Fatalf("tokenEnd(%q, %d) = %d", line, col, end)
		}
	})
}
