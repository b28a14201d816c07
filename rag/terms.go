package rag

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isCJK reports whether r is written without spaces between words
// (Han ideographs, kana, Hangul), so that terms are character n-grams.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isWordRune reports whether r belongs to a space-separated word
// (Latin, Cyrillic, digits ...).
func isWordRune(r rune) bool {
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// term is one indexable unit of text with its kind, which sets its weight.
type term struct {
	text string
	kind termKind
}

type termKind int

const (
	unigram termKind = iota // one CJK character
	bigram                  // two adjacent CJK characters
	word                    // a space-separated word or a number, lower-cased
)

// splitTerms cuts text into terms: CJK unigrams and bigrams within runs of
// CJK characters, and lower-cased words of letters and digits elsewhere.
// Punctuation and spaces separate runs and yield no terms.
func splitTerms(text string) []term {
	var out []term
	runes := []rune(text)
	for i := 0; i < len(runes); {
		r := runes[i]
		switch {
		case isCJK(r):
			j := i
			for j < len(runes) && isCJK(runes[j]) {
				j++
			}
			for k := i; k < j; k++ {
				out = append(out, term{string(runes[k]), unigram})
				if k+1 < j {
					out = append(out, term{string(runes[k : k+2]), bigram})
				}
			}
			i = j
		case isWordRune(r):
			j := i
			for j < len(runes) && isWordRune(runes[j]) {
				j++
			}
			out = append(out, term{strings.ToLower(string(runes[i:j])), word})
			i = j
		default:
			i++
		}
	}
	return out
}

// colloquial maps the question words of chat style to their written forms.
var colloquial = strings.NewReplacer("啥时候", "什么时候", "啥时", "什么时候", "叫啥名", "叫什么名字", "干啥", "做什么", "干嘛", "做什么",
	"咋样", "怎么样", "咋", "怎么", "啥", "什么", "哪俩", "哪两", "多会儿", "什么时候", "俺们", "我们")

// plainQuestion is a question with Traditional characters, full-width
// forms and chat-style question words in their plain forms.
func plainQuestion(question string) string {
	return colloquial.Replace(foldScript(question))
}

// questionWords are interrogatives and particles that a question contains
// but an answer does not; they are not evidence of relevance.
var questionWords = []string{
	"什么", "哪些", "哪个", "哪家", "哪位", "哪里", "哪儿", "哪几", "哪两", "哪三", "哪四", "哪五", "哪六",
	"多少", "几个", "几天", "几年", "如何", "怎么", "怎样", "为什么", "是否", "是不是", "有没有", "吗", "呢",
	"请问", "告诉我", "具体", "是谁", "谁", "哪位", "哪一", "来着", "一下", "啊", "呀", "吧", "嘛", "哈", "那个", "这个",
	"叫什么名字", "叫什么", "做什么", "是什么意思", "什么意思", "指的是", "是指",
}

var latinStopwords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "were": true, "be": true,
	"of": true, "in": true, "on": true, "at": true, "to": true, "for": true, "by": true, "with": true,
	"and": true, "or": true, "what": true, "which": true, "who": true, "whom": true, "whose": true,
	"how": true, "when": true, "where": true, "why": true, "does": true, "do": true, "did": true,
	"it": true, "its": true, "this": true, "that": true, "there": true, "will": true, "can": true,
}

// queryTerm is a content term of a question and its weight. A bigram
// remembers the bigrams either side of it in the question (left, right;
// "" at the edge of a run of characters), to tell a word from the seam
// between two words (钢项 of 硅钢项目).
type queryTerm struct {
	text        string
	weight      float64
	left, right string
}

// quoted matches text the asker put in quotation marks: the name of what
// they ask about, so its terms weigh double.
var quoted = regexp.MustCompile(`[“"「『‘]([^”"」』’]{1,30})[”"」』’]`)

func init() {
	// Longest first, so that 叫什么名字 goes before 什么 takes its middle.
	sort.Slice(questionWords, func(i, j int) bool { return len(questionWords[i]) > len(questionWords[j]) })
}

// askedCount matches a question word with the measure word after it (哪六个,
// 几家, 多少项): left in, the measure word would make a bigram with the next
// word (个方 of 个方面) that no answer holds.
var askedCount = regexp.MustCompile(`(哪|几|多少)[一二两三四五六七八九十几]?(个|家|项|种|类|位|名|条|座|所|批|件|次|大)`)

// verbWei matches the 为 of a verb (成为, 作为, 认为) before 什么, which is
// no 为什么 (why): 恒达想成为什么样的企业 keeps 成为.
var verbWei = regexp.MustCompile(`([成作认称视改变以])为什么`)

// loneCharWeight is the weight of a character standing alone between
// question words (指 in 具体指哪些, 在 in 在哪里): one character says far less
// than a word.
const loneCharWeight = 0.3

// queryTerms returns the distinct content terms of a question: CJK bigrams
// (or the lone character of a one-character run) and words, without
// question words and common function words.
func queryTerms(question string) []queryTerm {
	question = plainQuestion(question)
	question = askedCount.ReplaceAllString(question, " ")
	question = verbWei.ReplaceAllString(question, "${1}为 ")
	for _, w := range questionWords {
		question = strings.ReplaceAll(question, w, " ")
	}
	emphasis := map[string]bool{}
	for _, m := range quoted.FindAllStringSubmatch(question, -1) {
		for _, t := range splitTerms(fold(m[1])) {
			emphasis[t.text] = true
		}
	}
	question = fold(question)
	seen := map[string]bool{}
	var out []queryTerm
	add := func(t queryTerm) {
		if seen[t.text] {
			return
		}
		seen[t.text] = true
		if emphasis[t.text] {
			t.weight *= 2
		}
		out = append(out, t)
	}
	for _, run := range strings.FieldsFunc(question, func(r rune) bool { return !isCJK(r) && !isWordRune(r) }) {
		lone := utf8.RuneCountInString(run) == 1
		terms := splitTerms(run)
		for i, t := range terms {
			switch {
			case t.kind == bigram:
				// Bigrams and unigrams alternate within a run of CJK.
				left, right := "", ""
				if i >= 2 && terms[i-2].kind == bigram {
					left = terms[i-2].text
				}
				if i+2 < len(terms) && terms[i+2].kind == bigram {
					right = terms[i+2].text
				}
				add(queryTerm{text: t.text, weight: 1, left: left, right: right})
			case t.kind == word && len(t.text) == 1 && unicode.IsDigit(rune(t.text[0])):
				// A lone digit says as little as a lone character: the 5
				// of 五台山 (folded 5台山) is also an item's number (5、).
				add(queryTerm{text: t.text, weight: loneCharWeight})
			case t.kind == word && !latinStopwords[t.text]:
				add(queryTerm{text: t.text, weight: 1})
			case t.kind == unigram && lone:
				add(queryTerm{text: t.text, weight: loneCharWeight})
			}
		}
	}
	return out
}

// hanShare is the share of letters in s that are CJK characters.
func hanShare(s string) float64 {
	var han, letters int
	for _, r := range s {
		if isCJK(r) {
			han++
			letters++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return 0
	}
	return float64(han) / float64(letters)
}

// Language is "zh" when the text is mostly CJK characters, else "en".
func Language(text string) string {
	if hanShare(text) >= 0.3 {
		return "zh"
	}
	return "en"
}
