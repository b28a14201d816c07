package rag

import (
	"slices"

	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
	"github.com/qabot/qabot/rag/terms"
)

// Offline, with no model to read the passages, qabot answers with the
// evidence: the sentences most likely to state what is asked (see Spans).
// It refuses only on proof a reader would accept: no passage is relevant
// (Answerer.relevant), or the question states a year, an ordinal or a name
// that no retrieved passage holds, which the refusal names. A false refusal
// tells someone the articles do not say what they do say; a loosely related
// quote, cited, lets them judge.

// Refusal says why qabot does not answer a question, as data.
type Refusal struct {
	Reason RefusalReason
	// Missing is the constraint no passage holds (MissingConstraint), or
	// the date or ordinal whose number or date no sentence gives
	// (NotStated; zero when the question states none).
	Missing question.Constraint
	// Asked is what the question asks for (NotStated: a number or a date).
	Asked question.Type
	// ArticlesLang is the language the articles are written in
	// (OtherLanguage).
	ArticlesLang string
}

// RefusalReason is a reason to refuse.
type RefusalReason int

// The reasons to refuse.
const (
	Answered          RefusalReason = iota
	NothingRelevant                 // no passage is relevant to the question
	MissingConstraint               // no passage holds a year, an ordinal or a name the question states
	NotStated                       // no sentence of the passages gives the number or the date asked
	ModelRefused                    // the model found no answer in the passages it was given
	// Deferred: questions that need a model, offline.
	OtherLanguage // asked in another language than the articles'
	FollowUp      // a follow-up, which needs the conversation understood
)

// Deferred reports whether the question needs a model to be answered.
func (r Refusal) Deferred() bool { return r.Reason == OtherLanguage || r.Reason == FollowUp }

// OfflineRefusal is why, offline, hits do not answer q; its Reason is
// Answered when they may.
func (a *Answerer) OfflineRefusal(q question.Question, hits []search.Hit) Refusal {
	return a.refusal(q, hits, a.eligible(q, hits), nil)
}

// refusal is OfflineRefusal with the eligible hits known, and the spans of
// q among hits when they were found already (nil: found here if needed).
func (a *Answerer) refusal(q question.Question, hits []search.Hit, eligible map[int]bool, spans []Span) Refusal {
	if len(eligible) == 0 {
		return Refusal{Reason: MissingConstraint, Missing: a.missingConstraint(q, hits[0])}
	}
	asksFigure := q.Asks == question.Number || q.Asks == question.Date
	if len(q.Parts) == 0 && asksFigure && spans == nil {
		spans = Spans(a.Store, q, hits)
	}
	if len(q.Parts) == 0 && asksFigure && !a.states(q, spans, eligible) {
		r := Refusal{Reason: NotStated, Asked: q.Asks}
		for _, c := range q.Constraints() {
			if c.Kind != question.Name {
				r.Missing = c
				break
			}
		}
		return r
	}
	return Refusal{}
}

// refuse makes ans the refusal r: no text and no sources; front ends word
// it (package reply).
func (ans *Answer) refuse(r Refusal) {
	ans.Refusal, ans.Text, ans.Sources = r, "", nil
}

// answerOffline fills in ans with an extractive answer from hits, or a
// refusal that says what the passages lack.
func (a *Answerer) answerOffline(ans *Answer, q question.Question, hits []search.Hit) {
	ans.Sources = ans.Retrieved
	eligible := a.eligible(q, hits)
	parts := q.Parts
	if len(parts) == 0 {
		parts = []question.Question{q}
	}
	spansOf := make([][]Span, len(parts))
	for i, part := range parts {
		spansOf[i] = Spans(a.Store, part, hits)
	}
	var own []Span // q's spans, for the refusal, when q is one question
	if len(q.Parts) == 0 {
		own = spansOf[0]
	}
	if r := a.refusal(q, hits, eligible, own); r.Reason != Answered {
		ans.refuse(r)
		return
	}
	budget := a.answerBudget() / len(parts)
	var quoted []quotedSentence
	seen := map[string]bool{}
	for i := range parts {
		spans := slices.DeleteFunc(spansOf[i], func(sp Span) bool { return !eligible[sp.Hit] })
		best := BestSpan(spans, a.weights())
		if best < 0 {
			continue
		}
		for _, sent := range evidence(spans, best, a.weights(), budget) {
			if !seen[sent] {
				seen[sent] = true
				quoted = append(quoted, quotedSentence{src: spans[best].Hit, text: sent})
			}
		}
	}
	if len(quoted) == 0 {
		ans.refuse(Refusal{Reason: NothingRelevant})
		return
	}
	ans.Text = a.quote(quoted, ans.Sources, q)
	numberCited(ans)
}

// eligible are the hits that hold every constraint of q (a year, an
// ordinal, a name), by index: the passages an answer may quote, so that a
// 2023 question gets no 2021 fact.
func (a *Answerer) eligible(q question.Question, hits []search.Hit) map[int]bool {
	cs := q.Constraints()
	out := map[int]bool{}
	for i, h := range hits {
		if !slices.ContainsFunc(cs, func(c question.Constraint) bool { return !search.HoldsConstraint(a.Store, h, c) }) {
			out[i] = true
		}
	}
	return out
}

// missingConstraint is the first constraint of q that the passage h does
// not hold.
func (a *Answerer) missingConstraint(q question.Question, h search.Hit) question.Constraint {
	cs := q.Constraints()
	for _, c := range cs {
		if !search.HoldsConstraint(a.Store, h, c) {
			return c
		}
	}
	return cs[0]
}

// states reports whether a sentence of the eligible passages states the
// number or the date asked (a count of things also by listing them), with
// the question's dates and ordinals around it, and with its neighbours,
// and its article, each holds at least Weights.Stated of the question:
// else the passages, related as they are, do not give it (a figure in an
// article about something else is not the one asked).
func (a *Answerer) states(q question.Question, spans []Span, eligible map[int]bool) bool {
	least, counts := a.weights().Stated, q.Counts()
	for _, sp := range spans {
		f := sp.Features
		given := f[SpanKind] == 1 || counts && question.ListLength(terms.Fold(sp.Text)) >= 2
		if eligible[sp.Hit] && given && f[SpanConstraints] == 1 && f[SpanWindow] >= least && f[SpanArticle] >= least {
			return true
		}
	}
	return false
}

// answerBudget is the length, in runes, that an extractive answer grows to
// with the neighbours of its sentence.
func (a *Answerer) answerBudget() int {
	return min(a.answerLimit(), answerBudgetRunes)
}

// answerBudgetRunes is the length an extractive answer grows to by
// default: a sentence and its neighbours.
const answerBudgetRunes = 200

// quotedSentence is a sentence of an extractive answer and the index of
// its passage among the sources.
type quotedSentence struct {
	src  int
	text string
}
