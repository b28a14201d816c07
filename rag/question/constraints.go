package question

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// ConstraintKind is the kind of thing a question takes as given.
type ConstraintKind int

// The kinds of constraint.
const (
	Year    ConstraintKind = iota // 2023, 2023年度
	Month                         // 8月, 1月3日
	Ordinal                       // 第7届, 12届, 5次全会
	Name                          // a place, a body, a person, a title: 陕西, 特斯拉, 《人世间》
)

// Constraint is something a question takes as given, which its answer
// must be about: 2022 of 2022年特斯拉交付量, 第二届 of 第二届龙舟赛有多少支队伍.
type Constraint struct {
	Kind ConstraintKind
	// Text is the constraint folded, as a passage holds it (2022, 第2届).
	Text string
	// Shown is the constraint as the question writes it (二〇二二年, 第二届).
	Shown string
	// Also are the other forms, folded, in which news writes it as often: a
	// place's name without the administrative unit that ends it (晋中 of
	// 晋中市), an ordinal without 第 (12届 of 第12届), an acronym in Chinese
	// (人工智能 of AI).
	Also []string
}

// Forms are the forms in which a passage may hold c: its text, then the
// others.
func (c Constraint) Forms() []string {
	return append([]string{c.Text}, c.Also...)
}

// Constraints are the years, dates, ordinals and names the question states.
func (q Question) Constraints() []Constraint {
	var out []Constraint
	seen := map[string]bool{}
	add := func(c Constraint) {
		if c.Text != "" && !seen[c.Text] {
			seen[c.Text] = true
			out = append(out, c)
		}
	}
	for _, m := range dates.FindAllStringSubmatchIndex(q.Folded, -1) {
		if y := submatch(q.Folded, m, 1); y != "" && !inNumber(q.Folded, m[2], m[3]) && !magnified(q.Folded[m[3]:]) {
			if n, _ := strconv.Atoi(y); n >= 1900 && n <= 2100 {
				end := m[3]
				if rest := q.Folded[end:]; strings.HasPrefix(rest, "年") {
					end += len("年")
					if strings.HasPrefix(rest, "年度") {
						end += len("度")
					}
				}
				add(Constraint{Kind: Year, Text: y, Shown: q.shown(m[2], end)})
			}
		}
		for _, g := range []int{2, 3} {
			if md := submatch(q.Folded, m, g); md != "" {
				add(Constraint{Kind: Month, Text: md, Shown: q.shown(m[2*g], m[2*g+1])})
			}
		}
	}
	for _, m := range ordinals.FindAllStringIndex(q.Folded, -1) {
		c := Constraint{Kind: Ordinal, Text: q.Folded[m[0]:m[1]], Shown: q.shown(m[0], m[1])}
		if short, ok := strings.CutPrefix(c.Text, "第"); ok {
			c.Also = []string{short}
		}
		add(c)
	}
	for _, m := range titled.FindAllStringSubmatchIndex(q.Folded, -1) {
		add(Constraint{Kind: Name, Text: q.Folded[m[2]:m[3]], Shown: q.shown(m[2], m[3])})
	}
	for _, w := range q.Names() {
		if !covered(w.Text, out) {
			add(Constraint{Kind: Name, Text: w.Text, Shown: q.shown(w.Start, w.End()), Also: q.otherForms(w.Text)})
		}
	}
	return out
}

// otherForms are the forms, besides name, in which news writes a name: a
// place without the administrative unit that ends it (the placesuffix rows
// of language.tsv: 晋中 of 晋中市, 内蒙古 of 内蒙古自治区, when at least two
// characters are left), an acronym in Chinese (the acronym rows: 人工智能 of
// AI).
func (q Question) otherForms(name string) []string {
	var out []string
	short, used := "", (*row)(nil)
	for _, r := range rows["placesuffix"] {
		rest, ok := strings.CutSuffix(name, r.phrase)
		if ok && utf8.RuneCountInString(rest) >= 2 && (used == nil || len(rest) < len(short)) {
			short, used = rest, r
		}
	}
	if used != nil {
		out = append(out, short)
		q.apply(used)
	}
	for _, r := range rows["acronym"] {
		if terms.Fold(r.phrase) == name {
			for _, form := range strings.Split(r.value, "|") {
				out = append(out, terms.Fold(form))
			}
			q.apply(r)
		}
	}
	return out
}

// apply records that the row r shaped q.
func (q Question) apply(r *row) {
	if q.applied != nil {
		q.applied[r] = true
	}
}

// covered reports whether word is part of a name already among cs.
func covered(word string, cs []Constraint) bool {
	for _, c := range cs {
		if c.Kind == Name && strings.Contains(c.Text, word) {
			return true
		}
	}
	return false
}

// inNumber reports whether the digits s[start:end] are part of a longer
// number (20145.29).
func inNumber(s string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:start])
	after, _ := utf8.DecodeRuneInString(s[end:])
	return start > 0 && (before >= '0' && before <= '9' || before == '.') || end < len(s) && (after >= '0' && after <= '9' || after == '.')
}

// magnified reports whether the text after a number multiplies it or
// makes it approximate (2000万, 3000多): the number is then an amount, not a
// year.
func magnified(after string) bool {
	r, _ := utf8.DecodeRuneInString(after)
	return strings.ContainsRune("十百千万亿多余", r)
}

// submatch is group i of match m in s, "" when the group did not match.
func submatch(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// shown is the question's text, as written, of the folded text from byte
// start to end. Folding and writing out change the length of some
// characters (七 → 7, 啥 → 什么), so the place is found by counting
// characters, in the text as asked when it lines up with the folded text,
// else in the plain text, else the folded text is shown.
func (q Question) shown(start, end int) string {
	folded := q.Folded[start:end]
	for _, text := range []string{q.Text, q.Plain} {
		if rs := []rune(text); utf8.RuneCountInString(q.Folded) == len(rs) {
			from := utf8.RuneCountInString(q.Folded[:start])
			return string(rs[from : from+utf8.RuneCountInString(folded)])
		}
	}
	return folded
}

var (
	// dates are a year (2023, 2023年度), a month and day (8月, 1月3日), or
	// both.
	dates = regexp.MustCompile(`(\d{4})(?:年度?)?((?:\d{1,2}月)(?:\d{1,2}[日号])?)?|(\d{1,2}月(?:\d{1,2}[日号])?)`)
	// ordinals number one of a series: 第7届, 12届, 5次全会; the measure
	// words are those of the measure table that name an order.
	ordinals = regexp.MustCompile(`第?\d+(?:` + orderWords() + `)`)
	// titled is a title in book-title marks: 《人世间》.
	titled = regexp.MustCompile(`《([^》]{1,40})》`)
)

// orderWords are the measure words that number one of a series (届, 次,
// 期), as alternatives of a regular expression.
func orderWords() string {
	var out []string
	for _, r := range rows["measure"] {
		if r.value == "order" && r.pattern == "" && r.phrase != "年度" {
			out = append(out, regexp.QuoteMeta(r.phrase))
		}
	}
	return strings.Join(out, "|")
}
