//go:build unix

package rag

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A FIFO named like an article is reported, not opened: opening one would
// block ingest until something writes to it.
func TestIngestSkipsFIFO(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"good.txt": article("光伏")})
	if err := syscall.Mkfifo(filepath.Join(f.corpus, "pipe.txt"), 0o644); err != nil {
		t.Skip("cannot make a FIFO here:", err)
	}
	done := make(chan struct{})
	var rep IngestReport
	var err error
	go func() {
		rep, err = f.ingest(t)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("ingest hangs on a FIFO")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failed) != 1 || rep.Failed[0].Name != "pipe.txt" || !errors.Is(rep.Failed[0].Err, ErrNotRegular) {
		t.Errorf("failed: %+v", rep.Failed)
	}
}
