package rag

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Answer is the reply to one question.
type Answer struct {
	Question string
	Text     string // the answer, with [n] citations
	Mode     string // ModeExtractive or ModeLLM
	Refused  bool   // the articles do not cover the question
	Sources  []Source
}

// Source is a retrieved passage; N is the number citations use.
type Source struct {
	N         int
	Doc       string // article file name
	Title     string
	Date      string
	Publisher string
	Chunk     int
	Score     float64
	Text      string
	Quote     string // the sentences of Text the answer used, if any
}

// ErrEmptyQuestion is returned for a question with no words in it.
var ErrEmptyQuestion = errors.New("the question is empty")

// MaxQuestionRunes bounds the part of a question that is searched; longer
// questions are cut, which keeps every answer fast.
const MaxQuestionRunes = 2000

// Answerer answers questions from a store.
type Answerer struct {
	Store *Store
	TopK  int
	// MinRelevance is the relevance floor: when no retrieved passage
	// contains at least this IDF-weighted share of the question's terms,
	// the answer is a refusal.
	MinRelevance float64
	// MaxAnswerRunes bounds an extractive answer (default 300).
	MaxAnswerRunes int
}

// Ask retrieves passages for question and answers extractively from them.
func (a *Answerer) Ask(ctx context.Context, question string) (Answer, error) {
	question = strings.TrimSpace(question)
	if r := []rune(question); len(r) > MaxQuestionRunes {
		question = string(r[:MaxQuestionRunes])
	}
	if strings.TrimFunc(question, func(r rune) bool { return isPunct(r) || unicode.IsSpace(r) }) == "" {
		return Answer{}, ErrEmptyQuestion
	}
	hits, err := a.Store.Search(ctx, question, a.TopK)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Question: question, Mode: ModeExtractive}
	if !a.relevant(hits) {
		ans.Refused = true
		ans.Text = RefusalText(question)
		return ans, nil
	}
	ans.Sources = a.sources(hits)
	ans.Text = a.extract(question, ans.Sources)
	return ans, nil
}

func (a *Answerer) relevant(hits []Hit) bool {
	for _, h := range hits {
		if h.Relevance >= a.MinRelevance {
			return true
		}
	}
	return false
}

func (a *Answerer) sources(hits []Hit) []Source {
	out := make([]Source, len(hits))
	for i, h := range hits {
		art := a.Store.Article(h.Chunk.Doc)
		out[i] = Source{
			N: i + 1, Doc: h.Chunk.Doc, Title: art.Title, Date: art.Date, Publisher: art.Source,
			Chunk: h.Chunk.Index, Score: h.Score, Text: h.Chunk.Text,
		}
	}
	return out
}

// RefusalText is the fixed reply when the articles do not cover a question,
// in the question's language.
func RefusalText(question string) string {
	if Language(question) == "zh" {
		return "抱歉，文章中没有找到与这个问题相关的内容。"
	}
	return "Sorry, the articles do not contain information about this question."
}

// maxWindow is the most consecutive sentences an extractive answer quotes.
const maxWindow = 3

// extract builds an extractive answer: the run of up to three consecutive
// sentences of one source that together cover the question best, each
// followed by its citation, within MaxAnswerRunes. A run rather than a
// single sentence, because the sentence that names what is asked about is
// often followed by the one that answers. It records the run as the
// source's quote.
func (a *Answerer) extract(question string, sources []Source) string {
	limit := a.MaxAnswerRunes
	if limit <= 0 {
		limit = 300
	}
	query := queryTerms(question)
	want := expectedAnswer(question)
	type window struct {
		sents []string
		n     int
		score float64
	}
	m := a.Store.stats.matcher(query)
	var best window
	for rank, src := range sources {
		sents := Sentences(src.Text)
		for i := range sents {
			has := make([]bool, len(query))
			length := 0
			for w := 0; w < maxWindow && i+w < len(sents); w++ {
				length += runeLen(sents[i+w])
				if length > limit && w > 0 {
					break
				}
				m.present(sents[i+w], has)
				// Coverage decides; the expected kind of answer, a
				// higher-ranked source and a shorter run break near-ties.
				run := sents[i : i+w+1]
				score := m.score(has)*(1-0.04*float64(rank)) - 0.1*float64(min(length, limit))/float64(limit)
				if want.matches(strings.Join(run, "")) {
					score += 0.1
				}
				if allHeadings(run) {
					score *= 0.7
				}
				if score > best.score {
					best = window{sents: run, n: src.N, score: score}
				}
			}
		}
	}
	if best.sents == nil {
		return ""
	}
	parts := make([]string, len(best.sents))
	for i, sent := range best.sents {
		if runeLen(sent) > limit {
			sent = bestWindow(sent, m, limit)
		}
		parts[i] = fmt.Sprintf("%s[%d]", sent, best.n)
		addQuote(&sources[best.n-1], sent)
	}
	return joinSentences(parts)
}

// allHeadings reports whether every sentence is a headline rather than a
// statement.
func allHeadings(sents []string) bool {
	for _, s := range sents {
		if endsSentence(s) {
			return false
		}
	}
	return true
}

// answerKind is the kind of fact a question asks for.
type answerKind int

const (
	anyAnswer answerKind = iota
	dateAnswer
	numberAnswer
	listAnswer
)

var (
	asksDate   = regexp.MustCompile(`哪天|哪几天|哪一天|什么时候|何时|哪年|哪一年|几月|几号|日期|(?i)\bwhen\b|what date|which year`)
	asksNumber = regexp.MustCompile(`多少|几个|几家|几项|几名|几座|多长|多大|多高|多远|(?i)how (many|much|long|large|big|far|old)`)
	asksList   = regexp.MustCompile(`哪些|哪几|哪[二两三四五六七八九十]|包括|(?i)which (\w+ )?(are|were)\b|what are`)
	hasDate    = regexp.MustCompile(`\d{1,4}\s*[年月日]|[一二三四五六七八九十]+月`)
	hasNumber  = regexp.MustCompile(`\d|[一二三四五六七八九十百千万亿两]+\s*[个家项名座米元吨亿万%]`)
	hasList    = regexp.MustCompile(`[^、，,]+[、，,][^、，,]+[、，,]`)
)

// expectedAnswer guesses the kind of fact a question asks for from its
// question words.
func expectedAnswer(question string) answerKind {
	switch {
	case asksDate.MatchString(question):
		return dateAnswer
	case asksNumber.MatchString(question):
		return numberAnswer
	case asksList.MatchString(question):
		return listAnswer
	}
	return anyAnswer
}

// matches reports whether text holds a fact of kind k.
func (k answerKind) matches(text string) bool {
	switch k {
	case dateAnswer:
		return hasDate.MatchString(text)
	case numberAnswer:
		return hasNumber.MatchString(text)
	case listAnswer:
		return strings.Count(text, "、") >= 2 || hasList.MatchString(text) && Language(text) != "zh"
	}
	return false
}

func addQuote(s *Source, text string) {
	if s.Quote == "" {
		s.Quote = text
		return
	}
	s.Quote += " … " + text
}

// joinSentences joins answer sentences, with a space only between sentences
// of space-separated scripts.
func joinSentences(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && Language(p) != "zh" {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
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
