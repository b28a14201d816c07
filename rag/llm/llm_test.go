package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag/ragtest"
)

const testKey = "sk-test-SECRET-0123456789"

func testChatConfig(baseURL string) ChatConfig {
	return ChatConfig{
		ModelConfig: ModelConfig{Setting: "llm", BaseURL: baseURL, APIKey: testKey, Model: "fake-model",
			Timeout: 2 * time.Second, Retries: 2, MaxRetryWait: 50 * time.Millisecond},
		MaxTokens: 256, ContextTokens: 32768, // no request to learn the window
	}
}

func TestChatClientStreamsAndCompletes(t *testing.T) {
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string {
		return "<think>想一想</think>晋能光伏的生产线全长400米[1]。"
	})
	c := NewChatClient(testChatConfig(model.URL))
	var pieces []string
	text, err := c.Stream(t.Context(), []Message{{Role: "user", Content: "问"}}, func(p string) { pieces = append(pieces, p) })
	if err != nil {
		t.Fatal(err)
	}
	if want := "晋能光伏的生产线全长400米[1]。"; text != want || strings.Join(pieces, "") != want {
		t.Errorf("stream gave %q in pieces %q, want %q", text, pieces, want)
	}
	if len(pieces) < 3 {
		t.Errorf("want the reply in several pieces, got %q", pieces)
	}
	text, err = c.Complete(t.Context(), []Message{{Role: "user", Content: "问"}})
	if err != nil || text != "晋能光伏的生产线全长400米[1]。" {
		t.Errorf("Complete = %q, %v", text, err)
	}
	reqs := model.Chats()
	if len(reqs) != 2 || !reqs[0].Stream || reqs[1].Stream || reqs[0].MaxTokens != 256 || reqs[0].Model != "fake-model" {
		t.Errorf("requests: %+v", reqs)
	}
}

// TestChatClientFailures checks that every way a model server fails gives
// a ServiceError naming the fix, in bounded time, without the API key.
func TestChatClientFailures(t *testing.T) {
	// Nothing listens on port 1; a closed test server's port could be
	// taken again by the next one.
	closedURL := "http://127.0.0.1:1/v1"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		url     string
		want    string
	}{
		{"connection refused", nil, closedURL, "cannot connect"},
		// The deadline falls while the refused connection waits to be
		// tried again (at 200 ms, 400 ms): the refusal is the cause.
		{"connection refused, then the deadline", nil, closedURL, "cannot connect"},
		{"timeout", hang, "", "did not answer within llm.timeout"},
		{"401", ragtest.Status(401, `{"error":{"message":"invalid key `+testKey+`"}}`), "", "check llm.api_key"},
		{"403", ragtest.Status(403, `{"error":{"message":"forbidden"}}`), "", "check llm.api_key"},
		{"404 ollama", ragtest.Status(404, `{"error":"model \"fake-model\" not found, try pulling it first"}`), "", "ends in /v1"},
		{"404 html", ragtest.Status(404, `<html>not found</html>`), "", "check llm.model"},
		{"429", ragtest.Status(429, `{"error":{"message":"slow down"}}`), "", "rate-limiting"},
		{"500", ragtest.Status(500, `{"error":{"message":"boom"}}`), "", "HTTP 500"},
		{"malformed", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "data: {not json\n\n") }, "", "not OpenAI-compatible"},
		{"html 200", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!doctype html><html><body>Welcome to nginx!</body></html>")
		}, "", "not OpenAI-compatible"},
		{"cut", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			ragtest.WriteChunk(w, "答案是", "")
		}, "", "cut the answer off"},
		{"empty", func(w http.ResponseWriter, _ *http.Request) {
			ragtest.WriteChunk(w, "", "stop")
			fmt.Fprint(w, "data: [DONE]\n\n")
		}, "", "empty reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				url = srv.URL + "/v1"
			}
			cfg := testChatConfig(url)
			cfg.Timeout = 500 * time.Millisecond
			if strings.Contains(tt.name, "deadline") {
				cfg.Timeout = 300 * time.Millisecond
			}
			start := time.Now()
			_, err := NewChatClient(cfg).Stream(t.Context(), []Message{{Role: "user", Content: "问"}}, nil)
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %s", elapsed)
			}
			var se *ServiceError
			if !errors.As(err, &se) {
				t.Fatalf("got %T %v, want a *ServiceError", err, err)
			}
			if !strings.Contains(se.Msg, tt.want) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.want)
			}
			if strings.Contains(se.Msg+se.Detail(), testKey) {
				t.Errorf("the API key leaked: %q / %q", se.Msg, se.Detail())
			}
		})
	}
}

// hang is a server that never answers. It reads the body first: the server
// notices a closed connection only after that.
func hang(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestExplainHidesURLPassword(t *testing.T) {
	cfg := testChatConfig("http://user:hunter2@127.0.0.1:1/v1?key=q-SECRET").ModelConfig
	err := cfg.Explain(t.Context(), fmt.Errorf(`Post "http://user:hunter2@127.0.0.1:1/v1/chat/completions?key=q-SECRET": %w`, &net.OpError{Op: "dial", Err: errors.New("connection refused")}))
	var se *ServiceError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("got %q", err)
	}
	for _, text := range []string{se.Error(), se.Detail()} {
		if strings.Contains(text, "hunter2") || strings.Contains(text, "q-SECRET") {
			t.Errorf("a credential shows: %q", text)
		}
	}
}

func TestExplainDNSError(t *testing.T) {
	cfg := testChatConfig("http://no-such-host.invalid/v1").ModelConfig
	err := cfg.Explain(t.Context(), fmt.Errorf("post: %w", &net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}))
	if !strings.Contains(err.Error(), "cannot find the host of llm.base_url") {
		t.Errorf("got %q", err)
	}
}

// TestChatClientRetries checks that 429 (honouring Retry-After) and 5xx are
// retried, a bounded number of times.
func TestChatClientRetries(t *testing.T) {
	for _, code := range []int{429, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					w.Header().Set("Retry-After", "0")
					ragtest.Status(code, `{"error":{"message":"busy"}}`)(w, r)
					return
				}
				fmt.Fprint(w, `{"choices":[{"message":{"role":"assistant","content":"好"},"finish_reason":"stop"}]}`)
			}))
			defer srv.Close()
			text, err := NewChatClient(testChatConfig(srv.URL+"/v1")).Complete(t.Context(), []Message{{Role: "user", Content: "问"}})
			if err != nil || text != "好" || calls.Load() != 2 {
				t.Errorf("got %q, %v after %d calls; want 好 after 2", text, err, calls.Load())
			}
		})
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600") // waited for at most MaxRetryWait
		ragtest.Status(429, `{"error":{"message":"busy"}}`)(w, r)
	}))
	defer srv.Close()
	start := time.Now()
	_, err := NewChatClient(testChatConfig(srv.URL+"/v1")).Complete(t.Context(), []Message{{Role: "user", Content: "问"}})
	if err == nil || calls.Load() != 3 || time.Since(start) > 2*time.Second {
		t.Errorf("persistent 429: %v after %d calls in %s; want an error after 3 calls, quickly", err, calls.Load(), time.Since(start))
	}
}

func TestThinkFilter(t *testing.T) {
	for in, want := range map[string]string{
		"<think>a</think>答案":           "答案",
		"  <think>\na\n</think>\n\n答案": "答案",
		"答案<think>":                    "答案<think>",
		"<b>粗体</b>":                    "<b>粗体</b>",
	} {
		var f thinkFilter
		var got strings.Builder
		for _, r := range in {
			got.WriteString(f.write(string(r)))
		}
		if got.String() != want {
			t.Errorf("%q streamed: got %q, want %q", in, got.String(), want)
		}
		if s := stripThinking(in); s != want {
			t.Errorf("stripThinking(%q) = %q, want %q", in, s, want)
		}
	}
}

func TestChatClientCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(hang))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := NewChatClient(testChatConfig(srv.URL+"/v1")).Stream(ctx, nil, nil); err == nil {
		t.Error("want an error for a cancelled context")
	}
}
