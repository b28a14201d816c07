// Package indextest builds small indexed collections for the tests of the
// stages above the index: the embedded seeds, or a few articles of a test's
// own, ingested offline in temporary folders.
package indextest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/seeds"
)

var (
	seedOnce  sync.Once
	seedStore *index.Store
	seedErr   error
)

// Seeds is the embedded seeds, indexed once per test binary with the
// default settings (300-rune passages, the local embedder).
func Seeds(t testing.TB) *index.Store {
	t.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qabot-seeds-")
		if err != nil {
			seedErr = err
			return
		}
		emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
		if _, seedErr = index.Ingest(context.Background(), index.IngestOptions{Dir: dir, Corpus: document.Corpus{Name: "seeds", FS: seeds.FS}, Embedder: emb, Chunker: ch}); seedErr == nil {
			seedStore, seedErr = index.Open(context.Background(), dir, emb, ch)
		}
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedStore
}

// Ingested is a store of files (name to text), ingested offline with
// chunker in a temporary folder.
func Ingested(t *testing.T, chunker document.Chunker, files map[string]string) *index.Store {
	t.Helper()
	data, corpus := t.TempDir(), t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emb := embedding.NewLocalEmbedder(64)
	opts := index.IngestOptions{Dir: data, Corpus: document.Corpus{Name: corpus, FS: document.FolderFS(corpus)}, Embedder: emb, Chunker: chunker}
	if _, err := index.Ingest(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	s, err := index.Open(t.Context(), data, emb, chunker)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SeedSentences are the sentences of the cleaned seed articles: the
// material of generated news (ragtest.Distractors).
func SeedSentences(t testing.TB) []string {
	t.Helper()
	loaded, err := document.LoadArticles(context.Background(), document.Corpus{Name: "seeds", FS: seeds.FS}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range loaded.Articles {
		out = append(out, document.Sentences(a.Text)...)
	}
	return out
}
