package question

import (
	"math"
	"unicode"

	"github.com/qabot/qabot/rag/terms"
)

// Word is one word of a question, as segmented.
type Word struct {
	Text string // folded
	// Tag is the word's part of speech in the dictionary (jieba's tags: ns
	// place, nt organisation, nz other proper noun, nr person, n noun, v
	// verb, m numeral, q measure word, r pronoun, ...); "eng" for a word of
	// Latin letters, "m" for a number, "x" for punctuation, "" for a
	// character the dictionary lacks.
	Tag   string
	Start int // byte offset in the folded question
	Role  Role
}

// End is the byte offset just past the word.
func (w Word) End() int { return w.Start + len(w.Text) }

// Role is what a word does in its question.
type Role int

// The roles of words.
const (
	Content  Role = iota // names or says something of what is asked about
	Asking               // a question word: 什么, 多少个, 是不是
	Filler               // chat and reference: 那个, 来着, 啊
	Function             // joins words: 的, 是, 在, 把
	Mark                 // punctuation and spaces
)

// segment cuts folded text into words: runs of CJK characters by the most
// probable route through the dictionary (jieba's method: each word's
// probability is its frequency over the dictionary's total, and a character
// the dictionary lacks is a word of its own), runs of letters and digits
// into one word each, and punctuation into marks.
func segment(text string) []Word {
	var out []Word
	runes := []rune(text)
	offset := make([]int, len(runes)+1)
	for i, r := range runes {
		offset[i+1] = offset[i] + len(string(r))
	}
	for i := 0; i < len(runes); {
		j := i + 1
		switch r := runes[i]; {
		case terms.IsCJK(r):
			for j < len(runes) && terms.IsCJK(runes[j]) {
				j++
			}
			for _, span := range route(runes[i:j]) {
				w := string(runes[i+span[0] : i+span[1]])
				out = append(out, Word{Text: w, Tag: tagOf(w), Start: offset[i+span[0]]})
			}
		case terms.IsWordRune(r):
			for j < len(runes) && terms.IsWordRune(runes[j]) {
				j++
			}
			w, tag := string(runes[i:j]), "eng"
			if isNumber(w) {
				tag = "m"
			}
			out = append(out, Word{Text: w, Tag: tag, Start: offset[i]})
		default:
			for j < len(runes) && !terms.IsCJK(runes[j]) && !terms.IsWordRune(runes[j]) {
				j++
			}
			out = append(out, Word{Text: string(runes[i:j]), Tag: "x", Start: offset[i], Role: Mark})
		}
		i = j
	}
	return out
}

// route is jieba's most probable cut of a run of CJK characters, as spans.
func route(run []rune) [][2]int {
	n := len(run)
	score := make([]float64, n+1)
	next := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		score[i] = math.Inf(-1)
		for j := i + 1; j <= min(n, i+maxWordRunes); j++ {
			w := string(run[i:j])
			freq := 0
			if e, ok := lookup(w); ok {
				freq = e.freq
			} else if extraWords[w] {
				freq = extraWordFreq
			}
			if freq == 0 && j > i+1 {
				continue
			}
			s := math.Log(float64(max(freq, 1))) - logTotal + score[j]
			if s > score[i] {
				score[i], next[i] = s, j
			}
		}
	}
	var spans [][2]int
	for i := 0; i < n; i = next[i] {
		spans = append(spans, [2]int{i, next[i]})
	}
	return spans
}

// extraWordFreq is the frequency given to the tables' phrases that the
// dictionary lacks: that of a common word.
const extraWordFreq = 1000

// tagOf is a word's part of speech in the dictionary.
func tagOf(w string) string {
	e, _ := lookup(w)
	return e.tag
}

// isNumber reports whether w is written in digits only.
func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) && r != '.' {
			return false
		}
	}
	return w != ""
}
