package search

import (
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// Matcher measures how much of one question a text covers: the share of
// the question's terms, each weighted by its weight and IDF, that occur in
// the (folded) text. 1 when every term occurs; near 0 when only common
// ones do.
type Matcher struct {
	qterms  []question.Term
	weights []float64 // weight × IDF per term
	total   float64
}

// matcher weighs the question's terms by their rarity in s. A bigram found
// in no passage between two that are found (纤项 of 绿源那个碳纤项目) is the
// seam between two words, not a word the passages lack, and weighs nothing.
func NewMatcher(s *index.Store, query []question.Term) Matcher {
	m := Matcher{qterms: query, weights: make([]float64, len(query))}
	for i, t := range query {
		df := s.DF(t.Text)
		if df == 0 && seam(s, t) {
			continue
		}
		m.weights[i] = t.Weight * s.IDF(df)
		m.total += m.weights[i]
	}
	return m
}

// seam reports whether t, a bigram that no passage holds, stands between
// two bigrams that passages do hold.
func seam(s *index.Store, t question.Term) bool {
	return t.Left != "" && t.Right != "" && s.DF(t.Left) > 0 && s.DF(t.Right) > 0
}

// Coverage is the share of the question that text covers.
func (m Matcher) Coverage(text string) float64 { return m.CoverageFolded(terms.Fold(text)) }

// CoverageFolded is coverage for text already folded.
func (m Matcher) CoverageFolded(folded string) float64 {
	has := make([]bool, len(m.qterms))
	m.presentFolded(folded, has)
	return m.score(has)
}

// presentFolded marks, in has, the terms that occur in folded text (has
// has one entry per term), so that a run of sentences can be scored
// without rescanning.
func (m Matcher) presentFolded(folded string, has []bool) {
	for i, t := range m.qterms {
		has[i] = has[i] || terms.Contains(folded, t.Text)
	}
}

// passageScores returns text's coverage and its closeness, folding it once.
// The closeness is the best coverage of any two consecutive sentences: a
// passage that holds the question's terms together, in one statement,
// answers it more likely than one that scatters them over unrelated
// sentences, as near-duplicate articles do.
func (m Matcher) passageScores(text string) (coverage, closeness float64) {
	folded := terms.Fold(text)
	has := make([]bool, len(m.qterms))
	m.presentFolded(folded, has)
	coverage = m.score(has)
	sents := document.Sentences(folded)
	for i := range sents {
		clear(has)
		for j := i; j < min(i+2, len(sents)); j++ {
			m.presentFolded(sents[j], has)
		}
		closeness = max(closeness, m.score(has))
	}
	return coverage, closeness
}

// score is the coverage of the terms marked in has.
func (m Matcher) score(has []bool) float64 {
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
