package eval

import (
	"time"

	"testing"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/llm"
)

// seedAnswerer answers from the seeds, offline, with the default settings.
func seedAnswerer(t testing.TB) *rag.Answerer {
	return &rag.Answerer{Store: indextest.Seeds(t), TopK: 5, MinRelevance: 0.08}
}

// testChatConfig is the settings of a fake model server at baseURL.
func testChatConfig(baseURL string) llm.ChatConfig {
	return llm.ChatConfig{ModelConfig: llm.ModelConfig{Setting: "llm", BaseURL: baseURL, APIKey: "sk-test", Model: "fake-model", Timeout: 2 * time.Second},
		MaxTokens: 1024, ContextTokens: 32768}
}
