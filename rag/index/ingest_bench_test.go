package index_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/ragtest"
)

// BenchmarkIngestMemory ingests generated news (the seeds' sentences
// recombined, about 13 passages an article) at two sizes and reports the
// peak heap, which must not grow with the collection (README, Scale: under
// 400 MB at any size).
func BenchmarkIngestMemory(b *testing.B) {
	sentences := indextest.SeedSentences(b)
	emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
	for _, articles := range []int{1500, 7500} {
		corpus := b.TempDir()
		for name, text := range ragtest.Distractors(sentences, articles, 7, nil) {
			if err := os.WriteFile(filepath.Join(corpus, name), []byte(text), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("articles=%d", articles), func(b *testing.B) {
			var rep index.IngestReport
			var peak uint64
			for b.Loop() {
				dir := b.TempDir()
				var err error
				peak = max(peak, ragtest.PeakHeap(func() {
					rep, err = index.Ingest(context.Background(), index.IngestOptions{Dir: dir, Corpus: document.Corpus{Name: corpus, FS: document.FolderFS(corpus)}, Embedder: emb, Chunker: ch})
				}))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rep.Chunks), "passages")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
