package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/philippgille/chromem-go"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/ragtest"
	"github.com/qabot/qabot/rag/search"
	"github.com/qabot/qabot/seeds"
)

// devQuestions are the development questions (testdata/README.md).
func devQuestions(t testing.TB) []Question {
	t.Helper()
	var out []Question
	for _, f := range []string{"questions.jsonl", "questions-v2.jsonl", "questions-v3.jsonl"} {
		out = append(out, readSet(t, "testdata/"+f)...)
	}
	return out
}

// readSet reads an evaluation set.
func readSet(t testing.TB, path string) []Question {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	qs, err := ReadSet(fh)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// writeDistractorCorpus writes the seeds and n distractor articles, which
// leave out every sentence that holds the evidence of a question.
func writeDistractorCorpus(t testing.TB, dir string, n int, qs []Question) {
	t.Helper()
	var evidence []string
	for _, q := range qs {
		evidence = append(evidence, q.Evidence...)
	}
	files := ragtest.Distractors(indextest.SeedSentences(t), n, 42, evidence)
	entries, _ := seeds.FS.ReadDir(".")
	for _, e := range entries {
		raw, err := seeds.FS.ReadFile(e.Name())
		if err == nil && document.IsArticleFile(e.Name()) {
			files[e.Name()] = string(raw)
		}
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The store at several sizes (the seeds, and ~13k, ~46k and ~100k
// passages: 775, 2,745 and 5,960 distractor articles): opening it, a
// query on the open store (scanning the mapped vectors), the same once the
// store is warm (chromem-go), a first ingest, and re-ingests with nothing
// and with one article changed.
func BenchmarkStore(b *testing.B) {
	for _, size := range []struct {
		name     string
		articles int
	}{{"seeds", 0}, {"13k", 775}, {"46k", 2745}, {"100k", 5960}} {
		b.Run(size.name, func(b *testing.B) {
			corpus, data := b.TempDir(), b.TempDir()
			writeDistractorCorpus(b, corpus, size.articles, nil)
			emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
			opts := index.IngestOptions{Dir: data, Corpus: document.Corpus{Name: corpus, FS: os.DirFS(corpus)}, Embedder: emb, Chunker: ch}
			ingest := func(b *testing.B) index.IngestReport {
				rep, err := index.Ingest(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				return rep
			}
			rep := ingest(b)
			b.Run("open", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := index.Open(context.Background(), data, emb, ch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rep.Chunks), "passages")
			})
			s, err := index.Open(context.Background(), data, emb, ch)
			if err != nil {
				b.Fatal(err)
			}
			query := func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := search.Search(context.Background(), s, question.Parse("晋能光伏的TOPCon电池生产线有多长"), 5, rag.DefaultWeights.Rank); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.Run("query", query) // scanning the mapped vectors
			if err := s.Warm(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Run("query-warm", query) // chromem-go
			b.Run("reingest-unchanged", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					ingest(b)
				}
			})
			b.Run("reingest-one-changed", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					path := filepath.Join(corpus, "000_3b24b94d7914fc5e.txt")
					raw, _ := os.ReadFile(path)
					os.WriteFile(path, append(raw, fmt.Sprintf("\n第%d次修订。", i)...), 0o644)
					ingest(b)
				}
			})
			b.Run("ingest", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					dir := b.TempDir()
					fresh := opts
					fresh.Dir = dir
					if _, err := index.Ingest(context.Background(), fresh); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkChromemScan is a raw chromem-go query at the sizes and dimension
// of BenchmarkStore, the floor a store query cannot beat.
func BenchmarkChromemScan(b *testing.B) {
	dim := embedding.NewLocalEmbedder(0).Dim()
	for _, n := range []int{13000, 46000, 100000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			coll, _ := chromem.NewDB().CreateCollection("x", nil, nil)
			vec := func() []float32 {
				v := make([]float32, dim)
				for i := range v {
					v[i] = rng.Float32() - 0.5
				}
				return embedding.Normalize(v)
			}
			for i := 0; i < n; i++ {
				coll.AddDocument(context.Background(), chromem.Document{ID: fmt.Sprint(i), Embedding: vec()})
			}
			q := vec()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := coll.QueryEmbedding(context.Background(), q, 20, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
