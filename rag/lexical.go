package rag

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
)

// lexicalIndex is an in-memory BM25 index over the chunks. It uses bleve's
// CJK analyzer: bigrams of CJK characters, and Latin words and numbers as
// terms.
type lexicalIndex struct {
	index bleve.Index
}

type lexicalDoc struct {
	Text string `json:"text"`
}

func newLexicalIndex(chunks []Chunk) (*lexicalIndex, error) {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = cjk.AnalyzerName
	text.Store = false
	text.IncludeTermVectors = false
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text)
	m := mapping.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = cjk.AnalyzerName
	m.ScoringModel = "bm25"
	// NewMemOnly would fall back to TF-IDF; scorch in memory scores BM25.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	batch := idx.NewBatch()
	for _, c := range chunks {
		if err := batch.Index(c.ID(), lexicalDoc{Text: c.Text}); err != nil {
			return nil, err
		}
	}
	if err := idx.Batch(batch); err != nil {
		return nil, err
	}
	return &lexicalIndex{index: idx}, nil
}

// search returns the IDs of up to n chunks matching question, best first.
func (l *lexicalIndex) search(question string, n int) ([]string, error) {
	q := bleve.NewMatchQuery(question)
	q.SetField("text")
	q.Analyzer = cjk.AnalyzerName
	req := bleve.NewSearchRequestOptions(q, n, 0, false)
	res, err := l.index.Search(req)
	if err != nil {
		return nil, fmt.Errorf("lexical search: %w", err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// termStats holds the document frequency of every term among the chunks,
// which weighs question terms by rarity.
type termStats struct {
	n  int
	df map[string]int
}

func newTermStats(chunks []Chunk) termStats {
	s := termStats{n: len(chunks), df: map[string]int{}}
	for _, c := range chunks {
		seen := map[string]bool{}
		for _, t := range splitTerms(c.Text) {
			if !seen[t.text] {
				seen[t.text] = true
				s.df[t.text]++
			}
		}
	}
	return s
}

// idf weighs a term by its rarity among the chunks; a term found nowhere
// weighs most.
func (s termStats) idf(t string) float64 {
	return math.Log(1 + float64(s.n+1)/float64(s.df[t]+1))
}

// matcher measures how much of one question a text covers: the share of
// the question's terms, each weighted by its weight and IDF, that occur in
// the text. 1 when every term occurs; near 0 when only common ones do.
type matcher struct {
	terms   []queryTerm
	weights []float64 // weight × IDF per term
	total   float64
}

func (s termStats) matcher(query []queryTerm) matcher {
	m := matcher{terms: query, weights: make([]float64, len(query))}
	for i, t := range query {
		m.weights[i] = t.weight * s.idf(t.text)
		m.total += m.weights[i]
	}
	return m
}

// coverage is the share of the question that text covers.
func (m matcher) coverage(text string) float64 {
	has := make([]bool, len(m.terms))
	m.present(text, has)
	return m.score(has)
}

// present marks, in has, the terms that occur in text (has has one entry per
// term), so that a run of sentences can be scored without rescanning.
func (m matcher) present(text string, has []bool) {
	lower := strings.ToLower(text)
	for i, t := range m.terms {
		has[i] = has[i] || containsTerm(lower, t.text)
	}
}

// score is the coverage of the terms marked in has.
func (m matcher) score(has []bool) float64 {
	if m.total == 0 {
		return 0
	}
	var sum float64
	for i, ok := range has {
		if ok {
			sum += m.weights[i]
		}
	}
	return sum / m.total
}

// containsTerm reports whether term occurs in text as a term: anywhere for
// CJK n-grams, as a whole word otherwise.
func containsTerm(text, term string) bool {
	for from := 0; ; {
		i := strings.Index(text[from:], term)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(term):])
		first, _ := utf8.DecodeRuneInString(term)
		if isCJK(first) || (!isWordRune(before) && !isWordRune(after)) {
			return true
		}
		from = i + len(term)
	}
}
