package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
	openai "github.com/sashabaranov/go-openai"
)

// With a model, the passages given to it hold the evidence of at least 95%
// of the answerable Chinese questions of the development sets: what the
// model is asked to answer from is found for nearly every question, in a
// window of Ollama's default size as in a large one.
func TestEvidenceReachesModel(t *testing.T) {
	for _, window := range []int{llm.DefaultContextTokens, 32768} {
		t.Run(fmt.Sprint(window), func(t *testing.T) { evidenceReachesModel(t, window) })
	}
}

func evidenceReachesModel(t *testing.T, window int) {
	var prompt string
	model := ragtest.NewModel(t, func(req openai.ChatCompletionRequest) string {
		prompt = req.Messages[len(req.Messages)-1].Content
		return "好的[1]。"
	})
	a := seedAnswerer(t)
	cfg := testChatConfig(model.URL)
	cfg.ContextTokens = window
	a.LLM = llm.NewChatClient(cfg)
	for _, set := range []string{"questions.jsonl", "questions-v2.jsonl", "questions-v3.jsonl"} {
		qs := readSet(t, "testdata/"+set)
		found, total := 0, 0
		for _, q := range qs {
			if q.Source == nil || q.Lang != "zh" {
				continue
			}
			total++
			prompt = ""
			if _, err := a.Ask(t.Context(), q.Question); err != nil {
				t.Fatal(err)
			}
			text := stripSpace(prompt)
			for _, e := range q.Evidence {
				if strings.Contains(text, stripSpace(e)) {
					found++
					break
				}
			}
		}
		share := float64(found) / float64(total)
		t.Logf("%s: evidence in the prompt for %d of %d answerable Chinese questions (%.2f)", set, found, total, share)
		if share < 0.95 {
			t.Errorf("%s: evidence in the prompt for %.2f of the questions, want >= 0.95", set, share)
		}
	}
}
