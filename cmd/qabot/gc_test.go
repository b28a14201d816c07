package main

import (
	"runtime/debug"
	"testing"
)

// Holds nest: the collector stays off until the last one resumes, then
// runs as it did before.
func TestPauseGCNests(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(73)
	defer debug.SetGCPercent(before)
	first, second := pauseGC(), pauseGC()
	first()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("GC percent %d with a hold left, want -1 (off)", got)
	}
	second()
	if got := debug.SetGCPercent(73); got != 73 {
		t.Fatalf("GC percent %d after every hold resumed, want 73", got)
	}
	if limit := debug.SetMemoryLimit(-1); limit == openHeapLimit {
		t.Fatal("the open's heap limit outlived the holds")
	}
}

// A GOGC the user set is left alone.
func TestPauseGCLeavesUserSettingAlone(t *testing.T) {
	t.Setenv("GOGC", "200")
	before := debug.SetGCPercent(73)
	defer debug.SetGCPercent(before)
	resume := pauseGC()
	defer resume()
	if got := debug.SetGCPercent(73); got != 73 {
		t.Fatalf("GC percent %d with GOGC set by the user, want it unchanged (73)", got)
	}
}
