// Package ragtest provides a fake OpenAI-compatible model server for tests:
// chat completions (plain and streamed), embeddings and the models list,
// on 127.0.0.1 through httptest.
package ragtest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// Model is a fake model server. Reply decides the answer to each chat
// request; requests are recorded.
type Model struct {
	URL string // base URL, ending in /v1
	srv *httptest.Server

	mu       sync.Mutex
	reply    func(openai.ChatCompletionRequest) string
	chats    []openai.ChatCompletionRequest
	embeds   []openai.EmbeddingRequest
	Dim      int // embedding dimension (default 32)
	StreamBy int // runes per streamed piece (default 3)
	// PromptTokens, when set, is the count of a request's prompt tokens
	// reported as usage (in a last chunk when a stream asks for usage).
	PromptTokens func(openai.ChatCompletionRequest) int
}

// NewModel starts a fake server that answers chat requests with reply and
// stops it when the test ends.
func NewModel(t testing.TB, reply func(openai.ChatCompletionRequest) string) *Model {
	m := StartModel(reply)
	t.Cleanup(m.Close)
	return m
}

// StartModel starts a fake server that answers chat requests with reply,
// until Close.
func StartModel(reply func(openai.ChatCompletionRequest) string) *Model {
	m := &Model{reply: reply, Dim: 32, StreamBy: 3}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", m.chat)
	mux.HandleFunc("POST /v1/embeddings", m.embeddings)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"object":"list","data":[{"id":"fake-model","object":"model"}]}`)
	})
	m.srv = httptest.NewServer(mux)
	m.URL = m.srv.URL + "/v1"
	return m
}

// Close stops the server.
func (m *Model) Close() { m.srv.Close() }

// Chats returns the chat requests received so far.
func (m *Model) Chats() []openai.ChatCompletionRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), m.chats...)
}

// Embeds returns the embedding requests received so far.
func (m *Model) Embeds() []openai.EmbeddingRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]openai.EmbeddingRequest(nil), m.embeds...)
}

// record decodes a request body into req and appends it to log, under
// the lock; it answers 400 and returns false when the body is not JSON.
func record[T any](m *Model, w http.ResponseWriter, r *http.Request, log *[]T) (T, bool) {
	var req T
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return req, false
	}
	m.mu.Lock()
	*log = append(*log, req)
	m.mu.Unlock()
	return req, true
}

func (m *Model) chat(w http.ResponseWriter, r *http.Request) {
	req, ok := record(m, w, r, &m.chats)
	if !ok {
		return
	}
	text := m.reply(req)
	var usage openai.Usage
	if m.PromptTokens != nil {
		usage.PromptTokens = m.PromptTokens(req)
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
			Model:   req.Model,
			Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{Role: "assistant", Content: text}, FinishReason: "stop"}},
			Usage:   usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	runes := []rune(text)
	for i := 0; i < len(runes); i += m.StreamBy {
		WriteChunk(w, string(runes[i:min(i+m.StreamBy, len(runes))]), "")
	}
	WriteChunk(w, "", "stop")
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage && m.PromptTokens != nil {
		raw, _ := json.Marshal(openai.ChatCompletionStreamResponse{Choices: []openai.ChatCompletionStreamChoice{}, Usage: &usage})
		fmt.Fprintf(w, "data: %s\n\n", raw)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// WriteChunk writes one server-sent event of a streamed chat completion.
func WriteChunk(w http.ResponseWriter, content, finish string) {
	chunk := openai.ChatCompletionStreamResponse{Choices: []openai.ChatCompletionStreamChoice{{
		Delta: openai.ChatCompletionStreamChoiceDelta{Content: content}, FinishReason: openai.FinishReason(finish),
	}}}
	raw, _ := json.Marshal(chunk)
	fmt.Fprintf(w, "data: %s\n\n", raw)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func (m *Model) embeddings(w http.ResponseWriter, r *http.Request) {
	req, ok := record(m, w, r, &m.embeds)
	if !ok {
		return
	}
	var texts []string
	switch in := req.Input.(type) {
	case string:
		texts = []string{in}
	case []any:
		for _, x := range in {
			s, _ := x.(string)
			texts = append(texts, s)
		}
	}
	resp := openai.EmbeddingResponse{Model: req.Model}
	for i, t := range texts {
		resp.Data = append(resp.Data, openai.Embedding{Index: i, Embedding: m.vector(t)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// vector is a deterministic, unnormalised bag-of-characters vector.
func (m *Model) vector(text string) []float32 {
	v := make([]float32, m.Dim)
	for _, r := range strings.ToLower(text) {
		h := fnv.New32a()
		h.Write([]byte(string(r)))
		v[h.Sum32()%uint32(m.Dim)] += 2
	}
	v[0] += 1 // never a zero vector
	return v
}

// Status is a handler that answers every request with code and a JSON body.
func Status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}
