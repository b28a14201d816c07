package rag

import (
	"fmt"
	"strings"

	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// An extractive answer quotes the sentences of the passages that answer the
// question, the answering sentence first. Which sentence answers depends
// on what the question asks for: the one that covers the question and
// states that kind of answer (a number, a date, a post, a place, a list);
// for why and how, the sentences around the claim that give the reason or
// the means; for an overview, what sums up the article, the person or the
// subject it asks about.

// pick is the answer chosen among the passages.
type pick struct {
	src     int      // the answering passage's index among the sources; -1: none
	hit     Hit      // the answering passage
	sents   []string // the sentences quoted, in the order quoted
	from    []int    // the source of each sentence, when not all are src's
	fits    bool     // the answering sentence states the kind of answer asked
	widened bool     // the passage was found below the top K
	named   bool     // the passage is the article the question names
}

// sentenceScore weighs what makes a sentence the answer: the question's
// terms it holds, those held by it and its neighbours (the subject is often
// named a sentence before), and whether it states the kind of answer asked.
const (
	ownWeight    = 0.6
	nearWeight   = 0.35
	statesWeight = 0.1 // it names what is asked of the subject (前身, 董事长, 技术人员)
	rankPenalty  = 0.03
	summaryBonus = 0.2
)

// choose picks the answering sentences among hits; a question that asks
// for a number, a date, a place or a person whose answer no sentence of
// hits states looks for one in wide, the passages below them.
func (a *Answerer) choose(q question.Question, hits, wide []Hit) pick {
	if len(q.Parts) > 1 {
		return a.chooseParts(q, hits)
	}
	best := a.bestSentence(q, hits, 0)
	if best.src < 0 || best.fits || !typed(q) {
		return best.pick
	}
	if len(wide) > len(hits) {
		if more := a.bestSentence(q, wide[len(hits):], len(hits)); more.src >= 0 && more.fits && more.own >= best.own {
			more.pick.widened = true
			return more.pick
		}
	}
	// No sentence states the answer: answer from a passage that names the
	// subject as the question does, if one does, so that what it lacks can
	// be said.
	if !a.namedExactly(q, best.hit.Chunk.Text) {
		for i, h := range hits {
			if a.namedExactly(q, h.Chunk.Text) {
				named := a.bestSentence(q, []Hit{h}, i)
				named.src = i
				return named.pick
			}
		}
	}
	return best.pick
}

// scoredPick is a pick with its score and the coverage of its sentence.
type scoredPick struct {
	pick
	score, own float64
}

// bestSentence finds, among hits (ranked from rank0 on), the sentence that
// answers q best, and builds the answer around it.
func (a *Answerer) bestSentence(q question.Question, hits []Hit, rank0 int) scoredPick {
	m := a.Store.matcher(stressed(q))
	fitWeight := fitWeights[q.Asks]
	stating := append([]string{tail(terms.Fold(q.Focus), 2)}, q.Titles...)
	best := scoredPick{pick: pick{src: -1}, score: -1}
	for i, h := range hits {
		if !a.namesAll(q, h.Chunk.Doc) {
			continue // about another place or body
		}
		named := wordsIn(q.SubjectWords(), h.Chunk.Text) >= minSubjectShare
		for _, para := range strings.Split(h.Chunk.Text, "\n") {
			sents := Sentences(para)
			for k, sent := range sents {
				own := m.coverage(sent)
				near := m.coverage(strings.Join(sents[max(0, k-1):min(len(sents), k+2)], ""))
				// A sentence states the answer when it holds the kind
				// asked and the subject is named near it.
				fits := q.Answers(sent) && a.subjectNear(q, h.Chunk.Doc, sents, k, named)
				score := ownWeight*own + nearWeight*near - rankPenalty*float64(rank0+i)
				if fits && own > 0 {
					score += fitWeight
				}
				if near > 0.3 && mentionsAny(terms.Fold(sent), stating) {
					score += statesWeight
				}
				if q.Asks == question.Summary && question.States(sent, question.Summary) {
					score += summaryBonus * own
				}
				if !endsSentence(sent) && len(sents) == 1 {
					score *= 0.5 // a headline or a signature, not a statement
				}
				if score > best.score {
					best = scoredPick{pick: pick{src: i, hit: h, fits: fits}, score: score, own: own}
					best.sents = around(q, sents, k)
				}
			}
		}
	}
	return best
}

// mentionsAny reports whether text holds one of the non-empty words.
func mentionsAny(text string, words []string) bool {
	for _, w := range words {
		if w != "" && strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// namesAll reports whether the article doc names every name of the
// question that the collection holds (a place, a body): an article about
// 东山 does not answer a question about 南湖.
func (a *Answerer) namesAll(q question.Question, doc string) bool {
	return a.nameNotIn(q, doc) == ""
}

// nameNotIn is the first name of the question that the collection holds
// but the article doc does not (a place or body other than the article's);
// "" when there is none.
func (a *Answerer) nameNotIn(q question.Question, doc string) string {
	for _, w := range q.Names() {
		if !a.Store.articleHolds(doc, w.Text, strings.TrimRight(w.Text, "省市县区")) && a.Store.Holds(w.Text) {
			return w.Text
		}
	}
	return ""
}

// stressed is the terms with those of the clause that asks weighing double,
// when the question has other clauses.
// The terms of the word that names what is asked (前身 of 前身是什么) weigh
// more again: the answering sentence names it.
func stressed(q question.Question) []question.Term {
	focus := terms.Fold(q.Focus)
	out := make([]question.Term, len(q.Terms))
	for i, t := range q.Terms {
		out[i] = t
		if t.Asked {
			out[i].Weight *= 2
		}
		if focus != "" && strings.Contains(focus, t.Text) {
			out[i].Weight *= 2
		}
	}
	return out
}

// fitWeights are how much stating the kind of answer asked adds to a
// sentence's score, by kind: most for a list, whose enumeration is the
// answer; nothing for a thing, which any sentence may name.
var fitWeights = map[question.Type]float64{
	question.List: 0.15, question.Number: 0.2, question.Date: 0.2, question.Person: 0.2, question.Place: 0.15,
	question.Reason: 0.2, question.Means: 0.2, question.Summary: 0.1,
}

// around is the answer built on sentence k of a paragraph: for a reason or
// a means, the sentence before and after it too, those that give the
// reason or the means first; for a list whose enumeration follows, the next
// sentence; for a sentence that does not state the kind of answer asked, the
// neighbour that does, after it.
func around(q question.Question, sents []string, k int) []string {
	out := []string{sents[k]}
	next := func() []string {
		if k+1 < len(sents) {
			return []string{sents[k+1]}
		}
		return nil
	}
	switch {
	case q.Asks == question.Reason || q.Asks == question.Means:
		var cued, plain []string
		for j := max(0, k-1); j < min(len(sents), k+2); j++ {
			if question.States(sents[j], q.Asks) {
				cued = append(cued, sents[j])
			} else if j == k {
				plain = append([]string{sents[j]}, plain...)
			} else {
				plain = append(plain, sents[j])
			}
		}
		return append(cued, plain...)
	case q.Asks == question.Summary:
		if strings.HasSuffix(strings.TrimSpace(sents[k]), "：") || strings.HasSuffix(sents[k], ":") {
			return append(out, next()...)
		}
	case !q.Answers(sents[k]):
		if n := next(); n != nil && q.Answers(n[0]) {
			return append(out, n...)
		}
		if k > 0 && q.Answers(sents[k-1]) {
			return append(out, sents[k-1])
		}
	}
	return out
}

// chooseParts answers each question of one that asks several: the
// sentences chosen for each, once each, the first part's passage as the
// one cited first.
func (a *Answerer) chooseParts(q question.Question, hits []Hit) pick {
	var out pick
	out.src = -1
	seen := map[string]bool{}
	out.fits = true
	for _, part := range q.Parts {
		p := a.bestSentence(part, hits, 0).pick
		if p.src < 0 {
			continue
		}
		if out.src < 0 {
			out.src, out.hit = p.src, p.hit
		}
		out.fits = out.fits && p.fits
		for _, s := range p.sents {
			if !seen[s] {
				seen[s] = true
				out.sents = append(out.sents, s)
				out.from = append(out.from, p.src)
			}
		}
	}
	return out
}

// quote writes the picked sentences as the answer, each followed by the
// citation of its passage, within MaxAnswerRunes: an over-long sentence is
// cut around what answers the question, and sentences that no longer fit
// are left out. The quoted sentences become their sources' quotes.
func (a *Answerer) quote(p pick, sources []Source, q question.Question) string {
	limit := a.answerLimit()
	m := a.Store.matcher(q.Terms)
	var b strings.Builder
	used := 0
	for i, sent := range p.sents {
		sent = strings.TrimSpace(sent)
		if n := runeLen(sent); n > limit {
			sent = bestWindow(sent, m, limit)
		}
		if i > 0 && used+runeLen(sent) > limit {
			break
		}
		used += runeLen(sent)
		src := p.src
		if i < len(p.from) {
			src = p.from[i]
		}
		addQuote(&sources[src], sent)
		if i > 0 && terms.Language(sent) != "zh" {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s[%d]", sent, sources[src].N)
	}
	return b.String()
}

// answerLimit is MaxAnswerRunes, 300 by default.
func (a *Answerer) answerLimit() int {
	if a.MaxAnswerRunes <= 0 {
		return 300
	}
	return a.MaxAnswerRunes
}

// numberCited numbers an extractive answer's citations from 1 in the order
// they appear, and lists the cited sources first, in that order, then the
// other passages retrieved, best first.
func numberCited(ans *Answer) {
	c := newCitations(len(ans.Sources))
	ans.Text = c.rewrite(ans.Text)
	out := c.cited(ans.Sources)
	for _, s := range ans.Sources {
		if _, cited := c.renum[s.N]; !cited {
			s.N = len(out) + 1
			out = append(out, s)
		}
	}
	ans.Sources = out
}

func addQuote(s *Source, text string) {
	if s.Quote == "" {
		s.Quote = text
		return
	}
	s.Quote += " … " + text
}

// bestWindow cuts an over-long sentence to at most limit runes: the run of
// clauses around the clause that covers the question best, marked with "…"
// where text was left out.
func bestWindow(sentence string, m matcher, limit int) string {
	runes := []rune(sentence)
	var clauses []span
	start := 0
	for i, r := range runes {
		if strings.ContainsRune(clausePunct+"；;", r) {
			clauses = append(clauses, span{start, i + 1})
			start = i + 1
		}
	}
	if start < len(runes) {
		clauses = append(clauses, span{start, len(runes)})
	}
	best, bestCov := 0, -1.0
	for i, c := range clauses {
		if cov := m.coverage(string(runes[c.start:c.end])); cov > bestCov {
			best, bestCov = i, cov
		}
	}
	lo, hi := best, best
	for {
		grew := false
		if hi+1 < len(clauses) && clauses[hi+1].end-clauses[lo].start <= limit {
			hi++
			grew = true
		}
		if lo > 0 && clauses[hi].end-clauses[lo-1].start <= limit {
			lo--
			grew = true
		}
		if !grew {
			break
		}
	}
	s, e := clauses[lo].start, min(clauses[hi].end, clauses[lo].start+limit)
	out := string(runes[s:e])
	if s > 0 {
		out = "…" + out
	}
	if e < len(runes) {
		out += "…"
	}
	return out
}

// articleSummary is, for a question that asks what an article says and
// names it by its title or its reporters (张三写的那篇讲了什么, 讲全会的那篇
// 的核心意思), the sentence that sums the article up: its subtitle (——…),
// else the sentence of its lead that reports what was said, else the
// lead's first sentence. It reports false for any other question.
func (a *Answerer) articleSummary(q question.Question) (pick, bool) {
	if q.Asks != question.Summary || !q.Article {
		return pick{src: -1}, false
	}
	m := a.Store.matcher(q.Terms)
	doc, best := "", 0.0
	for name, art := range a.Store.Manifest.Articles {
		if cov := m.coverage(art.Title + "\n" + art.Reporters); cov > best || cov == best && name < doc {
			doc, best = name, cov
		}
	}
	if best < minArticleMatch {
		return pick{src: -1}, false
	}
	chunks := a.Store.articleChunks(doc)
	for _, c := range chunks {
		for _, para := range strings.Split(c.Text, "\n") {
			if strings.HasPrefix(para, "——") && runeLen(para) <= maxSubtitleRunes {
				return pick{src: -1, hit: Hit{Chunk: c, Relevance: 1}, sents: []string{para}, fits: true, named: true}, true
			}
		}
	}
	for _, c := range chunks {
		for _, para := range strings.Split(c.Text, "\n") {
			sents := Sentences(para)
			if len(sents) == 0 || !endsSentence(para) {
				continue // a headline
			}
			lead := sents[0]
			for _, s := range sents {
				if question.States(s, question.Summary) {
					lead = s
					break
				}
			}
			return pick{src: -1, hit: Hit{Chunk: c, Relevance: 1}, sents: []string{lead}, fits: true, named: true}, true
		}
	}
	return pick{src: -1}, false
}

// minArticleMatch is the share of a question's terms that an article's
// title and reporters must hold for the question to name the article.
const minArticleMatch = 0.5

// maxSubtitleRunes bounds a subtitle line.
const maxSubtitleRunes = 80
