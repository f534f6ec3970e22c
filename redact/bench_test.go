package redact

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// manySecrets returns n distinct secrets shaped like per-job tokens: 24 random
// letters and digits with no common prefix, the hard case for a matcher over
// many secrets (every letter of ordinary text starts some secret).
func manySecrets(n int) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	rng := rand.New(rand.NewPCG(1, 2))
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		var b [24]byte
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if s := string(b[:]); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// resultLine is a text result line as `daestro-jobs apply` prints it for a job
// the server rejected, the server's message echoing the job's secret: 120 bytes
// with a 24-byte secret.
func resultLine(i int, secret string) string {
	return fmt.Sprintf("failed        acme::nightly/report-%05d  jobs/report-%05d.yaml:3  400 DB_PASSWORD %q rejected\n", i, i, secret)
}

// BenchmarkRedactManySecrets prints 10,000 result lines through the Writer, as
// the CLI does with its stdout. "distinct" masks 10,000 different secrets, one
// per line; "shared" prints the same lines with one secret that every line
// holds. Issue 12 asks the two to stay within 2x of each other: the cost of
// redaction must grow with the text, not with the number of secrets.
func BenchmarkRedactManySecrets(b *testing.B) {
	const n = 10_000
	secrets := manySecrets(n)
	distinct := make([]string, n)
	shared := make([]string, n)
	for i := range n {
		distinct[i] = resultLine(i, secrets[i])
		shared[i] = resultLine(i, secrets[0])
	}
	if l := len(distinct[0]); l != 120 {
		b.Fatalf("result line is %d bytes, want 120", l)
	}
	for _, bc := range []struct {
		name    string
		secrets []string
		lines   []string
	}{
		{name: "distinct", secrets: secrets, lines: distinct},
		{name: "shared", secrets: secrets[:1], lines: shared},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := New(bc.secrets...)
			var out countWriter
			b.SetBytes(int64(n * len(bc.lines[0])))
			b.ReportAllocs()
			for b.Loop() {
				w := r.Writer(&out)
				for _, l := range bc.lines {
					io.WriteString(w, l)
				}
				w.Close()
			}
			if out.masked == 0 {
				b.Fatal("nothing was masked")
			}
		})
	}
}

// BenchmarkNewManySecrets is the cost of building a Redactor for 10,000
// secrets, paid once per run by the CLI.
func BenchmarkNewManySecrets(b *testing.B) {
	secrets := manySecrets(10_000)
	b.ReportAllocs()
	for b.Loop() {
		New(secrets...)
	}
}

// BenchmarkStringEscapedLine is String on a line of -o json output quoting a
// server message, with escapes for every reading: all nine run.
func BenchmarkStringEscapedLine(b *testing.B) {
	r := New(manySecrets(100)...)
	line := `{"job":"acme::nightly/report-00042","error":"400: {\"detail\":\"bad url https:\\/\\/h\\/?k=a%40b\\u0026x=1 \u0026amp; \u00e4\"}"}`
	b.ReportAllocs()
	for b.Loop() {
		r.String(line)
	}
}

// countWriter discards what it is given, counting the masks in it so that the
// benchmark can check the secrets were found.
type countWriter struct{ masked int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.masked += strings.Count(string(p), Mask)
	return len(p), nil
}
