package index

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/index/segment"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// BM25 parameters (Robertson and Zaragoza's usual values).
const (
	BM25K1 = 1.2
	BM25B  = 0.75
)

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
		if df := s.DF(t.Text); least < 0 || df < least {
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
		_, postings := sg.Lookup(rarest)
		hit := false
		segment.EachPosting(postings, func(i, _ int) {
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

// Lexical holds the BM25 scores of a question's terms over the live
// passages and articles, by global position and article index, and the
// positions and articles scored.
type Lexical struct {
	Passage, Article, ArticleCover []float64
	Touched, Articles              []int
}

// LexicalScores scores every live passage, and every article as a whole,
// by BM25 over the query's terms, each scaled by its weight. Terms held
// by more than a third of the passages are skipped: they cost the most to
// score and tell the least.
func (s *Store) LexicalScores(query []question.Term) Lexical {
	lex := Lexical{Passage: make([]float64, len(s.live)), Article: make([]float64, len(s.artNames)), ArticleCover: make([]float64, len(s.artNames))}
	tf := make([]float64, len(s.artNames)) // one term's count in each article
	nArticles := float64(len(s.artNames))
	total := 0.0
	for _, t := range query {
		df := s.DF(t.Text)
		if df*3 > s.nStored && s.nStored > 30 {
			continue
		}
		if df == 0 {
			total += t.Weight * math.Log(1+2*nArticles)
			continue
		}
		idf := math.Log(1 + (float64(s.nStored)-float64(df)+0.5)/(float64(df)+0.5))
		var arts []int
		for k, sg := range s.segs {
			_, postings := sg.Lookup(t.Text)
			segment.EachPosting(postings, func(i, n int) {
				pos := s.base[k] + i
				if pos >= len(s.live) || !s.live[pos] {
					return
				}
				if lex.Passage[pos] == 0 {
					lex.Touched = append(lex.Touched, pos)
				}
				norm := BM25K1 * (1 - BM25B + BM25B*float64(sg.Lengths[i])/s.avgLen)
				lex.Passage[pos] += t.Weight * idf * float64(n) * (BM25K1 + 1) / (float64(n) + norm)
				ai := s.art[pos]
				if tf[ai] == 0 {
					arts = append(arts, int(ai))
				}
				tf[ai] += float64(n)
			})
		}
		artIDF := math.Log(1 + (nArticles-float64(len(arts))+0.5)/(float64(len(arts))+0.5))
		total += t.Weight * artIDF
		for _, ai := range arts {
			lex.ArticleCover[ai] += t.Weight * artIDF
			if lex.Article[ai] == 0 {
				lex.Articles = append(lex.Articles, ai)
			}
			norm := BM25K1 * (1 - BM25B + BM25B*s.artLen[ai]/s.avgArtLen)
			lex.Article[ai] += t.Weight * artIDF * tf[ai] * (BM25K1 + 1) / (tf[ai] + norm)
			tf[ai] = 0
		}
	}
	for _, ai := range lex.Articles {
		lex.ArticleCover[ai] /= total
	}
	return lex
}
