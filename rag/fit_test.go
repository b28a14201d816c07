package rag

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/ragtest"
	"github.com/qabot/qabot/rag/search"
	openai "github.com/sashabaranov/go-openai"
)

// longPassages are five passages of about 1,200 characters each, the
// answer to the question in the middle of the first.
func longPassages() []Source {
	filler := strings.Repeat("城市绿化不断改善，市民出行更加方便。", 30)
	var out []Source
	for i := range 5 {
		text := filler + fmt.Sprintf("第%d篇：公园里新种了%d棵树。", i+1, i+1) + filler
		if i == 0 {
			text = filler + "绿源公司的碳纤维生产线全长400米，去年投产。" + filler
		}
		out = append(out, Source{N: i + 1, Doc: fmt.Sprintf("p%d.txt", i+1), Title: fmt.Sprintf("报道%d", i+1), Text: text})
	}
	return out
}

// A prompt that would overflow the window is cut to fit: the rules and the
// question whole, the answering sentence kept, passages cut before any is
// dropped, and only the weakest dropped.
func TestFitAnswerCutsPassagesNotRules(t *testing.T) {
	const q = "绿源公司的碳纤维生产线有多长？"
	passages := longPassages()
	m := search.NewMatcher(indextest.Seeds(t), question.Parse(q).Terms)
	whole := answerMessages("zh", q, "", passages)
	for _, budget := range []int{llm.MessagesTokens(whole) + 10, 3000, 1200, 600} {
		msgs, given := fitAnswer("zh", q, "", passages, m, budget, llm.MessagesTokens)
		if n := llm.MessagesTokens(msgs); n > budget {
			t.Errorf("budget %d: the prompt takes %d tokens", budget, n)
		}
		if msgs[0].Content != whole[0].Content {
			t.Errorf("budget %d: the rules were changed", budget)
		}
		user := msgs[1].Content
		if !strings.Contains(user, "<question>\n"+q+"\n</question>") {
			t.Errorf("budget %d: the question is not whole", budget)
		}
		if !strings.Contains(user, "全长400米") {
			t.Errorf("budget %d: the answering sentence was cut", budget)
		}
		for i, p := range given {
			if p.N != i+1 {
				t.Errorf("budget %d: passage %d numbered %d: only the last may be dropped", budget, i+1, p.N)
			}
		}
		t.Logf("budget %d: %d passages, %d tokens", budget, len(given), llm.MessagesTokens(msgs))
	}
	if _, given := fitAnswer("zh", q, "", passages, m, llm.MessagesTokens(whole), llm.MessagesTokens); len(given) != 5 || given[4].Text != passages[4].Text {
		t.Error("a prompt that fits was cut")
	}
	if _, given := fitAnswer("zh", q, "", passages, m, 3000, llm.MessagesTokens); len(given) != 5 {
		t.Errorf("passages were dropped although cutting them fits: %d left", len(given))
	}
	if _, given := fitAnswer("zh", q, "", passages, m, 600, llm.MessagesTokens); len(given) == 5 {
		t.Error("a window too small for five passages kept them all")
	}
}

// The rewrite of a follow-up drops the oldest turns of the conversation
// first; the question stays whole.
func TestFitRewriteDropsOldestTurns(t *testing.T) {
	var history []Turn
	for i := range 4 {
		history = append(history, Turn{Question: fmt.Sprintf("第%d个问题？", i+1), Answer: strings.Repeat("回答", 190)})
	}
	const q = "那它的前身呢？"
	whole := rewriteMessages(q, history, "zh")
	budget := llm.MessagesTokens(whole) - 300
	msgs := fitRewrite(q, history, "zh", budget, llm.MessagesTokens)
	user := msgs[1].Content
	if llm.MessagesTokens(msgs) > budget || strings.Contains(user, "第1个问题") || !strings.Contains(user, "第4个问题") || !strings.Contains(user, q) {
		t.Errorf("fitted rewrite prompt (%d tokens of %d):\n%s", llm.MessagesTokens(msgs), budget, user)
	}
}

// When the server counts the prompt at the edge of the window although it
// was fitted to it (its tokeniser counts more than the estimate), the
// model is asked again with a smaller prompt, and its second answer
// replaces the streamed one.
func TestPromptCutAtTheWindowsEdgeIsAskedAgain(t *testing.T) {
	var sizes []int
	answers := []string{"第一次的回答[1]。", "生产线全长400米[1]。"}
	model := ragtest.NewModel(t, func(req openai.ChatCompletionRequest) string {
		sizes = append(sizes, len([]rune(req.Messages[1].Content)))
		return answers[min(len(sizes), 2)-1]
	})
	model.PromptTokens = func(req openai.ChatCompletionRequest) int {
		if len(sizes) == 1 {
			return 4000 // the window's edge: the server cut it
		}
		return 1000
	}
	a := seedAnswerer(t)
	cfg := testChatConfig(model.URL)
	cfg.ContextTokens = 4096
	a.LLM = llm.NewChatClient(cfg)
	var streamed strings.Builder
	ans, err := a.Answer(t.Context(), Request{Question: "晋能光伏的TOPCon电池生产线有多长？", OnText: func(s string) { streamed.WriteString(s) }})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Retried || ans.Text != "生产线全长400米[1]。" || len(sizes) != 2 || sizes[1] >= sizes[0] {
		t.Errorf("answer %q retried %v; prompt sizes %v", ans.Text, ans.Retried, sizes)
	}
	if !strings.Contains(streamed.String(), "第一次") {
		t.Errorf("the first answer was not streamed: %q", streamed.String())
	}
}
