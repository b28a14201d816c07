package eval

import (
	"os"
	"testing"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
)

// On the development sets, offline, qabot finds at least as many answers in
// its top 5 as the naive baseline, and at least a floor of them, over the
// seeds and (without -short) over the seeds and 1,000 distractor articles
// made of their other sentences, with numbers and places changed (~13,000
// passages); the figures are logged.
func TestNotBelowNaiveBaseline(t *testing.T) {
	// The floors, by number of distractor articles, a little under what
	// was measured on questions.jsonl, -v2 and -v3 together.
	minHitAt5 := map[int]float64{0: 0.95, 1000: 0.85}
	sizes := []int{0}
	if !testing.Short() {
		sizes = append(sizes, 1000)
	}
	qs := devQuestions(t)
	var zh []Question
	for _, q := range qs {
		if q.Lang == "zh" {
			zh = append(zh, q)
		}
	}
	for _, n := range sizes {
		corpus, data := t.TempDir(), t.TempDir()
		writeDistractorCorpus(t, corpus, n, qs)
		emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
		if _, err := index.Ingest(t.Context(), index.IngestOptions{Dir: data, Corpus: document.Corpus{Name: corpus, FS: os.DirFS(corpus)}, Embedder: emb, Chunker: ch}); err != nil {
			t.Fatal(err)
		}
		s, err := index.Open(t.Context(), data, emb, ch)
		if err != nil {
			t.Fatal(err)
		}
		ours, err := Evaluate(t.Context(), zh, (&rag.Answerer{Store: s, TopK: 5, MinRelevance: 0.08}).Ask)
		if err != nil {
			t.Fatal(err)
		}
		baseline, err := NewNaiveBaseline(t.Context(), document.Corpus{Name: corpus, FS: os.DirFS(corpus)})
		if err != nil {
			t.Fatal(err)
		}
		naive, err := Evaluate(t.Context(), zh, baseline.Ask)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"", "fact", "number", "paraphrase", "colloquial", "traditional"} {
			keep := func(r Result) bool { return kind == "" || r.Kind == kind }
			o, b := Summarise(ours, 5, keep), Summarise(naive, 5, keep)
			if o.Answerable == 0 {
				continue
			}
			t.Logf("%d distractors, kind %-12q %3d answerable: hit@5 ours %.2f, naive %.2f", n, kind, o.Answerable, o.HitAtK, b.HitAtK)
			if kind == "" && o.HitAtK < b.HitAtK {
				t.Errorf("%d distractors: hit@5 %.2f, below the naive baseline's %.2f", n, o.HitAtK, b.HitAtK)
			}
			if kind == "" && o.HitAtK < minHitAt5[n] {
				t.Errorf("%d distractors: hit@5 %.2f, want >= %.2f", n, o.HitAtK, minHitAt5[n])
			}
		}
		for _, r := range ours {
			if r.Answerable && (r.Rank < 1 || r.Rank > 5) {
				t.Logf("%d distractors, miss: %s (%s) refused=%v", n, r.ID, r.Kind, r.Refused)
			}
		}
	}
}
