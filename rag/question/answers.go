package question

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// States reports whether sentence states the kind of answer q asks for,
// beyond what q itself says: a number, a date, a person or a place that q
// does not hold; an enumeration for a list; a reason or a means, by the
// words that give one (the cue table). Nothing states the answer to a
// question that asks for a thing, a yes or no, or an overview: any
// sentence may.
func (q Question) States(sentence string) bool {
	folded := terms.Fold(sentence)
	switch q.Asks {
	case Number:
		return q.anyNew(numbersIn(folded))
	case Date:
		return q.anyNew(dateExpr.FindAllString(folded, -1))
	case Person:
		return q.anyNew(peopleIn(folded))
	case Place:
		return q.anyNew(wordsTagged(folded, "ns"))
	case List:
		return ListLength(folded) >= 2 || cued(folded, List)
	case Reason, Means:
		return cued(folded, q.Asks)
	}
	return false
}

// Counts reports whether q asks how many things there are: its unit is a
// counter of the measure table (个, 家, 方面), not a unit (吨, 元).
func (q Question) Counts() bool {
	r := lookupRow("measure", q.Unit)
	return r != nil && r.value == "counter"
}

// anyNew reports whether one of xs is not in the question.
func (q Question) anyNew(xs []string) bool {
	for _, x := range xs {
		if !strings.Contains(q.Folded, x) {
			return true
		}
	}
	return false
}

var (
	// number is a number in digits; dateExpr a date: a year, a month, a
	// day.
	number   = regexp.MustCompile(`\d+(?:\.\d+)?`)
	dateExpr = regexp.MustCompile(`\d{4}年|\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}[日号]`)
)

// numbersIn are the numbers of folded text that are no dates (2023年,
// 5月, 12日): amounts, counts, ranks, shares.
func numbersIn(folded string) []string {
	var out []string
	for _, m := range number.FindAllStringIndex(folded, -1) {
		next, _ := utf8.DecodeRuneInString(folded[m[1]:])
		if next == '月' || next == '日' || next == '号' || next == '年' && m[1]-m[0] == 4 {
			continue
		}
		out = append(out, folded[m[0]:m[1]])
	}
	return out
}

// wordsTagged are the words of folded text, of two characters or more,
// that the dictionary gives the part of speech tag.
func wordsTagged(folded, tag string) []string {
	var out []string
	for _, w := range segment(folded) {
		if w.Tag == tag && utf8.RuneCountInString(w.Text) >= 2 {
			out = append(out, w.Text)
		}
	}
	return out
}

// peopleIn are the names of people in folded text: words the dictionary
// gives as names, and a surname the dictionary leaves a word of its own
// with the one or two characters after it (王 | 建国).
func peopleIn(folded string) []string {
	out := wordsTagged(folded, "nr")
	words := segment(folded)
	for i, w := range words {
		if !isSurname(w.Text) || i+1 >= len(words) {
			continue
		}
		next := words[i+1]
		if n := utf8.RuneCountInString(next.Text); n <= 2 && terms.IsCJK([]rune(next.Text)[0]) && !functionTags[next.Tag] {
			out = append(out, w.Text+next.Text)
		}
	}
	return out
}

// isSurname reports whether a word is a surname of the surname table.
func isSurname(w string) bool {
	for _, r := range rows["surname"] {
		if r.in(w) && utf8.RuneCountInString(w) == 1 {
			return true
		}
	}
	return false
}

// cued reports whether folded text holds a cue of kind (the cue table).
func cued(folded string, kind Type) bool {
	for _, r := range cues[kind] {
		if r.in(folded) {
			return true
		}
	}
	return false
}

// cues are the rows of the cue table by the kind they state.
var cues = func() map[Type][]*row {
	out := map[Type][]*row{}
	for _, r := range rows["cue"] {
		out[typeNames[r.value]] = append(out[typeNames[r.value]], r)
	}
	return out
}()

// ListLength is the number of items of the longest enumeration (A、B、C) in
// text.
func ListLength(text string) int {
	best := 0
	for _, clause := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune("，,。；;：:！？“”", r) }) {
		if n := strings.Count(clause, "、"); n > 0 {
			best = max(best, n+1)
		}
	}
	return best
}
