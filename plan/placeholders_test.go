package plan

import (
	"regexp"
	"slices"
	"testing"
)

// TestPlaceholders keeps the hand-written scanner equal to the regexp it
// replaced.
func TestPlaceholders(t *testing.T) {
	re := regexp.MustCompile(`Param::([A-Za-z0-9_-]+)`)
	for _, s := range []string{
		"", "Param::", "Param::x", "--day=Param::day", "Param::a:Param::b-c_d9",
		"Param::Param::x", "Param:::x", "Param::é", "xParam::y.z", "Param::-", "param::x", "Param::x Param::",
	} {
		var want []string
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			want = append(want, m[1])
		}
		if got := slices.Collect(placeholders(s)); !slices.Equal(got, want) {
			t.Errorf("placeholders(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzPlaceholders(f *testing.F) {
	re := regexp.MustCompile(`Param::([A-Za-z0-9_-]+)`)
	f.Add("scale=Param::width:-2")
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			want = append(want, m[1])
		}
		if got := slices.Collect(placeholders(s)); !slices.Equal(got, want) {
			t.Errorf("placeholders(%q) = %q, want %q", s, got, want)
		}
	})
}
