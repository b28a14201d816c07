// Package llm talks to OpenAI-compatible model servers (OpenAI, Ollama,
// vLLM, llama.cpp): streamed chat completions, and the errors of any request
// worded as what to check, with credentials removed.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/qabot/qabot/config"
	openai "github.com/sashabaranov/go-openai"
)

// ModelConfig says how to reach an OpenAI-compatible server (OpenAI,
// Ollama, vLLM, llama.cpp server, TEI).
type ModelConfig struct {
	// Setting names the config section in error messages ("llm" or
	// "embedding"), so that a message can name the key to fix.
	Setting string
	BaseURL string // must end in /v1 for most servers
	APIKey  string
	Model   string
	// Timeout bounds each request, retries included; a stream must finish
	// within it.
	Timeout time.Duration
	// Retries is how often a request refused with 429 or 5xx, or that could
	// not connect, is tried again (with backoff; Retry-After is honoured up
	// to MaxRetryWait).
	Retries      int
	MaxRetryWait time.Duration
}

// NewOpenAIClient builds a go-openai client for cfg whose HTTP client
// retries, with bounded backoff, but has no timeout of its own: callers put
// deadlines on contexts, because a client timeout would cut streams.
func NewOpenAIClient(cfg ModelConfig) *openai.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil // it would log request URLs and errors on its own
	rc.RetryMax = cfg.Retries
	rc.RetryWaitMin = 200 * time.Millisecond
	rc.RetryWaitMax = max(cfg.MaxRetryWait, rc.RetryWaitMin)
	rc.Backoff = func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		return min(retryablehttp.DefaultBackoff(lo, hi, attempt, resp), hi)
	}
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler // let go-openai read the last error body
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if f, ok := ctx.Value(failureKey{}).(*failure); ok && err != nil {
			f.record(err)
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = rc.StandardClient()
	return openai.NewClientWithConfig(oc)
}

// Start begins a call to the server: it puts the timeout on ctx and keeps
// the failures of the call's tries for Explain, so that a deadline that
// falls while a refused connection is being retried is not taken for the
// cause.
func (cfg ModelConfig) Start(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithValue(ctx, failureKey{}, &failure{}), cfg.Timeout)
}

// failure is the last error of a call's tries.
type failure struct {
	mu  sync.Mutex
	err error
}

type failureKey struct{}

func (f *failure) record(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// connectionFailure is the failure to connect that the tries of the call in
// ctx ended with, if they did.
func connectionFailure(ctx context.Context) error {
	f, ok := ctx.Value(failureKey{}).(*failure)
	if !ok {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var opErr *net.OpError
	if errors.As(f.err, &opErr) {
		return f.err
	}
	return nil
}

// ServiceError is a failed call to a model server, with a message that
// names the likely fix. It never contains the API key.
type ServiceError struct {
	Msg string
	// Kind names the failure for metrics: timeout, no_connection, auth,
	// not_found, rate_limited, server_error, cut_off, ….
	Kind  string
	cause string // redacted detail, for logs
}

func (e *ServiceError) Error() string { return e.Msg }

// Detail is the underlying error text (redacted), for logs.
func (e *ServiceError) Detail() string { return e.cause }

// errStreamCut is a stream that ended without the model finishing its answer.
var errStreamCut = errors.New("the answer stream ended before the model finished")

// errNotCompatible is a reply with no completion events in it.
var errNotCompatible = errors.New("the reply holds no OpenAI-style stream events")

// ErrEmptyReply is a reply with no text in it.
var ErrEmptyReply = errors.New("the model returned an empty reply")

// Explain turns an error from a model server into a ServiceError that says
// what to check.
func (cfg ModelConfig) Explain(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se *ServiceError
	if errors.As(err, &se) {
		return err
	}
	key := cfg.Setting
	base := cfg.BaseURL
	if u, err := url.Parse(base); err == nil {
		// Only where the server is: no password, no query (api_key=…).
		base = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	}
	server := fmt.Sprintf("the %s server at %s", key, base)
	status := 0
	var reqErr *openai.RequestError
	var apiErr *openai.APIError
	// Ollama-style bodies make an empty *APIError too: check *RequestError first.
	if errors.As(err, &reqErr) {
		status = reqErr.HTTPStatusCode
	} else if errors.As(err, &apiErr) {
		status = apiErr.HTTPStatusCode
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var msg, kind string
	timedOut := errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded
	if refused := connectionFailure(ctx); timedOut && refused != nil {
		err, timedOut = refused, false
	}
	switch {
	case timedOut:
		kind = "timeout"
		msg = fmt.Sprintf("%s did not answer within %s.timeout (%s): check that it is running and not overloaded, or raise %s.timeout", server, key, cfg.Timeout, key)
	case errors.Is(err, context.Canceled):
		kind = "cancelled"
		msg = "the request was cancelled"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		kind = "auth"
		msg = fmt.Sprintf("%s refused the API key (HTTP %d): check %s.api_key", server, status, key)
	case status == http.StatusNotFound:
		kind = "not_found"
		msg = fmt.Sprintf("%s answered HTTP 404: check %s.model (%q) and that %s.base_url ends in /v1", server, key, cfg.Model, key)
	case status == http.StatusTooManyRequests:
		kind = "rate_limited"
		msg = fmt.Sprintf("%s is rate-limiting requests (HTTP 429) and still was after %d retries: try again later", server, cfg.Retries)
	case status >= 500:
		kind = "server_error"
		msg = fmt.Sprintf("%s failed (HTTP %d) and still did after %d retries: check the server's logs", server, status, cfg.Retries)
	case status >= 400:
		kind = "rejected"
		msg = fmt.Sprintf("%s rejected the request (HTTP %d): check %s.model and the server's logs", server, status, key)
	case errors.As(err, &dnsErr):
		kind = "no_host"
		msg = fmt.Sprintf("cannot find the host of %s.base_url %s: check the address", key, base)
	case errors.As(err, &opErr):
		kind = "no_connection"
		msg = fmt.Sprintf("cannot connect to %s: check %s.base_url and that the server is running", server, key)
	case errors.Is(err, errStreamCut) || errors.Is(err, io.ErrUnexpectedEOF):
		kind = "cut_off"
		msg = fmt.Sprintf("%s cut the answer off mid-way", server)
	case errors.Is(err, ErrEmptyReply):
		kind = "empty_reply"
		msg = fmt.Sprintf("%s returned an empty reply: check %s.model", server, key)
	default:
		kind = "not_compatible"
		msg = fmt.Sprintf("%s sent a reply that is not OpenAI-compatible: check %s.base_url (it usually ends in /v1)", server, key)
	}
	cause := config.Redact(err.Error(), cfg.APIKey)
	if u, err := url.Parse(cfg.BaseURL); err == nil {
		pass, _ := u.User.Password()
		cause = config.Redact(config.Redact(cause, pass), u.RawQuery)
	}
	return &ServiceError{Msg: config.Redact(msg, cfg.APIKey), Kind: kind, cause: cause}
}

// ChatConfig configures a ChatClient.
type ChatConfig struct {
	ModelConfig
	Temperature float32
	MaxTokens   int
	// ContextTokens is the model's context window; 0: ask the server.
	ContextTokens int
	// DisableThinking asks Qwen3-style models (through vLLM or llama.cpp
	// chat templates) not to think aloud first.
	DisableThinking bool
}

// ChatClient talks to an OpenAI-compatible chat completions endpoint.
type ChatClient struct {
	cfg    ChatConfig
	client *openai.Client

	windowMu sync.Mutex
	window   *Window
	guessed  time.Time // when the window was taken for the default, which is asked again after a while

	mu    sync.Mutex
	scale float64 // how far the server's token counts exceeded estimates (at least 1)
}

// askWindowAgain is how long a window taken for the default stands before
// the server is asked again: it may have been down.
const askWindowAgain = 5 * time.Minute

// ErrPromptCut is the error of a reply whose prompt the server reports at
// the edge of the model's context window: the server may have cut it
// silently (Ollama does), losing the rules or the first passages. The reply
// is returned with it; later prompts are estimated larger.
var ErrPromptCut = errors.New("the prompt filled the model's context window, so the server may have cut it")

// Window is the model's context window: llm.context_tokens when set, else
// what the server says (asked once), else DefaultContextTokens (and the
// server is asked again after askWindowAgain).
func (c *ChatClient) Window(ctx context.Context) Window {
	c.windowMu.Lock()
	defer c.windowMu.Unlock()
	if c.window != nil && (c.guessed.IsZero() || time.Since(c.guessed) < askWindowAgain) {
		return *c.window
	}
	w, guessed := Window{c.cfg.ContextTokens, c.cfg.Setting + ".context_tokens"}, time.Time{}
	if w.Tokens <= 0 {
		var ok bool
		if w, ok = DetectWindow(ctx, c.cfg.ModelConfig); !ok {
			w = Window{DefaultContextTokens, fmt.Sprintf("the default: the server does not say; set %s.context_tokens", c.cfg.Setting)}
			guessed = time.Now()
		}
	}
	c.window, c.guessed = &w, guessed
	return w
}

// AnswerTokens is the most tokens an answer may take: llm.max_tokens, or a
// third of a small window.
func (c *ChatClient) AnswerTokens(ctx context.Context) int {
	return max(16, min(c.cfg.MaxTokens, c.Window(ctx).Tokens/3))
}

// PromptBudget is the most tokens a prompt may take, as Tokens counts them:
// the window, less the answer's tokens and a margin for the chat template.
func (c *ChatClient) PromptBudget(ctx context.Context) int {
	return c.Window(ctx).Tokens - c.AnswerTokens(ctx) - 32
}

// Tokens estimates the tokens of a prompt, larger when the server's counts
// have been larger than the estimates.
func (c *ChatClient) Tokens(msgs []Message) int {
	c.mu.Lock()
	scale := max(1, c.scale)
	c.mu.Unlock()
	return int(float64(MessagesTokens(msgs))*scale + 0.5)
}

// checkUsage compares the server's count of a prompt's tokens with the
// budget: a prompt at the window's edge was likely cut (ErrPromptCut), and
// the estimates are raised for the prompts that follow.
func (c *ChatClient) checkUsage(ctx context.Context, msgs []Message, promptTokens int) error {
	if promptTokens <= 0 {
		return nil
	}
	estimated := MessagesTokens(msgs)
	c.mu.Lock()
	if r := float64(promptTokens) / float64(estimated); r > 1 {
		c.scale = max(c.scale, r*1.05)
	}
	c.mu.Unlock()
	if promptTokens >= c.Window(ctx).Tokens-c.AnswerTokens(ctx) {
		return fmt.Errorf("%w (%d of %d tokens)", ErrPromptCut, promptTokens, c.Window(ctx).Tokens)
	}
	return nil
}

// NewChatClient returns a client for cfg; it does not contact the server.
func NewChatClient(cfg ChatConfig) *ChatClient {
	if cfg.Setting == "" {
		cfg.Setting = "llm"
	}
	return &ChatClient{cfg: cfg, client: NewOpenAIClient(cfg.ModelConfig)}
}

// reasoningModel matches OpenAI models that reject max_tokens and a
// temperature other than the default.
var reasoningModel = regexp.MustCompile(`^(o\d|gpt-5)`)

func (c *ChatClient) request(ctx context.Context, msgs []Message, stream bool) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.cfg.Model, Stream: stream}
	if stream {
		req.StreamOptions = &openai.StreamOptions{IncludeUsage: true} // to see the prompt's tokens
	}
	for _, m := range msgs {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	if reasoningModel.MatchString(c.cfg.Model) {
		req.MaxCompletionTokens = c.AnswerTokens(ctx)
	} else {
		req.MaxTokens = c.AnswerTokens(ctx)
		req.Temperature = c.cfg.Temperature
	}
	if c.cfg.DisableThinking {
		req.ChatTemplateKwargs = map[string]any{"enable_thinking": false}
	}
	return req
}

// Message is one chat message.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Complete returns the model's whole reply to msgs, within the timeout.
// With ErrPromptCut, the reply is returned too.
func (c *ChatClient) Complete(ctx context.Context, msgs []Message) (string, error) {
	c.Window(ctx) // learnt outside the request's timeout
	ctx, cancel := c.cfg.Start(ctx)
	defer cancel()
	resp, err := c.client.CreateChatCompletion(ctx, c.request(ctx, msgs, false))
	text := ""
	if err == nil && len(resp.Choices) > 0 {
		text = strings.TrimSpace(stripThinking(resp.Choices[0].Message.Content))
	}
	if err == nil && text == "" {
		err = ErrEmptyReply
	}
	if err != nil {
		return "", c.cfg.Explain(ctx, err)
	}
	return text, c.checkUsage(ctx, msgs, resp.Usage.PromptTokens)
}

// Stream sends msgs and calls onText with each piece of the reply as it
// arrives (reasoning text and <think> blocks left out); it returns the whole
// reply. The stream must finish within the timeout. With ErrPromptCut, the
// reply is returned too.
func (c *ChatClient) Stream(ctx context.Context, msgs []Message, onText func(string)) (string, error) {
	c.Window(ctx)
	ctx, cancel := c.cfg.Start(ctx)
	defer cancel()
	text, promptTokens, err := c.stream(ctx, msgs, onText)
	if err != nil {
		return text, c.cfg.Explain(ctx, err)
	}
	return text, c.checkUsage(ctx, msgs, promptTokens)
}

func (c *ChatClient) stream(ctx context.Context, msgs []Message, onText func(string)) (text string, promptTokens int, err error) {
	st, err := c.client.CreateChatCompletionStream(ctx, c.request(ctx, msgs, true))
	if err != nil {
		return "", 0, err
	}
	defer st.Close()
	var out strings.Builder
	var think thinkFilter
	finished, chunks := false, 0
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out.String(), 0, err
		}
		if resp.Usage != nil {
			promptTokens = resp.Usage.PromptTokens
		}
		chunks++
		for _, ch := range resp.Choices {
			if piece := think.write(ch.Delta.Content); piece != "" {
				out.WriteString(piece)
				if onText != nil {
					onText(piece)
				}
			}
			if ch.FinishReason != "" {
				finished = true
			}
		}
	}
	switch {
	case chunks == 0:
		// Not one event: an HTML page or some other API, not a cut stream.
		return "", 0, errNotCompatible
	case !finished:
		return out.String(), 0, errStreamCut
	}
	if strings.TrimSpace(out.String()) == "" {
		return "", 0, ErrEmptyReply
	}
	return out.String(), promptTokens, nil
}

// Models lists the models the server offers.
func (c *ChatClient) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := c.cfg.Start(ctx)
	defer cancel()
	list, err := c.client.ListModels(ctx)
	if err != nil {
		return nil, c.cfg.Explain(ctx, err)
	}
	ids := make([]string, len(list.Models))
	for i, m := range list.Models {
		ids[i] = m.ID
	}
	return ids, nil
}

// Model is the configured model name.
func (c *ChatClient) Model() string { return c.cfg.Model }

// thinkFilter drops a leading <think>…</think> block from streamed text,
// as some servers put a reasoning model's thoughts in the answer.
type thinkFilter struct {
	buf     strings.Builder
	decided bool // whether the text starts with a think block is known
	inside  bool
	after   bool // a think block ended and no answer text has come yet
}

const thinkOpen, thinkClose = "<think>", "</think>"

func (f *thinkFilter) write(s string) string {
	if f.decided && !f.inside {
		if f.after {
			s = strings.TrimLeft(s, " \n\r\t")
			f.after = s == ""
		}
		return s
	}
	f.buf.WriteString(s)
	text := f.buf.String()
	if !f.decided {
		trimmed := strings.TrimLeft(text, " \n\r\t")
		if len(trimmed) < len(thinkOpen) && strings.HasPrefix(thinkOpen, trimmed) {
			return "" // may still become "<think>"
		}
		f.decided = true
		f.inside = strings.HasPrefix(trimmed, thinkOpen)
		if !f.inside {
			f.buf.Reset()
			return text
		}
	}
	i := strings.Index(text, thinkClose)
	if i < 0 {
		return ""
	}
	f.inside = false
	f.buf.Reset()
	rest := strings.TrimLeft(text[i+len(thinkClose):], " \n\r\t")
	f.after = rest == ""
	return rest
}

// stripThinking removes a leading <think>…</think> block from a reply.
func stripThinking(s string) string {
	var f thinkFilter
	return f.write(s)
}
