package question

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// Term is a content term of a question and its weight. A bigram remembers
// the bigrams either side of it in the question (Left, Right; "" at the edge
// of a run of characters), to tell a word from the seam between two words
// (钢项 of 硅钢项目).
type Term struct {
	Text        string
	Weight      float64
	Left, Right string
	// Asked is set for the terms of the clause that holds the question
	// word (哪些菜能送到餐桌上 of 南湖那个网上商城啊，哪些菜…), which say
	// more about the answering sentence than the clauses that set the topic.
	Asked bool
	// Cross is set for a bigram that spans two words (乐现 of 秦品乐 | 现在):
	// what it matches is chance more than meaning, so it weighs less.
	Cross bool
}

// CrossWeight is the weight of a bigram that spans two words.
var CrossWeight = 0.3

// loneWeight is the weight of a character standing alone between question
// words (指 in 具体指哪些, 在 in 在哪里), and of a lone digit (the 5 of 五台山,
// folded 5台山, is also an item's number, 5、): one character says far less
// than a word.
const loneWeight = 0.3

// quoted matches text the asker put in quotation marks: the name of what
// they ask about, so its terms weigh double.
var quoted = regexp.MustCompile(`[“"「『‘]([^”"」』’]{1,30})[”"」』’]`)

// latinStopwords are English words that say nothing of what is asked.
var latinStopwords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "were": true, "be": true,
	"of": true, "in": true, "on": true, "at": true, "to": true, "for": true, "by": true, "with": true,
	"and": true, "or": true, "what": true, "which": true, "who": true, "whom": true, "whose": true,
	"how": true, "when": true, "where": true, "why": true, "does": true, "do": true, "did": true,
	"it": true, "its": true, "this": true, "that": true, "there": true, "will": true, "can": true,
}

// contentTerms are the distinct terms of the question's words that are
// neither question words nor chat: CJK bigrams (or the lone character of a
// one-character run), one-character nouns within a run (奖 of 拿奖), and
// words.
func contentTerms(q Question) []Term {
	emphasis := map[string]bool{}
	for _, m := range quoted.FindAllStringSubmatch(q.Plain, -1) {
		for _, t := range terms.Split(terms.Fold(m[1])) {
			emphasis[t.Text] = true
		}
	}
	seen := map[string]bool{}
	var out []Term
	add := func(t Term) {
		if seen[t.Text] {
			return
		}
		seen[t.Text] = true
		if emphasis[t.Text] {
			t.Weight *= 2
		}
		out = append(out, t)
	}
	for _, run := range contentRuns(q) {
		lone := utf8.RuneCountInString(run.text) == 1
		cross := crossBigrams(run)
		ts := terms.Split(run.text)
		for i, t := range ts {
			switch {
			case t.Kind == terms.Bigram:
				// Bigrams and unigrams alternate within a run of CJK.
				left, right := "", ""
				if i >= 2 && ts[i-2].Kind == terms.Bigram {
					left = ts[i-2].Text
				}
				if i+2 < len(ts) && ts[i+2].Kind == terms.Bigram {
					right = ts[i+2].Text
				}
				weight := 1.0
				if cross[t.Text] {
					weight = CrossWeight
				}
				add(Term{Text: t.Text, Weight: weight, Left: left, Right: right, Asked: run.asked, Cross: cross[t.Text]})
			case t.Kind == terms.Word && len(t.Text) == 1 && unicode.IsDigit(rune(t.Text[0])):
				add(Term{Text: t.Text, Weight: loneWeight, Asked: run.asked})
			case t.Kind == terms.Word && !latinStopwords[t.Text]:
				add(Term{Text: t.Text, Weight: 1, Asked: run.asked})
			case t.Kind == terms.Unigram && (lone || run.nouns[t.Text]):
				add(Term{Text: t.Text, Weight: loneWeight, Asked: run.asked})
			}
		}
	}
	return out
}

// run is a run of the question's words between question words, chat and
// punctuation.
type run struct {
	text   string
	asked  bool            // it is in the clause that holds the question word
	nouns  map[string]bool // its one-character nouns
	starts map[int]bool    // the rune offsets in text where a word starts
}

// crossBigrams are the bigrams of a run that span two of its words
// wherever they occur in it.
func crossBigrams(r run) map[string]bool {
	out := map[string]bool{}
	inside := map[string]bool{}
	runes := []rune(r.text)
	for k := 0; k+1 < len(runes); k++ {
		if !terms.IsCJK(runes[k]) || !terms.IsCJK(runes[k+1]) {
			continue
		}
		b := string(runes[k : k+2])
		if r.starts[k+1] {
			out[b] = true
		} else {
			inside[b] = true
		}
	}
	for b := range inside {
		delete(out, b)
	}
	return out
}

// contentRuns cuts the question into its runs of words. When the question
// holds several clauses, only the runs of the clause with the question
// word are asked.
func contentRuns(q Question) []run {
	askedClause, clauses := -1, 0
	for i, w := range q.Words {
		if i == q.askedAt {
			askedClause = clauses
		}
		if w.Role == Mark {
			clauses++
		}
	}
	var out []run
	clause, inRun := 0, false
	for _, w := range q.Words {
		if w.Role == Mark {
			clause++
		}
		if w.Role == Asking || w.Role == Filler || w.Role == Mark {
			inRun = false
			continue
		}
		if !inRun {
			inRun = true
			out = append(out, run{nouns: map[string]bool{}, starts: map[int]bool{}, asked: askedClause < 0 || clause == askedClause})
		}
		cur := &out[len(out)-1]
		cur.starts[utf8.RuneCountInString(cur.text)] = true
		cur.text += w.Text
		if utf8.RuneCountInString(w.Text) == 1 && strings.HasPrefix(w.Tag, "n") {
			cur.nouns[w.Text] = true
		}
	}
	return out
}

// ContentRuns are the question's runs of content words, between question
// words, chat and punctuation, as text.
func (q Question) ContentRuns() []string {
	var out []string
	for _, r := range contentRuns(q) {
		out = append(out, r.text)
	}
	return out
}
