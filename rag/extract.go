package rag

import (
	"fmt"
	"strings"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
	"github.com/qabot/qabot/rag/terms"
)

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

// quote writes the sentences as the answer, each followed by the
// citation of its passage, within MaxAnswerRunes: an over-long sentence is
// cut around what answers the question, and sentences that no longer fit
// are left out. The quoted sentences become their sources' quotes.
func (a *Answerer) quote(sents []quotedSentence, sources []Source, q question.Question) string {
	limit := a.answerLimit()
	m := search.NewMatcher(a.Store, q.Terms)
	var b strings.Builder
	used := 0
	for i, qs := range sents {
		sent := strings.TrimSpace(qs.text)
		if n := document.RuneLen(sent); n > limit {
			sent = bestWindow(sent, m, limit)
		}
		if i > 0 && used+document.RuneLen(sent) > limit {
			break
		}
		used += document.RuneLen(sent)
		src := qs.src
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
func bestWindow(sentence string, m search.Matcher, limit int) string {
	runes := []rune(sentence)
	type clause struct{ start, end int }
	var clauses []clause
	start := 0
	for i, r := range runes {
		if strings.ContainsRune(document.ClausePunct+"；;", r) {
			clauses = append(clauses, clause{start, i + 1})
			start = i + 1
		}
	}
	if start < len(runes) {
		clauses = append(clauses, clause{start, len(runes)})
	}
	best, bestCov := 0, -1.0
	for i, c := range clauses {
		if cov := m.Coverage(string(runes[c.start:c.end])); cov > bestCov {
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
