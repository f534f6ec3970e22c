package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/outcome"
	"github.com/daestro-jobs/daestro-jobs/plan"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

// BenchmarkPrintManySecrets prints the text report of 10,000 jobs, each
// failed with a server message and carrying a secret, once with 10,000
// distinct secrets and once with one shared by every job: the redactor's
// cost must grow with the text, not with the number of secrets (issue 12:
// at most 2x; it was about 100x).
func BenchmarkPrintManySecrets(b *testing.B) {
	const n = 10_000
	for _, tc := range []struct {
		name   string
		secret func(i int) string
	}{
		{name: "distinct", secret: func(i int) string { return fmt.Sprintf("s3cr3t-%05d-%x", i, i*7919) }},
		{name: "shared", secret: func(int) string { return "s3cr3t-shared-value" }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := &plan.Plan{Files: 1}
			var secrets []string
			for i := range n {
				s := tc.secret(i)
				secrets = append(secrets, s)
				p.Jobs = append(p.Jobs, plan.Job{File: "jobs/batch.yaml", Line: 3 * i, Name: fmt.Sprintf("job-%05d", i), Queue: "acme::nightly",
					DuplicateOf: -1, Body: plan.Body{ContainerEnv: []plan.EnvVar{{Name: "P", Value: s, Sensitive: true}}}})
			}
			a := &outcome.Apply{Plan: p}
			for i := range p.Jobs {
				a.Jobs = append(a.Jobs, outcome.Job{Job: &p.Jobs[i], Outcome: outcome.Failed,
					Error: fmt.Sprintf("HTTP 400: invalid value %q for container_env.P", secrets[i])})
			}
			red := redact.New(secrets...)
			b.ResetTimer()
			for b.Loop() {
				if err := NewApply(Text, Streams{Out: io.Discard, Err: io.Discard}, Options{Redact: red}).Apply(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
