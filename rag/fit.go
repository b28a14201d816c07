package rag

import (
	"context"
	"errors"
	"slices"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/search"
)

// A prompt must fit the model's context window with room for the answer:
// a server that cuts it silently (Ollama's OpenAI-compatible endpoints do)
// drops the rules and the first passages. The rules and the question are
// always whole; what gives way is the passages, then the conversation.

// minPassageRunes is the least a passage is cut to before the weakest
// passages are dropped instead.
const minPassageRunes = 60

// fitAnswer is the prompt for answering from passages, within budget
// tokens. Passages that do not all fit share what room there is by rank,
// the best passage the most (a half, then a quarter…: the answer is most
// often in the first); a passage longer than its share is cut to its best
// sentences; when shares would be too short to say anything, the weakest
// (the last) passage is dropped. It returns the passages the prompt gives
// the model.
func fitAnswer(lang, question, standalone string, passages []Source, m search.Matcher, budget int, tokens func([]llm.Message) int) ([]llm.Message, []Source) {
	given := slices.Clone(passages)
	msgs := answerMessages(lang, question, standalone, given)
	for len(given) > 0 && tokens(msgs) > budget {
		bare := slices.Clone(given)
		for i := range bare {
			bare[i].Text = ""
		}
		room := budget - tokens(answerMessages(lang, question, standalone, bare))
		for ; room >= minPassageRunes*len(given); room = room * 9 / 10 {
			for i, limit := range sharesOf(room, given) {
				given[i].Text = bestSentences(passages[i].Text, m, limit)
			}
			if msgs = answerMessages(lang, question, standalone, given); tokens(msgs) <= budget {
				return msgs, given
			}
		}
		if len(given) == 1 {
			break
		}
		given = slices.Clone(passages[:len(given)-1])
		msgs = answerMessages(lang, question, standalone, given)
	}
	return msgs, given
}

// sharesOf divides room (tokens, a character a token, as Chinese text
// comes close to) among passages by rank: each passage in turn may take
// half of what is left, the last all of it; a passage shorter than its
// share leaves the rest to those after it.
func sharesOf(room int, passages []Source) []int {
	shares := make([]int, len(passages))
	for i, p := range passages {
		share := room / 2
		if i == len(passages)-1 {
			share = room
		}
		shares[i] = max(min(document.RuneLen(p.Text), share), minPassageRunes)
		room -= shares[i]
	}
	return shares
}

// bestSentences is the run of whole sentences of text, at most limit
// characters, around the sentence that covers m best; a sentence longer
// than limit is cut to its best clauses.
func bestSentences(text string, m search.Matcher, limit int) string {
	if document.RuneLen(text) <= limit {
		return text
	}
	sents := document.Sentences(text)
	best, bestCov := 0, -1.0
	for i, s := range sents {
		if cov := m.Coverage(s); cov > bestCov {
			best, bestCov = i, cov
		}
	}
	if document.RuneLen(sents[best]) > limit {
		return bestWindow(sents[best], m, limit)
	}
	lo, hi, n := best, best, document.RuneLen(sents[best])
	for {
		switch {
		case hi+1 < len(sents) && n+document.RuneLen(sents[hi+1]) <= limit:
			hi++
			n += document.RuneLen(sents[hi])
		case lo > 0 && n+document.RuneLen(sents[lo-1]) <= limit:
			lo--
			n += document.RuneLen(sents[lo])
		default:
			out := ""
			for _, s := range sents[lo : hi+1] {
				out += s
			}
			return out
		}
	}
}

// fitRewrite is the prompt that rewrites a follow-up, within budget
// tokens: the oldest turns of the conversation go first.
func fitRewrite(question string, history []Turn, lang string, budget int, tokens func([]llm.Message) int) []llm.Message {
	msgs := rewriteMessages(question, history, lang)
	for len(history) > 0 && tokens(msgs) > budget {
		history = history[1:]
		msgs = rewriteMessages(question, history, lang)
	}
	return msgs
}

// retryCut calls ask with the prompt made for budget and, when the server
// reports that the prompt filled the window (llm.ErrPromptCut, its token
// counts larger than estimated), once more with the prompt made again: the
// client then estimates larger. It reports whether it asked again.
func retryCut[T any](ctx context.Context, c *llm.ChatClient, ask func(budget int) (T, error)) (T, bool, error) {
	out, err := ask(c.PromptBudget(ctx))
	if !errors.Is(err, llm.ErrPromptCut) {
		return out, false, err
	}
	out, err = ask(c.PromptBudget(ctx))
	if errors.Is(err, llm.ErrPromptCut) {
		err = nil // the estimates were raised twice: take the answer
	}
	return out, true, err
}
