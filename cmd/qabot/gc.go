package main

import (
	"os"
	"runtime/debug"
	"sync"
)

// pauseGC holds off the garbage collector while a store is opened, up to
// openHeapLimit of heap, and returns the function that resumes it. Opening
// builds the in-memory vector index, and all it allocates stays live: the
// collections that the runtime's small starting heap would run meanwhile
// are wasted work (about an eighth of `qabot ask` at 46k passages). The Go
// compiler raises its starting heap for the same reason. A GOGC or
// GOMEMLIMIT set by the user is left alone. Concurrent holds nest: the last
// to resume restores the collector; call resume once.
func pauseGC() (resume func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gcHold.Lock()
	defer gcHold.Unlock()
	if gcHold.n == 0 {
		gcHold.percent = debug.SetGCPercent(-1)
		gcHold.limit = debug.SetMemoryLimit(openHeapLimit)
	}
	gcHold.n++
	return func() {
		gcHold.Lock()
		defer gcHold.Unlock()
		if gcHold.n--; gcHold.n == 0 {
			debug.SetMemoryLimit(gcHold.limit)
			debug.SetGCPercent(gcHold.percent)
		}
	}
}

// openHeapLimit is the heap at which the collector runs anyway while a
// store is opened (a 100k-passage store needs about 30 MB).
const openHeapLimit = 128 << 20

var gcHold struct {
	sync.Mutex
	n       int
	percent int
	limit   int64
}
