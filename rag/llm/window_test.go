package llm

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The window is learnt from the servers that say it, each its own way.
func TestDetectWindow(t *testing.T) {
	for name, tt := range map[string]struct {
		path, body string
		want       int
		source     string
	}{
		"Ollama, num_ctx set": {"/api/show", `{"parameters":"num_ctx 8192\nnum_predict 64","model_info":{"llama.context_length":32768}}`, 8192, "num_ctx"},
		"Ollama, default":     {"/api/show", `{"parameters":"stop \"<|im_end|>\"","model_info":{"qwen2.context_length":32768}}`, 4096, "Ollama's default"},
		"Ollama, small model": {"/api/show", `{"model_info":{"llama.context_length":2048}}`, 2048, "Ollama's default"},
		"llama.cpp":           {"/props", `{"default_generation_settings":{"n_ctx":16384}}`, 16384, "llama.cpp"},
		"vLLM":                {"/v1/models", `{"data":[{"id":"other","max_model_len":4096},{"id":"m","max_model_len":32768}]}`, 32768, "vLLM"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path {
					http.NotFound(w, r)
					return
				}
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			w, ok := DetectWindow(t.Context(), ModelConfig{BaseURL: srv.URL + "/v1", Model: "m", Timeout: time.Second})
			if !ok || w.Tokens != tt.want || !strings.Contains(w.Source, tt.source) {
				t.Errorf("got %v, %v; want %d from %s", w, ok, tt.want, tt.source)
			}
		})
	}
	silent := httptest.NewServer(http.NotFoundHandler())
	defer silent.Close()
	if w, ok := DetectWindow(t.Context(), ModelConfig{BaseURL: silent.URL + "/v1", Model: "m", Timeout: time.Second}); ok {
		t.Errorf("a server that says nothing: %v", w)
	}
	c := NewChatClient(ChatConfig{ModelConfig: ModelConfig{Setting: "llm", BaseURL: silent.URL + "/v1", Model: "m", Timeout: time.Second}, MaxTokens: 1024})
	if w := c.Window(t.Context()); w.Tokens != DefaultContextTokens || !strings.Contains(w.Source, "llm.context_tokens") {
		t.Errorf("the default: %v", w)
	}
	if b := c.PromptBudget(t.Context()); b != DefaultContextTokens-1024-32 {
		t.Errorf("budget %d", b)
	}
	c = NewChatClient(ChatConfig{ModelConfig: ModelConfig{Setting: "llm", BaseURL: silent.URL + "/v1", Model: "m"}, MaxTokens: 1024, ContextTokens: 1200})
	if w, a := c.Window(t.Context()), c.AnswerTokens(t.Context()); w.Tokens != 1200 || w.Source != "llm.context_tokens" || a != 400 {
		t.Errorf("the setting: %v, answers of %d tokens", w, a)
	}
}

// Token estimates err on the large side for Chinese: a character a token,
// against real tokenisers' 0.6 to 1.
func TestEstimateTokens(t *testing.T) {
	for text, want := range map[string]int{
		"":                 0,
		"生产线全长400米。":       8, // 6 characters, 1 for the digits, 1 for 。
		"the line is long": 5, // 13 letters
		"  \n ":            0,
	} {
		if got := EstimateTokens(text); got != want {
			t.Errorf("%q: %d, want %d", text, got, want)
		}
	}
}

// A window taken for the default, because the server said nothing (it may
// have been down), is asked for again after a while; one the server told
// is kept.
func TestWindowAskedAgainAfterTheDefault(t *testing.T) {
	var says atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !says.Load() || r.URL.Path != "/api/show" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"parameters":"num_ctx 8192","model_info":{}}`)
	}))
	defer srv.Close()
	c := NewChatClient(ChatConfig{ModelConfig: ModelConfig{Setting: "llm", BaseURL: srv.URL + "/v1", Model: "m", Timeout: time.Second}, MaxTokens: 1024})
	if w := c.Window(t.Context()); w.Tokens != DefaultContextTokens {
		t.Fatalf("a silent server: %v", w)
	}
	says.Store(true)
	if w := c.Window(t.Context()); w.Tokens != DefaultContextTokens {
		t.Errorf("asked again at once: %v", w)
	}
	c.guessed = c.guessed.Add(-askWindowAgain)
	if w := c.Window(t.Context()); w.Tokens != 8192 {
		t.Errorf("not asked again after %s: %v", askWindowAgain, w)
	}
	says.Store(false)
	if w := c.Window(t.Context()); w.Tokens != 8192 {
		t.Errorf("a told window was asked for again: %v", w)
	}
}
