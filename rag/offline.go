package rag

import (
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// Offline, with no model to read the passages, qabot decides itself whether
// they answer the question, from general signs rather than the shapes of
// questions: what the question asks for (question.Type), the names and
// numbers it takes as given, the word naming what it asks of its subject,
// and whether the collection, the passage and its sentences hold them. A
// false refusal costs more trust than a loosely related quote, so each
// sign refuses only when it is plain.

// answerOffline fills in ans with an extractive answer from pick (see
// choose), or an honest refusal that says what the articles lack.
func (a *Answerer) answerOffline(ans *Answer, q question.Question, hits []Hit, pick pick) {
	ans.Sources = ans.Retrieved
	weak := a.weakMatch(q, hits) && !a.plainlyAnswers(q, pick) && !pick.named
	if q.Scope == question.Opinion || q.Scope == question.Errand || q.Scope == question.Now && weak {
		// The passages stay for the reader, as related, not as sources.
		ans.Refused, ans.Text, ans.Sources = true, outOfScopeText(ans.Question), nil
		return
	}
	if name := a.unknownName(q); name != "" {
		ans.Refused, ans.Text, ans.Sources = true, "抱歉，文章中没有提到“"+name+"”。", nil
		return
	}
	if pick.src < 0 {
		ans.Refused, ans.Text, ans.Sources = true, RefusalText(ans.Question), nil
		return
	}
	if pick.widened {
		// The stating passage goes first, in place of the last one.
		ans.Retrieved = append(a.sources([]Hit{pick.hit}), ans.Retrieved[:len(ans.Retrieved)-1]...)
		for i := range ans.Retrieved {
			ans.Retrieved[i].N = i + 1
		}
		ans.Sources, pick.src = ans.Retrieved, 0
	}
	if name := a.nameElsewhere(q, pick); name != "" {
		ans.Refused, ans.Text = true, "抱歉，文章中没有关于“"+name+"”的这方面内容。"
		return
	}
	if missing := a.unstated(q, pick); missing != "" {
		// Say what is missing; the related passages stay for the reader.
		ans.Refused, ans.Text = true, missing
		return
	}
	ans.Text = a.quote(pick, ans.Sources, q)
	numberCited(ans)
	if weak {
		// A refusal, but the reader still sees what little is related.
		ans.Refused, ans.Weak, ans.Text = true, true, weakText(ans.Question)+ans.Text
	}
}

// plainlyAnswers reports whether pick states the kind of answer a
// question asks for (a number, a date, a place, a post) in a sentence near
// the question's subject, which it names: then a passage that shares few of
// the question's words (南湖管科技的一把手 and 南湖市科技局局长…) is no weak match.
func (a *Answerer) plainlyAnswers(q question.Question, p pick) bool {
	switch q.Asks {
	case question.Number, question.Date, question.Place, question.Person:
	default:
		return false
	}
	return p.src >= 0 && p.fits && utf8.RuneCountInString(q.Subject()) >= 2 && wordsIn(q.SubjectWords(), strings.Join(p.sents, "")) >= minSubjectShare
}

// namedExactly reports whether text names the subject of q as q does: as
// written, or all its words, one of them rare enough in the collection to
// name one thing (华远陆港, not 局长 of 段局长).
func (a *Answerer) namedExactly(q question.Question, text string) bool {
	if subject := terms.Fold(q.Subject()); utf8.RuneCountInString(subject) >= 3 && strings.Contains(terms.Fold(text), subject) {
		return true
	}
	if wordsIn(q.SubjectWords(), text) < 1 {
		return false
	}
	for _, w := range q.SubjectWords() {
		if utf8.RuneCountInString(w.Text) >= 2 && a.Store.rare(w.Text) {
			return true
		}
	}
	return false
}

// anySentence reports whether a sentence of text satisfies ok.
func anySentence(text string, ok func(string) bool) bool {
	for _, sent := range Sentences(text) {
		if ok(sent) {
			return true
		}
	}
	return false
}

// statedNear reports whether a sentence of passage h satisfies ok near a
// mention of q's subject: states the kind of answer q asks for
// (q.Answers), or names the attribute asked (总部 of 绿源公司总部在哪个城市).
func (a *Answerer) statedNear(q question.Question, h Hit, ok func(sentence string) bool) bool {
	named := wordsIn(q.SubjectWords(), h.Chunk.Text) >= minSubjectShare
	for _, para := range strings.Split(h.Chunk.Text, "\n") {
		sents := Sentences(para)
		for k, sent := range sents {
			if ok(sent) && a.subjectNear(q, h.Chunk.Doc, sents, k, named) {
				return true
			}
		}
	}
	return false
}

// subjectNear reports whether the subject of q is named near sentence k of
// a paragraph (in the paragraph, or for a date in the sentence itself; or
// named in the passage and called again there as what it is, 该公司 of 绿源
// 公司); a place the subject names (晋中) need only be named in the
// article, which news names once.
func (a *Answerer) subjectNear(q question.Question, doc string, sents []string, k int, named bool) bool {
	reach := len(sents) // a paragraph is of one subject
	if q.Asks == question.Date {
		reach = 0 // a date is of the sentence's own subject
	}
	window := terms.Fold(strings.Join(sents[max(0, k-reach):min(len(sents), k+reach+1)], ""))
	if named {
		// Named again as what it is: 该实验室 for 东山新材料实验室.
		subject := terms.Fold(q.Subject())
		for _, kind := range question.Anaphors(strings.Join(sents[max(0, k-min(reach, 1)):k+1], "")) {
			if kind == "*" || strings.HasSuffix(subject, kind) {
				return true
			}
		}
	}
	n, held := 0, 0
	for _, w := range q.SubjectWords() {
		if utf8.RuneCountInString(w.Text) < 2 {
			continue
		}
		n++
		switch {
		case strings.Contains(window, w.Text):
			held++
		case w.Tag == "ns" && a.Store.articleHolds(doc, w.Text):
			held++
		}
	}
	return n == 0 || held == n
}

// minSubjectShare is the share of the words of a question's subject that a
// text must hold to name it.
const minSubjectShare = 0.5

// wordsIn is the share of words, of two characters or more, that text
// (folded) holds; 1 when there are none.
func wordsIn(words []question.Word, text string) float64 {
	folded := terms.Fold(text)
	n, held := 0, 0
	for _, w := range words {
		if utf8.RuneCountInString(w.Text) < 2 {
			continue
		}
		n++
		if strings.Contains(folded, w.Text) {
			held++
		}
	}
	if n == 0 {
		return 1
	}
	return float64(held) / float64(n)
}

// unknownName is a name or a number the question takes as given that no
// passage of the collection holds (西河 of 西河县的碳纤维产业…, 2021 of
// 2021年度的专利奖, while the articles speak of 2022年度), as the question
// writes it; "" when there is none. Such a question asks about something
// the articles do not report.
func (a *Answerer) unknownName(q question.Question) string {
	if terms.Language(q.Text) != "zh" {
		return ""
	}
	for _, w := range q.Names() {
		n := utf8.RuneCountInString(w.Text)
		// 晋中市 is named 晋中 as well.
		if !a.Store.Holds(w.Text) && (n < 3 || !a.Store.Holds(string([]rune(w.Text)[:n-1]))) {
			return asWritten(q, w.Text)
		}
	}
	for _, n := range q.Numbers() {
		// A count or an amount may be stated another way (一要…五要 for
		// 5个方面); a year or a session names one thing.
		if n.Names && !a.Store.Holds(n.Text) && !a.Store.dated(n.Text) && a.Store.holdsNumberBefore(n.Unit) {
			return asWritten(q, n.Phrase)
		}
	}
	if !typed(q) {
		return ""
	}
	// A subject, or a thing whose being there is asked (南湖有机场吗), that
	// shares not even two characters with the articles is not in them
	// (汾酒集团); one that does may be named another way. A question that
	// starts with its question word (谁建议…) names an action, not a thing.
	var words []question.Word
	if q.SubjectFirst() {
		words = q.SubjectWords()
	}
	if q.Asks == question.Confirm && q.Attribute() {
		words = append(words, question.Word{Text: q.Focus, Tag: "n"})
	}
	for _, w := range words {
		// Verbs and abbreviations (农大, 建委) are often said otherwise.
		if utf8.RuneCountInString(w.Text) >= 2 && !strings.HasPrefix(w.Tag, "v") && w.Tag != "j" && !a.Store.sharesBigram(w.Text) && !a.Store.abbreviated(w.Text) {
			return asWritten(q, w.Text)
		}
	}
	return ""
}

// typed reports whether q asks for a number, a date, a place, a person or
// a yes or no: an answer a sentence plainly states or not.
func typed(q question.Question) bool {
	switch q.Asks {
	case question.Number, question.Date, question.Place, question.Person, question.Confirm:
		return true
	}
	return false
}

// asWritten is the folded text of a question as the question writes it
// (GDP for gdp), where that can be found; else as it is.
func asWritten(q question.Question, folded string) string {
	if i := strings.Index(strings.ToLower(q.Plain), folded); i >= 0 {
		return q.Plain[i : i+len(folded)]
	}
	return folded
}

// nameElsewhere is a name of the question that the collection holds but
// the chosen passage's article does not (西河 of 西河县的企业总数, when the
// count is 东山's): the answer would be about another place or body.
func (a *Answerer) nameElsewhere(q question.Question, p pick) string {
	if terms.Language(q.Text) != "zh" {
		return ""
	}
	if name := a.nameNotIn(q, p.hit.Chunk.Doc); name != "" {
		return asWritten(q, name)
	}
	return ""
}

// unstated says what the articles do not state when the question asks for
// a number, a date, a place or a person and the chosen passage names what
// it asks about without stating that: the word naming what is asked is
// in no article (专利号, 营业额), or the unit is never used with a number
// (平方公里, 岁), or no sentence near the subject holds that kind of
// answer. It is "" when the passage answers, or when the subject is not
// plainly named in it (then the quote may still help).
func (a *Answerer) unstated(q question.Question, p pick) string {
	switch {
	case q.Asks == question.Number, q.Asks == question.Date, q.Asks == question.Place, q.Asks == question.Person:
	case q.Asks == question.Confirm && len(q.Numbers()) > 0: // 一年产值能有两千万吗 asks a number too
	case q.Asks == question.Thing && q.Possessed && !a.Store.sharesBigram(terms.Fold(q.Focus)):
		// X的Y是什么 of a Y no article holds (东山市的市花).
		if s := q.Subject(); utf8.RuneCountInString(s) >= 2 && wordsIn(q.SubjectWords(), p.hit.Chunk.Text) >= minSubjectShare {
			return missingText(q, s)
		}
		return ""
	default:
		return ""
	}
	subject := q.Subject()
	if utf8.RuneCountInString(subject) < 2 {
		return ""
	}
	// What no article holds at all, no passage states: an attribute (专利
	// 号, 营业额) or a unit never used with a number (平方公里, 岁).
	focus := q.Focus
	attr := q.Attribute() && utf8.RuneCountInString(focus) >= 2 && q.Asks != question.Date && len(q.Titles) == 0
	if wordsIn(q.SubjectWords(), p.hit.Chunk.Text) >= minSubjectShare {
		switch {
		case attr && !a.Store.Holds(focus) && !a.Store.Holds(tail(focus, 2)):
			return missingText(q, subject)
		case q.Asks == question.Number && question.IsUnit(q.Unit) && !a.Store.holdsNumberBefore(q.Unit):
			return missingText(q, subject)
		}
	}
	// Numbers, dates and posts are plain to see in a sentence; a place is
	// said in too many ways to refuse for want of one.
	plain := q.Asks == question.Number || q.Asks == question.Date || q.Asks == question.Confirm || len(q.Titles) > 0
	if !a.namedExactly(q, p.hit.Chunk.Text) {
		// The subject is named loosely (南湖管科技 for 南湖市科技局), or not
		// at all: the quote may still answer, unless nothing in the
		// passage is even of the kind asked.
		if plain && q.Asks != question.Person && !anySentence(p.hit.Chunk.Text, q.Answers) {
			return RefusalText(q.Text)
		}
		return ""
	}
	namesFocus := func(sent string) bool { return strings.Contains(terms.Fold(sent), tail(terms.Fold(focus), 2)) }
	switch {
	case attr && q.Asks != question.Confirm && !a.statedNear(q, p.hit, namesFocus):
	case plain && !a.statedNear(q, p.hit, q.Answers):
	default:
		return ""
	}
	return missingText(q, subject)
}

// tail is the last n runes of s.
func tail(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

// missingText says that the articles name subject but not what q asks of
// it: 文章提到了绿源公司，但没有提到其地址在哪里。
func missingText(q question.Question, subject string) string {
	focus := q.Focus
	var missing string
	switch {
	case q.Asks == question.Place && focus == "":
		missing = "其所在的地方"
	case q.Asks == question.Place:
		missing = "其" + focus + "在哪里"
	case q.Asks == question.Date && focus == "":
		missing = "问题所问的时间"
	case q.Asks == question.Date:
		missing = focus + "的时间"
	case q.Asks == question.Person && focus == "":
		missing = "问题所问的人"
	case q.Asks == question.Person:
		missing = "其" + focus + "是谁"
	case q.Unit != "" && question.IsUnit(q.Unit):
		missing = "具体是多少" + q.Unit
	case focus != "" && q.Unit != "":
		missing = focus + "的数量"
	case focus != "":
		missing = "其" + focus
	default:
		missing = "问题所问的数字"
	}
	return "文章提到了" + subject + "，但没有提到" + missing + "。"
}

// outOfScopeText says why a question news articles do not answer is
// refused, in its language.
func outOfScopeText(question string) string {
	return inLanguageOf(question, "文章里没有能回答这个问题的内容：这些文章是新闻报道，不提供评价、推荐、办事指南或眼下的实时情况。",
		"The articles do not answer this: they are news reports, with no reviews, recommendations, how-to guides or live information.")
}
