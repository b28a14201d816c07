package question

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// States reports whether a sentence states the kind of answer kind, as the
// cue table knows it (a date for Date, 在…等地 for Place, 一是…二是 for List),
// with any digit for a number and a post the title table knows for a
// person.
func States(sentence string, kind Type) bool { return statesFolded(terms.Fold(sentence), kind) }

func statesFolded(folded string, kind Type) bool {
	switch {
	case kind == Number && digit.MatchString(folded), kind == Person && posts.MatchString(folded):
		return true
	}
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

var digit = regexp.MustCompile(`\d`)

// posts matches a post the title table knows (董事长, 局长, 主任 ...).
var posts = func() *regexp.Regexp {
	seen := map[string]bool{}
	var alts []string
	for _, r := range rows["title"] {
		if r.value == "$0" { // the post is what the pattern matches
			alts = append(alts, r.phrase[1:len(r.phrase)-1])
			continue
		}
		for _, p := range strings.Split(r.value, "|") {
			if !seen[p] {
				seen[p] = true
				alts = append(alts, regexp.QuoteMeta(p))
			}
		}
	}
	return regexp.MustCompile(strings.Join(alts, "|"))
}()

// Answers reports whether sentence states the kind of answer q asks for:
// a date, a number (in q's unit when it names one), a post (one of q's
// titles when it names them), a place, a list (of q's number of items when
// it says), a reason or a means. Any sentence answers a question that asks
// for a thing or a yes or no.
func (q Question) Answers(sentence string) bool {
	switch q.Asks {
	case Thing, Confirm, Summary:
		return true
	}
	folded := terms.Fold(sentence)
	switch q.Asks {
	case Number:
		// Words that count things stand for each other (250个企业 counts
		// 多少家企业); a unit of measure must be the one asked.
		switch {
		case q.Ordinal:
			return ordinal.MatchString(folded)
		case IsUnit(q.Unit):
			return numberIn(folded, q.Unit)
		case q.Unit == "" && !q.focusFollows:
			return statesFolded(folded, Number) || strings.ContainsAny(folded, "一二两三四五六七八九十百千万")
		}
		return countIn(folded, q.Counted) // 多少个港湾, 多少员工: a number near what is counted
	case Person:
		// Without a post to look for, any sentence may name the person.
		for _, t := range q.Titles {
			if strings.Contains(folded, t) {
				return true
			}
		}
		return len(q.Titles) == 0
	case List:
		if q.Items > 0 { // 哪两个: two items, or the count of them (两个特色…, 三大支柱产业)
			count := strconv.Itoa(q.Items)
			if q.Items <= 10 {
				count = string([]rune("一二三四五六七八九十")[q.Items-1])
			}
			return ListLength(sentence) == q.Items || strings.Contains(folded, strconv.Itoa(q.Items)+q.Unit) ||
				strings.Contains(folded, count+"大") || strings.Contains(folded, count+q.Unit) && q.Unit != ""
		}
	}
	return statesFolded(folded, q.Asks)
}

// numberIn reports whether folded text states a number in unit, or in a
// word the measure table gives for the same unit (20余载 for 年): a number
// and, within a few characters, the unit (16万吨, 58 家).
func numberIn(folded, unit string) bool {
	units := []string{unit}
	for _, r := range rows["measure"] {
		if r.value == "unit="+unit {
			units = append(units, r.phrase)
		}
	}
	for _, loc := range digits.FindAllStringIndex(folded, -1) {
		rest := folded[loc[1]:]
		for i := 0; i < 3 && rest != ""; i++ {
			for _, u := range units {
				if strings.HasPrefix(rest, u) {
					return true
				}
			}
			_, size := utf8.DecodeRuneInString(rest)
			rest = rest[size:]
		}
	}
	return false
}

// digits matches a number in digits, or in Chinese numerals where folding
// left them (三大, 五大方面: a numeral before a word that is no unit).
var digits = regexp.MustCompile(`\d+(\.\d+)?|[一二两三四五六七八九十百千]+`)

// Anaphors are the kinds of thing a sentence names again, by words such as
// 我省 (省) or 该公司 (公司), something named before it; "*" for 这家 or 该,
// which may name anything again.
func Anaphors(sentence string) []string {
	var out []string
	for _, r := range rows["anaphor"] {
		find := r.anywhere()
		for _, m := range find.FindAllStringSubmatch(sentence, -1) {
			kind := r.value
			if kind == "$n" {
				kind = m[find.SubexpIndex("n")]
			}
			out = append(out, kind)
		}
	}
	return out
}

// ordinal matches a rank: 第3家, 第二.
var ordinal = regexp.MustCompile(`第(\d+|[一二三四五六七八九十]+)`)

// countIn reports whether folded text counts things: a number, not an
// ordinal (第1家), with a word that counts things within two characters
// (7名, 250个, 58 家, 五大), and, when what is counted is given, that
// within a dozen characters of it (7名机电运输专业技术人员, 企业总数达到58家).
func countIn(folded, what string) bool {
	if utf8.RuneCountInString(what) < 2 {
		what = ""
	}
	for _, loc := range digits.FindAllStringIndex(folded, -1) {
		if strings.HasSuffix(folded[:loc[0]], "第") || folded[loc[0]:loc[1]] == "1" || folded[loc[0]:loc[1]] == "一" {
			continue // 第1家 is a rank, 1名 says "a"
		}
		rest := strings.TrimLeft(folded[loc[1]:], " 多余")
		counts := strings.HasPrefix(rest, "大") || what != "" // 五大方向; 300员工
		for _, r := range rows["measure"] {
			counts = counts || r.value == "counter" && strings.HasPrefix(rest, r.phrase)
		}
		before := []rune(folded[:loc[0]])
		near := string(before[max(0, len(before)-14):]) + string([]rune(rest)[:min(len([]rune(rest)), 14)])
		if counts && (what == "" || strings.Contains(near, what)) {
			return true
		}
	}
	return false
}

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
