package suggest

import "testing"

func TestClosest(t *testing.T) {
	commands := []string{"validate", "apply", "schema", "status", "emulator", "version", "completion", "man", "help"}
	flags := []string{"filename", "env-file", "now", "output", "dry-run", "concurrency", "api-url", "api-key-file", "wait", "wait-timeout"}
	for _, tc := range []struct {
		typed      string
		candidates []string
		want       string
	}{
		{"aply", commands, "apply"},
		{"valdate", commands, "validate"},
		{"VALIDATE", commands, "validate"},
		{"stats", commands, "status"},
		{"comp", commands, "completion"}, // the only one it begins
		{"emu", commands, "emulator"},
		{"xyz", commands, ""},
		{"s", commands, ""}, // too short to guess
		{"dryrun", flags, "dry-run"},
		{"concurency", flags, "concurrency"},
		{"env", flags, "env-file"},
		{"wait-time", flags, "wait-timeout"},
		{"api", flags, ""}, // begins two flags: no guess
		{"filenme", flags, "filename"},
		{"banana", flags, ""},
	} {
		if got := Closest(tc.typed, tc.candidates); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"apply", "aply", 1}, {"日本", "日本語", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
