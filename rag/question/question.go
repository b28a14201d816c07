// Package question reads a question once: what it asks for (a number, a
// date, a person, a reason...), the word naming what is asked of its subject,
// the names it gives, its content terms, and whether it asks what news does
// not answer. Retrieval, refusal and extraction all read the same Question.
// What the package knows of the language is data, in language.tsv and the
// dictionary zh.dict; the code here only reads it.
package question

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// Type is the kind of answer a question asks for.
type Type int

// The kinds of answer, in the order that decides when a question holds
// several question words: 为什么说…有什么用 asks a reason.
const (
	Thing   Type = iota // a name or a phrase: 什么, 哪家
	Summary             // an overview: 主要讲了什么, 有什么打算
	Reason              // 为什么
	Means               // how something is or was done: 怎么…的, 靠什么
	List                // several items: 哪些, 哪三个
	Person              // 谁
	Date                // 哪年, 什么时候
	Number              // 多少, 几, 多长
	Place               // 哪里, 在哪
	Confirm             // yes or no: 是不是, 吗
)

var typeNames = map[string]Type{
	"thing": Thing, "summary": Summary, "reason": Reason, "means": Means, "list": List,
	"person": Person, "date": Date, "number": Number, "place": Place, "confirm": Confirm,
}

// priority orders the types: the first asked of these decides.
var priority = []Type{Summary, Reason, Means, List, Person, Date, Number, Place, Thing, Confirm}

func (t Type) String() string {
	for name, v := range typeNames {
		if v == t {
			return name
		}
	}
	return "?"
}

// Scope names a question that news articles do not answer.
type Scope string

// The scopes of questions no news article answers.
const (
	InScope Scope = ""
	Opinion Scope = "opinion" // a judgement or a recommendation: 好吃吗, 推荐几部
	Errand  Scope = "errand"  // a personal how-to: 怎么申请, 几点开门
	Now     Scope = "now"     // the present moment: 今天, 最近
)

// Question is a question, read.
type Question struct {
	Text   string // as asked, trimmed
	Plain  string // in Simplified characters, half-width, chat words written out (啥 → 什么)
	Folded string // Plain folded for matching: numbers in digits, lower case (see terms.Fold)
	Words  []Word // the words of Folded, with their roles
	Asks   Type
	// Unit is the measure word or unit a number is asked in (个 of 多少个,
	// 平方公里, 岁 of 多大岁数), "" when none is said.
	Unit string
	// Items is the number of items a list asks for (哪六个 → 6), 0 when not
	// said.
	Items int
	// Ordinal is set when a number asked is a rank (第几家).
	Ordinal bool
	// Possessed is set when Focus is said to be the subject's (X的Y):
	// 东山市的市花, not 东山在全省是什么地位.
	Possessed bool
	// Counted is the last two characters of what a count asks for (多少名 |
	// 科研人员 → 人员, 港湾 | 开了几个 → 港湾), or of the word before a word that
	// names a number (碳纤维企业 | 总数有多少家 → 企业); "" when it names none.
	Counted string
	// focusFollows is set when Focus follows the question word (多少名科研
	// 人员); attribute is set when the question names an attribute of its
	// subject (订单号是多少, 几名技术人员), not an action (小病在哪里解决).
	focusFollows, attribute bool
	// Focus names what is asked of the subject: the attribute or the event
	// (订单号 of 订单号是多少, 成立 of 哪年成立的, 技术人员 of 几名技术人员,
	// 董事长 of 董事长是谁); "" when the question names none.
	Focus string
	// Titles are the posts a question asks the holder of, when its focus is
	// a word that stands for posts (一把手 → 书记, 局长 ...).
	Titles []string
	// Terms are the content terms, weighted, for retrieval and coverage.
	Terms []Term
	// Parts are the questions of a question that asks several (绿源公司
	// 董事长叫什么，下一步准备从哪些方面发力), each read; nil otherwise.
	Parts    []Question
	Scope    Scope
	FollowUp bool // it refers back to the conversation (它, 那…呢)
	Article  bool // it asks about an article as a whole (那篇, 这篇报道)

	askedAt int           // the index among Words of the question word that decides Asks; -1: none
	applied map[*row]bool // the rows of language.tsv that shaped it
}

// Parse reads a question.
func Parse(text string) Question { return ParseIn(text, nil) }

// Corpus is the collection a question is asked of.
type Corpus interface {
	// Holds reports whether a passage holds the (folded) word.
	Holds(word string) bool
}

// ParseIn reads a question asked of a collection, whose words the
// dictionary may lack (晋能光伏, which it cuts 晋 | 能 | 光伏): words cut small
// that the collection holds together are one word. c may be nil.
func ParseIn(text string, c Corpus) Question {
	q := Question{Text: strings.TrimSpace(text), askedAt: -1, applied: map[*row]bool{}}
	q.Plain = q.written(terms.Script(q.Text))
	q.Folded = terms.Fold(q.Plain)
	q.Words = segment(q.Folded)
	for i, w := range q.Words {
		if r := lookupRow("notname", w.Text); r != nil {
			q.Words[i].Tag = r.value
			q.applied[r] = true
		}
	}
	q.markRoles()
	if c != nil {
		q.joinHeld(c)
	}
	q.readAsked()
	q.readScope()
	q.Terms = contentTerms(q)
	if parts := splitParts(q.Plain); len(parts) > 1 {
		for _, p := range parts {
			q.Parts = append(q.Parts, ParseIn(p, c))
		}
	}
	return q
}

// heldTag is the part of speech of a word the collection holds that the
// dictionary lacks.
const heldTag = "nc"

// joinHeld joins runs of words that the dictionary cut small and that the
// collection holds as one: the longest such run from each word on that
// starts with a single character (恒 | 达, 晋 | 能 | 光伏), of two to eight
// characters.
func (q *Question) joinHeld(c Corpus) {
	var out []Word
	for i := 0; i < len(q.Words); {
		end := i + 1
		if q.joinable(i) {
			for j := min(len(q.Words), i+maxWordRunes); j > i+1; j-- { // a word of one character or more each
				if q.joinableRun(i, j) && c.Holds(q.Folded[q.Words[i].Start:q.Words[j-1].End()]) {
					end = j
					break
				}
			}
		}
		w := q.Words[i]
		if end > i+1 {
			w = Word{Text: q.Folded[w.Start:q.Words[end-1].End()], Tag: heldTag, Start: w.Start, Role: Content}
		}
		out = append(out, w)
		i = end
	}
	q.Words = out
}

// joinable reports whether word i may be part of a held word: a CJK
// content or function word that is no number and no measure word.
func (q *Question) joinable(i int) bool {
	w := q.Words[i]
	return (w.Role == Content || w.Role == Function) && terms.IsCJK([]rune(w.Text)[0]) && !isNumeral(w.Text) && lookupRow("measure", w.Text) == nil
}

// joinableRun reports whether words [i, j) may be one held word: CJK words
// that are content or function words, one of them a single character, of
// at most maxWordRunes characters in all.
func (q *Question) joinableRun(i, j int) bool {
	n := 0
	for k := i; k < j; k++ {
		if !q.joinable(k) {
			return false
		}
		n += utf8.RuneCountInString(q.Words[k].Text)
	}
	return utf8.RuneCountInString(q.Words[i].Text) == 1 && n >= 2 && n <= maxWordRunes
}

// written replaces chat words with their written forms.
func (q *Question) written(s string) string {
	for _, r := range rows["written"] {
		if strings.Contains(s, r.phrase) {
			s = strings.ReplaceAll(s, r.phrase, r.value)
			q.applied[r] = true
		}
	}
	return s
}

// span is a match of a row over words [from, to); the words it marks
// are [markFrom, markTo).
type span struct {
	row              *row
	from, to         int
	markFrom, markTo int
}

// markRoles gives each word its role: the longest phrase of the asks,
// filler and function tables that starts and ends where words do marks its
// words; the dictionary's function words are Function; the rest Content.
func (q *Question) markRoles() {
	for i := range q.Words {
		w := &q.Words[i]
		switch {
		case w.Role == Mark:
		case functionTags[w.Tag]:
			w.Role = Function
		}
	}
	for i := 0; i < len(q.Words); {
		best := q.longestAt(i, "asks", "filler", "function")
		if best.row == nil {
			i++
			continue
		}
		role := map[string]Role{"asks": Asking, "filler": Filler, "function": Function}[best.row.table]
		for k := best.markFrom; k < best.markTo; k++ {
			q.Words[k].Role = role
		}
		q.applied[best.row] = true
		i = best.markTo
	}
}

// longestAt is the longest match, starting at word i, of a row of the
// tables that ends where a word ends.
func (q *Question) longestAt(i int, tables ...string) span {
	var best span
	bestLen := 0
	start := q.Words[i].Start
	rest := q.Folded[start:]
	for _, table := range tables {
		for _, r := range rows[table] {
			n, mark := r.match(rest)
			if _, aligned := q.wordEnding(start + n); n > 0 && !aligned {
				// The phrase runs into a word (多少年 | 年度): try it on the
				// words it may end with.
				n = -1
				for k := len(q.Words) - 1; k >= i && n < 0; k-- {
					n, mark = r.matchWhole(q.Folded[start:q.Words[k].End()])
				}
			}
			if n <= bestLen {
				continue
			}
			to, ok := q.wordEnding(start + n)
			markFrom, okFrom := q.wordStarting(start + mark[0])
			markTo, okTo := q.wordEnding(start + mark[1])
			if ok && okFrom && okTo {
				best, bestLen = span{row: r, from: i, to: to, markFrom: markFrom, markTo: markTo}, n
			}
		}
	}
	return best
}

// wordEnding returns the index just past the word that ends at byte
// offset end, if one does.
func (q *Question) wordEnding(end int) (int, bool) {
	k := sort.Search(len(q.Words), func(k int) bool { return q.Words[k].End() >= end })
	return k + 1, k < len(q.Words) && q.Words[k].End() == end
}

// wordStarting returns the index of the word that starts at byte offset
// start, if one does.
func (q *Question) wordStarting(start int) (int, bool) {
	k := sort.Search(len(q.Words), func(k int) bool { return q.Words[k].Start >= start })
	return k, k < len(q.Words) && q.Words[k].Start == start
}

// functionTags are the dictionary's parts of speech of words that join
// others: particles (u…), prepositions, conjunctions, interjections,
// modal particles and onomatopoeia.
var functionTags = map[string]bool{"uj": true, "ul": true, "uz": true, "uv": true, "ud": true, "ug": true, "u": true,
	"p": true, "c": true, "e": true, "y": true, "o": true}

// readAsked sets what the question asks for, its unit, its number of items
// and its focus, from the question words marked.
func (q *Question) readAsked() {
	var asked []span
	for i := 0; i < len(q.Words); i++ {
		s := q.longestAt(i, "asks", "filler", "function")
		if s.row == nil || s.row.table != "asks" || q.Words[s.markFrom].Role != Asking {
			continue
		}
		asked = append(asked, s)
		i = s.markTo - 1
	}
	if len(asked) == 0 {
		q.Asks = Thing
		q.Focus = q.attributeBefore(len(q.Words))
		return
	}
	best := asked[0]
	rank := func(s span) int {
		t, _, _ := strings.Cut(s.row.value, "/")
		return slices.Index(priority, typeNames[t])
	}
	for _, s := range asked[1:] {
		// Of two of a kind, the later says more (包括 | 哪六个).
		if rank(s) <= rank(best) {
			best = s
		}
	}
	kind, implied, _ := strings.Cut(best.row.value, "/")
	q.Asks, q.askedAt = typeNames[kind], best.markFrom
	q.Ordinal = best.markFrom > 0 && q.Words[best.markFrom-1].Text == "第"
	matched := q.Folded[q.Words[best.markFrom].Start:q.Words[best.markTo-1].End()]
	q.Unit = implied
	if q.Unit == "" && (q.Asks == Number || q.Asks == List) {
		q.Unit = q.measureIn(matched, best.markTo)
	}
	if q.Asks == List {
		q.Items = itemsIn(matched)
	}
	if q.Asks == Reason || q.Asks == Means || q.Asks == Summary {
		return // these ask about the whole of what the question says
	}
	after := q.focusAfter(best.markTo)
	q.Focus, q.focusFollows = after, after != ""
	if q.Focus == "" || q.Asks == Person || q.Asks == Place || q.Asks == Confirm {
		if before := q.attributeBefore(best.markFrom); before != "" {
			q.Focus, q.focusFollows = before, false
		}
	}
	q.attribute = q.focusFollows || after == ""
	if k := q.indexOf(q.Focus, best.markFrom); !q.focusFollows && k > 0 && q.Words[k-1].Text == "的" {
		q.Possessed = true
	}
	if q.Asks == Number {
		q.Counted = q.counted(best.markFrom)
	}
	if r := titleRow(q.Focus); r != nil && (q.Asks == Person || q.Asks == Thing) {
		q.Titles = strings.Split(r.value, "|")
		if r.value == "$0" {
			q.Titles = []string{q.Focus} // the post as the question names it
		}
		q.Asks = Person
		q.applied[r] = true
	}
}

// titleRow is the row of the title table that names post, or nil: a row
// whose phrase is post, or a pattern that post matches whole (市长).
func titleRow(post string) *row {
	if r := lookupRow("title", post); r != nil {
		return r
	}
	for _, r := range rows["title"] {
		if r.pattern != "" && post != "" {
			if n, _ := r.match(post); n == len(post) {
				return r
			}
		}
	}
	return nil
}

// measureIn is the measure word that ends matched (多少个), or is the word
// at index next (多少平方公里), as the measure table knows it; "" if none.
func (q *Question) measureIn(matched string, next int) string {
	var longest *row
	for _, r := range rows["measure"] {
		if strings.HasSuffix(matched, r.phrase) && len(matched) > len(r.phrase) && (longest == nil || len(r.phrase) > len(longest.phrase)) {
			longest = r
		}
	}
	if longest != nil {
		q.applied[longest] = true
		return longest.phrase
	}
	if next < len(q.Words) {
		if r := lookupRow("measure", q.Words[next].Text); r != nil {
			q.Words[next].Role = Asking
			q.applied[r] = true
			return r.phrase
		}
	}
	return ""
}

// itemsIn is the number of items a list phrase names (哪6个, 哪四大), or 0.
func itemsIn(matched string) int {
	m := itemCount.FindStringSubmatch(matched)
	if m == nil {
		return 0
	}
	if n, err := strconv.Atoi(m[1]); err == nil {
		return n
	}
	return strings.Index("一二三四五六七八九十", m[1])/len("一") + 1
}

var itemCount = regexp.MustCompile(`哪(\d+|[一二三四五六七八九十])`)

// counted reads what a count question counts (see Counted); asked is the
// index of its question word.
func (q *Question) counted(asked int) string {
	what := q.Focus
	for _, r := range rows["countword"] {
		if n, _ := r.match(q.Focus); n > 0 && n == len(q.Focus) {
			q.applied[r] = true
			what = q.attributeBefore(q.indexOf(q.Focus, asked))
		}
	}
	runes := []rune(what)
	return string(runes[max(0, len(runes)-2):])
}

// indexOf is the index of the last word before index i whose text is w.
func (q *Question) indexOf(w string, i int) int {
	for k := min(i, len(q.Words)) - 1; k >= 0; k-- {
		if q.Words[k].Text == w {
			return k
		}
	}
	return 0
}

// Attribute reports whether the question ends asking for the value of an
// attribute it names (订单号是多少, 地址在哪儿), rather than about an action
// (小病在哪里解决) or a count of things (几名技术人员).
func (q Question) Attribute() bool { return q.attribute && !q.focusFollows && q.Focus != "" }

// focusAfter is what a question word asks of when words follow it: for a
// date, the event, all the content words after it (哪一年 | 创建的); else the
// first content word after it and the nouns that follow it (多少个 | 劳动者
// 港湾, 哪几个 | 角度 | 去扶持); "" when none follows.
func (q *Question) focusAfter(i int) string {
	var b strings.Builder
	for ; i < len(q.Words); i++ {
		w := q.Words[i]
		if w.Role == Mark {
			break
		}
		if w.Role != Content {
			if q.Asks == Date && w.Role == Function && b.Len() > 0 {
				continue
			}
			break
		}
		if b.Len() > 0 && q.Asks != Date && !isNoun(w.Tag) {
			break
		}
		b.WriteString(w.Text)
	}
	return strings.TrimSuffix(b.String(), "的")
}

// isVerb reports whether a word is a verb, or a single character the
// dictionary gives no word class (开, 建).
func isVerb(w Word) bool {
	return strings.HasPrefix(w.Tag, "v") || w.Tag == "zg" && !strings.ContainsAny(w.Text, "仓厂馆站港")
}

// suffixRow is the row of the suffix table that character c is, if any.
func (q *Question) suffixRow(c string) *row {
	for _, r := range rows["suffix"] {
		if r.in(c) {
			q.applied[r] = true
			return r
		}
	}
	return nil
}

// isNumeral reports whether w is a number, in digits or Chinese numerals.
func isNumeral(w string) bool {
	return isNumber(w) || w != "" && strings.Trim(w, "零〇一二两三四五六七八九十百千万亿") == ""
}

// isNoun reports whether a part of speech is a noun's, or unknown.
func isNoun(tag string) bool { return tag == "" || strings.HasPrefix(tag, "n") }

// attributeBefore is the attribute a question word asks of when it comes
// last (订单号 | 是 | 多少): the last content word before index i that is no
// number, skipping the words that join; with the word before it when it is
// a single character (专利 号).
func (q *Question) attributeBefore(i int) string {
	for k := i - 1; k >= 0; k-- {
		w := q.Words[k]
		switch {
		case w.Role == Function || w.Role == Filler || w.Tag == "t" || isNumeral(w.Text) || lookupRow("measure", w.Text) != nil:
			continue // 现在, 2000万: no attribute
		case (q.Asks == Number || q.Asks == Place) && w.Role == Content && isVerb(w) && k > 0 && titleRow(w.Text) == nil:
			continue // 港湾 | 开了 | 几个, 海外仓 | 建 | 在哪: what is asked of is a noun
		case w.Role != Content:
			return ""
		}
		// A character that makes an attribute of the noun before it (专利 |
		// 号), or a single character of a noun cut apart (海外 | 仓).
		if utf8.RuneCountInString(w.Text) == 1 && k > 0 && q.Words[k-1].Role == Content && !isNumeral(q.Words[k-1].Text) {
			if r := q.suffixRow(w.Text); r != nil || !isVerb(w) {
				return q.Words[k-1].Text + w.Text
			}
		}
		return w.Text
	}
	return ""
}

// readScope marks a question that news does not answer, and one that
// refers back to the conversation.
func (q *Question) readScope() {
	for _, r := range rows["scope"] {
		if r.in(q.Plain) {
			if q.Scope == InScope {
				q.Scope = Scope(r.value)
			}
			q.applied[r] = true
		}
	}
	if q.Scope == InScope && q.judges() {
		q.Scope = Opinion
	}
	for _, r := range rows["followup"] {
		if r.in(q.Plain) {
			q.FollowUp = true
			q.applied[r] = true
		}
	}
	for _, r := range rows["refers"] {
		if r.in(q.Plain) {
			q.Article = true
			q.applied[r] = true
		}
	}
}

// judges reports whether the question asks a judgement in the A-not-A
// form, of one character or two (甜不甜, 好吃不好吃), whose A is no verb of
// fact (是不是, 有没有: the factverb table).
func (q *Question) judges() bool {
	r := []rune(q.Plain)
	for i := 1; i+1 < len(r); i++ {
		if r[i] != '不' && r[i] != '没' {
			continue
		}
		var a string
		switch {
		case r[i-1] == r[i+1]:
			a = string(r[i-1])
		case i >= 2 && i+2 < len(r) && r[i-2] == r[i+1] && r[i-1] == r[i+2]:
			a = string(r[i-2 : i])
		default:
			continue
		}
		fact := false
		for _, row := range rows["factverb"] {
			if row.in(a) {
				fact = true
				q.applied[row] = true
			}
		}
		if !fact {
			return true
		}
	}
	return false
}

// Content is the question's content words, in order.
func (q Question) Content() []Word {
	var out []Word
	for _, w := range q.Words {
		if w.Role == Content {
			out = append(out, w)
		}
	}
	return out
}

// nameTags are the parts of speech of names: places, organisations and
// words of Latin letters. The dictionary's "other proper nouns" (nz) are
// too often ordinary words (建网, 新路) to count.
var nameTags = map[string]bool{"ns": true, "nt": true, "eng": true}

// Names are the content words that name a particular thing, which an
// answer must be about: a place, an organisation, a word of Latin letters
// (陕西, 党代会, GDP).
func (q Question) Names() []Word {
	var out []Word
	for _, w := range q.Content() {
		if nameTags[w.Tag] && utf8.RuneCountInString(w.Text) >= 2 {
			out = append(out, w)
		}
	}
	return out
}

// Stated is a number a question states, with what it counts.
type Stated struct {
	Text   string // the number and the word after it, folded: 2021年度, 5次, 2000万
	Unit   string // the word after it: 年度, 次
	Phrase string // the number and the content words after it: 5次全会
	// Names is set for a number that names one thing of a series (a year,
	// a session: 2021年度, 5次全会, 2020年), not a count or an amount.
	Names bool
}

// Numbers are the numbers the question states (2021 年度, 5 次全会, 两千万):
// what the question takes as given. One (一年, 一个) says "a", and is none.
func (q Question) Numbers() []Stated {
	var out []Stated
	for i := 0; i < len(q.Words); i++ {
		w := q.Words[i]
		if w.Tag != "m" || !isNumber(w.Text) || w.Text == "1" || w.Role != Content {
			continue
		}
		n := Stated{Text: w.Text, Phrase: w.Text}
		if i+1 < len(q.Words) && strings.Trim(q.Words[i+1].Text, "万亿千百") == "" {
			i++ // 2000万: a multiplier is part of the number
			n.Text += q.Words[i].Text
			n.Phrase = n.Text
		}
		if i+1 < len(q.Words) && countsWith(q.Words[i+1]) {
			n.Unit = q.Words[i+1].Text
			n.Text += n.Unit
			for k := i + 1; k < len(q.Words) && q.Words[k].Role == Content; k++ {
				n.Phrase += q.Words[k].Text
			}
			r := lookupRow("measure", n.Unit)
			n.Names = r != nil && r.value == "order" || n.Unit == "年" && len(w.Text) == 4
		}
		out = append(out, n)
	}
	return out
}

// Subject is what the question asks about: its first run of content
// words, without time words and numbers (绿源碳纤维 of 绿源碳纤维那个公司
// 地址在哪儿, 李明教授 of 李明教授今年多大岁数).
func (q Question) Subject() string {
	var b strings.Builder
	for _, w := range q.SubjectWords() {
		b.WriteString(w.Text)
	}
	return b.String()
}

// SubjectFirst reports whether the subject comes before the question word
// (绿源公司的董事长是谁), as it does when the question asks of a thing.
func (q Question) SubjectFirst() bool {
	for i, w := range q.Words {
		if w.Role == Content {
			return q.askedAt < 0 || i < q.askedAt
		}
	}
	return false
}

// SubjectWords are the words of Subject, up to the first verb (武局长 | 提
// 了几条建议, 城东学校改革 | 希望让…).
func (q Question) SubjectWords() []Word {
	var out []Word
	for _, w := range q.Words {
		// The focus ends the subject when it is the subject's (X的Y); else
		// it is the subject's own last word (新工厂 | 在哪里).
		if w.Role == Content && w.Tag != "t" && w.Tag != "f" && w.Tag != "m" && !isNumeral(w.Text) && (w.Text != q.Focus || len(out) == 0 || !q.Possessed && len(q.Titles) == 0) {
			verb := w.Tag == "v" || isVerb(w) && utf8.RuneCountInString(w.Text) == 1
			switch {
			case verb && len(out) == 0:
				continue // 为什么说 | 绿源公司…: the verb of the asking
			case verb:
				return out
			}
			out = append(out, w)
			continue
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// IsUnit reports whether word is a unit of measure the measure table knows
// (吨, 平方公里, 岁, 载), as opposed to a word that counts things (个, 名).
func IsUnit(word string) bool {
	r := lookupRow("measure", word)
	return r != nil && strings.HasPrefix(r.value, "unit")
}

// countsWith reports whether w is what a number before it counts or
// measures: a measure word, a unit, a noun (5 次, 2021 年度, 400 米).
func countsWith(w Word) bool {
	return w.Role != Mark && (strings.HasPrefix(w.Tag, "q") || strings.HasPrefix(w.Tag, "n") || w.Tag == "m" || w.Tag == "" ||
		lookupRow("measure", w.Text) != nil)
}

// splitParts cuts a question that asks several things into its questions:
// at a question mark, or at a comma between two clauses that each hold a
// question word. A question that asks one thing is one part.
func splitParts(plain string) []string {
	var parts []string
	for _, clause := range partBreak.Split(plain, -1) {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		if n := len(parts); n > 0 && (!asksSomething(clause) || !asksSomething(parts[n-1])) {
			parts[n-1] += "，" + clause
			continue
		}
		parts = append(parts, clause)
	}
	return parts
}

var partBreak = regexp.MustCompile(`[？?，,；;]+`)

// asksSomething reports whether a clause holds a question word.
func asksSomething(clause string) bool {
	q := Question{Folded: terms.Fold(clause), applied: map[*row]bool{}}
	q.Words = segment(q.Folded)
	q.markRoles()
	for _, w := range q.Words {
		if w.Role == Asking {
			return true
		}
	}
	return false
}
