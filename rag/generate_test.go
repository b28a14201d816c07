package rag

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
)

const testKey = "sk-test-SECRET-0123456789"

// testChatConfig points a chat client at a fake model server.
func testChatConfig(baseURL string) llm.ChatConfig {
	return llm.ChatConfig{ModelConfig: llm.ModelConfig{Setting: "llm", BaseURL: baseURL, APIKey: testKey, Model: "fake-model", Timeout: 2 * time.Second},
		MaxTokens: 1024, ContextTokens: 32768} // a large window: prompts whole, no request to learn it
}

// llmAnswerer is a seeds Answerer whose LLM is a fake model server that
// answers with reply.
func llmAnswerer(t *testing.T, reply func(openai.ChatCompletionRequest) string) (*Answerer, *ragtest.Model) {
	model := ragtest.NewModel(t, reply)
	a := seedAnswerer(t)
	a.LLM = llm.NewChatClient(testChatConfig(model.URL))
	return a, model
}

func isRewrite(req openai.ChatCompletionRequest) bool {
	return strings.HasPrefix(req.Messages[0].Content, "You rewrite")
}

const lineQuestion = "晋能光伏的TOPCon电池生产线有多长？"

func TestGeneratedAnswerCitesPassagesGiven(t *testing.T) {
	a, model := llmAnswerer(t, func(openai.ChatCompletionRequest) string {
		return "生产线全长400米【2】，是“黑灯工厂”[2, 1]。此外[9]。"
	})
	var streamed strings.Builder
	ans, err := a.Answer(t.Context(), Request{Question: lineQuestion, OnText: func(s string) { streamed.WriteString(s) }})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != ModeLLM || ans.Refused() || ans.ModelError != nil {
		t.Fatalf("mode %s refused %v model error %v", ans.Mode, ans.Refused(), ans.ModelError)
	}
	if want := "生产线全长400米[1]，是“黑灯工厂”[1][2]。此外。"; ans.Text != want || streamed.String() != want {
		t.Errorf("text %q, streamed %q, want %q", ans.Text, streamed.String(), want)
	}
	if len(ans.Sources) != 2 || len(ans.Retrieved) < 2 {
		t.Fatalf("%d sources, %d retrieved", len(ans.Sources), len(ans.Retrieved))
	}
	for i, want := range []Source{ans.Retrieved[1], ans.Retrieved[0]} {
		got := ans.Sources[i]
		if got.N != i+1 || got.Doc != want.Doc || got.Chunk != want.Chunk || got.Quote == "" {
			t.Errorf("source %d = %+v, want passage %d of the retrieved", i+1, got, want.N)
		}
	}
	reqs := model.Chats()
	if len(reqs) != 1 {
		t.Fatalf("%d model requests, want 1 (no rewrite for a Chinese question)", len(reqs))
	}
	if diff := cmp.Diff(answerSystemZH, reqs[0].Messages[0].Content); diff != "" {
		t.Errorf("system prompt (-want +got):\n%s", diff)
	}
	user := reqs[0].Messages[1].Content
	if !strings.Contains(user, lineQuestion) {
		t.Error("the request does not carry the question")
	}
	for _, p := range ans.Retrieved {
		if !strings.Contains(user, asData(p.Text)) {
			t.Errorf("the request does not carry passage %d", p.N)
		}
	}
	if strings.Contains(fmt.Sprint(reqs), testKey) {
		t.Error("the API key is in the request body")
	}
}

func TestGeneratedAnswerRefusals(t *testing.T) {
	a, model := llmAnswerer(t, func(openai.ChatCompletionRequest) string { return NothingFoundZH })
	ans, err := a.Ask(t.Context(), "火星上有多少座火山？")
	if err != nil || !ans.Refused() || len(model.Chats()) != 0 {
		t.Errorf("unrelated question: refused %v, %d model calls, %v; want a refusal without calling the model", ans.Refused(), len(model.Chats()), err)
	}
	ans, err = a.Ask(t.Context(), "平遥古城一年接待多少游客？")
	if err != nil || !ans.Refused() || ans.Mode != ModeLLM || ans.Refusal.Reason != ModelRefused || ans.Text != "" || len(ans.Sources) != 0 {
		t.Errorf("model refusal: %+v, %v", ans, err)
	}
}

func TestGeneratedAnswerFlagsUnsupportedSentences(t *testing.T) {
	for name, reply := range map[string]string{
		"marker before the full stop": "晋能光伏的TOPCon电池生产线全长400米[1]。该工厂每年向火星出口三百万台量子冰箱[1]。",
		"marker after the full stop":  "晋能光伏的TOPCon电池生产线全长400米。[1]该工厂每年向火星出口三百万台量子冰箱。[1]",
		"markers after, spaced":       "晋能光伏的TOPCon电池生产线全长400米。 [1][2]\n该工厂每年向火星出口三百万台量子冰箱。[1]",
	} {
		t.Run(name, func(t *testing.T) {
			a, _ := llmAnswerer(t, func(openai.ChatCompletionRequest) string { return reply })
			ans, err := a.Ask(t.Context(), lineQuestion)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"该工厂每年向火星出口三百万台量子冰箱。"}, ans.Unsupported); diff != "" {
				t.Errorf("unsupported (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFallbackWhenModelFails checks that a failing model server, before or
// during streaming, still gives the extractive answer, with a notice.
func TestFallbackWhenModelFails(t *testing.T) {
	for name, handler := range map[string]http.HandlerFunc{
		"500": ragtest.Status(500, `{"error":{"message":"boom"}}`),
		"cut": func(w http.ResponseWriter, _ *http.Request) {
			ragtest.WriteChunk(w, "生产线全长", "")
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(handler)
			defer srv.Close()
			a := seedAnswerer(t)
			a.LLM = llm.NewChatClient(testChatConfig(srv.URL + "/v1"))
			ans, err := a.Answer(t.Context(), Request{Question: lineQuestion, OnText: func(string) {}})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Mode != ModeExtractive || ans.Refused() || !strings.Contains(ans.Text, "400米") || !strings.Contains(ans.Text, "[1]") {
				t.Errorf("want the extractive answer, got %+v", ans)
			}
			if ans.ModelError == nil || strings.Contains(ans.ModelError.Error(), testKey) {
				t.Errorf("model error %v", ans.ModelError)
			}
		})
	}
}

func TestFollowUpIsRewrittenBeforeRetrieval(t *testing.T) {
	a, model := llmAnswerer(t, func(req openai.ChatCompletionRequest) string {
		if isRewrite(req) {
			return "“晋能光伏的TOPCon电池生产线有多长？”\n"
		}
		return "全长400米[1]。"
	})
	history := []Turn{{Question: "晋能光伏在哪里建了黑灯工厂？", Answer: "在山西[1]。"}}
	ans, err := a.Answer(t.Context(), Request{Question: "那它的生产线呢？", History: history})
	if err != nil {
		t.Fatal(err)
	}
	reqs := model.Chats()
	if len(reqs) != 2 || !isRewrite(reqs[0]) {
		t.Fatalf("want a rewrite then an answer, got %d requests", len(reqs))
	}
	if !strings.Contains(reqs[0].Messages[1].Content, history[0].Question) {
		t.Error("the rewrite request lacks the conversation")
	}
	if !strings.Contains(reqs[1].Messages[1].Content, "<standalone_question>\n晋能光伏的TOPCon电池生产线有多长？") {
		t.Error("the answer request lacks the standalone question")
	}
	if ans.Mode != ModeLLM || len(ans.Sources) != 1 || !strings.Contains(ans.Sources[0].Text, "400米") {
		t.Errorf("answer %+v", ans)
	}
}

func TestCrossLingualQuestion(t *testing.T) {
	a, model := llmAnswerer(t, func(req openai.ChatCompletionRequest) string {
		if isRewrite(req) {
			return lineQuestion
		}
		return "The TOPCon cell production line is 400 metres long [1]."
	})
	ans, err := a.Ask(t.Context(), "How long is the TOPCon cell production line of Jinneng Solar?")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused() || ans.Mode != ModeLLM || len(ans.Sources) != 1 || !strings.Contains(ans.Sources[0].Text, "400米") {
		t.Fatalf("answer %+v", ans)
	}
	reqs := model.Chats()
	if len(reqs) != 2 || !strings.Contains(reqs[0].Messages[0].Content, "Chinese") || !strings.Contains(reqs[1].Messages[0].Content, "Answer in the language the question is written in") {
		t.Errorf("want a rewrite into Chinese, then an English answer prompt; got %d requests", len(reqs))
	}
	if len(ans.Unsupported) != 0 {
		t.Errorf("an English answer cannot be checked against Chinese passages by terms, yet %q was flagged", ans.Unsupported)
	}
}

// TestRewriteFailureFallsBack checks that when the model server fails while
// rewriting a follow-up, the answer is extractive, with a notice.
func TestRewriteFailureFallsBack(t *testing.T) {
	srv := httptest.NewServer(ragtest.Status(503, `{"error":{"message":"down"}}`))
	defer srv.Close()
	a := seedAnswerer(t)
	a.LLM = llm.NewChatClient(testChatConfig(srv.URL + "/v1"))
	ans, err := a.Answer(t.Context(), Request{Question: "那它的TOPCon电池生产线有多长？", History: []Turn{{Question: "晋能光伏在哪里？", Answer: "山西[1]。"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != ModeExtractive || ans.ModelError == nil || !strings.Contains(ans.ModelError.Error(), "HTTP 503") {
		t.Errorf("want an extractive answer with a notice, got %+v", ans)
	}
}

// BenchmarkTimeToFirstToken measures what the pipeline adds before the first
// token of a generated answer arrives, against an instant fake model server
// on the loopback: retrieval, the prompt, the HTTP round trip and the
// citation filter.
func BenchmarkTimeToFirstToken(b *testing.B) {
	model := ragtest.NewModel(b, func(openai.ChatCompletionRequest) string { return "全长400米[1]。" })
	a := seedAnswerer(b)
	a.LLM = llm.NewChatClient(testChatConfig(model.URL))
	ctx := b.Context()
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		first := time.Duration(0)
		_, err := a.Answer(ctx, Request{Question: lineQuestion, OnText: func(string) {
			if first == 0 {
				first = time.Since(start)
			}
		}})
		if err != nil || first == 0 {
			b.Fatalf("no streamed answer: %v", err)
		}
		total += first
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-to-first-token")
}

// With a model, a paraphrase that shares few words with the article still
// reaches the model (no refusal before it), and the model's own refusal
// comes back as a refusal.
func TestParaphraseReachesModel(t *testing.T) {
	const paraphrase = "那家做碳纤维的厂子，老板觉得往后该干点啥？"
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return NothingFoundZH })
	offline := inventedAnswerer(t)
	offline.MinRelevance = 0.5 // a strict lexical floor, which refuses this question offline
	if ans, _ := offline.Ask(t.Context(), paraphrase); !ans.Refused() {
		t.Fatalf("the paraphrase passes a strict offline floor; pick a harder one: %q", ans.Text)
	}
	a := *offline
	a.LLM = llm.NewChatClient(testChatConfig(model.URL))
	ans, err := a.Ask(t.Context(), paraphrase)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(model.Chats()); n != 1 {
		t.Fatalf("%d model requests, want the paraphrase to reach the model", n)
	}
	if !ans.Refused() || ans.Mode != ModeLLM || len(ans.Sources) != 0 {
		t.Errorf("the model's refusal was not passed on: %+v", ans)
	}
}

// A model that cites nothing gets its citations attached after the fact,
// sentence by sentence; an answer that matches no passage lists the
// passages as related, not as its sources.
func TestUncitedAnswers(t *testing.T) {
	for name, tt := range map[string]struct {
		reply          string
		after, related bool
	}{
		"matching":         {"晋能光伏的TOPCon电池生产线全长400米。生产人员屈指可数。", true, false},
		"matching nothing": {"今天的天气非常好，大家都很开心。", false, true},
		"a refusal":        {NothingFoundZH, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			a, _ := llmAnswerer(t, func(openai.ChatCompletionRequest) string { return tt.reply })
			ans, err := a.Ask(t.Context(), lineQuestion)
			if err != nil {
				t.Fatal(err)
			}
			if ans.CitedAfter != tt.after || ans.Related != tt.related {
				t.Fatalf("cited after %v, related %v: %q", ans.CitedAfter, ans.Related, ans.Text)
			}
			switch {
			case tt.after:
				if !strings.Contains(ans.Text, "400米[1]。") || ans.Refused() || !strings.Contains(ans.Sources[0].Text, "400米") || len(ans.Cited()) == 0 {
					t.Errorf("answer %q, sources %d", ans.Text, len(ans.Sources))
				}
			case tt.related:
				if ans.Refused() || strings.Contains(ans.Text, "[") || len(ans.Cited()) != len(ans.Retrieved) {
					t.Errorf("answer %q refused %v, %d listed", ans.Text, ans.Refused(), len(ans.Cited()))
				}
			default:
				if !ans.Refused() || len(ans.Sources) != 0 {
					t.Errorf("the model's refusal: %+v", ans)
				}
			}
		})
	}
}
