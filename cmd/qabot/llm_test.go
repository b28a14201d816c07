package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag/ragtest"
)

const secretKey = "sk-cli-SECRET-987654321"

// withLLM points the config at a fake model server answering with reply.
func withLLM(t *testing.T, reply func(openai.ChatCompletionRequest) string) *ragtest.Model {
	model := ragtest.NewModel(t, reply)
	useLLM(t, model.URL)
	return model
}

func useLLM(t *testing.T, url string) {
	t.Setenv("QABOT_LLM_BASE_URL", url)
	t.Setenv("QABOT_LLM_MODEL", "fake-model")
	t.Setenv("QABOT_LLM_API_KEY", secretKey)
	t.Setenv("QABOT_LLM_TIMEOUT", "5s")
	t.Setenv("QABOT_LLM_RETRIES", "0")
}

func isRewrite(req openai.ChatCompletionRequest) bool {
	return strings.HasPrefix(req.Messages[0].Content, "You rewrite")
}

func TestAskWithLLM(t *testing.T) {
	data := setup(t)
	withLLM(t, func(openai.ChatCompletionRequest) string {
		return "晋能光伏的TOPCon电池生产线全长400米【1】。"
	})
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"晋能光伏的TOPCon电池生产线全长400米[1]。\n", "来源:", "[1] "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = qabot(t, data, "", "ask", "--json", "晋能光伏的TOPCon电池生产线有多长?")
	var got answerJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err, r.stdout)
	}
	if got.Mode != "llm" || got.Refused || len(got.Sources) != 1 || got.Sources[0].N != 1 || got.Notice != "" {
		t.Errorf("JSON answer: %+v", got)
	}
}

// TestAskWhenLLMFails checks the extractive fallback with a notice that
// names the fix, and that the API key never shows.
func TestAskWhenLLMFails(t *testing.T) {
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s"}}`, secretKey)
	}))
	defer unauthorized.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "<!doctype html><html><body>Welcome to nginx!</body></html>")
	}))
	defer html.Close()
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		ragtest.WriteChunk(w, "晋能光伏的生产线", "")
	}))
	defer cut.Close()
	for name, tt := range map[string]struct{ url, want string }{
		"down":         {"http://127.0.0.1:1/v1", "check llm.base_url"},
		"unauthorized": {unauthorized.URL + "/v1", "check llm.api_key"},
		"html page":    {html.URL + "/v1", "not OpenAI-compatible"},
		"cut":          {cut.URL + "/v1", "cut the answer off"},
	} {
		t.Run(name, func(t *testing.T) {
			data := setup(t)
			useLLM(t, tt.url)
			r := qabot(t, data, "", "-v", "ask", "晋能光伏的TOPCon电池生产线有多长?")
			if r.code != 0 || !strings.Contains(r.stdout, "400米") || !strings.Contains(r.stdout, "[1]") {
				t.Errorf("want the extractive answer, exit 0; got %d:\n%s", r.code, r.stdout)
			}
			if !strings.Contains(r.stderr, "模型服务出错") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks the notice naming %q:\n%s", tt.want, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, secretKey) {
				t.Error("the API key appears in the output")
			}
			if name == "cut" && !strings.Contains(r.stdout, "晋能光伏的生产线\n（模型的回答中途中断，以上内容不完整。") {
				t.Errorf("the fragment is not marked as such:\n%s", r.stdout)
			}
		})
	}
}

func TestChatFollowUpAndReset(t *testing.T) {
	data := setup(t)
	model := withLLM(t, func(req openai.ChatCompletionRequest) string {
		if isRewrite(req) {
			return "晋能光伏的TOPCon电池生产线有多长？"
		}
		return "全长400米[1]。"
	})
	in := "晋能光伏的TOPCon电池生产线在哪里？\n那它有多长？\n/reset\n晋能光伏的TOPCon电池生产线有多长？\n"
	r := qabot(t, data, in, "chat")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var kinds []string
	for _, req := range model.Chats() {
		if isRewrite(req) {
			kinds = append(kinds, "rewrite")
		} else {
			kinds = append(kinds, "answer")
		}
	}
	if got := strings.Join(kinds, " "); got != "answer rewrite answer answer" {
		t.Errorf("model calls: %s; want a rewrite only for the follow-up, none after /reset", got)
	}
	if !strings.Contains(r.stdout, "Conversation forgotten.") || strings.Count(r.stdout, "全长400米[1]。") != 3 {
		t.Errorf("output:\n%s", r.stdout)
	}
}

func TestDoctor(t *testing.T) {
	telegram := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "good-token") {
			fmt.Fprint(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"qa","username":"qa_bot"}}`)
			return
		}
		w.WriteHeader(401)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	defer telegram.Close()
	data := setup(t)
	withLLM(t, func(openai.ChatCompletionRequest) string { return "OK" })
	t.Setenv("QABOT_TELEGRAM_API_URL", telegram.URL)
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:good-token")
	r := qabot(t, data, "", "doctor")
	if r.code != 0 || !strings.Contains(r.stdout, `answered "OK"`) || !strings.Contains(r.stdout, "@qa_bot") {
		t.Errorf("healthy setup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:bad-token")
	t.Setenv("QABOT_LLM_MODEL", "no-such-model")
	r = qabot(t, data, "", "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, `the server does not list llm.model "no-such-model"; it has: fake-model`) ||
		!strings.Contains(r.stdout, "copy the token again") || strings.Contains(r.stdout+r.stderr, "bad-token") {
		t.Errorf("broken setup: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A token pasted with a newline works; one with a space in it fails
	// against an unreachable API without showing, escaped or not.
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:good-token\n")
	if r = qabot(t, data, "", "doctor"); !strings.Contains(r.stdout, "@qa_bot") {
		t.Errorf("a token with a newline after it:\n%s%s", r.stdout, r.stderr)
	}
	t.Setenv("QABOT_TELEGRAM_API_URL", "http://127.0.0.1:1")
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:se cret")
	r = qabot(t, data, "", "doctor")
	if out := r.stdout + r.stderr; !strings.Contains(out, "cannot reach the Telegram Bot API") || strings.Contains(out, "se cret") || strings.Contains(out, "se%20cret") || strings.Contains(out, "cret") {
		t.Errorf("an unreachable API with a spaced token:\n%s", out)
	}
}

func TestOpenAIEmbeddingProvider(t *testing.T) {
	data := setup(t)
	model := ragtest.NewModel(t, nil)
	t.Setenv("QABOT_EMBEDDING_PROVIDER", "openai")
	t.Setenv("QABOT_EMBEDDING_BASE_URL", model.URL)
	t.Setenv("QABOT_EMBEDDING_MODEL", "fake-embed")
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 || !strings.Contains(r.stdout, "400米") {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = qabot(t, data, "", "doctor")
	if !strings.Contains(r.stdout, "openai:fake-embed@"+model.URL+", 32 dims") || !strings.Contains(r.stdout, "5 articles") {
		t.Errorf("doctor:\n%s", r.stdout)
	}
	var texts int
	for _, req := range model.Embeds() {
		texts += len(req.Input.([]any))
	}
	if reqs := len(model.Embeds()); reqs > texts/10 {
		t.Errorf("%d embedding requests for %d texts: not batched", reqs, texts)
	}
	// A wrong embedding URL fails doctor's embedding and index checks.
	t.Setenv("QABOT_EMBEDDING_BASE_URL", model.URL+"/nope")
	r = qabot(t, data, "", "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, "embedding  FAIL") || !strings.Contains(r.stdout, "cannot check without the embedder") {
		t.Errorf("doctor with a wrong embedding URL: exit %d\n%s", r.code, r.stdout)
	}
	t.Setenv("QABOT_EMBEDDING_BASE_URL", model.URL)
	// Switching back to the local embedder re-indexes.
	t.Setenv("QABOT_EMBEDDING_PROVIDER", "local")
	r = qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 || !strings.Contains(r.stderr, "re-indexing") {
		t.Errorf("provider switch: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEvalWithLLM checks that eval scores generated answers: the keyword
// recall comes from the model's text, retrieval from the passages found.
func TestEvalWithLLM(t *testing.T) {
	data := setup(t)
	model := withLLM(t, func(openai.ChatCompletionRequest) string { return "合作银行是晋商银行[1]。" })
	set := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(set, []byte(`{"id":"a","question":"新材料产业的合作银行是哪家银行?","source":"004_ec705541eabdb3bd.txt","evidence":["晋商银行"],"answer_keywords":["晋商银行"],"kind":"fact","lang":"zh"}
{"id":"b","question":"How many people live in Shanghai?","source":null,"evidence":[],"answer_keywords":[],"kind":"unanswerable","lang":"en"}
`), 0o644)
	if m := evalMetrics(t, data, set)["zh"]; m.HitAt1 != 1 || m.KeywordRecall != 1 {
		t.Errorf("zh metrics: %+v", m)
	}
	if len(model.Chats()) < 2 { // the answer, and the rewrite of the English question
		t.Errorf("%d model calls", len(model.Chats()))
	}
}
