package eval

import (
	"context"
	"io/fs"
	"math"
	"sort"
	"strings"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/terms"
)

// NaiveBaseline is the method qabot's retrieval is measured against: fixed
// 300-character chunks of the raw article files, BM25 over CJK bigrams and
// words, no cleaning, no folding of Traditional characters or numbers, and
// no refusal. It answers with nothing but the passages it retrieves.
type NaiveBaseline struct {
	docs   []string // file of each chunk
	texts  []string
	tf     []map[string]int
	lens   []float64
	df     map[string]int
	avgLen float64
}

// naiveChunk is the baseline's passage size, in characters.
const naiveChunk = 300

// NewNaiveBaseline indexes the article files of c as they are on disk
// (documents of other formats than text by their extracted text).
func NewNaiveBaseline(ctx context.Context, c document.Corpus) (*NaiveBaseline, error) {
	ix := &NaiveBaseline{df: map[string]int{}}
	if c.FS == nil {
		return ix, nil
	}
	err := fs.WalkDir(c.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !document.IsArticleFile(p) {
			return err
		}
		raw, err := document.ReadLimited(c.FS, p)
		if err != nil {
			return nil // the baseline skips what it cannot read
		}
		if text, _, err := document.ExtractText(ctx, p, raw); err == nil {
			ix.add(p, string(text))
		}
		return nil
	})
	if len(ix.texts) > 0 {
		ix.avgLen /= float64(len(ix.texts))
	}
	return ix, err
}

func (ix *NaiveBaseline) add(doc, text string) {
	runes := []rune(text)
	for start := 0; start < len(runes); start += naiveChunk {
		chunk := string(runes[start:min(start+naiveChunk, len(runes))])
		tf := map[string]int{}
		terms := naiveTerms(chunk)
		for _, term := range terms {
			tf[term]++
		}
		for term := range tf {
			ix.df[term]++
		}
		ix.docs, ix.texts, ix.tf = append(ix.docs, doc), append(ix.texts, chunk), append(ix.tf, tf)
		ix.lens = append(ix.lens, float64(len(terms)))
		ix.avgLen += float64(len(terms))
	}
}

// naiveTerms are the bigrams and words of text, lower-cased.
func naiveTerms(text string) []string {
	var out []string
	for _, t := range terms.Split(strings.ToLower(text)) {
		if t.Kind != terms.Unigram {
			out = append(out, t.Text)
		}
	}
	return out
}

// Ask retrieves the five best chunks for question by BM25; it never
// refuses and answers with no text.
func (ix *NaiveBaseline) Ask(_ context.Context, question string) (rag.Answer, error) {
	n := float64(len(ix.texts))
	scores := make([]float64, len(ix.texts))
	seen := map[string]bool{}
	for _, term := range naiveTerms(question) {
		if seen[term] || ix.df[term] == 0 {
			continue
		}
		seen[term] = true
		idf := math.Log(1 + (n-float64(ix.df[term])+0.5)/(float64(ix.df[term])+0.5))
		for i, tf := range ix.tf {
			if f := float64(tf[term]); f > 0 {
				scores[i] += idf * f * (index.BM25K1 + 1) / (f + index.BM25K1*(1-index.BM25B+index.BM25B*ix.lens[i]/ix.avgLen))
			}
		}
	}
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	ans := rag.Answer{Question: question, Mode: rag.ModeExtractive}
	for _, i := range order[:min(5, len(order))] {
		ans.Retrieved = append(ans.Retrieved, rag.Source{Doc: ix.docs[i], Text: ix.texts[i]})
	}
	return ans, nil
}
