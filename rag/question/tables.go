package question

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// language.tsv holds what qabot knows of how questions are asked and how
// articles answer them, as rows of data (see the file's head).
//
//go:embed language.tsv
var languageTSV string

// row is one row of language.tsv.
type row struct {
	table, phrase, value string
	example, counter     string
	// pattern is the regular expression of a /pattern/ phrase, {measure}
	// filled in; "" for a literal phrase. It is compiled when first used,
	// in the forms used: anchored where a word starts, matching all of a
	// string (none when the pattern says where the text ends: $), anywhere.
	pattern                 string
	re, whole, find, ending lazyRegexp
	line                    int
}

// lazyRegexp is a regular expression compiled on first use: qabot starts
// without compiling the hundreds it may never need.
type lazyRegexp struct {
	once sync.Once
	re   *regexp.Regexp
}

func (l *lazyRegexp) get(expr string) *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(expr) })
	return l.re
}

// anchored, whole and anywhere are the row's pattern at the start of a
// text, as all of it (nil when the pattern says where the text ends), and
// anywhere in it.
func (r *row) anchored() *regexp.Regexp { return r.re.get(`^(?:` + r.pattern + `)`) }
func (r *row) anywhere() *regexp.Regexp { return r.find.get(r.pattern) }
func (r *row) wholeRe() *regexp.Regexp {
	if strings.Contains(r.pattern, "$") {
		return nil
	}
	return r.whole.get(`^(?:` + r.pattern + `)$`)
}

// match returns the length in bytes of the row's phrase at the start of s,
// or -1, and the part of it that the row marks: all of it, or the group
// named q of a regular expression that names one (怎么 of 怎么…的, where
// the words between stay what they are).
func (r *row) match(s string) (n int, mark [2]int) {
	if r.pattern == "" {
		if strings.HasPrefix(s, r.phrase) {
			return len(r.phrase), [2]int{0, len(r.phrase)}
		}
		return -1, mark
	}
	return r.submatch(r.anchored().FindStringSubmatchIndex(s))
}

// matchWhole is match for a phrase that must be all of s, for a regular
// expression that matches more of the text than a word ends at (多少年 of
// 多少年度): the text up to that word's end is tried on its own.
func (r *row) matchWhole(s string) (n int, mark [2]int) {
	if r.pattern == "" || r.wholeRe() == nil {
		return -1, mark
	}
	return r.submatch(r.wholeRe().FindStringSubmatchIndex(s))
}

// submatch reads a match's length and marked part from its indexes.
func (r *row) submatch(loc []int) (n int, mark [2]int) {
	if loc == nil || loc[1] == 0 {
		return -1, mark
	}
	if q := r.anchored().SubexpIndex("q"); q > 0 && loc[2*q] >= 0 {
		return loc[1], [2]int{loc[2*q], loc[2*q+1]}
	}
	return loc[1], [2]int{0, loc[1]}
}

// rows are the rows of language.tsv by table, in file order.
var rows = loadRows(languageTSV)

func loadRows(tsv string) map[string][]*row {
	out := map[string][]*row{}
	for n, line := range strings.Split(tsv, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			panic(fmt.Sprintf("language.tsv:%d: %d columns, want 5", n+1, len(f)))
		}
		r := &row{table: f[0], phrase: f[1], value: f[2], example: f[3], counter: f[4], line: n + 1}
		out[r.table] = append(out[r.table], r)
	}
	measures := alternatives(out["measure"])
	for _, rs := range out {
		for _, r := range rs {
			if len(r.phrase) > 2 && strings.HasPrefix(r.phrase, "/") && strings.HasSuffix(r.phrase, "/") {
				r.pattern = strings.ReplaceAll(r.phrase[1:len(r.phrase)-1], "{measure}", measures)
			}
		}
	}
	// Longer chat words first: 干啥 before 啥.
	sort.SliceStable(out["written"], func(i, j int) bool { return len(out["written"][i].phrase) > len(out["written"][j].phrase) })
	return out
}

// alternatives is the literal phrases of rows as alternatives of a regular
// expression, longest first.
func alternatives(rs []*row) string {
	var phrases []string
	for _, r := range rs {
		if r.pattern == "" {
			phrases = append(phrases, regexp.QuoteMeta(r.phrase))
		}
	}
	sort.SliceStable(phrases, func(i, j int) bool { return len(phrases[i]) > len(phrases[j]) })
	return strings.Join(phrases, "|")
}

// ends reports whether s ends with the row's phrase.
func (r *row) ends(s string) bool {
	if r.pattern != "" {
		return r.ending.get(`(?:` + r.pattern + `)$`).MatchString(s)
	}
	return strings.HasSuffix(s, r.phrase)
}

// in reports whether the row's phrase occurs anywhere in s.
func (r *row) in(s string) bool {
	if r.pattern != "" {
		return r.anywhere().MatchString(s)
	}
	return strings.Contains(s, r.phrase)
}

// lookupRow is the row of table whose literal phrase is word, or nil.
func lookupRow(table, word string) *row {
	for _, r := range rows[table] {
		if r.pattern == "" && r.phrase == word {
			return r
		}
	}
	return nil
}

// extraWords are the literal phrases of the tables that the segmenter
// takes for words, beside the dictionary's (来着, 干啥).
var extraWords = func() map[string]bool {
	out := map[string]bool{}
	for _, table := range []string{"asks", "filler", "function", "measure"} {
		for _, r := range rows[table] {
			if r.pattern == "" {
				out[r.phrase] = true
			}
		}
	}
	return out
}()
