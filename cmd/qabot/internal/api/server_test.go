package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
)

const question = "晋能光伏的TOPCon电池生产线有多长？"

// seedAnswerer answers from the seeds, with model (nil: extractively).
func seedAnswerer(t testing.TB, model *ragtest.Model) *rag.Answerer {
	t.Helper()
	a := &rag.Answerer{Store: indextest.Seeds(t), TopK: 5, MinRelevance: 0.08}
	if model != nil {
		a.LLM = llm.NewChatClient(llm.ChatConfig{ModelConfig: llm.ModelConfig{Setting: "llm", BaseURL: model.URL, Model: "fake-model", Timeout: 5 * time.Second},
			MaxTokens: 256, ContextTokens: 32768})
	}
	return a
}

// recorder keeps the requests an answerer is given.
type recorder struct {
	next Answerer
	mu   sync.Mutex
	reqs []rag.Request
}

func (r *recorder) Answer(ctx context.Context, req rag.Request) (rag.Answer, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
	return r.next.Answer(ctx, req)
}

// testServer serves the seeds as the collection "default" (and "other"),
// answering with a fake model.
func testServer(t testing.TB, opts Options, model *ragtest.Model) (*httptest.Server, *recorder) {
	rec := &recorder{next: seedAnswerer(t, model)}
	opts.Collections = func() ([]string, error) { return []string{"default", "other"}, nil }
	opts.Default = "default"
	opts.Open = func(context.Context, string) (Answerer, error) { return rec, nil }
	if opts.Concurrency == 0 {
		opts.Concurrency, opts.RatePerMinute, opts.MaxQuestionRunes = 8, 1000, 2000
	}
	srv := httptest.NewServer(New(opts).Handler())
	t.Cleanup(srv.Close)
	return srv, rec
}

func post(t testing.TB, url, key, body string) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

func chatBody(stream bool, messages ...string) string {
	var msgs []map[string]string
	for i, m := range messages {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		msgs = append(msgs, map[string]string{"role": role, "content": m})
	}
	raw, _ := json.Marshal(map[string]any{"model": "default", "messages": msgs, "stream": stream})
	return string(raw)
}

// A whole chat completion: the answer with its [n] markers and a sources
// block in the text, the structured sources beside it.
func TestChatCompletionWhole(t *testing.T) {
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return "生产线全长400米[1]。" })
	srv, _ := testServer(t, Options{}, model)
	resp, raw := post(t, srv.URL+"/v1/chat/completions", "", chatBody(false, question))
	var got chatResponse
	if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d %v: %s", resp.StatusCode, err, raw)
	}
	content := got.Choices[0].Message.Content
	if got.Object != "chat.completion" || !strings.HasPrefix(content, "生产线全长400米[1]。") || !strings.Contains(content, "来源:\n[1] ") ||
		len(got.Sources) != 1 || got.Sources[0].Title == "" || *got.Choices[0].FinishReason != "stop" {
		t.Errorf("response: %s", raw)
	}
}

// readStream reads a streamed completion: the chunks' text, the last
// chunk, and whether it ended with [DONE].
func readStream(t testing.TB, body io.Reader) (string, chatResponse, bool) {
	var text strings.Builder
	var last chatResponse
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return text.String(), last, true
		}
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			t.Fatalf("%v: %s", err, data)
		}
		if d := last.Choices[0].Delta; d != nil {
			text.WriteString(d.Content)
		}
	}
	return text.String(), last, false
}

// A streamed chat completion: the model's text as it comes, then the
// sources; the last chunk carries the structured sources; [DONE] ends it.
// Earlier messages are the conversation, without qabot's sources blocks.
func TestChatCompletionStream(t *testing.T) {
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return "生产线全长400米[1]。" })
	srv, rec := testServer(t, Options{}, model)
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(chatBody(true, "晋能光伏在哪里？", "在晋中[1]。\n\n来源:\n[1] 某文章", question)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, last, done := readStream(t, resp.Body)
	if resp.Header.Get("Content-Type") != "text/event-stream" || !done || !strings.HasPrefix(text, "生产线全长400米[1]。") ||
		!strings.Contains(text, "来源:") || len(last.Sources) != 1 || last.Object != "chat.completion.chunk" || *last.Choices[0].FinishReason != "stop" {
		t.Errorf("stream: done %v, text %q, last %+v", done, text, last)
	}
	if h := rec.reqs[0].History; len(h) != 1 || h[0].Question != "晋能光伏在哪里？" || h[0].Answer != "在晋中[1]。" || rec.reqs[0].Question != question {
		t.Errorf("history given: %+v", rec.reqs[0])
	}
}

// Without a model, and when the model fails, a stream still carries the
// whole answer.
func TestChatCompletionStreamExtractive(t *testing.T) {
	srv, _ := testServer(t, Options{}, nil)
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(chatBody(true, question)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if text, _, done := readStream(t, resp.Body); !done || !strings.Contains(text, "400米") || !strings.Contains(text, "来源:") {
		t.Errorf("extractive stream: %q", text)
	}
}

// /v1/ask returns what ask --json prints; /v1/models lists the
// collections; the health checks answer.
func TestAskModelsAndHealth(t *testing.T) {
	srv, _ := testServer(t, Options{}, nil)
	resp, raw := post(t, srv.URL+"/v1/ask", "", `{"question":"`+question+`"}`)
	var got AnswerJSON
	if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != 200 || got.Mode != rag.ModeExtractive || !strings.Contains(got.Answer, "400米") || len(got.Sources) == 0 {
		t.Errorf("ask: HTTP %d %s", resp.StatusCode, raw)
	}
	r, err := http.Get(srv.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(raw), `"id":"default"`) || !strings.Contains(string(raw), `"id":"other"`) {
		t.Errorf("models: %s", raw)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/nope": 404} {
		if r, err := http.Get(srv.URL + path); err != nil || r.StatusCode != want {
			t.Errorf("%s: %v %v", path, r.StatusCode, err)
		}
	}
	// Only a caller with a key learns what is down, and where.
	const key = "k-0123456789abcdef"
	s := New(Options{APIKeys: []string{key}, Log: slog.New(slog.DiscardHandler)})
	s.SetReady(func(context.Context) error { return fmt.Errorf("the model server http://10.1.2.3:11434/v1: down") })
	for bearer, detail := range map[string]bool{"": false, "k-wrong-wrong-wrong": false, key: true} {
		rr := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/readyz", nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		s.Handler().ServeHTTP(rr, req)
		if rr.Code != http.StatusServiceUnavailable || strings.Contains(rr.Body.String(), "10.1.2.3") != detail {
			t.Errorf("not ready, key %q: %d %s", bearer, rr.Code, rr.Body)
		}
	}
}

// Bad requests get OpenAI-shaped errors with the right status, and the
// server goes on serving.
func TestErrors(t *testing.T) {
	srv, _ := testServer(t, Options{APIKeys: []string{"k-0123456789abcdef"}, Concurrency: 4, RatePerMinute: 100, MaxQuestionRunes: 100}, nil)
	const key = "k-0123456789abcdef"
	for name, tt := range map[string]struct {
		path, key, body string
		status          int
		code            string
	}{
		"no key":          {"/v1/ask", "", `{"question":"x"}`, 401, "invalid_api_key"},
		"wrong key":       {"/v1/ask", "k-wrong-wrong-wrong", `{"question":"x"}`, 401, "invalid_api_key"},
		"malformed JSON":  {"/v1/chat/completions", key, `{"messages":[`, 400, "invalid_json"},
		"empty message":   {"/v1/chat/completions", key, chatBody(false, "  "), 400, "empty_question"},
		"huge message":    {"/v1/ask", key, `{"question":"` + strings.Repeat("长", 101) + `"}`, 400, "question_too_long"},
		"unknown model":   {"/v1/chat/completions", key, strings.Replace(chatBody(false, question), `"default"`, `"nope"`, 1), 404, "model_not_found"},
		"huge body":       {"/v1/ask", key, `{"question":"` + strings.Repeat("x", MaxBodyBytes) + `"}`, 413, "request_too_large"},
		"no user message": {"/v1/chat/completions", key, `{"model":"default","messages":[{"role":"system","content":"hi"}]}`, 400, "empty_question"},
	} {
		resp, raw := post(t, srv.URL+tt.path, tt.key, tt.body)
		var e struct {
			Error struct{ Message, Type, Code string }
		}
		if json.Unmarshal(raw, &e) != nil || resp.StatusCode != tt.status || e.Error.Code != tt.code || e.Error.Message == "" || e.Error.Type == "" {
			t.Errorf("%s: HTTP %d %s", name, resp.StatusCode, raw)
		}
	}
	// Three questions a minute, per key: the fourth is refused.
	srv, _ = testServer(t, Options{APIKeys: []string{key}, Concurrency: 4, RatePerMinute: 3, MaxQuestionRunes: 100}, nil)
	var codes []int
	for range 4 {
		resp, _ := post(t, srv.URL+"/v1/ask", key, `{"question":"`+question+`"}`)
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 429]" {
		t.Errorf("over the rate: %v", codes)
	}
}

// A client that goes away mid-stream cancels the model's request, and the
// server serves the next one.
func TestClientGoneMidStream(t *testing.T) {
	cancelled := make(chan struct{})
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for {
			ragtest.WriteChunk(w, "生产线", "")
			select {
			case <-r.Context().Done():
				close(cancelled)
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	defer model.Close()
	a := seedAnswerer(t, nil)
	a.LLM = llm.NewChatClient(llm.ChatConfig{ModelConfig: llm.ModelConfig{Setting: "llm", BaseURL: model.URL + "/v1", Model: "m", Timeout: 30 * time.Second},
		MaxTokens: 256, ContextTokens: 32768})
	s := New(Options{Collections: func() ([]string, error) { return []string{"default"}, nil }, Default: "default",
		Open: func(context.Context, string) (Answerer, error) { return a, nil }, Concurrency: 1, RatePerMinute: 100})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(chatBody(true, question)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	bufio.NewReader(resp.Body).ReadString('\n') // the first chunk
	cancel()
	resp.Body.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the model's request went on after the client left")
	}
	// The one slot is free again: an extractive question is answered.
	a.LLM = nil
	if resp, raw := post(t, srv.URL+"/v1/ask", "", `{"question":"`+question+`"}`); resp.StatusCode != 200 {
		t.Errorf("after the client left: HTTP %d %s", resp.StatusCode, raw)
	}
}

// The metrics are Prometheus' text format, as its own parser reads it, and
// count the questions by mode and outcome.
func TestMetrics(t *testing.T) {
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return "生产线全长400米[1]。" })
	m := NewMetrics()
	srv, _ := testServer(t, Options{Metrics: m}, model)
	post(t, srv.URL+"/v1/ask", "", `{"question":"`+question+`"}`)
	post(t, srv.URL+"/v1/ask", "", `{"question":"火星上有多少座火山？"}`)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	for _, metric := range families["qabot_questions_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range metric.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		counts[labels["mode"]+"/"+labels["outcome"]] = metric.GetCounter().GetValue()
	}
	if counts["llm/answered"] != 1 || counts["extractive/refused"] != 1 {
		t.Errorf("questions: %v", counts)
	}
	for _, name := range []string{"qabot_retrieval_seconds", "qabot_model_seconds", "qabot_model_first_token_seconds"} {
		if f := families[name]; f == nil || len(f.GetMetric()) == 0 || f.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
			t.Errorf("%s: no samples", name)
		}
	}
	if families["qabot_questions_in_flight"] == nil || families["go_goroutines"] == nil {
		t.Error("in-flight or runtime metrics missing")
	}
}

// The official openai npm package (OPENAI_NODE_DIR: a folder with it in
// node_modules; .ci/run installs one) reads a whole and a streamed answer.
func TestOpenAINodeClient(t *testing.T) {
	dir := os.Getenv("OPENAI_NODE_DIR")
	if dir == "" {
		t.Skip("no openai npm package to test with: set OPENAI_NODE_DIR (.ci/run installs one)")
	}
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return "生产线全长400米[1]。" })
	srv, _ := testServer(t, Options{APIKeys: []string{"k-0123456789abcdef"}}, model)
	script := `import OpenAI from "openai";
const client = new OpenAI({ baseURL: process.argv[2], apiKey: process.argv[3] });
const messages = [{ role: "user", content: process.argv[4] }];
const whole = await client.chat.completions.create({ model: "default", messages });
let streamed = "", sources = null;
const stream = await client.chat.completions.create({ model: "default", messages, stream: true });
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.sources) sources = chunk.sources;
}
const models = await client.models.list();
console.log(JSON.stringify({ whole: whole.choices[0].message.content, wholeSources: whole.sources, streamed, sources, models: models.data.map(m => m.id) }));
`
	path := dir + "/qabot-client-test.mjs"
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	out, err := runNode(t, dir, path, srv.URL+"/v1", "k-0123456789abcdef", question)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got struct {
		Whole, Streamed       string
		WholeSources, Sources []SourceJSON
		Models                []string
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.HasPrefix(got.Whole, "生产线全长400米[1]。") || got.Streamed != got.Whole || len(got.Sources) != 1 || len(got.WholeSources) != 1 ||
		strings.Join(got.Models, ",") != "default,other" {
		t.Errorf("the openai package read: %+v", got)
	}
}

// runNode runs a node script in dir with args.
func runNode(t *testing.T, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(t.Context(), "node", args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}
