package report

import (
	"fmt"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/api"
)

// waitProgress renders the live count of a wait, "waiting for 5 jobs: 2
// running, 3 completed", from the latest details (states as the server sent
// them, masked and escaped).
func waitProgress(sc scrub, latest []api.Detail) string {
	counts := map[api.State]int{}
	var order []api.State
	for _, d := range latest {
		s := d.State
		if s == "" {
			s = "unknown"
		}
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%d %s", counts[s], sc.text(string(s)))
	}
	return fmt.Sprintf("waiting for %s: %s", plural(len(latest), "job", "jobs"), strings.Join(parts, ", "))
}
