package document

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chunk is a passage of one article: a run of whole sentences.
type Chunk struct {
	Doc   string // article file name
	Index int    // position of the chunk in the article, from 0
	Start int    // offset of the first rune in Article.Text, in runes
	End   int    // offset one past the last rune, in runes
	Text  string // Article.Text[Start:End] (in runes)
}

// ID is the chunk's key in the vector store.
func (c Chunk) ID() string { return fmt.Sprintf("%s#%d", c.Doc, c.Index) }

// Chunker cuts articles into overlapping passages of whole sentences.
type Chunker struct {
	Size    int // maximum passage length in runes
	Overlap int // runes of trailing sentences repeated at the start of the next passage
}

// Validate reports a chunking configuration that cannot work.
func (c Chunker) Validate() error {
	if c.Size < 20 {
		return fmt.Errorf("chunk.size must be at least 20 runes, got %d", c.Size)
	}
	if c.Overlap < 0 || c.Overlap >= c.Size {
		return fmt.Errorf("chunk.overlap must be between 0 and chunk.size-1 (%d), got %d", c.Size-1, c.Overlap)
	}
	return nil
}

// Split cuts an article into chunks. A chunk holds whole sentences; a
// sentence longer than Size is cut at clause punctuation, or at Size runes
// when it has none.
func (c Chunker) Split(a Article) []Chunk {
	text := []rune(a.Text)
	var spans []span
	for _, s := range sentenceSpans(text) {
		spans = append(spans, cutLong(text, s, c.Size)...)
	}
	var chunks []Chunk
	for i := 0; i < len(spans); {
		j := i
		for j < len(spans) && spans[j].end-spans[i].start <= c.Size {
			j++
		}
		if j == i { // cannot happen after cutLong, but never loop forever
			j = i + 1
		}
		start, end := spans[i].start, spans[j-1].end
		chunks = append(chunks, Chunk{Doc: a.Name, Index: len(chunks), Start: start, End: end, Text: string(text[start:end])})
		if j == len(spans) {
			break
		}
		next := j
		for next > i+1 && spans[j-1].end-spans[next-1].start <= c.Overlap {
			next--
		}
		i = next
	}
	return chunks
}

// span is a half-open range of rune offsets.
type span struct{ start, end int }

// Sentences splits text into sentences (without surrounding whitespace).
func Sentences(text string) []string {
	runes := []rune(text)
	var out []string
	for _, s := range sentenceSpans(runes) {
		out = append(out, string(runes[s.start:s.end]))
	}
	return out
}

// sentenceSpans finds sentences: a sentence ends after 。！？；… (and ! ? ;,
// or a full stop followed by a space), together with any closing quotes or
// brackets that follow, or at a line break. Spans exclude surrounding spaces.
func sentenceSpans(text []rune) []span {
	var out []span
	start := -1
	emit := func(end int) {
		if start >= 0 {
			for end > start && unicode.IsSpace(text[end-1]) {
				end--
			}
			if end > start {
				out = append(out, span{start, end})
			}
		}
		start = -1
	}
	for i := 0; i < len(text); i++ {
		r := text[i]
		if start < 0 {
			if unicode.IsSpace(r) {
				continue
			}
			start = i
		}
		switch {
		case r == '\n':
			emit(i)
		case isSentenceEnd(text, i):
			j := i + 1
			for j < len(text) && (strings.ContainsRune(sentenceEnders, text[j]) || strings.ContainsRune(closers, text[j])) {
				j++
			}
			emit(j)
			i = j - 1
		}
	}
	emit(len(text))
	return out
}

func isSentenceEnd(text []rune, i int) bool {
	r := text[i]
	if strings.ContainsRune(sentenceEnders, r) {
		return true
	}
	// A Latin full stop ends a sentence when a space or the end follows,
	// and it is not a decimal point.
	return r == '.' && (i+1 == len(text) || unicode.IsSpace(text[i+1])) && i > 0 && !unicode.IsDigit(text[i-1])
}

// ClausePunct marks places where an over-long sentence may be cut.
const ClausePunct = "，,、：:—"

// cutLong cuts a sentence longer than size runes into pieces of at most size
// runes, after clause punctuation where possible, so that no piece starts
// with punctuation.
func cutLong(text []rune, s span, size int) []span {
	var out []span
	for s.end-s.start > size {
		cut := -1
		for k := s.start + size - 1; k > s.start+size/3; k-- {
			if strings.ContainsRune(ClausePunct, text[k]) && !strings.ContainsRune(ClausePunct, text[k+1]) {
				cut = k + 1
				break
			}
		}
		if cut < 0 {
			cut = s.start + size
			for cut > s.start+1 && IsPunct(text[cut]) {
				cut--
			}
		}
		out = append(out, span{s.start, cut})
		s.start = cut
		for s.start < s.end && unicode.IsSpace(text[s.start]) {
			s.start++
		}
	}
	if s.end > s.start {
		out = append(out, s)
	}
	return out
}

func IsPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// RuneLen is the length of s in runes.
func RuneLen(s string) int { return utf8.RuneCountInString(s) }
