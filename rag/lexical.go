package rag

import (
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// BM25 parameters (Robertson and Zaragoza's usual values).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// matcher measures how much of one question a text covers: the share of
// the question's terms, each weighted by its weight and IDF, that occur in
// the (folded) text. 1 when every term occurs; near 0 when only common
// ones do.
type matcher struct {
	qterms  []question.Term
	weights []float64 // weight × IDF per term
	total   float64
}

// matcher weighs the question's terms by their rarity in s. A bigram found
// in no passage between two that are found (纤项 of 绿源那个碳纤项目) is the
// seam between two words, not a word the passages lack, and weighs nothing.
func (s *Store) matcher(query []question.Term) matcher {
	m := matcher{qterms: query, weights: make([]float64, len(query))}
	for i, t := range query {
		df := s.df(t.Text)
		if df == 0 && s.seam(t) {
			continue
		}
		m.weights[i] = t.Weight * s.idf(df)
		m.total += m.weights[i]
	}
	return m
}

// seam reports whether t, a bigram that no passage holds, stands between
// two bigrams that passages do hold.
func (s *Store) seam(t question.Term) bool {
	return t.Left != "" && t.Right != "" && s.df(t.Left) > 0 && s.df(t.Right) > 0
}

// coverage is the share of the question that text covers.
func (m matcher) coverage(text string) float64 { return m.coverageFolded(terms.Fold(text)) }

// coverageFolded is coverage for text already folded.
func (m matcher) coverageFolded(folded string) float64 {
	has := make([]bool, len(m.qterms))
	m.presentFolded(folded, has)
	return m.score(has)
}

// presentFolded marks, in has, the terms that occur in folded text (has
// has one entry per term), so that a run of sentences can be scored
// without rescanning.
func (m matcher) presentFolded(folded string, has []bool) {
	for i, t := range m.qterms {
		has[i] = has[i] || terms.Contains(folded, t.Text)
	}
}

// passageScores returns text's coverage and its closeness, folding it once.
// The closeness is the best coverage of any two consecutive sentences: a
// passage that holds the question's terms together, in one statement,
// answers it more likely than one that scatters them over unrelated
// sentences, as near-duplicate articles do.
func (m matcher) passageScores(text string) (coverage, closeness float64) {
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

// Holds reports whether the collection holds word (folded): a reporter of
// its bylines is named so, or a live passage holds it (the passages that
// hold its rarest term are read for it).
func (s *Store) Holds(word string) bool {
	return s.reporters[word] || s.findIn(word, func(folded string) bool { return strings.Contains(folded, word) })
}

// rarestTerm is the term of word (folded) that the fewest passages hold,
// and how many hold it (-1: word has no term); a word of two characters or
// more is weighed by its bigrams, not its characters.
func (s *Store) rarestTerm(word string) (string, int) {
	rarest, least := "", -1
	for _, t := range terms.Split(word) {
		if t.Kind == terms.Unigram && utf8.RuneCountInString(word) > 1 {
			continue
		}
		if df := s.df(t.Text); least < 0 || df < least {
			rarest, least = t.Text, df
		}
	}
	return rarest, least
}

// findIn reports whether found holds for the folded text of a live passage
// that holds the rarest term of word.
func (s *Store) findIn(word string, found func(folded string) bool) bool {
	rarest, least := s.rarestTerm(word)
	if least <= 0 {
		return false
	}
	for k, sg := range s.segs {
		_, postings := sg.lookup(rarest)
		hit := false
		eachPosting(postings, func(i, _ int) {
			pos := s.base[k] + i
			if !hit && pos < len(s.live) && s.live[pos] && found(terms.Fold(s.chunks[pos].Text)) {
				hit = true
			}
		})
		if hit {
			return true
		}
	}
	return false
}
