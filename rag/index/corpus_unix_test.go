//go:build unix

package index

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qabot/qabot/rag/document"
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
	if len(rep.Failed) != 1 || rep.Failed[0].Name != "pipe.txt" || !errors.Is(rep.Failed[0].Err, document.ErrNotRegular) {
		t.Errorf("failed: %+v", rep.Failed)
	}
}

// A symbolic link in an ingested folder is followed only within the
// folder: a link to a secret outside it is reported, not indexed.
func TestIngestKeepsToTheFolder(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"good.txt": article("光伏")})
	secret := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(secret, []byte("llm:\n  api_key: sk-secret-key-1234567890\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"key.txt": secret, "same.txt": "good.txt", "abs.txt": filepath.Join(f.corpus, "good.txt"), "pagemap.txt": "/proc/self/pagemap"} {
		if err := os.Symlink(target, filepath.Join(f.corpus, link)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]error{}
	for _, fe := range rep.Failed {
		failed[fe.Name] = fe.Err
	}
	for _, name := range []string{"key.txt", "pagemap.txt"} {
		if !errors.Is(failed[name], document.ErrOutside) {
			t.Errorf("%s: %v, want ErrOutside", name, failed[name])
		}
	}
	if len(failed) != 2 {
		t.Errorf("failed: %v", failed)
	}
	if names := articleNames(f.open(t)); strings.Join(names, ",") != "abs.txt,good.txt,same.txt" {
		t.Errorf("indexed %v", names)
	}
}
