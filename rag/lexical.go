package rag

import (
	"math"
	"strings"
	"unicode/utf8"
)

// BM25 parameters (Robertson and Zaragoza's usual values).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// lexicalSearch ranks the live passages by BM25 over the query's terms,
// each scaled by its weight, and returns up to n global positions, best
// first. Terms held by more than a third of the passages are skipped: they
// cost the most to score and tell the least.
func (s *Store) lexicalSearch(query []queryTerm, n int) []int {
	scores := make([]float64, len(s.live))
	var touched []int
	for _, t := range query {
		df := s.df(t.text)
		if df == 0 || df*3 > s.nStored && s.nStored > 30 {
			continue
		}
		idf := math.Log(1 + (float64(s.nStored)-float64(df)+0.5)/(float64(df)+0.5))
		for k, sg := range s.segs {
			_, postings := sg.lookup(t.text)
			eachPosting(postings, func(i, tf int) {
				pos := s.base[k] + i
				if pos >= len(s.live) || !s.live[pos] {
					return
				}
				if scores[pos] == 0 {
					touched = append(touched, pos)
				}
				norm := bm25K1 * (1 - bm25B + bm25B*float64(sg.lengths[i])/s.avgLen)
				scores[pos] += t.weight * idf * float64(tf) * (bm25K1 + 1) / (float64(tf) + norm)
			})
		}
	}
	ranked := make([]scored, len(touched))
	for i, pos := range touched {
		ranked[i] = scored{pos, scores[pos]}
	}
	sortScored(ranked)
	out := make([]int, min(n, len(ranked)))
	for i := range out {
		out[i] = ranked[i].pos
	}
	return out
}

// matcher measures how much of one question a text covers: the share of
// the question's terms, each weighted by its weight and IDF, that occur in
// the (folded) text. 1 when every term occurs; near 0 when only common
// ones do.
type matcher struct {
	terms   []queryTerm
	weights []float64 // weight × IDF per term
	total   float64
}

// matcher weighs the question's terms by their rarity in s. A bigram found
// in no passage between two that are found (钢项 of 太钢那个硅钢项目) is the
// seam between two words, not a word the passages lack, and weighs nothing.
func (s *Store) matcher(query []queryTerm) matcher { return s.weigh(query, true) }

// phraseMatcher weighs the terms of a short phrase, such as the attribute a
// question asks for (研究人员), which is one word: every bigram counts,
// 究人 too.
func (s *Store) phraseMatcher(phrase string) matcher { return s.weigh(queryTerms(phrase), false) }

func (s *Store) weigh(query []queryTerm, skipSeams bool) matcher {
	m := matcher{terms: query, weights: make([]float64, len(query))}
	for i, t := range query {
		df := s.df(t.text)
		if skipSeams && df == 0 && s.seam(t) {
			continue
		}
		m.weights[i] = t.weight * s.idf(df)
		m.total += m.weights[i]
	}
	return m
}

// seam reports whether t, a bigram that no passage holds, stands between
// two bigrams that passages do hold.
func (s *Store) seam(t queryTerm) bool { return isSeam(t, s.df) }

// isSeam is seam with df, the number of passages holding a term.
func isSeam(t queryTerm, df func(string) int) bool {
	return t.left != "" && t.right != "" && df(t.left) > 0 && df(t.right) > 0
}

// coverage is the share of the question that text covers.
func (m matcher) coverage(text string) float64 { return m.coverageFolded(fold(text)) }

// coverageFolded is coverage for text already folded.
func (m matcher) coverageFolded(folded string) float64 {
	has := make([]bool, len(m.terms))
	m.presentFolded(folded, has)
	return m.score(has)
}

// shared is how many of the question's terms text contains.
func (m matcher) shared(text string) int {
	has := make([]bool, len(m.terms))
	m.present(text, has)
	n := 0
	for _, ok := range has {
		if ok {
			n++
		}
	}
	return n
}

// present marks, in has, the terms that occur in text (has has one entry per
// term), so that a run of sentences can be scored without rescanning.
func (m matcher) present(text string, has []bool) { m.presentFolded(fold(text), has) }

// presentFolded is present for text already folded.
func (m matcher) presentFolded(folded string, has []bool) {
	for i, t := range m.terms {
		has[i] = has[i] || containsTerm(folded, t.text)
	}
}

// passageScores returns text's coverage and its closeness, folding it once.
// The closeness is the best coverage of any two consecutive sentences: a
// passage that holds the question's terms together, in one statement,
// answers it more likely than one that scatters them over unrelated
// sentences, as near-duplicate articles do.
func (m matcher) passageScores(text string) (coverage, closeness float64) {
	folded := fold(text)
	has := make([]bool, len(m.terms))
	m.presentFolded(folded, has)
	coverage = m.score(has)
	sents := Sentences(folded)
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
