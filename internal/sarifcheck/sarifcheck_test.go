package sarifcheck

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"error"}]}]}`
	if err := Validate([]byte(ok)); err != nil {
		t.Fatalf("a minimal valid log: %v", err)
	}
	for name, doc := range map[string]string{
		"no version":    strings.Replace(ok, `"version":"2.1.0",`, "", 1),
		"unknown level": strings.Replace(ok, `"level":"error"`, `"level":"fatal"`, 1),
		"no message":    strings.Replace(ok, `"message":{"text":"m"},`, "", 1),
		"line 0":        strings.Replace(ok, `"level":"error"`, `"level":"error","locations":[{"physicalLocation":{"region":{"startLine":0}}}]`, 1),
	} {
		if err := Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
