package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

func TestGitHubMasks(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		want    string
	}{
		{name: "none", secrets: nil, want: ""},
		{name: "one", secrets: []string{"s3cr3t"}, want: "::add-mask::s3cr3t\n"},
		{name: "repeated once", secrets: []string{"a1", "a1"}, want: "::add-mask::a1\n"},
		{name: "lines masked one by one", secrets: []string{"-----BEGIN KEY-----\r\nabc\n\n-----END KEY-----"},
			want: "::add-mask::-----BEGIN KEY-----\n::add-mask::abc\n::add-mask::-----END KEY-----\n"},
		{name: "escaped as command data", secrets: []string{"50%::warning::x"}, want: "::add-mask::50%25::warning::x\n"},
		{name: "blank skipped", secrets: []string{"  ", ""}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHubMasks(&b, tc.secrets); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestSARIFRootMasked: the %SRCROOT% base URI is a path like any other, masked
// when a secret is in it (a checkout under a directory named for a token)
// (issue 22 item 9).
func TestSARIFRootMasked(t *testing.T) {
	const secret = "SECRET-ROOT-4f1c"
	var out bytes.Buffer
	o := Options{Root: "/home/" + secret + "/repo", Cwd: "/home/" + secret + "/repo", Redact: redact.New(secret)}
	if err := NewValidate(SARIF, Streams{Out: &out, Err: &bytes.Buffer{}}, o).Validate(fixtureValidatePlan()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "%SRCROOT%") {
		t.Errorf("SARIF shows the secret in a path, or has no %%SRCROOT%%:\n%s", out.String())
	}
}

// TestLongNameClipped: a name over 1 KiB is clipped in the lines people read,
// with its length, and kept whole in JSON (issue 22 item 9).
func TestLongNameClipped(t *testing.T) {
	name := strings.Repeat("n", 5000)
	j := &plan.Job{File: "a.yaml", Line: 1, Queue: "acme::q", Name: name}
	got := scrub{}.identity(j)
	if len(got) > maxJobName+100 || !strings.HasSuffix(got, "…(5000 characters)") {
		t.Errorf("identity of a 5,000-character name: %d bytes, %q…", len(got), got[len(got)-40:])
	}
}
