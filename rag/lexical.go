package rag

import (
	"regexp"
	"strings"
	"unicode/utf8"

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

// shared is how many of the question's terms of two characters or more
// text contains.
func (m matcher) shared(text string) int {
	has := make([]bool, len(m.qterms))
	m.present(text, has)
	n := 0
	for i, ok := range has {
		if ok && utf8.RuneCountInString(m.qterms[i].Text) > 1 { // a lone character is no word shared
			n++
		}
	}
	return n
}

// present marks, in has, the terms that occur in text (has has one entry per
// term), so that a run of sentences can be scored without rescanning.
func (m matcher) present(text string, has []bool) { m.presentFolded(terms.Fold(text), has) }

// presentFolded is present for text already folded.
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

// Holds reports whether a live passage holds word (folded): the passages
// that hold its rarest term are read for it.
func (s *Store) Holds(word string) bool {
	return s.findIn(word, func(folded string) bool { return strings.Contains(folded, word) })
}

// rare reports whether a word (folded) is held by few passages: three at
// most, or a twentieth of them.
func (s *Store) rare(word string) bool {
	_, df := s.rarestTerm(word)
	return df >= 0 && df <= max(3, s.nStored/20)
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

// sharesBigram reports whether a live passage holds a bigram of word: a
// word that shares none is no paraphrase of the articles' words.
func (s *Store) sharesBigram(word string) bool {
	for _, t := range terms.Split(word) {
		if t.Kind != terms.Unigram && s.df(t.Text) > 0 {
			return true
		}
	}
	return false
}

// abbreviated reports whether a live passage holds the characters of word
// in order, a character or two apart at most (农大 of 农业大学).
func (s *Store) abbreviated(word string) bool {
	runes := []rune(word)
	var pattern strings.Builder
	for i, r := range runes {
		if i > 0 {
			pattern.WriteString(`\p{Han}{0,2}`)
		}
		pattern.WriteString(regexp.QuoteMeta(string(r)))
	}
	re := regexp.MustCompile(pattern.String())
	return s.findIn(string(runes[0]), func(folded string) bool { return re.MatchString(folded) })
}

// holdsNumberBefore reports whether a live passage states a number in unit
// (folded): 2022年度 for 年度, 6次 for 次.
func (s *Store) holdsNumberBefore(unit string) bool {
	if unit == "" {
		return false
	}
	return s.findIn(unit, func(folded string) bool {
		for i := strings.Index(folded, unit); i >= 0; {
			// 16万吨: a multiplier or 余 may stand between.
			before := strings.TrimRight(folded[:i], "万亿千百多余 ")
			if r, _ := utf8.DecodeLastRuneInString(before); r >= '0' && r <= '9' {
				return true
			}
			next := strings.Index(folded[i+len(unit):], unit)
			if next < 0 {
				return false
			}
			i += len(unit) + next
		}
		return false
	})
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
