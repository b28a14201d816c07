package llm

import (
	"bytes"
	"context"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Transcriber turns speech into text through an OpenAI-compatible
// /v1/audio/transcriptions server: whisper.cpp's server,
// faster-whisper-server, vLLM or OpenAI.
type Transcriber struct {
	cfg    ModelConfig
	client *openai.Client
}

// NewTranscriber is a transcriber for the server of cfg.
func NewTranscriber(cfg ModelConfig) *Transcriber {
	return &Transcriber{cfg: cfg, client: NewOpenAIClient(cfg)}
}

// Transcribe returns the text spoken in audio, a file named name (its
// extension tells the server the format: voice.ogg).
func (t *Transcriber) Transcribe(ctx context.Context, name string, audio []byte) (string, error) {
	ctx, cancel := t.cfg.Start(ctx)
	defer cancel()
	resp, err := t.client.CreateTranscription(ctx, openai.AudioRequest{Model: t.cfg.Model, FilePath: name, Reader: bytes.NewReader(audio)})
	if err != nil {
		return "", t.cfg.Explain(ctx, err)
	}
	text := strings.TrimSpace(resp.Text)
	if text == "" {
		return "", ErrEmptyReply
	}
	return text, nil
}
