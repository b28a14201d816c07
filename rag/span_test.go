package rag

import (
	"math"
	"testing"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
)

// A sentence's margin is how near its passage's score is to the first
// passage's: 1 in the first passage, e^-3 in a passage scored 3 lower, so
// that a passage far behind lends its sentences little.
func TestSpanMarginIsTheScoreGap(t *testing.T) {
	s := indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 0}, map[string]string{
		"a.txt": "绿源公司的新工厂位于东山工业园。",
		"b.txt": "东山市的新工厂明年投产。",
	})
	q := question.ParseIn("绿源公司的新工厂在哪里？", s)
	hits, err := search.Search(t.Context(), s, q, 2, DefaultWeights.Rank)
	if err != nil || len(hits) != 2 {
		t.Fatalf("search: %v, %d hits", err, len(hits))
	}
	hits[0].Score, hits[1].Score = 10, 7
	for _, sp := range Spans(s, q, hits) {
		want := 1.0
		if sp.Hit == 1 {
			want = math.Exp(-3)
		}
		if got := sp.Features[SpanMargin]; math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: margin %.4f, want %.4f", sp.Text, got, want)
		}
	}
}
