package embedding

import (
	"context"
	"fmt"

	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/terms"
)

// embedBatch is how many texts go in one embeddings request.
const embedBatch = 64

// OpenAIEmbedder embeds through an OpenAI-compatible /v1/embeddings
// endpoint (OpenAI, Ollama, vLLM, TEI), in batches, and normalises the
// vectors. Create it with NewOpenAIEmbedder, which learns the dimension.
type OpenAIEmbedder struct {
	cfg    llm.ModelConfig
	client *openai.Client
	dim    int
	// window is the model's context window, as the server says it; 0 when
	// it does not. Inputs are cut to it, since servers that take longer
	// ones cut them silently, or embed them badly.
	window int
}

// NewOpenAIEmbedder returns an embedder for cfg after embedding one probe
// text, which checks the server and learns the vectors' dimension.
func NewOpenAIEmbedder(ctx context.Context, cfg llm.ModelConfig) (*OpenAIEmbedder, error) {
	if cfg.Setting == "" {
		cfg.Setting = "embedding"
	}
	e := &OpenAIEmbedder{cfg: cfg, client: llm.NewOpenAIClient(cfg)}
	if w, ok := llm.DetectWindow(ctx, cfg); ok {
		e.window = w.Tokens
	}
	vecs, err := e.embed(ctx, []string{"维度 dimension"})
	if err != nil {
		return nil, err
	}
	e.dim = len(vecs[0])
	return e, nil
}

// ID names the server and model; vectors of different IDs are never mixed.
func (e *OpenAIEmbedder) ID() string { return fmt.Sprintf("openai:%s@%s", e.cfg.Model, e.cfg.BaseURL) }

// Dim is the vector length the server returns.
func (e *OpenAIEmbedder) Dim() int { return e.dim }

// Embed returns one normalised vector per text, requesting embedBatch texts
// at a time.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += embedBatch {
		batch := make([]string, 0, embedBatch)
		for _, t := range texts[start:min(start+embedBatch, len(texts))] {
			batch = append(batch, fitTokens(terms.Script(t), e.window)) // Traditional text meets Simplified
		}
		vecs, err := e.embed(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, v := range vecs {
			if len(v) != e.dim {
				return nil, fmt.Errorf("the embedding server returned a vector of %d dims, want %d", len(v), e.dim)
			}
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// embed makes one request.
func (e *OpenAIEmbedder) embed(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := e.cfg.Start(ctx)
	defer cancel()
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: texts, Model: openai.EmbeddingModel(e.cfg.Model)})
	if err == nil && len(resp.Data) != len(texts) {
		err = fmt.Errorf("%w: %d vectors for %d texts", llm.ErrEmptyReply, len(resp.Data), len(texts))
	}
	if err != nil {
		return nil, e.cfg.Explain(ctx, err)
	}
	out := make([][]float32, len(texts))
	for i, d := range resp.Data {
		idx := d.Index
		if idx < 0 || idx >= len(texts) || out[idx] != nil {
			idx = i // servers that do not number their vectors
		}
		out[idx] = Normalize(d.Embedding)
	}
	for _, v := range out {
		if len(v) == 0 {
			return nil, e.cfg.Explain(ctx, fmt.Errorf("%w: an empty vector", llm.ErrEmptyReply))
		}
	}
	return out, nil
}

// fitTokens cuts text to at most window tokens, as estimated; window 0
// leaves it whole.
func fitTokens(text string, window int) string {
	if window <= 0 || llm.EstimateTokens(text) <= window-8 {
		return text
	}
	runes := []rune(text)
	lo, hi := 0, len(runes) // the longest prefix that fits
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if llm.EstimateTokens(string(runes[:mid])) <= window-8 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(runes[:lo])
}
