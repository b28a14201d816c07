package rag

import (
	"context"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/qabot/qabot/seeds"
)

var (
	seedOnce  sync.Once
	seedStore *Store
	seedErr   error
)

// openSeeds indexes the embedded seeds once per test binary with the default settings.
func openSeeds(t testing.TB) *Store {
	t.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qabot-seeds-")
		if err != nil {
			seedErr = err
			return
		}
		emb, ch := NewLocalEmbedder(0), Chunker{Size: 300, Overlap: 60}
		if _, seedErr = Ingest(context.Background(), IngestOptions{Dir: dir, Corpus: Corpus{Name: "seeds", FS: seeds.FS}, Embedder: emb, Chunker: ch}); seedErr == nil {
			seedStore, seedErr = Open(context.Background(), dir, emb, ch)
		}
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedStore
}

func seedAnswerer(t testing.TB) *Answerer {
	return &Answerer{Store: openSeeds(t), TopK: 5, MinRelevance: 0.08}
}

var citation = regexp.MustCompile(`\[(\d+)\]`)
