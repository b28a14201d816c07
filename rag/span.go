package rag

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
	"github.com/qabot/qabot/rag/terms"
)

// An extractive answer is evidence: the sentence most likely to state what
// is asked, in the passage most likely to hold it, with its neighbours as
// far as the answer's length budget allows. Every sentence of the top
// passages is a candidate, described by general features and scored by
// their weighted sum, the weights fitted on the development sets
// (weights.tsv).

// The features of a sentence for a question, each from 0 to 1.
const (
	SpanOwn         = iota // the IDF-weighted share of the question's terms it holds (the asking clause's and the focus's weigh more)
	SpanWindow             // the same of it with its neighbours
	SpanRank               // its passage's rank: 1 for the first, 1/2 for the second...
	SpanKind               // it states the kind of answer asked (a number, a date, a list...) beyond what the question says
	SpanConstraints        // the share of the question's years, dates and ordinals it and its neighbours hold
	SpanFocus              // it holds the word naming what is asked (董事长 of 董事长是谁)
	SpanNovel              // the share of its characters the question does not hold
	SpanLead               // it is among the first whole sentences of its article, and the question asks for an overview
	SpanFragment           // it does not end a sentence: a headline, a caption, a cut
	SpanArticle            // the share of the question's terms, weighed by rarity, that its article holds
	SpanMargin             // how near its passage's rank score is to the first passage's: e to the power of their difference
	SpanUnit               // it gives a number in the unit asked (58 家 of 多少家)
	SpanNamed              // the question asks about an article as a whole, and names its article by its title or reporters
	NumSpanFeatures
)

// SpanFeatureNames name the features, as weights.tsv does.
var SpanFeatureNames = [NumSpanFeatures]string{"own", "window", "rank", "kind", "constraints", "focus", "novel", "lead", "fragment", "article", "margin", "unit", "named"}

// Span is a sentence of a retrieved passage, a candidate for the answer.
type Span struct {
	Hit      int // the passage's index among the hits
	Text     string
	Features [NumSpanFeatures]float64
	para     []string // the sentences of its paragraph
	k        int      // its index in para
}

// Spans are the sentences of hits, candidates for the answer to q, with
// their features.
func Spans(s *index.Store, q question.Question, hits []search.Hit) []Span {
	m := search.NewMatcher(s, stressed(q))
	var constraints []question.Constraint // the dates and ordinals: a name is named once in an article
	for _, c := range q.Constraints() {
		if c.Kind != question.Name {
			constraints = append(constraints, c)
		}
	}
	focus := terms.Fold(q.Focus)
	asked := questionChars(q)
	var out []Span
	for i, h := range hits {
		art := s.Article(h.Chunk.Doc)
		body := 0 // the whole sentences of the passage so far: a headline is none
		for _, para := range strings.Split(h.Chunk.Text, "\n") {
			sents := document.Sentences(para)
			for k, sent := range sents {
				window := terms.Fold(strings.Join(sents[max(0, k-1):min(len(sents), k+2)], ""))
				folded := terms.Fold(sent)
				var f [NumSpanFeatures]float64
				f[SpanOwn] = m.CoverageFolded(folded)
				f[SpanWindow] = m.CoverageFolded(window)
				f[SpanRank] = 1 / float64(i+1)
				f[SpanMargin] = math.Exp(h.Score - hits[0].Score)
				if q.States(sent) {
					f[SpanKind] = 1
				}
				if q.GivesInUnit(folded) {
					f[SpanUnit] = 1
				}
				if h.Named {
					f[SpanNamed] = 1
				}
				f[SpanConstraints] = search.HeldShare(constraints, window, art)
				if focus != "" && strings.Contains(folded, focus) {
					f[SpanFocus] = 1
				}
				f[SpanNovel] = novelty(folded, asked)
				f[SpanArticle] = h.ArticleCover
				if !document.EndsSentence(sent) {
					f[SpanFragment] = 1
				} else if body++; q.Asks == question.Summary && h.Chunk.Index == 0 && body <= lead {
					f[SpanLead] = 1
				}
				out = append(out, Span{Hit: i, Text: sent, Features: f, para: sents, k: k})
			}
		}
	}
	return out
}

// lead is how many whole sentences open an article and sum it up (its
// headline, a subtitle, a caption are none).
const lead = 2

// spanScore is a sentence's score: its features weighed.
func (w *Weights) spanScore(f [NumSpanFeatures]float64) float64 {
	s := 0.0
	for i, x := range f {
		s += w.Span[i] * x
	}
	return s
}

// questionChars are the characters of the question's content words.
func questionChars(q question.Question) map[rune]bool {
	out := map[rune]bool{}
	for _, run := range q.ContentRuns() {
		for _, r := range run {
			out[r] = true
		}
	}
	return out
}

// novelty is the share of the letters of folded text that are not among
// asked: what a sentence adds to the question.
func novelty(folded string, asked map[rune]bool) float64 {
	n, novel := 0, 0
	for _, r := range folded {
		if document.IsPunct(r) || r == ' ' {
			continue
		}
		n++
		if !asked[r] {
			novel++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(novel) / float64(n)
}

// BestSpan is the index of the best of spans by w, -1 when there are none.
func BestSpan(spans []Span, w *Weights) int {
	best, bestScore := -1, 0.0
	for i, sp := range spans {
		if score := w.spanScore(sp.Features); best < 0 || score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// evidence is the answer built on span best: the sentence first, then
// those of its neighbours in its paragraph that share a term with the
// question, the better scored first, while the whole stays within budget
// runes; the neighbours in the order the article has them.
func evidence(spans []Span, best int, w *Weights, budget int) []string {
	b := spans[best]
	neighbour := map[int]Span{}
	for _, sp := range spans {
		if sp.Hit == b.Hit && sameParagraph(sp.para, b.para) && sp.k != b.k && sp.Features[SpanOwn] > 0 {
			neighbour[sp.k] = sp
		}
	}
	lo, hi := b.k, b.k
	used := utf8.RuneCountInString(b.Text)
	for {
		pick, ok := neighbour[lo-1]
		if next, okNext := neighbour[hi+1]; okNext && (!ok || w.spanScore(next.Features) >= w.spanScore(pick.Features)) {
			pick, ok = next, true
		}
		if used += utf8.RuneCountInString(pick.Text); !ok || used > budget {
			break
		}
		lo, hi = min(lo, pick.k), max(hi, pick.k)
	}
	return append([]string{b.Text}, slices.Delete(slices.Clone(b.para[lo:hi+1]), b.k-lo, b.k-lo+1)...)
}

// sameParagraph reports whether a and b are the same slice of sentences.
func sameParagraph(a, b []string) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// SpanScore is the score of sp by w.
func SpanScore(w *Weights, sp Span) float64 { return w.spanScore(sp.Features) }
