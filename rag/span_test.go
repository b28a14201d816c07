package rag

import (
	"math"
	"strings"
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

// A count asked in a unit is answered by the sentence that gives a number
// in that unit, rather than by one that echoes more of the question with
// another number (433, a programme's name) or a rank (第三家).
func TestCountAnsweredInItsUnit(t *testing.T) {
	a := &Answerer{Store: indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, map[string]string{
		"platform.txt": "东山市科技局推动平台建设\n东山市成为全省第三家创新驱动平台示范市。东山市实施“433”创新工程，加快创新驱动平台建设。全市各类创新平台总数达到58家，位列全省第二。",
	}), TopK: 5, MinRelevance: 0.08}
	ans, err := a.Ask(t.Context(), "东山市的创新平台一共有多少家？")
	if err != nil || !strings.HasPrefix(ans.Text, "全市各类创新平台总数达到58家") {
		t.Errorf("the count in its unit is not quoted first: %v %q", err, ans.Text)
	}
}

// A question about an article as a whole, naming it by its reporter, is
// answered from that article, not from another whose words match the
// name's in part (李明辉 of 李明远) again and again.
func TestNamedArticleAnswers(t *testing.T) {
	a := &Answerer{Store: indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, map[string]string{
		"plant.txt":  inventedArticles["plant.txt"],
		"gossip.txt": "网红宣布分手\n网红李明辉昨天宣布分手。李明辉的粉丝很多，李明辉说他要休息一段时间。",
	}), TopK: 5, MinRelevance: 0.08}
	ans, err := a.Ask(t.Context(), "李明远写的那篇主要讲了什么？")
	if err != nil || len(ans.Sources) == 0 || ans.Sources[0].Doc != "plant.txt" || !strings.Contains(ans.Text, "绿源") {
		t.Errorf("not answered from the article the question names: %v %q", err, ans.Text)
	}
}
