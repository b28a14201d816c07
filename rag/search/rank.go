package search

import (
	"container/heap"
	"context"
	"slices"
	"strings"

	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// Retrieval ranks passages in two steps, as search engines do. A pool of
// candidates comes first: the passages BM25 ranks highest, the best
// passages of the articles BM25 ranks highest as wholes (an article that
// holds the question's words across its passages, as a long report on its
// subject does), and the passages nearest the question's vector. Each
// candidate is then described by a few general features and ranked by
// their weighted sum, the weights fitted on the development sets
// (weights.tsv).

// The features of a passage for a question, each from 0 to 1.
const (
	RankBM25         = iota // the passage's BM25 score, over the pool's best
	RankArticle             // its article's BM25 score as a whole, over the pool's best
	RankArticleCover        // the share of the question's terms, weighed by rarity among articles, that its article holds
	RankCoverage            // the IDF-weighted share of the question's terms it holds
	RankCloseness           // the same of its best two consecutive sentences
	RankPhrase              // the share of the question's three-character runs it holds
	RankTitle               // the share of the question's terms its article's title holds
	RankDense               // the cosine similarity of its vector to the question's
	RankConstraints         // the share of the question's years, ordinals and names it holds
	RankNamed               // the question asks about an article as a whole, and names this one by its title or reporters
	NumRankFeatures
)

// RankFeatureNames name the features, as weights.tsv does.
var RankFeatureNames = [NumRankFeatures]string{"bm25", "article", "articlecover", "coverage", "closeness", "phrase", "title", "dense", "constraints", "named"}

// RankWeights weigh the features of a passage, in the order of its
// features.
type RankWeights [NumRankFeatures]float64

// Score is a passage's score: its features weighed.
func (w RankWeights) Score(f [NumRankFeatures]float64) float64 {
	s := 0.0
	for i, x := range f {
		s += w[i] * x
	}
	return s
}

// The pool: how many passages BM25 and the dense search each bring, and
// how many articles bring their best passages.
const (
	poolPassages       = 100
	poolArticles       = 20
	passagesPerArticle = 2
	poolDense          = 50
)

// Candidate is a passage considered for a question, with its features.
type Candidate struct {
	Hit
	Features [NumRankFeatures]float64
	pos      int
}

// Candidates are the passages considered for q, with their features, in no
// particular order.
func Candidates(ctx context.Context, s *index.Store, q question.Question) ([]Candidate, error) {
	lex := s.LexicalScores(q.Terms)
	pool := map[int]bool{}
	for _, pos := range topN(lex.Passage, lex.Touched, poolPassages) {
		pool[pos] = true
	}
	for _, ai := range topN(lex.Article, lex.Articles, poolArticles) {
		own := s.ArticlePassages(s.ArticleName(ai))
		for _, pos := range topN(lex.Passage, own, passagesPerArticle) {
			pool[pos] = true
		}
	}
	if q.Article {
		for _, pos := range titledArticles(s, q) {
			pool[pos] = true
		}
	}
	vec, err := s.QueryVector(ctx, q)
	if err != nil {
		return nil, err
	}
	if vec != nil {
		dense, err := s.DenseSearch(ctx, q.Folded, vec, poolDense)
		if err != nil {
			return nil, err
		}
		for _, d := range dense {
			pool[d.Pos] = true
		}
	}
	bestPassage, bestArticle := maxOf(lex.Passage, lex.Touched), maxOf(lex.Article, lex.Articles)
	m := NewMatcher(s, q.Terms)
	runs := phraseRuns(q)
	constraints := q.Constraints()
	out := make([]Candidate, 0, len(pool))
	for pos := range pool {
		c := s.Passage(pos)
		art := s.Article(c.Doc)
		folded := terms.Fold(c.Text)
		var f [NumRankFeatures]float64
		f[RankBM25] = ratio(lex.Passage[pos], bestPassage)
		f[RankArticle] = ratio(lex.Article[s.ArticleIndex(pos)], bestArticle)
		f[RankArticleCover] = lex.ArticleCover[s.ArticleIndex(pos)]
		f[RankCoverage], f[RankCloseness] = m.passageScores(c.Text)
		f[RankPhrase] = phraseShare(runs, folded)
		f[RankTitle] = titleCoverage(m, art)
		if vec != nil {
			f[RankDense] = embedding.Dot(s.Vector(pos), vec)
		}
		f[RankConstraints] = HeldShare(constraints, folded, art)
		if q.Article && f[RankTitle] >= minTitleMatch {
			f[RankNamed] = 1
		}
		// A passage of the article a question names by its title or its
		// reporters is relevant, whatever words the passage holds.
		relevance := max(f[RankCoverage], f[RankTitle])
		hit := Hit{Chunk: c, Relevance: relevance, Similarity: f[RankDense], ArticleCover: f[RankArticleCover], Named: f[RankNamed] == 1}
		out = append(out, Candidate{Hit: hit, Features: f, pos: pos})
	}
	return out, nil
}

// titledArticles are the first passages of the articles whose title and
// reporters hold at least minTitleMatch of q's terms: the candidates of a
// question about an article as a whole (张三写的那篇讲了什么).
func titledArticles(s *index.Store, q question.Question) []int {
	m := NewMatcher(s, q.Terms)
	var out []int
	for doc, art := range s.Manifest.Articles {
		if titleCoverage(m, art) < minTitleMatch {
			continue
		}
		own := s.ArticlePassages(doc)
		out = append(out, own[:min(len(own), passagesPerArticle)]...)
	}
	return out
}

// titleCoverage is the share of m's terms that art's title and reporters
// hold.
func titleCoverage(m Matcher, art index.Indexed) float64 {
	return m.Coverage(art.Title + "\n" + art.Reporters)
}

// minTitleMatch is the share of a question's terms that an article's title
// and reporters must hold for the question to name the article.
const minTitleMatch = 0.5

// Rank orders candidates by their features weighed by w, best first, and
// returns the best topK passages, each joined to the adjacent passages of
// its article among the candidates.
func Rank(cands []Candidate, w RankWeights, topK int) []Hit {
	hits := make([]Hit, len(cands))
	for i, c := range cands {
		hits[i] = c.Hit
		hits[i].Score = w.Score(c.Features)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Chunk.ID(), b.Chunk.ID())
	})
	out := MergeNeighbours(hits, topK)
	for i := range out {
		// Texts are in the segments' mapping, which goes away with the
		// store; only the passages returned are copied out.
		out[i].Chunk.Text = strings.Clone(out[i].Chunk.Text)
	}
	return out
}

// topN is the n of keys with the highest score, best first, ties in key
// order. It keeps the n best seen in a heap, so that a question whose
// words touch a million passages does not sort them all.
func topN(score []float64, keys []int, n int) []int {
	h := &worstFirst{score: score}
	for _, k := range keys {
		switch {
		case len(h.keys) < n:
			heap.Push(h, k)
		case n > 0 && h.better(k, h.keys[0]):
			h.keys[0] = k
			heap.Fix(h, 0)
		}
	}
	slices.SortFunc(h.keys, func(a, b int) int {
		switch {
		case h.better(a, b):
			return -1
		case h.better(b, a):
			return 1
		}
		return 0
	})
	return h.keys
}

// worstFirst is a heap of keys, the one with the lowest score on top.
type worstFirst struct {
	keys  []int
	score []float64
}

// better reports whether key a ranks before key b: a higher score, or the
// same score and a lower key.
func (h *worstFirst) better(a, b int) bool {
	return h.score[a] > h.score[b] || h.score[a] == h.score[b] && a < b
}

func (h *worstFirst) Len() int           { return len(h.keys) }
func (h *worstFirst) Less(i, j int) bool { return h.better(h.keys[j], h.keys[i]) }
func (h *worstFirst) Swap(i, j int)      { h.keys[i], h.keys[j] = h.keys[j], h.keys[i] }
func (h *worstFirst) Push(x any)         { h.keys = append(h.keys, x.(int)) }
func (h *worstFirst) Pop() any {
	x := h.keys[len(h.keys)-1]
	h.keys = h.keys[:len(h.keys)-1]
	return x
}

// maxOf is the highest score among keys.
func maxOf(score []float64, keys []int) float64 {
	best := 0.0
	for _, k := range keys {
		best = max(best, score[k])
	}
	return best
}

// ratio is a over b, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// phraseRuns are the three-character runs of the question's content
// words, within runs of words: what a passage that says the same thing in
// the same words holds in order.
func phraseRuns(q question.Question) []string {
	var out []string
	for _, run := range q.ContentRuns() {
		r := []rune(run)
		for i := 0; i+3 <= len(r); i++ {
			out = append(out, string(r[i:i+3]))
		}
	}
	return out
}

// phraseShare is the share of runs that folded text holds.
func phraseShare(runs []string, folded string) float64 {
	if len(runs) == 0 {
		return 0
	}
	n := 0
	for _, r := range runs {
		if strings.Contains(folded, r) {
			n++
		}
	}
	return float64(n) / float64(len(runs))
}

// HeldShare is the share of constraints that a passage (folded) of the
// article art holds; 1 when there are none.
func HeldShare(cs []question.Constraint, folded string, art index.Indexed) float64 {
	if len(cs) == 0 {
		return 1
	}
	n := 0
	for _, c := range cs {
		if holdsConstraint(c, folded, art) {
			n++
		}
	}
	return float64(n) / float64(len(cs))
}

// holdsConstraint reports whether a passage (folded) of the article art
// holds c: a year in its text or its date, anything else in its text or
// its title (a place also by its short name: 晋中 of 晋中市); a name also by
// its characters in order, a character or two apart (建行 of 建设银行).
func holdsConstraint(c question.Constraint, folded string, art index.Indexed) bool {
	if c.Kind == question.Year {
		return strings.Contains(folded, c.Text) || strings.HasPrefix(art.Date, c.Text)
	}
	forms := c.Forms()
	if holdsAny(folded, forms) || holdsAny(terms.Fold(art.Title), forms) {
		return true
	}
	return c.Kind == question.Name && inOrder(folded, c.Text, 2)
}

// holdsAny reports whether text holds one of forms (see holdsForm).
func holdsAny(text string, forms []string) bool {
	return slices.ContainsFunc(forms, func(form string) bool { return holdsForm(text, form) })
}

// holdsForm reports whether text holds form, and, when form starts with a
// digit, not as the end of a longer number: 12届 is not in 112届.
func holdsForm(text, form string) bool {
	for i := 0; ; i++ {
		k := strings.Index(text[i:], form)
		if k < 0 {
			return false
		}
		if i += k; i == 0 || !isDigit(form[0]) || !isDigit(text[i-1]) {
			return true
		}
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// HoldsConstraint reports whether the passage h holds the constraint c (see
// holdsConstraint); a name may be named anywhere in its article, as news
// names a place or a body once and then calls it 该公司 or 我市.
func HoldsConstraint(s *index.Store, h Hit, c question.Constraint) bool {
	art := s.Article(h.Chunk.Doc)
	if holdsConstraint(c, terms.Fold(h.Chunk.Text), art) {
		return true
	}
	return c.Kind == question.Name && slices.ContainsFunc(c.Forms(), func(form string) bool { return s.ArticleHolds(h.Chunk.Doc, form) })
}

// inOrder reports whether text holds the characters of word in order, at
// most gap characters apart.
func inOrder(text, word string, gap int) bool {
	w := []rune(word)
	if len(w) < 2 {
		return false
	}
	t := []rune(text)
	for i, r := range t {
		if r != w[0] {
			continue
		}
		k, last := 1, i
		for j := i + 1; j < len(t) && k < len(w) && j-last <= gap+1; j++ {
			if t[j] == w[k] {
				k, last = k+1, j
			}
		}
		if k == len(w) {
			return true
		}
	}
	return false
}
