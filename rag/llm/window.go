package llm

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultContextTokens is the context window assumed when neither the
// server nor the llm.context_tokens setting says: Ollama's default, and the
// smallest window of the models qabot is meant for.
const DefaultContextTokens = 4096

// Window is a model's context window in tokens, and where qabot learnt it.
type Window struct {
	Tokens int
	Source string // "llm.context_tokens", "Ollama /api/show", …
}

// maxShowBytes bounds a server's reply about a model.
const maxShowBytes = 4 << 20

// DetectWindow asks the server at cfg.BaseURL for the model's context
// window: Ollama (/api/show: the num_ctx of the model's parameters, else
// Ollama's default, which its OpenAI-compatible endpoints use whatever the
// request says), llama.cpp's server (/props: n_ctx), vLLM (/v1/models:
// max_model_len), or OpenAI (128k tokens). ok is false when the server
// tells none of these.
func DetectWindow(ctx context.Context, cfg ModelConfig) (w Window, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, min(cfg.Timeout, 10*time.Second))
	defer cancel()
	root := strings.TrimSuffix(strings.TrimRight(cfg.BaseURL, "/"), "/v1")
	get := func(method, path, body string, into any) bool {
		req, err := http.NewRequestWithContext(ctx, method, root+path, strings.NewReader(body))
		if err != nil {
			return false
		}
		if cfg.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, maxShowBytes)).Decode(into) == nil
	}
	var show struct {
		Parameters string         `json:"parameters"`
		ModelInfo  map[string]any `json:"model_info"`
	}
	if body, _ := json.Marshal(map[string]string{"model": cfg.Model}); get(http.MethodPost, "/api/show", string(body), &show) && show.ModelInfo != nil {
		trained := 0
		for k, v := range show.ModelInfo {
			if n, isNum := v.(float64); isNum && strings.HasSuffix(k, ".context_length") {
				trained = int(n)
			}
		}
		if n := parameter(show.Parameters, "num_ctx"); n > 0 {
			return Window{n, "Ollama /api/show: num_ctx of the model"}, true
		}
		n := DefaultContextTokens
		if trained > 0 {
			n = min(n, trained)
		}
		return Window{n, "Ollama's default (no num_ctx in the model's Modelfile; OLLAMA_CONTEXT_LENGTH, if set on the server, is not visible)"}, true
	}
	var props struct {
		N   int `json:"n_ctx"`
		Gen struct {
			N int `json:"n_ctx"`
		} `json:"default_generation_settings"`
	}
	if get(http.MethodGet, "/props", "", &props) && max(props.N, props.Gen.N) > 0 {
		return Window{max(props.N, props.Gen.N), "llama.cpp /props: n_ctx"}, true
	}
	var models struct {
		Data []struct {
			ID          string `json:"id"`
			MaxModelLen int    `json:"max_model_len"`
		} `json:"data"`
	}
	if get(http.MethodGet, "/v1/models", "", &models) {
		for _, m := range models.Data {
			if m.ID == cfg.Model && m.MaxModelLen > 0 {
				return Window{m.MaxModelLen, "vLLM /v1/models: max_model_len"}, true
			}
		}
	}
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() == "api.openai.com" {
		return Window{128000, "OpenAI's current models"}, true
	}
	return Window{}, false
}

// parameter is the value of a numeric parameter in Ollama's parameter
// listing ("num_ctx 8192\nstop …"); 0 when it is not there.
func parameter(params, name string) int {
	sc := bufio.NewScanner(strings.NewReader(params))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == name {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// EstimateTokens counts the tokens of text as a tokeniser that knows little
// of it would: one for each CJK character or other symbol, one for every
// three Latin letters or digits, rounded up. Real tokenisers give Chinese
// text 0.6 to 1 token a character, so the estimate errs on the large side.
func EstimateTokens(text string) int {
	n, latin := 0, 0
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			latin++
		case unicode.IsSpace(r):
		default:
			n++
		}
	}
	return n + (latin+2)/3
}

// MessagesTokens estimates the tokens of a chat prompt: its messages and
// the chat template's few tokens around each.
func MessagesTokens(msgs []Message) int {
	n := 8
	for _, m := range msgs {
		n += EstimateTokens(m.Content) + 8
	}
	return n
}

// String says what a window is and where it was learnt, for doctor.
func (w Window) String() string {
	return fmt.Sprintf("%d tokens (%s)", w.Tokens, w.Source)
}
