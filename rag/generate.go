package rag

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/terms"
)

// standalone rewrites a follow-up, or a question in another language than
// the articles, into a standalone question in the articles' language for
// retrieval. It returns "" when no rewrite is needed or there is no LLM.
func (a *Answerer) standalone(ctx context.Context, question string, history []Turn) (string, error) {
	if a.LLM == nil || len(history) == 0 && terms.Language(question) == a.Store.Language() {
		return "", nil
	}
	text, err := a.LLM.Complete(ctx, rewriteMessages(question, history, a.Store.Language()))
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
func (a *Answerer) search(ctx context.Context, asked, rewritten question.Question, k int) ([]Hit, error) {
	hits, err := a.Store.Search(ctx, asked, k)
	if err != nil || rewritten.Text == asked.Text {
		return hits, err
	}
	more, err := a.Store.Search(ctx, rewritten, k)
	if err != nil {
		return nil, err
	}
	// Both lists may hold the same passage, or overlapping merged ones.
	all := append(hits, more...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score > all[j].Score })
	return mergeNeighbours(all, k), nil
}

// generate has the LLM answer q from the retrieved passages, streaming the
// answer to onText, and fills in ans. Citations are checked and renumbered
// as they stream; the sources become the passages cited.
func (a *Answerer) generate(ctx context.Context, ans *Answer, q question.Question, standalone string, onText func(string)) error {
	cites := newCitations(len(ans.Retrieved))
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
	_, err := a.LLM.Stream(ctx, answerMessages(ans.Question, standalone, ans.Retrieved), func(piece string) {
		emit(cites.write(piece))
	})
	if err != nil {
		return err
	}
	emit(cites.flush())
	ans.Mode = ModeLLM
	ans.Text = strings.TrimSpace(out.String())
	ans.Sources = cites.cited(ans.Retrieved)
	ans.Refused = len(ans.Sources) == 0
	ans.Unsupported = a.Store.checkSupport(ans.Text, ans.Sources)
	m := a.Store.matcher(q.Terms)
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
