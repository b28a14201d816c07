package rag

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
	"github.com/qabot/qabot/rag/terms"
)

// citationMarker matches the ways models write citations: [1], [1,2],
// [1, 3-4], 【1】, ［1］, [citation:1], [来源1] and the like (one marker each;
// [1][2] is two).
var citationMarker = regexp.MustCompile(`[\[【［〔]\s{0,2}(?:(?i:citation|source|passage|ref)|来源|段落|资料)?\s{0,2}[:：]?\s{0,2}(\d{1,3}(?:\s{0,2}(?:[,，、;；]|[-–~])\s{0,2}\d{1,3}){0,9})\s{0,2}[\]】］〕]`)

// markerPrefix matches text that may still grow into a citation marker; it
// allows more than the longest marker's length, so that holding it back
// never splits one.
var markerPrefix = regexp.MustCompile(`[\[【［〔][\p{L}\d\s,，、;；:：\-–~]{0,100}$`)

// citations rewrites the citation markers of a model's answer as it is
// streamed: markers that name no passage given are dropped, and the rest
// are renumbered in order of first citation and written as [1][2]. Feeding
// the answer in any pieces gives the same text as feeding it whole.
type citations struct {
	passages int         // passages given to the model, numbered from 1
	order    []int       // passage numbers in order of first citation
	renum    map[int]int // passage number -> number in the answer
	held     string      // the tail that may be the start of a marker
}

func newCitations(passages int) *citations {
	return &citations{passages: passages, renum: map[int]int{}}
}

// write takes the next piece of the answer and returns the text that can be
// shown now; a possible marker's start is held back until it is complete.
func (c *citations) write(piece string) string {
	text := c.held + piece
	c.held = ""
	if loc := markerPrefix.FindStringIndex(text); loc != nil {
		c.held = text[loc[0]:]
		text = text[:loc[0]]
	}
	return c.rewrite(text)
}

// flush returns whatever is held back, at the end of the answer.
func (c *citations) flush() string {
	text := c.held
	c.held = ""
	return c.rewrite(text)
}

func (c *citations) rewrite(text string) string {
	return citationMarker.ReplaceAllStringFunc(text, func(marker string) string {
		var b strings.Builder
		for _, n := range c.numbers(citationMarker.FindStringSubmatch(marker)[1]) {
			fmt.Fprintf(&b, "[%d]", c.number(n))
		}
		return b.String()
	})
}

// numbers lists the valid passage numbers a marker names, once each.
func (c *citations) numbers(list string) []int {
	var out []int
	seen := map[int]bool{}
	add := func(n int) {
		if n >= 1 && n <= c.passages && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, part := range strings.FieldsFunc(list, func(r rune) bool { return strings.ContainsRune(",，、;；", r) }) {
		lo, hi, isRange := strings.Cut(strings.NewReplacer("–", "-", "~", "-").Replace(part), "-")
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		if errA != nil {
			continue
		}
		b := a
		if isRange {
			var errB error
			if b, errB = strconv.Atoi(strings.TrimSpace(hi)); errB != nil || b < a {
				b = a
			}
		}
		for n := a; n <= min(b, c.passages); n++ {
			add(n)
		}
	}
	return out
}

// number returns the answer's number for passage n, giving it the next
// number when it is cited for the first time.
func (c *citations) number(n int) int {
	if r, ok := c.renum[n]; ok {
		return r
	}
	c.order = append(c.order, n)
	c.renum[n] = len(c.order)
	return len(c.order)
}

// cited returns the passages cited, in order of first citation, numbered
// as in the answer.
func (c *citations) cited(passages []Source) []Source {
	out := make([]Source, len(c.order))
	for i, n := range c.order {
		out[i] = passages[n-1]
		out[i].N = i + 1
	}
	return out
}

// answerMarker matches a normalised citation, [n].
var answerMarker = regexp.MustCompile(`\[(\d+)\]`)

// citedIn returns the numbers cited in text.
func citedIn(text string) []int {
	var out []int
	for _, m := range answerMarker.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

// minSupport is the share of an answer sentence's (IDF-weighted) terms that
// its cited passages must contain for the sentence to count as supported.
const minSupport = 0.4

// checkSupport returns the answer sentences that their cited passages do not
// support (RAGFlow-style): a sentence with citations is supported when its
// cited passages hold its figures and names and at least minSupport of its
// terms; a long sentence without citations is unsupported. It records, for
// each source, the sentences that cite it as that source's quote. Sentences
// in another language than the passages cannot be checked by shared terms:
// only their figures are.
func checkSupport(s *index.Store, answer string, sources []Source) []string {
	var unsupported []string
	for _, sent := range answerSentences(answer) {
		nums := citedIn(sent)
		claim := strings.TrimSpace(answerMarker.ReplaceAllString(sent, ""))
		if document.RuneLen(claim) < 8 {
			continue
		}
		// Names and terms are read only in the passages' language.
		sameLanguage := terms.Language(claim) == s.Language()
		var cq question.Question
		if sameLanguage {
			cq = question.Parse(claim)
		}
		if len(nums) > 0 && unheldSpecific(claim, cq.Names(), nums, sources) != "" {
			unsupported = append(unsupported, claim)
			continue
		}
		if !sameLanguage {
			continue
		}
		m := search.NewMatcher(s, cq.Terms)
		best := 0.0
		for _, n := range nums {
			if n < 1 || n > len(sources) {
				continue
			}
			src := &sources[n-1]
			best = max(best, m.Coverage(src.Text))
			if src.Quote == "" {
				src.Quote = bestSentence(src.Text, m)
			}
		}
		if best < minSupport && (len(nums) > 0 || document.RuneLen(claim) >= 15) {
			unsupported = append(unsupported, claim)
		}
	}
	return unsupported
}

// specificNumber matches a number that says how many or how much (with
// 万 or 亿 after it), and a Latin word with a digit in it (a code, a model,
// a password), in folded text.
var specificNumber = regexp.MustCompile(`\d+(?:\.\d+)?[万亿]?|[a-z]+\d[a-z\d]*|\d+[a-z][a-z\d]*`)

// unheldSpecific is a number of claim, or one of its names, that none of
// the passages it cites holds; "" when they hold them all. Words around a
// figure or a name can match a passage that says another: 全长一万米 of a
// passage that says 全长400米. Numbers below ten (第一, 两条) are too common
// to check.
func unheldSpecific(claim string, names []question.Word, cited []int, sources []Source) string {
	var held []string
	for _, n := range cited {
		if n >= 1 && n <= len(sources) {
			held = append(held, terms.Fold(sources[n-1].Text))
		}
	}
	holds := func(w string) bool {
		return slices.ContainsFunc(held, func(p string) bool {
			return strings.Contains(p, w) || strings.Contains(p, strings.TrimRight(w, "省市县区"))
		})
	}
	folded := terms.Fold(claim)
	for _, loc := range specificNumber.FindAllStringIndex(folded, -1) {
		w := folded[loc[0]:loc[1]]
		if v, err := strconv.Atoi(w); err == nil && v < 10 {
			continue
		}
		// A number is held as a number: 400 is not held by 4000.
		if !slices.ContainsFunc(held, func(p string) bool { return containsNumber(p, w) }) {
			return w
		}
	}
	for _, w := range names {
		if !holds(w.Text) {
			return w.Text
		}
	}
	return ""
}

// containsNumber reports whether text holds the number w, not as part of a
// longer one.
func containsNumber(text, w string) bool {
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' || b == '.' }
	for i := 0; ; {
		k := strings.Index(text[i:], w)
		if k < 0 {
			return false
		}
		at := i + k
		end := at + len(w)
		if (at == 0 || !isDigit(text[at-1])) && (end == len(text) || !isDigit(text[end])) {
			return true
		}
		i = at + 1
	}
}

// leadingMarkers matches citation markers at the start of a sentence.
var leadingMarkers = regexp.MustCompile(`^(?:\s*\[\d+\])+`)

// answerSentences splits an answer into sentences, attaching markers that
// follow a full stop ("…400米。[1]", as many models write them) to the
// sentence before them rather than leaving them a sentence of their own.
func answerSentences(answer string) []string {
	var out []string
	for _, sent := range document.Sentences(answer) {
		if m := leadingMarkers.FindString(sent); m != "" && len(out) > 0 {
			out[len(out)-1] += strings.TrimSpace(m)
			if sent = strings.TrimSpace(sent[len(m):]); sent == "" {
				continue
			}
		}
		out = append(out, sent)
	}
	return out
}

// bestSentence is the sentence of text that contains the most of m's terms.
func bestSentence(text string, m search.Matcher) string {
	best, bestCov := "", -1.0
	for _, sent := range document.Sentences(text) {
		if cov := m.Coverage(sent); cov > bestCov {
			best, bestCov = sent, cov
		}
	}
	return best
}

// attachCitations cites, after each sentence of an answer that cites
// nothing, the passage among the first n retrieved that holds most of its
// terms, if it holds at least minSupport of them (RAGFlow's
// insert_citations). It returns the text with its citations and how they
// are numbered.
func attachCitations(s *index.Store, text string, passages []Source, n int) (string, *citations) {
	var b strings.Builder
	for _, sent := range answerSentences(text) {
		best, bestCov := 0, minSupport
		m := search.NewMatcher(s, question.Parse(sent).Terms)
		for _, p := range passages[:n] {
			if cov := m.Coverage(p.Text); cov >= bestCov {
				best, bestCov = p.N, cov
			}
		}
		if best > 0 {
			sent = insertMarker(sent, best)
		}
		b.WriteString(sent)
	}
	cites := newCitations(n)
	out := cites.write(b.String()) + cites.flush()
	return out, cites
}

// insertMarker puts [n] at the end of a sentence, before its closing
// punctuation.
func insertMarker(sent string, n int) string {
	body := strings.TrimRightFunc(sent, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("。！？!?.；;", r) })
	return body + fmt.Sprintf("[%d]", n) + sent[len(body):]
}
