//go:build !unix

package plan

import "time"

// cpuTime is not measured here: the CPU ratios read 0/0.
func cpuTime() time.Duration { return 0 }
