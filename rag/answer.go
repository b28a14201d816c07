package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
)

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Answer is the reply to one question.
type Answer struct {
	Question string
	Lang     string // the language the question is asked in ("zh", "en")
	// Text is the answer, with [n] citations; empty when it is refused.
	Text string
	Mode string // ModeExtractive or ModeLLM
	// Refusal is why the question is not answered, as data (Reason
	// Answered when it is): front ends word it in their user's language
	// (package reply).
	Refusal Refusal
	// Sources are the passages the answer cites, numbered as cited. An
	// extractive answer lists every passage retrieved.
	Sources []Source
	// Retrieved are all passages found, best first.
	Retrieved []Source
	// ModelError says why a generated answer was not possible (the model
	// server failed), when Mode is extractive although an LLM is set. It
	// is a *llm.ServiceError, worded for users and free of secrets; front ends
	// word the notice around it.
	ModelError error
	// Unsupported lists answer sentences that no cited passage supports.
	Unsupported []string
	// Retried is set when the model server found the prompt at the edge of
	// the model's context window and the model was asked again: Text is
	// the second answer, and replaces any text streamed before it.
	Retried bool
	// Timings are how long the answer's steps took.
	Timings Timings
	// CitedAfter is set when the model cited nothing and qabot attached
	// the citations, matching each sentence of the answer to the passage
	// that holds most of it.
	CitedAfter bool
	// Related is set when the model cited nothing and none of its sentences
	// matches a passage: Sources are the passages it was given, shown as
	// related, not as sources of the answer.
	Related bool
}

// Timings are how long the steps of an answer took; zero for a step not
// taken.
type Timings struct {
	Retrieval  time.Duration // the search of the passages
	Model      time.Duration // the model's answer, whole
	FirstToken time.Duration // from asking the model to its first text
}

// Source is a retrieved passage; N is the number citations use.
type Source struct {
	N         int
	Doc       string // article file name
	Title     string
	Date      string
	Publisher string
	URL       string // the page the article was fetched from, if it was
	Chunk     int
	Score     float64
	Text      string
	Quote     string // the sentences of Text the answer used, if any
}

// Cited returns the sources the answer's text cites, in order.
func (a Answer) Cited() []Source {
	if a.Related {
		return a.Sources
	}
	var out []Source
	for _, s := range a.Sources {
		if strings.Contains(a.Text, fmt.Sprintf("[%d]", s.N)) {
			out = append(out, s)
		}
	}
	return out
}

// Refused reports whether the question is not answered: the articles do
// not cover it, or it needs a model (Deferred).
func (a Answer) Refused() bool { return a.Refusal.Reason != Answered }

// Deferred reports whether the question cannot be answered without a
// model: a question in another language than the articles, or a
// follow-up, with no LLM configured. The setting that would help
// (ModelHint) is for the operator: front ends log it or show it to their
// operator.
func (a Answer) Deferred() bool { return a.Refusal.Deferred() }

// Byline is the source's date and publisher, as far as the article states
// them: "2024-03-05, 新华网".
func (s Source) Byline() string {
	var parts []string
	for _, p := range []string{s.Date, s.Publisher} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// ErrEmptyQuestion is returned for a question with no words in it.
var ErrEmptyQuestion = errors.New("the question is empty")

// MaxQuestionRunes bounds the part of a question that is searched; longer
// questions are cut, which keeps every answer fast.
const MaxQuestionRunes = 2000

// Answerer answers questions from a store.
type Answerer struct {
	Store *index.Store
	TopK  int
	// MinRelevance is the lexical floor: when no retrieved passage contains
	// at least this IDF-weighted share of the question's terms (and, with a
	// neural embedder, none is MinSimilarity alike), the answer is a
	// refusal. With an LLM the floor is looseFloor: the model sees the
	// passages and refuses itself.
	MinRelevance float64
	// MinSimilarity is the dense (cosine) floor for neural embedders.
	MinSimilarity float64
	// MaxAnswerRunes bounds an extractive answer (default 300).
	MaxAnswerRunes int
	// LLM generates answers; without it answers are extractive.
	LLM *llm.ChatClient
	// ModelPassages is how many passages a model is given, at least TopK:
	// more than an extractive answer draws on, since the model reads them
	// all.
	ModelPassages int
	// Weights weigh the features of passages and sentences; nil means
	// DefaultWeights.
	Weights *Weights
	// Log receives failures of the model server; nil means no logging.
	Log *slog.Logger
}

// Request is a question with what is needed to answer it.
type Request struct {
	Question string
	// History is the conversation so far, oldest first, for follow-ups.
	History []Turn
	// OnText, if set, receives a generated answer as it streams, with
	// citations already renumbered. When generation fails midway the
	// answer becomes extractive; see Answer.ModelError.
	OnText func(string)
	// Extractive asks for an extractive answer even with a model
	// configured: one that must come at once (a Telegram inline query).
	Extractive bool
}

// Ask answers a question without history or streaming.
func (a *Answerer) Ask(ctx context.Context, question string) (Answer, error) {
	return a.Answer(ctx, Request{Question: question})
}

// Answer retrieves passages for the request's question and answers from
// them: generated by the LLM when one is set and reachable, extractively
// otherwise. It refuses, without calling the LLM, when no passage is
// relevant.
func (a *Answerer) Answer(ctx context.Context, req Request) (Answer, error) {
	if req.Extractive && a.LLM != nil {
		offline := *a
		offline.LLM = nil
		return offline.Answer(ctx, Request{Question: req.Question})
	}
	text := strings.TrimSpace(req.Question)
	if r := []rune(text); len(r) > MaxQuestionRunes {
		text = string(r[:MaxQuestionRunes])
	}
	if strings.TrimFunc(text, func(r rune) bool { return document.IsPunct(r) || unicode.IsSpace(r) }) == "" {
		return Answer{}, ErrEmptyQuestion
	}
	asked := question.ParseIn(text, a.Store)
	ans := Answer{Question: text, Lang: asked.Lang, Mode: ModeExtractive}
	if a.LLM == nil && asked.Lang != a.Store.Language() {
		ans.refuse(Refusal{Reason: OtherLanguage, ArticlesLang: a.Store.Language()})
		return ans, nil
	}
	standalone, err := a.standalone(ctx, asked, req.History)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, ctx.Err()
		}
		ans.ModelError = a.modelFailed(err)
	}
	// From here a model failure only makes the answer extractive, unless
	// the caller gave up.
	q := asked // the question answered: the rewrite, when there is one
	if standalone != "" && standalone != text {
		q = question.ParseIn(standalone, a.Store)
	}
	began := time.Now()
	k := a.TopK
	if a.LLM != nil {
		k = max(k, a.ModelPassages)
	}
	hits, err := a.search(ctx, asked, q, k)
	ans.Timings.Retrieval = time.Since(began)
	if err != nil {
		return Answer{}, err
	}
	// Offline, a follow-up needs the conversation to be understood: say
	// so rather than quote something else.
	if a.LLM == nil && len(req.History) > 0 && q.FollowUp {
		ans.refuse(Refusal{Reason: FollowUp})
		return ans, nil
	}
	if !a.relevant(hits) {
		ans.refuse(Refusal{Reason: NothingRelevant})
		return ans, nil
	}
	ans.Retrieved = a.sources(hits)
	if a.LLM != nil && ans.ModelError == nil {
		began := time.Now()
		onText := req.OnText
		req.OnText = func(text string) {
			if ans.Timings.FirstToken == 0 {
				ans.Timings.FirstToken = time.Since(began)
			}
			if onText != nil {
				onText(text)
			}
		}
		err := a.generate(ctx, &ans, q, standalone, req.OnText)
		ans.Timings.Model = time.Since(began)
		switch {
		case err == nil:
			return ans, nil
		case ctx.Err() != nil:
			return Answer{}, ctx.Err()
		}
		ans.ModelError = a.modelFailed(err)
	}
	hits = hits[:min(len(hits), a.TopK)]
	ans.Retrieved = ans.Retrieved[:len(hits)]
	a.answerOffline(&ans, q, hits)
	return ans, nil
}

// weights are the Answerer's weights, or the defaults.
func (a *Answerer) weights() *Weights {
	if a.Weights != nil {
		return a.Weights
	}
	return DefaultWeights
}

// looseFloor is the relevance below which not even a model is shown the
// passages: nothing in them is even loosely related.
const looseFloor = 0.05

// relevant reports whether the passages may answer the question: their
// lexical coverage reaches the floor, or, with a neural embedder, their
// meaning is close enough.
func (a *Answerer) relevant(hits []search.Hit) bool {
	floor := a.MinRelevance
	if a.LLM != nil {
		floor = min(floor, looseFloor)
	}
	semantic := a.MinSimilarity > 0 && !a.Store.LexicalEmbedder()
	for _, h := range hits {
		if h.Relevance >= floor || semantic && h.Similarity >= a.MinSimilarity {
			return true
		}
	}
	return false
}

func (a *Answerer) sources(hits []search.Hit) []Source {
	out := make([]Source, len(hits))
	for i, h := range hits {
		art := a.Store.Article(h.Chunk.Doc)
		out[i] = Source{
			N: i + 1, Doc: h.Chunk.Doc, Title: art.Title, Date: art.Date, Publisher: art.Source, URL: art.URL,
			Chunk: h.Chunk.Index, Score: h.Score, Text: h.Chunk.Text,
		}
	}
	return out
}

// NothingFoundZH and NothingFoundEN say that the articles hold nothing on
// a question: the words the model is told to reply with, and those of a
// refusal with no more particular reason (package reply).
const (
	NothingFoundZH = "抱歉，文章中没有找到与这个问题相关的内容。"
	NothingFoundEN = "Sorry, the articles do not contain information about this question."
)

// ModelHint is what the operator can do about deferred questions.
const ModelHint = "questions in another language than the articles, and follow-up questions, need a model: set llm.base_url and llm.model (any OpenAI-compatible server, e.g. Ollama)"
