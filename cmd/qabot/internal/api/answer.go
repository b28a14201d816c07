package api

import (
	"fmt"
	"io"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/reply"
)

// AnswerJSON is the object `ask --json` prints and /v1/ask returns (the
// schema documented in DESIGN.md).
type AnswerJSON struct {
	Question    string       `json:"question"`
	Answer      string       `json:"answer"`
	Mode        string       `json:"mode"`
	Refused     bool         `json:"refused"`
	CitedAfter  bool         `json:"cited_after,omitempty"` // the model cited nothing; qabot matched its sentences to passages
	Related     bool         `json:"related,omitempty"`     // the model cited nothing that matches: sources are related passages
	Sources     []SourceJSON `json:"sources"`
	Notice      string       `json:"notice,omitempty"`
	Unsupported []string     `json:"unsupported,omitempty"`
}

// SourceJSON is a source of an AnswerJSON.
type SourceJSON struct {
	N         int     `json:"n"`
	Doc       string  `json:"doc"`
	Title     string  `json:"title"`
	Date      string  `json:"date,omitempty"`
	Publisher string  `json:"publisher,omitempty"`
	Chunk     int     `json:"chunk"`
	Score     float64 `json:"score"`
	Text      string  `json:"text"`
	URL       string  `json:"url,omitempty"`
}

// NewAnswerJSON is the JSON object of an answer. Its text, and that of its
// sources, is inert (see Inert).
func NewAnswerJSON(r rag.Answer) AnswerJSON {
	out := AnswerJSON{Question: r.Question, Answer: Inert(reply.Text(r, r.Lang), r), Mode: r.Mode, Refused: r.Refused(), CitedAfter: r.CitedAfter, Related: r.Related, Sources: []SourceJSON{},
		Notice: Notice(r), Unsupported: r.Unsupported}
	for _, s := range r.Sources {
		out.Sources = append(out.Sources, SourceJSON{N: s.N, Doc: s.Doc, Title: Inert(s.Title, r), Date: s.Date, Publisher: s.Publisher,
			Chunk: s.Chunk, Score: roundScore(s.Score), Text: Inert(s.Text, r), URL: s.URL})
	}
	return out
}

// Inert is text served over HTTP with its active markup (images, HTML,
// links to other pages than the answer's sources) made inert, as
// rag.Inert does; Telegram shows markup as text, escaped.
func Inert(text string, r rag.Answer) string {
	var urls []string
	for _, s := range r.Sources {
		if s.URL != "" {
			urls = append(urls, s.URL)
		}
	}
	return rag.Inert(text, urls)
}

// Notice explains, in the question's language, that the model server
// failed and the answer is extractive; "" when it did not fail.
func Notice(r rag.Answer) string {
	if r.ModelError == nil {
		return ""
	}
	return fmt.Sprintf(pick(r.Lang == "zh", "模型服务出错，以下是从文章中摘录的回答（%v）", "The model server failed, so this answer is extracted from the articles (%v)"), r.ModelError)
}

func roundScore(x float64) float64 { return float64(int(x*10000+0.5)) / 10000 }

// WriteSources writes the sources the answer cites, and the sentences that
// no cited source supports.
func WriteSources(w io.Writer, r rag.Answer) {
	zh := r.Lang == "zh"
	if cited := r.Cited(); len(cited) > 0 {
		fmt.Fprintf(w, "\n%s:\n", reply.SourcesLabel(r, r.Lang))
		for _, s := range cited {
			printSource(w, s, s.Quote)
		}
	}
	for _, s := range r.Unsupported {
		fmt.Fprintf(w, pick(zh, "注意：以下内容在所引段落中找不到依据：“%s”\n", "Note: the cited passages do not support: “%s”\n"), s)
	}
	if note := reply.CitationNote(r, r.Lang); note != "" {
		fmt.Fprintln(w, note)
	}
}

// printSource writes one source: number, title, date and publisher (the
// file name only when the article has no title), and the quoted passage.
func printSource(w io.Writer, s rag.Source, quote string) {
	fmt.Fprintf(w, "%s\n", SourceLabel(s))
	if s.URL != "" {
		fmt.Fprintf(w, "    %s\n", s.URL)
	}
	fmt.Fprintf(w, "    “%s”\n", quote)
}

// SourceLabel is "[n] title (date, publisher)".
func SourceLabel(s rag.Source) string {
	title := s.Title
	if title == "" {
		title = s.Doc
	}
	line := fmt.Sprintf("[%d] %s", s.N, document.Printable(title))
	if b := s.Byline(); b != "" {
		line += " (" + b + ")"
	}
	return line
}

func pick(zh bool, chinese, other string) string {
	if zh {
		return chinese
	}
	return other
}
