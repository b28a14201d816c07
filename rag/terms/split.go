package terms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsCJK reports whether r is written without spaces between words (Han
// ideographs, kana, Hangul), so that terms are character n-grams.
func IsCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// IsWordRune reports whether r belongs to a space-separated word (Latin,
// Cyrillic, digits ...).
func IsWordRune(r rune) bool {
	return !IsCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// Term is one indexable unit of text, with its kind.
type Term struct {
	Text string
	Kind Kind
}

// Kind is the kind of a term, which sets its weight.
type Kind int

// The kinds of term.
const (
	Unigram Kind = iota // one CJK character
	Bigram              // two adjacent CJK characters
	Word                // a space-separated word or a number, lower-cased
)

// Split cuts text into terms: CJK unigrams and bigrams within runs of CJK
// characters, and lower-cased words of letters and digits elsewhere.
// Punctuation and spaces separate runs and yield no terms.
func Split(text string) []Term {
	var out []Term
	runes := []rune(text)
	for i := 0; i < len(runes); {
		r := runes[i]
		switch {
		case IsCJK(r):
			j := i
			for j < len(runes) && IsCJK(runes[j]) {
				j++
			}
			for k := i; k < j; k++ {
				out = append(out, Term{string(runes[k]), Unigram})
				if k+1 < j {
					out = append(out, Term{string(runes[k : k+2]), Bigram})
				}
			}
			i = j
		case IsWordRune(r):
			j := i
			for j < len(runes) && IsWordRune(runes[j]) {
				j++
			}
			out = append(out, Term{strings.ToLower(string(runes[i:j])), Word})
			i = j
		default:
			i++
		}
	}
	return out
}

// Contains reports whether term occurs in text as a term: anywhere for CJK
// n-grams, as a whole word otherwise.
func Contains(text, term string) bool {
	first, _ := utf8.DecodeRuneInString(term)
	for from := 0; ; {
		i := strings.Index(text[from:], term)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(term):])
		if IsCJK(first) || (!IsWordRune(before) && !IsWordRune(after)) {
			return true
		}
		from = i + len(term)
	}
}

// HanShare is the share of letters in s that are CJK characters.
func HanShare(s string) float64 {
	var han, letters int
	for _, r := range s {
		if IsCJK(r) {
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
	if HanShare(text) >= 0.3 {
		return "zh"
	}
	return "en"
}
