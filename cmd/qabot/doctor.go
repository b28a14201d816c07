package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/bot"
	"github.com/qabot/qabot/config"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/weaviate"
)

// errChecksFailed is doctor's result when a check failed.
var errChecksFailed = errors.New("some checks failed; see above")

func (a *app) doctorCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the model server, the embedding server, the Telegram token and the index",
		Long: `Check each configured service and say what is wrong and how to fix it:
the LLM server (its model list and one tiny completion), the embedding server,
the Telegram bot token (getMe) and the index in the data dir.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			ok := true
			checks := []struct {
				name  string
				check func(context.Context) (string, error)
			}{{"llm", a.checkLLM}, {"embedding", a.checkEmbedding}, {"telegram", a.checkTelegram}, {"index", a.checkIndex}, {"weaviate", a.checkWeaviate}}
			for _, c := range checks {
				status, err := c.check(ctx)
				if err != nil {
					ok = false
					fmt.Fprintf(a.stdout, "%-10s FAIL  %v\n", c.name, err)
					continue
				}
				fmt.Fprintf(a.stdout, "%-10s ok    %s\n", c.name, status)
			}
			if !ok {
				return errChecksFailed
			}
			return nil
		},
	}
}

func (a *app) checkLLM(ctx context.Context) (string, error) {
	c := a.chatClient()
	if c == nil {
		return "not configured: answers are extractive (set llm.base_url and llm.model for generated answers)", nil
	}
	models, err := c.Models(ctx)
	if err != nil {
		return "", err
	}
	note := ""
	if len(models) > 0 && !slices.Contains(models, c.Model()) && !slices.Contains(models, c.Model()+":latest") { // Ollama lists tiny as tiny:latest
		// llama.cpp lists its file name and serves any model name: try anyway.
		note = fmt.Sprintf("; note: the server does not list llm.model %q; it has: %s", c.Model(), shortList(models, 8))
	}
	start := time.Now()
	reply, err := c.Complete(ctx, []llm.Message{{Role: "user", Content: "Reply with the single word OK."}})
	if err != nil {
		return "", fmt.Errorf("%w%s", err, note)
	}
	w := c.Window(ctx)
	return fmt.Sprintf("%s at %s answered %q in %s; context window %s: prompts up to %d tokens, answers up to %d%s",
		c.Model(), a.cfg.LLM.BaseURL, shortText(reply, 20), time.Since(start).Round(time.Millisecond), w, c.PromptBudget(ctx), c.AnswerTokens(ctx), note), nil
}

// checkEmbedding probes the embedding server and keeps the embedder for
// checkIndex, so that the server is probed once.
func (a *app) checkEmbedding(ctx context.Context) (string, error) {
	emb, err := a.embedder(ctx)
	if err != nil {
		return "", err
	}
	a.checked = emb
	return fmt.Sprintf("%s, %d dims", emb.ID(), emb.Dim()), nil
}

func (a *app) checkTelegram(ctx context.Context) (string, error) {
	if a.cfg.Telegram.Token == "" {
		return "not configured (set telegram.token to run qabot telegram)", nil
	}
	name, err := bot.CheckToken(ctx, a.cfg.Telegram.APIURL, a.cfg.Telegram.Token)
	if err != nil {
		return "", err
	}
	return "@" + name, nil
}

func (a *app) checkIndex(ctx context.Context) (string, error) {
	if a.checked == nil {
		return "", errors.New("cannot check without the embedder")
	}
	dir := a.collectionDir()
	s, err := index.Open(ctx, dir, a.checked, a.chunker())
	switch {
	case errors.Is(err, index.ErrNoStore) && a.cfg.Collection != index.DefaultCollection:
		return "", a.unknownCollection()
	case errors.Is(err, index.ErrNoStore):
		return fmt.Sprintf("collection %q has no index yet in %s: the first question builds it (or run qabot ingest)", a.cfg.Collection, dir), nil
	case errors.Is(err, index.ErrIncompatible):
		return "", fmt.Errorf("collection %q: %w: run qabot ingest to re-index it", a.cfg.Collection, err)
	case errors.Is(err, index.ErrCorrupt):
		return "", fmt.Errorf("collection %q: %w: run qabot ingest to repair it from its articles", a.cfg.Collection, err)
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("collection %q: %d articles, %d passages from %s, consistent, in %s", a.cfg.Collection, len(s.Manifest.Articles), s.Count(), s.Manifest.Corpus, dir), nil
}

// checkWeaviate checks the Weaviate server of store.backend weaviate, and
// that the collection's class holds as many passages as its index.
func (a *app) checkWeaviate(ctx context.Context) (string, error) {
	if a.cfg.Store.Backend != "weaviate" {
		return "not used (store.backend is local)", nil
	}
	client := a.weaviateClient()
	version, err := client.Ready(ctx)
	if err != nil {
		return "", err
	}
	class := weaviate.ClassName(a.cfg.Collection)
	n, err := client.Count(ctx, class)
	if err != nil {
		return "", fmt.Errorf("class %s: %w (run qabot ingest to create it)", class, err)
	}
	m, err := index.ReadLiveManifest(a.collectionDir())
	if err == nil && n != m.Passages() {
		return "", fmt.Errorf("class %s holds %d passages, the index %d: run qabot ingest to bring it up to date", class, n, m.Passages())
	}
	return fmt.Sprintf("Weaviate %s at %s, class %s with %d passages", version, config.RedactURL(a.cfg.Weaviate.URL), class, n), nil
}

func shortList(items []string, n int) string {
	if len(items) > n {
		return strings.Join(items[:n], ", ") + ", …"
	}
	return strings.Join(items, ", ")
}

func shortText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
