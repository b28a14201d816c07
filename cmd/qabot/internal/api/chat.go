package api

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/reply"
)

// chatRequest is the part of an OpenAI chat completions request qabot
// reads; other fields (temperature, tools, …) are ignored.
type chatRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
	Stream   bool          `json:"stream"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// text is a message's text: its content as a string, or the text parts of
// a content array.
func (m chatMessage) text() string {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	json.Unmarshal(m.Content, &parts)
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// question is the last user message, and the turns before it as history
// (each user message with the assistant's reply after it; the sources
// block of qabot's own replies left out).
func (req chatRequest) question() (string, []rag.Turn) {
	last := -1
	for i, m := range req.Messages {
		if m.Role == "user" {
			last = i
		}
	}
	if last < 0 {
		return "", nil
	}
	var history []rag.Turn
	for i := 0; i < last; i++ {
		if req.Messages[i].Role != "user" {
			continue
		}
		t := rag.Turn{Question: req.Messages[i].text()}
		if i+1 < last && req.Messages[i+1].Role == "assistant" {
			t.Answer = withoutSources(req.Messages[i+1].text())
		}
		history = append(history, t)
	}
	return req.Messages[last].text(), history
}

// withoutSources is a reply without the sources block qabot adds.
func withoutSources(reply string) string {
	for _, label := range []string{"来源", "Sources", "相关段落", "Related passages"} {
		if i := strings.Index(reply, "\n\n"+label+":"); i >= 0 {
			reply = reply[:i]
		}
	}
	return strings.TrimSpace(reply)
}

// chatResponse is a whole chat completion, or a chunk of a streamed one;
// Sources, beyond OpenAI's fields, are the answer's sources, structured.
type chatResponse struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Created int64        `json:"created"`
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   *chatUsage   `json:"usage,omitempty"`
	Sources []SourceJSON `json:"sources,omitempty"`
}

type chatChoice struct {
	Index        int          `json:"index"`
	Message      *chatContent `json:"message,omitempty"`
	Delta        *chatContent `json:"delta,omitempty"`
	FinishReason *string      `json:"finish_reason"`
}

type chatContent struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if !s.decode(w, r, &req) {
		return
	}
	question, history := req.question()
	if req.Model == "" {
		req.Model = s.opts.Default
	}
	resp := chatResponse{ID: "chatcmpl-" + rand.Text()[:12], Created: time.Now().Unix(), Model: req.Model}
	if !req.Stream {
		ans, ok := s.answer(w, r, req.Model, rag.Request{Question: question, History: history})
		if !ok {
			return
		}
		stop := "stop"
		resp.Object = "chat.completion"
		resp.Choices = []chatChoice{{Message: &chatContent{Role: "assistant", Content: Inert(Tail(ans, false), ans)}, FinishReason: &stop}}
		resp.Usage = &chatUsage{}
		resp.Sources = NewAnswerJSON(ans).Sources
		writeJSON(w, http.StatusOK, resp)
		return
	}
	resp.Object = "chat.completion.chunk"
	flusher, _ := w.(http.Flusher)
	started := false
	send := func(c chatChoice, sources []SourceJSON) {
		if !started {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-cache")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		chunk := resp
		chunk.Choices, chunk.Sources = []chatChoice{c}, sources
		raw, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", raw)
		if flusher != nil {
			flusher.Flush()
		}
	}
	streamed := false
	onText := func(text string) {
		if !streamed {
			send(chatChoice{Delta: &chatContent{Role: "assistant"}}, nil)
			streamed = true
		}
		send(chatChoice{Delta: &chatContent{Content: text}}, nil)
	}
	ans, ok := s.answer(w, r, req.Model, rag.Request{Question: question, History: history, OnText: onText})
	if !ok {
		if started {
			fmt.Fprint(w, "data: [DONE]\n\n") // the error came mid-stream: end it
		}
		return
	}
	if !streamed {
		send(chatChoice{Delta: &chatContent{Role: "assistant"}}, nil)
	}
	stop := "stop"
	send(chatChoice{Delta: &chatContent{Content: Inert(Tail(ans, streamed), ans)}}, nil)
	send(chatChoice{Delta: &chatContent{}, FinishReason: &stop}, NewAnswerJSON(ans).Sources)
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// Tail is what a chat client is sent after an answer's streamed text:
// with nothing streamed, the whole answer (after a line that says so when
// the model failed); after a stream that broke off or was asked again, a
// line that says so and the answer; then its sources, the sentences they do
// not support, and how its citations were found.
func Tail(ans rag.Answer, streamed bool) string {
	zh := ans.Lang == "zh"
	var b strings.Builder
	switch {
	case !streamed:
		if ans.ModelError != nil {
			b.WriteString(pick(zh, "（模型服务暂时不可用，以下是从文章中摘录的回答。）\n\n", "(The model server is unavailable, so this answer is extracted from the articles.)\n\n"))
		}
		b.WriteString(reply.Text(ans, ans.Lang))
	case ans.Mode != rag.ModeLLM:
		b.WriteString(pick(zh, "\n（模型的回答中途中断，以上内容不完整。以下是从文章中摘录的回答：）\n",
			"\n(The model's answer broke off; the text above is incomplete. An answer extracted from the articles follows:)\n"))
		b.WriteString(reply.Text(ans, ans.Lang))
	case ans.Retried:
		b.WriteString(pick(zh, "\n（提示超出了模型的上下文窗口，已用更短的提示重新回答：）\n",
			"\n(The prompt overflowed the model's context window; answered again with a shorter one:)\n"))
		b.WriteString(reply.Text(ans, ans.Lang))
	}
	b.WriteString("\n")
	WriteSources(&b, ans)
	return strings.TrimRight(b.String(), "\n")
}
