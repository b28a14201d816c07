package question

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
)

// The Chinese dictionary: jieba's, as gse ships it, with each word's
// frequency and part of speech, cut to the common words and every proper
// name (see keepInDictionary). It is kept sorted, one "word\tfreq\ttag" a
// line, and searched where it lies in the binary: nothing is loaded or
// built at start. Its first line, " \tTOTAL\t-", holds the total
// frequency of its words.

//go:embed zh.dict
var dictionary string

// maxWordRunes is the longest word of the dictionary.
const maxWordRunes = 8

// entry is a word's dictionary line.
type entry struct {
	freq int
	tag  string
}

// lookup finds word in the dictionary by binary search over the lines.
func lookup(word string) (entry, bool) {
	lo, hi := 0, len(dictionary)
	for lo < hi {
		mid := (lo + hi) / 2
		start := strings.LastIndexByte(dictionary[:mid], '\n') + 1
		end := start + strings.IndexByte(dictionary[start:], '\n')
		line := dictionary[start:end]
		w, rest, _ := strings.Cut(line, "\t")
		switch {
		case w == word:
			f, tag, _ := strings.Cut(rest, "\t")
			freq, _ := strconv.Atoi(f)
			return entry{freq: freq, tag: tag}, true
		case w < word:
			lo = end + 1
		default:
			hi = start
		}
	}
	return entry{}, false
}

// logTotal is the log of the dictionary's total frequency, the denominator
// of a word's probability.
var logTotal = func() float64 {
	e, _ := lookup(" ")
	return math.Log(float64(max(e.freq, 1)))
}()
