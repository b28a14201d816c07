package rag

import (
	"regexp"
	"slices"
	"strings"
)

// A model's answer, or a passage of a document, may carry markup that a
// Markdown front end acts on by itself: an image it loads from another
// host (carrying whatever the URL holds there), raw HTML, a javascript:
// link. Text qabot serves is made inert: images become their alt text,
// HTML tags are dropped, a link keeps its target only when that is the URL
// of one of the answer's sources, and any other URL is shown as code.

var (
	mdImage = regexp.MustCompile(`!\[([^\]\n]*)\]\(([^)\n]*)\)`)
	mdLink  = regexp.MustCompile(`\[([^\]\n]+)\]\(([^)\s]+)(?:\s+"[^"\n]*")?\)`)
	htmlTag = regexp.MustCompile(`<(?:/?[a-zA-Z][^<>]*|!--[\s\S]*?--)>`)
	bareURL = regexp.MustCompile(`(?i)\b(?:https?|javascript|data|file|ftp):[^\s<>()（）\[\]` + "`" + `"'，。；！？、]+`)
	// markupStart is an unfinished construct at the end of a streamed
	// piece: it is held back until it ends, within bounds.
	markupStart = regexp.MustCompile(`(?:!?\[[^\]\n]{0,200}(?:\]\([^)\n]{0,500})?|<[^<>\n]{0,500}|(?i:https?|javascript|data|file|ftp):\S{0,500}|[a-zA-Z]{1,10}|!)$`)
)

// Inert is text with its active markup made inert; links may point only
// to allowed, the answer's own source URLs.
func Inert(text string, allowed []string) string {
	if !strings.ContainsAny(text, "<[:!") {
		return text
	}
	text = mdImage.ReplaceAllString(text, "$1")
	text = htmlTag.ReplaceAllString(text, "")
	var kept []string // the links kept, put back when the rest is done
	text = mdLink.ReplaceAllStringFunc(text, func(link string) string {
		m := mdLink.FindStringSubmatch(link)
		if !slices.Contains(allowed, m[2]) {
			return m[1]
		}
		kept = append(kept, link)
		return "\x00"
	})
	text = bareURL.ReplaceAllStringFunc(text, func(url string) string {
		if slices.Contains(allowed, url) {
			return url
		}
		return "`" + strings.ReplaceAll(url, "`", "") + "`"
	})
	// What is left of a construct cut off is broken up, and so are link
	// definitions ([r]: URL), whose references ![x][r] would load or link
	// what they name.
	text = strings.NewReplacer("<", "＜", "![", "[", "](", "] (", "]:", "]：").Replace(text)
	for _, link := range kept {
		text = strings.Replace(text, "\x00", link, 1)
	}
	return text
}

// inertStream makes a streamed text inert piece by piece, holding back an
// unfinished construct at the end of a piece until it ends.
type inertStream struct {
	allowed []string
	held    string
}

// write is piece made inert, less what it holds back.
func (s *inertStream) write(piece string) string {
	text := s.held + piece
	s.held = ""
	if loc := markupStart.FindStringIndex(text); loc != nil {
		s.held, text = text[loc[0]:], text[:loc[0]]
	}
	return Inert(text, s.allowed)
}

// flush is what is held back, made inert, at the end of the text.
func (s *inertStream) flush() string {
	text := s.held
	s.held = ""
	return Inert(text, s.allowed)
}
