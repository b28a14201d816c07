package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
)

// promptK is the number of passages given to the model (llm.passages).
var promptK = 8

// prompts asks every answerable question of the sets with a model
// configured, a stand-in server on loopback whose window is window tokens,
// and prints how often the prompt the model would read holds the answer.
func prompts(ctx context.Context, sets []set, window int) error {
	model := ragtest.StartModel(func(openai.ChatCompletionRequest) string { return "抱歉，文章中没有相关信息。" })
	defer model.Close()
	chat := llm.NewChatClient(llm.ChatConfig{
		ModelConfig:   llm.ModelConfig{Setting: "llm", BaseURL: model.URL, Model: "stand-in", Timeout: time.Minute},
		ContextTokens: window,
	})
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "set\twindow\tanswer in the prompt\tno prompt (refused before)\n")
	rows := map[string]*[3]int{} // held, asked, refused
	var order []string
	for _, s := range sets {
		a := &rag.Answerer{Store: s.store, TopK: topK, ModelPassages: promptK, MinRelevance: 0.08, LLM: chat}
		for _, it := range s.items {
			if !asked(it) || !it.answerable {
				continue
			}
			name := rowName(s, it)
			if rows[name] == nil {
				rows[name] = &[3]int{}
				order = append(order, name)
			}
			r := rows[name]
			before := len(model.Chats())
			if _, err := a.Ask(ctx, it.question); err != nil {
				return fmt.Errorf("%s %s: %w", s.name, it.id, err)
			}
			r[1]++
			chats := model.Chats()
			if len(chats) == before {
				r[2]++
				continue
			}
			var prompt strings.Builder
			for _, m := range chats[len(chats)-1].Messages {
				prompt.WriteString(m.Content)
			}
			if it.correct(prompt.String()) {
				r[0]++
			}
		}
	}
	for _, name := range order {
		r := rows[name]
		fmt.Fprintf(tw, "%s\t%d\t%d/%d (%.1f%%)\t%d\n", name, window, r[0], r[1], 100*float64(r[0])/float64(r[1]), r[2])
	}
	return tw.Flush()
}
