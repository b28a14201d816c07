package question

import (
	"regexp"
	"slices"
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
		if q.measured() {
			return q.GivesInUnit(folded) || slices.ContainsFunc(unitCues[q.Unit], func(r *row) bool { return r.in(folded) })
		}
		return q.anyNew(numbersIn(folded, q.Counts()))
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

// GivesInUnit reports whether a sentence (folded) gives a number in the
// unit q asks it in (58 家 of 多少家, 3700吨 of 多少吨), one q does not hold.
func (q Question) GivesInUnit(folded string) bool {
	if q.Asks != Number || q.Unit == "" {
		return false
	}
	unit := strings.TrimLeft(q.Unit, magnitudes) // 吨 of 万吨: 370万吨 and 3.7亿吨 give it
	for _, m := range number.FindAllStringIndex(folded, -1) {
		rest := strings.TrimLeft(folded[m[1]:], " 多余"+magnitudes)
		if unit != "" && strings.HasPrefix(rest, unit) && !strings.Contains(q.Folded, folded[m[0]:m[1]]) {
			return true
		}
	}
	return false
}

// magnitudes are the characters that scale a number (5千万, 3.7亿).
const magnitudes = "万亿千百"

// measured reports whether q asks a number in a unit of measure (吨, 元,
// 岁), which a sentence gives only in that unit (GivesInUnit) or in the
// other forms of the unitcue table: a count (个, 家) or an unnamed unit
// (多少钱) may be given by any number.
func (q Question) measured() bool {
	r := lookupRow("measure", q.Unit)
	return r != nil && strings.HasPrefix(r.value, "unit")
}

// Counts reports whether q asks how many things there are: its unit is a
// counter of the measure table (个, 家, 方面), not a unit (吨, 元), and it
// asks no rank (第几家).
func (q Question) Counts() bool {
	r := lookupRow("measure", q.Unit)
	return r != nil && r.value == "counter" && (q.askedAt < 1 || q.Words[q.askedAt-1].Text != "第")
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
// 5月, 12日): amounts, counts, ranks, shares; no ranks (第3家) when
// counting, as a rank is no count of things.
func numbersIn(folded string, counting bool) []string {
	var out []string
	for _, m := range number.FindAllStringIndex(folded, -1) {
		next, _ := utf8.DecodeRuneInString(folded[m[1]:])
		if next == '月' || next == '日' || next == '号' || next == '年' && m[1]-m[0] == 4 {
			continue
		}
		if counting && strings.HasSuffix(folded[:m[0]], "第") {
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

// unitCues are the rows of the unitcue table by their unit: the forms
// other than a number in the unit in which a sentence gives it.
var unitCues = func() map[string][]*row {
	out := map[string][]*row{}
	for _, r := range rows["unitcue"] {
		out[r.value] = append(out[r.value], r)
	}
	return out
}()

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
