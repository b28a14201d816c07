package bot

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/reply"
)

// maxMessage is Telegram's limit on a message: 4096 UTF-16 code units
// after parsing. Splitting counts the HTML source, tags and entities
// included, so pieces stay under it.
const maxMessage = 4096

// renderAnswer is the answer as Telegram HTML: the text with its [n]
// citations, a notice when the model failed, sentences no source supports,
// and the sources it cites (title, date, publisher). The notices and
// headings are in lang, the user's language. Every piece of article
// and model text is escaped. The answer itself, or the refusal in its
// place, is in the question's language. The notice is generic: the failure's details
// (server addresses) are for the log, not for chat members.
func renderAnswer(ans rag.Answer, lang string) string {
	zh := lang == "zh"
	var b strings.Builder
	if ans.ModelError != nil {
		fmt.Fprintf(&b, "<i>%s</i>\n\n", pick(zh, "模型服务暂时不可用，以下是从文章中摘录的回答。", "The model server is unavailable, so this answer is extracted from the articles."))
	}
	b.WriteString(html.EscapeString(reply.Text(ans, ans.Lang)))
	if len(ans.Unsupported) > 0 {
		quoted := make([]string, len(ans.Unsupported))
		for i, s := range ans.Unsupported {
			quoted[i] = "“" + shorten(s, warningQuote) + "”"
		}
		note := fmt.Sprintf(pick(zh, "注意：所引段落不支持 %s", "Note: the cited passages do not support %s"), strings.Join(quoted, pick(zh, "、", ", ")))
		fmt.Fprintf(&b, "\n\n<i>%s</i>", html.EscapeString(note))
	}
	if note := reply.CitationNote(ans, lang); note != "" {
		fmt.Fprintf(&b, "\n\n<i>%s</i>", html.EscapeString(note))
	}
	if sources := ans.Cited(); len(sources) > 0 {
		fmt.Fprintf(&b, "\n\n<b>%s</b>", reply.SourcesLabel(ans, lang))
		for _, s := range sources {
			fmt.Fprintf(&b, "\n[%d] %s", s.N, sourceHTML(s))
		}
	}
	return b.String()
}

// warningQuote is how many characters of an unsupported sentence the
// warning under an answer quotes: enough to find it, not a second copy.
const warningQuote = 16

// shorten cuts s to n characters, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// renderPassage is the message a source button shows: the source and the
// passage, with the quoted sentences in bold.
func renderPassage(s rag.Source) string {
	text := html.EscapeString(s.Text)
	for _, q := range strings.Split(s.Quote, " … ") {
		if q = html.EscapeString(strings.TrimSpace(q)); q != "" && strings.Contains(text, q) {
			text = strings.Replace(text, q, "<b>"+q+"</b>", 1)
		}
	}
	return fmt.Sprintf("[%d] <b>%s</b>\n%s\n\n%s", s.N, html.EscapeString(s.Title), html.EscapeString(sourceMeta(s)), text)
}

// sourceLine is "title (date, publisher)".
// sourceHTML is sourceLine as HTML, linked to the page the article was
// fetched from, if it was.
func sourceHTML(s rag.Source) string {
	line := html.EscapeString(sourceLine(s))
	if u, err := url.Parse(s.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(s.URL), line)
	}
	return line
}

func sourceLine(s rag.Source) string {
	if meta := sourceMeta(s); meta != "" {
		return s.Title + " (" + meta + ")"
	}
	return s.Title
}

// sourceMeta is the source's byline, or its file name when the article
// states neither date nor publisher.
func sourceMeta(s rag.Source) string {
	if b := s.Byline(); b != "" {
		return b
	}
	return s.Doc
}

func pick(zh bool, chinese, other string) string {
	if zh {
		return chinese
	}
	return other
}

// htmlTag matches an HTML tag; group 1 is "/" for a closing tag, group 2
// the tag's name.
var htmlTag = regexp.MustCompile(`<(/?)([a-z]+)[^>]*>`)

// splitHTML cuts Telegram HTML into messages of at most limit UTF-16 code
// units: at
// paragraph, line or sentence ends where it can, never inside a tag or an
// entity, closing the tags open at a cut and reopening them in the next
// message.
func splitHTML(text string, limit int) []string {
	var out []string
	var open []string // tags open at the start of the current piece, outermost first
	runes := []rune(text)
	for len(runes) > 0 {
		prefix := openingTags(open)
		room := limit - utf16Len(prefix) - utf16Len(closingTags(open)) - 32 // room for tags opened within the piece
		fit := fitting(runes, room)
		if fit == len(runes) {
			out = append(out, prefix+string(runes))
			break
		}
		cut := cutPoint(runes, fit)
		piece := string(runes[:cut])
		stillOpen := openTags(open, piece)
		out = append(out, prefix+strings.TrimRight(piece, "\n ")+closingTags(stillOpen))
		open = stillOpen
		runes = []rune(strings.TrimLeft(string(runes[cut:]), "\n "))
	}
	return out
}

// cutPoint is where to cut runes to keep at most room of them: after the
// last paragraph break, line break or sentence end in the second half, else
// at room; never inside a tag or an entity.
func cutPoint(runes []rune, room int) int {
	for _, ends := range []string{"\n\n", "\n", "。！？!?；;", "，、,: "} {
		for i := room; i > room/2; i-- {
			if safeCut(runes, i) && strings.ContainsRune(ends, runes[i-1]) && (ends != "\n\n" || i >= 2 && runes[i-2] == '\n') {
				return i
			}
		}
	}
	for i := room; i > 1; i-- {
		if safeCut(runes, i) {
			return i
		}
	}
	return room
}

// safeCut reports whether cutting before runes[i] leaves tags and entities
// whole.
func safeCut(runes []rune, i int) bool {
	for j := i - 1; j >= 0 && j >= i-64; j-- {
		switch runes[j] {
		case '>', ';':
			return true
		case '<', '&':
			return false
		}
	}
	return true
}

// openTags returns the tags open after piece, given those open before it.
func openTags(open []string, piece string) []string {
	stack := append([]string(nil), open...)
	for _, m := range htmlTag.FindAllStringSubmatch(piece, -1) {
		if m[1] == "" {
			stack = append(stack, m[0])
			continue
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if tagName(stack[i]) == m[2] {
				stack = append(stack[:i], stack[i+1:]...)
				break
			}
		}
	}
	return stack
}

func tagName(tag string) string { return htmlTag.FindStringSubmatch(tag)[2] }

func openingTags(open []string) string { return strings.Join(open, "") }

func closingTags(open []string) string {
	var b strings.Builder
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + tagName(open[i]) + ">")
	}
	return b.String()
}

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// fitting is how many of runes fit in room UTF-16 code units.
func fitting(runes []rune, room int) int {
	n := 0
	for i, r := range runes {
		if n += utf16.RuneLen(r); n > room {
			return i
		}
	}
	return len(runes)
}

// plainText turns Telegram HTML back into plain text, for a resend when
// Telegram cannot parse the formatting.
func plainText(s string) string {
	return html.UnescapeString(htmlTag.ReplaceAllString(s, ""))
}
