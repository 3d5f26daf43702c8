//go:build unix

package storetest

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) the process has used so far. Benchmarks report
// it per op: on a shared machine it moves far less with other load than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
