package search

import (
	"cmp"
	"slices"
	"testing"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

func TestMergeChunks(t *testing.T) {
	text := []rune("第一句。第二句。第三句。第四句。")
	mk := func(i, start, end int) document.Chunk {
		return document.Chunk{Doc: "a", Index: i, Start: start, End: end, Text: string(text[start:end])}
	}
	tests := []struct {
		name string
		a, b document.Chunk
		want string
		ok   bool
	}{
		{"overlapping", mk(0, 0, 8), mk(1, 4, 12), "第一句。第二句。第三句。", true},
		{"reverse order", mk(1, 4, 12), mk(0, 0, 8), "第一句。第二句。第三句。", true},
		{"touching", mk(0, 0, 4), mk(1, 4, 8), "第一句。第二句。", true},
		{"apart", mk(0, 0, 4), mk(3, 12, 16), "", false},
		{"other article", mk(0, 0, 4), document.Chunk{Doc: "b", Start: 4, End: 8}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mergeChunks(tt.a, tt.b)
			if ok != tt.ok || (ok && got.Text != tt.want) {
				t.Errorf("got %q, %v; want %q, %v", got.Text, ok, tt.want, tt.ok)
			}
		})
	}
}

// A bigram no passage holds, between two that passages hold, is the seam of
// two words and weighs nothing.
func TestSeamsWeighNothing(t *testing.T) {
	s := indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, map[string]string{
		"plant.txt":  "绿源新材料公司新工厂投产\n绿源公司的新工厂位于东山高新区，全长600米的生产线上只有12名工人。",
		"school.txt": "城东小学开展读书月活动\n城东小学组织学生阅读经典名著，开展读书分享会。",
	})
	weightOf := func(m Matcher, term string) float64 {
		for i, qt := range m.qterms {
			if qt.Text == term {
				return m.weights[i]
			}
		}
		t.Fatalf("no term %s", term)
		return 0
	}
	m := NewMatcher(s, question.Parse("绿源工厂项目").Terms)
	if weightOf(m, "源工") != 0 || weightOf(m, "绿源") == 0 {
		t.Errorf("weights %v of %v", m.weights, m.qterms)
	}
	if m := NewMatcher(s, question.Parse("火锅店").Terms); weightOf(m, "火锅") == 0 {
		t.Error("a word the passages lack weighs nothing")
	}
}

// topN keeps the n best keys as a full sort would: the highest scores
// first, ties in key order, whether n is below, at or over the keys.
func TestTopNIsTheSortedPrefix(t *testing.T) {
	score := make([]float64, 500)
	for i := range score {
		score[i] = float64((i * 7919) % 37) // many ties
	}
	var keys []int
	for i := len(score) - 1; i >= 0; i -= 2 {
		keys = append(keys, i)
	}
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, func(a, b int) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return a - b
	})
	for _, n := range []int{0, 1, 10, 100, len(keys), len(keys) + 5} {
		if got, want := topN(score, keys, n), sorted[:min(n, len(keys))]; !slices.Equal(got, want) {
			t.Errorf("n=%d: topN = %v, want %v", n, got, want)
		}
	}
	if !slices.Equal(keys[:3], []int{499, 497, 495}) {
		t.Error("topN reordered the keys it was given")
	}
}

// A passage holds a constraint in the other forms news writes it in: an
// ordinal without 第 (十二届 of 第十二届, but not as the end of a longer
// number), a place without its unit (晋中 of 晋中市), an acronym in Chinese
// (人工智能 of AI).
func TestHoldsConstraintForms(t *testing.T) {
	for _, tt := range []struct {
		question, passage string
		want              bool
	}{
		{"省委第十二届六次全会提出了什么", "省委第十二届六次全会召开", true},
		{"省委第十二届六次全会提出了什么", "省委十二届六次全会召开", true},
		{"省委第十二届六次全会提出了什么", "第112届广交会开幕", false},
		{"省委第十二届六次全会提出了什么", "省委十一届六次全会召开", false},
		{"晋中市有多少家企业", "晋中的企业超过一万家", true},
		{"晋中市有多少家企业", "太原的企业超过一万家", false},
		{"优必选是做AI的吗", "人工智能领军企业优必选", true},
		{"优必选是做AR的吗", "人工智能领军企业优必选", false},
	} {
		cs := question.Parse(tt.question).Constraints()
		i := slices.IndexFunc(cs, func(c question.Constraint) bool {
			return c.Kind == question.Ordinal || c.Kind == question.Name && c.Text != "优必选"
		})
		if i < 0 {
			t.Fatalf("%s: no ordinal or name among %+v", tt.question, cs)
		}
		if got := holdsConstraint(cs[i], terms.Fold(tt.passage), index.Indexed{}); got != tt.want {
			t.Errorf("%s holds %+v: %v, want %v", tt.passage, cs[i], got, tt.want)
		}
	}
}
