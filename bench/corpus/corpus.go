// Package corpus is the benchmark corpus of one-job manifests, written by
// bench/gen for bench/run.sh and read by the in-process benchmarks, so the
// two time the same documents: about 15 lines, $VAR references, a
// sensitive value or two, parameters and schedule_at in every form.
package corpus

import (
	"fmt"
	"strings"
)

// Env is what the corpus references; written to OUT/bench.env.
const Env = `DB_PASSWORD=not-a-real-password
API_TOKEN=not-a-real-token
REGION=eu-central-1
BUCKET=reports-prod
`

var schedules = []string{
	`"2030-01-07T02:00:00Z"`,
	`"2030-01-07T03:00:00+01:00"`,
	`1893981600`,
	`+15m`,
	`+1h30m`,
	`2030-01-01 06:30 Europe/Berlin`,
	``, // unscheduled
}

// Doc is job i: unless valid, every 100th is invalid in one of four ways the
// schema sees.
func Doc(i int, k8s, valid bool) string {
	var b strings.Builder
	if k8s {
		b.WriteString("apiVersion: daestro.com/v1\nkind: DaestroJob\n")
	} else {
		b.WriteString("# yaml-language-server: $schema=../../schema/jobs.schema.json\n")
	}
	def := fmt.Sprintf("acme::report-builder:%d", i%7+1)
	queue := fmt.Sprintf("acme::nightly-%02d", i%50)
	extra := ""
	if i%100 == 99 && !valid {
		switch (i / 100) % 4 {
		case 0:
			def = "acme/report-builder" // bad pattern
		case 1:
			queue = "" // empty: bad pattern
		case 2:
			extra = "retires: 3\n" // unknown key
		case 3:
			def = "" // with queue kept, job_definition empty
		}
	}
	fmt.Fprintf(&b, "job_definition: %s\n", def)
	if queue != "" {
		fmt.Fprintf(&b, "job_queue: %s\n", queue)
	}
	fmt.Fprintf(&b, "name: report-%06d\n", i)
	b.WriteString(`container_cmd: ["build-report", "--day", "Param::day", "--format", "Param::fmt"]
container_cmd_parameter:
  day: "2030-01-06"
  fmt: pdf
container_env:
  S3_BUCKET: $BUCKET
  REGION: ${REGION:-eu-central-1}
  LOG_LEVEL: info
  DB_PASSWORD:
    value: ${DB_PASSWORD}
    sensitive: true
`)
	if i%3 == 0 {
		b.WriteString("  API_TOKEN:\n    value: \"Bearer ${API_TOKEN}\"\n    sensitive: true\n")
	}
	b.WriteString(extra)
	if s := schedules[i%len(schedules)]; s != "" {
		fmt.Fprintf(&b, "schedule_at: %s\n", s)
	}
	return b.String()
}
