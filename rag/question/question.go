// Package question reads a question once: what it asks for (a number, a
// date, a person, a reason...), the word naming what is asked, the years,
// ordinals and names it takes as given, and its content terms. Retrieval,
// refusal and extraction all read the same Question. What the package knows
// of the language is data, in language.tsv and the dictionary zh.dict; the
// code here only reads it.
package question

import (
	"regexp"
	"slices"
	"sort"
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

// Question is a question, read.
type Question struct {
	Text   string // as asked, trimmed
	Lang   string // the language it is asked in ("zh", "en"; see terms.Language)
	Plain  string // in Simplified characters, half-width, chat words written out (啥 → 什么)
	Folded string // Plain folded for matching: numbers in digits, lower case (see terms.Fold)
	Words  []Word // the words of Folded, with their roles
	Asks   Type
	// Unit is the measure word or unit a number is asked in (个 of 多少个,
	// 平方公里, 岁 of 多大岁数), "" when none is said.
	Unit string
	// Focus names what is asked: the word after the question word (多少名 |
	// 技术人员), else the last before it (董事长 | 是谁, 哪年 | 成立); "" when
	// the question names none, or asks a reason, a means or an overview.
	Focus string
	// Terms are the content terms, weighted, for retrieval and coverage.
	Terms []Term
	// Parts are the questions of a question that asks several (绿源公司
	// 董事长叫什么，下一步准备从哪些方面发力), each read; nil otherwise.
	Parts    []Question
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
	q.Lang = terms.Language(q.Text)
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
	q.readRefs()
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
// characters, that neither starts nor ends with a function word (的 |
// 董事长 is no word). A run joined may take the first character of the
// word after it when the collection holds that too: the dictionary's word
// then took a name's last character (渠 | 建 | 光是 → 渠建光 | 是).
func (q *Question) joinHeld(c Corpus) {
	var out []Word
	split := false
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
		if end == i+1 {
			out = append(out, w)
			i = end
			continue
		}
		w = Word{Text: q.Folded[w.Start:q.Words[end-1].End()], Tag: heldTag, Start: w.Start, Role: Content}
		if end < len(q.Words) && q.joinable(end) && q.Words[end].Role == Content {
			next := q.Words[end]
			_, size := utf8.DecodeRuneInString(next.Text)
			if longer := w.Text + next.Text[:size]; size < len(next.Text) && utf8.RuneCountInString(longer) <= maxWordRunes && c.Holds(longer) {
				w.Text = longer
				rest := segment(next.Text[size:])
				for k := range rest {
					rest[k].Start += next.Start + size
				}
				q.Words = slices.Replace(q.Words, end, end+1, rest...)
				split = true
			}
		}
		out = append(out, w)
		i = end
	}
	q.Words = out
	if split {
		q.markRoles() // the rest of a word split is a word of its own
	}
}

// joinable reports whether word i may be part of a held word: a CJK
// content or function word that is no number and no measure word.
func (q *Question) joinable(i int) bool {
	w := q.Words[i]
	return (w.Role == Content || w.Role == Function) && terms.IsCJK([]rune(w.Text)[0]) && !isNumeral(w.Text) && lookupRow("measure", w.Text) == nil
}

// joinableRun reports whether words [i, j) may be one held word: CJK words
// that are content or function words, starting as a held word does
// (startsHeld), of at most maxWordRunes characters in all.
func (q *Question) joinableRun(i, j int) bool {
	n := 0
	for k := i; k < j; k++ {
		if !q.joinable(k) {
			return false
		}
		n += utf8.RuneCountInString(q.Words[k].Text)
	}
	return q.startsHeld(i, j) && n >= 2 && n <= maxWordRunes &&
		q.Words[i].Role == Content && q.Words[j-1].Role == Content
}

// startsHeld reports whether words [i, j) start as a held word does: with
// a single character, or, for a person's name the dictionary cut after its
// given name's first character (张凯 | 鹏, 王海 | 宏), with a name of two
// characters and end with a single one.
func (q *Question) startsHeld(i, j int) bool {
	first := utf8.RuneCountInString(q.Words[i].Text)
	return first == 1 || first == 2 && q.Words[i].Tag == "nr" && j-i >= 2 && utf8.RuneCountInString(q.Words[j-1].Text) == 1
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

// readAsked sets what the question asks for, its unit and its focus,
// from the question words marked.
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
		q.Focus = q.contentBefore(len(q.Words))
		if runs := q.ContentRuns(); len(runs) > 0 {
			if r := headRow(runs[len(runs)-1]); r != nil {
				q.Asks = typeNames[r.value]
				q.applied[r] = true
			}
		}
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
	q.Unit = implied
	if q.Unit == "" && (q.Asks == Number || q.Asks == List) {
		matched := q.Folded[q.Words[best.markFrom].Start:q.Words[best.markTo-1].End()]
		q.Unit = q.measureIn(matched, best.markTo)
	}
	switch q.Asks {
	case Reason, Means, Summary:
		return // these ask about the whole of what the question says
	}
	if q.Focus = q.contentAfter(best.markTo); q.Focus == "" {
		q.Focus = q.contentBefore(best.markFrom)
	}
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

// isNumeral reports whether w is a number, in digits or Chinese numerals.
func isNumeral(w string) bool {
	return isNumber(w) || w != "" && strings.Trim(w, "零〇一二两三四五六七八九十百千万亿") == ""
}

// isNoun reports whether a part of speech is a noun's, or unknown.
func isNoun(tag string) bool { return tag == "" || strings.HasPrefix(tag, "n") }

// headRow is the row of the head table whose phrase ends text, or nil.
func headRow(text string) *row {
	for _, r := range rows["head"] {
		if r.ends(text) {
			return r
		}
	}
	return nil
}

// contentAfter is the content word right after index i, with the nouns
// that follow it (多少名 | 技术 | 人员); "" when a question word, a mark or
// nothing follows.
func (q *Question) contentAfter(i int) string {
	var b strings.Builder
	for ; i < len(q.Words); i++ {
		w := q.Words[i]
		if w.Role != Content || b.Len() > 0 && !isNoun(w.Tag) {
			break
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// contentBefore is the last content word before index i that is no
// number or time word (董事长 of 董事长是谁); "" when there is none.
func (q *Question) contentBefore(i int) string {
	for k := min(i, len(q.Words)) - 1; k >= 0; k-- {
		w := q.Words[k]
		if w.Role == Content && w.Tag != "t" && !isNumeral(w.Text) && lookupRow("measure", w.Text) == nil {
			return w.Text
		}
	}
	return ""
}

// readRefs marks a question that refers back to the conversation, and
// one that refers to an article as a whole.
func (q *Question) readRefs() {
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

// nameTags are the parts of speech of names: places and words of Latin
// letters. The dictionary's organisations (nt) and other proper nouns (nz)
// are too often ordinary words (卫生院, 建网) to count.
var nameTags = map[string]bool{"ns": true, "eng": true}

// Names are the content words that name a particular thing, which an
// answer must be about: a place or a word of Latin letters (陕西, GDP).
func (q Question) Names() []Word {
	var out []Word
	for _, w := range q.Content() {
		if nameTags[w.Tag] && utf8.RuneCountInString(w.Text) >= 2 {
			out = append(out, w)
		}
	}
	return out
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
	for i, w := range q.Words {
		if r := lookupRow("notname", w.Text); r != nil {
			q.Words[i].Tag = r.value
			q.applied[r] = true
		}
	}
	q.markRoles()
	for _, w := range q.Words {
		if w.Role == Asking {
			return true
		}
	}
	return false
}
