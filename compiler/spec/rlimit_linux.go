package spec

import "syscall"

// limitMemory backs up watchMemory with a hard limit on the evaluator's
// data segment (on Linux, every private writable mapping: the Go heap).
// The headroom covers the runtime itself and the watchdog's reaction time;
// past it an allocation fails and the runtime stops with "out of memory",
// which the parent reports like the watchdog's exit.
func limitMemory(memory int64) {
	lim := uint64(memory) + 256<<20
	syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: lim, Max: lim})
}
