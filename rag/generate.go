package rag

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/search"
)

// standalone rewrites a follow-up, or a question in another language than
// the articles, into a standalone question in the articles' language for
// retrieval. It returns "" when no rewrite is needed or there is no LLM.
func (a *Answerer) standalone(ctx context.Context, asked question.Question, history []Turn) (string, error) {
	if a.LLM == nil || len(history) == 0 && asked.Lang == a.Store.Language() {
		return "", nil
	}
	text, retried, err := retryCut(ctx, a.LLM, func(budget int) (string, error) {
		return a.LLM.Complete(ctx, fitRewrite(asked.Text, history, a.Store.Language(), budget, a.LLM.Tokens))
	})
	if retried {
		a.logCut("rewrite")
	}
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.Trim(strings.TrimSpace(line), `"“”「」'`)
	if r := []rune(line); len(r) > maxRewrittenRunes {
		line = string(r[:maxRewrittenRunes])
	}
	return line, nil
}

// search retrieves passages for the question asked and, when it was
// rewritten to stand alone, for the rewrite, fusing both: each passage
// keeps its better score.
func (a *Answerer) search(ctx context.Context, asked, rewritten question.Question, k int) ([]search.Hit, error) {
	hits, err := search.Search(ctx, a.Store, asked, k, a.weights().Rank)
	if err != nil || rewritten.Text == asked.Text {
		return hits, err
	}
	more, err := search.Search(ctx, a.Store, rewritten, k, a.weights().Rank)
	if err != nil {
		return nil, err
	}
	// Both lists may hold the same passage, or overlapping merged ones.
	all := append(hits, more...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score > all[j].Score })
	return search.MergeNeighbours(all, k), nil
}

// generate has the LLM answer q from the retrieved passages, streaming the
// answer to onText, and fills in ans. Citations are checked and renumbered
// as they stream; the sources become the passages cited.
func (a *Answerer) generate(ctx context.Context, ans *Answer, q question.Question, standalone string, onText func(string)) error {
	m := search.NewMatcher(a.Store, q.Terms)
	var cites *citations
	var out strings.Builder
	emit := func(text string) {
		if text == "" {
			return
		}
		out.WriteString(text)
		if onText != nil {
			onText(text)
		}
	}
	// The prompt is fitted to the model's window; if the server still
	// finds it at the window's edge, the model is asked again, with a
	// smaller prompt and without streaming, and that answer replaces the
	// one streamed.
	// The model's text is made inert as it streams (see Inert): its links
	// may point only to the sources' pages.
	var urls []string
	for _, src := range ans.Retrieved {
		if src.URL != "" {
			urls = append(urls, src.URL)
		}
	}
	first := true
	_, retried, err := retryCut(ctx, a.LLM, func(budget int) (struct{}, error) {
		msgs, given := fitAnswer(ans.Lang, ans.Question, standalone, ans.Retrieved, m, budget, a.LLM.Tokens)
		if len(given) < len(ans.Retrieved) && a.Log != nil {
			a.Log.Info("the prompt was fitted to the model's context window", "passages", len(given), "of", len(ans.Retrieved), "budget_tokens", budget)
		}
		cites = newCitations(len(given))
		inert := &inertStream{allowed: urls}
		if first {
			first = false
			_, err := a.LLM.Stream(ctx, msgs, func(piece string) { emit(inert.write(cites.write(piece))) })
			emit(inert.write(cites.flush()) + inert.flush())
			return struct{}{}, err
		}
		text, err := a.LLM.Complete(ctx, msgs)
		out.Reset()
		out.WriteString(Inert(cites.write(text)+cites.flush(), urls))
		return struct{}{}, err
	})
	if retried {
		a.logCut("answer")
		ans.Retried = true
	}
	if err != nil {
		return err
	}
	ans.Mode = ModeLLM
	ans.Text = strings.TrimSpace(out.String())
	if len(cites.order) == 0 && !isRefusal(ans.Text) {
		// Small models often leave the citations out.
		ans.Text, cites = attachCitations(a.Store, ans.Text, ans.Retrieved, cites.passages)
		ans.CitedAfter = len(cites.order) > 0
		if ans.Related = !ans.CitedAfter; ans.Related {
			ans.Sources = ans.Retrieved[:cites.passages]
		}
	}
	if !ans.Related {
		ans.Sources = cites.cited(ans.Retrieved)
	}
	if len(ans.Sources) == 0 {
		ans.refuse(Refusal{Reason: ModelRefused})
		return nil
	}
	ans.Unsupported = checkSupport(a.Store, ans.Text, ans.Sources)
	for i := range ans.Sources {
		if ans.Sources[i].Quote == "" {
			ans.Sources[i].Quote = bestSentence(ans.Sources[i].Text, m)
		}
	}
	return nil
}

// modelFailed logs a failure of the model server, whose answer is then
// extractive, and returns it for Answer.ModelError.
func (a *Answerer) modelFailed(err error) error {
	var se *llm.ServiceError
	if errors.As(err, &se) && a.Log != nil {
		a.Log.Warn("llm failed; answering extractively", "error", se.Msg, "detail", se.Detail())
	}
	return err
}

// logCut logs a prompt that the server found at the edge of the model's
// window although it was fitted to it.
func (a *Answerer) logCut(what string) {
	if a.Log != nil {
		a.Log.Warn("the model server reported the "+what+" prompt at the edge of the model's context window; asked again with a smaller one",
			"fix", "raise num_ctx (Ollama) or the server's context, or set llm.context_tokens lower")
	}
}

// isRefusal reports whether a model's answer is the refusal its prompt
// asks for when the passages do not answer.
func isRefusal(text string) bool {
	text = strings.TrimSpace(text)
	return strings.HasPrefix(text, NothingFoundZH) || strings.HasPrefix(text, NothingFoundEN)
}
