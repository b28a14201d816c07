package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/cmd/qabot/internal/api"
	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/index"
)

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Answer over HTTP: an OpenAI-compatible API, /v1/ask, health checks and metrics",
		Long: `Serve the collections over HTTP on serve.listen (default 127.0.0.1:8080):
  GET  /v1/models            the collections, as models
  POST /v1/chat/completions  OpenAI's chat completions, streamed or whole; the last user
                             message is the question, the ones before it the conversation
  POST /v1/ask               {"question": "...", "collection": "..."}: what ask --json prints
  GET  /healthz, /readyz     alive; ready (collection opened, model server reachable)
  GET  /metrics              Prometheus metrics
With serve.api_keys set, requests need "Authorization: Bearer KEY"; without, qabot serves
loopback addresses only. Stop it with Ctrl-C (SIGINT) or SIGTERM: answers in flight finish.` + exitCodesHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.warm = true
			return a.serve(cmd.Context())
		},
	}
}

// serve runs the HTTP API until ctx is done.
func (a *app) serve(ctx context.Context) error {
	cfg := a.cfg.Serve
	if len(cfg.APIKeys) == 0 && !isLoopback(cfg.Listen) {
		return usageError{fmt.Errorf("serve.listen %s is reachable from other machines: set serve.api_keys, or listen on 127.0.0.1", cfg.Listen)}
	}
	log := a.serviceLog()
	srv := api.New(api.Options{
		Collections: func() ([]string, error) { return a.collectionNames() },
		Default:     a.cfg.Collection,
		Open: func(ctx context.Context, name string) (api.Answerer, error) {
			b := *a
			b.cfg.Collection = name
			s, err := b.openStore(ctx)
			if err != nil {
				return nil, err
			}
			ans := b.answerer(s)
			ans.Log = log
			return b.liveAnswerer(ans, log), nil
		},
		APIKeys: cfg.APIKeys, Concurrency: cfg.Concurrency, RatePerMinute: cfg.RatePerMinute,
		MaxQuestionRunes: rag.MaxQuestionRunes, Log: log,
	})
	srv.SetReady(func(ctx context.Context) error { return a.ready(ctx, srv) })
	if err := srv.Warm(ctx); err != nil { // the default collection, built now rather than at the first question
		return err
	}
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve.listen %s: %w", cfg.Listen, err)
	}
	access := "loopback only, no API keys"
	if len(cfg.APIKeys) > 0 {
		access = fmt.Sprintf("%d API keys", len(cfg.APIKeys))
	}
	log.Info("qabot serve: listening", "url", "http://"+l.Addr().String()+"/v1", "access", access, "collection", a.cfg.Collection)
	return serveHTTP(ctx, l, srv.Handler(), a.cfg.LLM.Timeout, log)
}

// serviceLog is the log of a long-running command: the -v debug log, else
// one at the info level.
func (a *app) serviceLog() *slog.Logger {
	if a.verbose {
		return a.log
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serveHTTP serves h on l until ctx is done, then lets the requests in
// flight finish (as long as an answer may take) before it returns.
func serveHTTP(ctx context.Context, l net.Listener, h http.Handler, answerTime time.Duration, log *slog.Logger) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2*answerTime + time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("stopping: letting the answers in flight finish")
	stop, cancel := context.WithTimeout(context.Background(), 2*answerTime+10*time.Second)
	defer cancel()
	err := hs.Shutdown(stop)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// collectionNames are the collections of the data dir, with the configured
// one, which the first question builds if need be.
func (a *app) collectionNames() ([]string, error) {
	list, err := index.ListCollections(a.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	names := []string{a.cfg.Collection}
	for _, c := range list {
		if !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	return names, nil
}

// ready reports what keeps the server from answering: its default
// collection, or a model server that does not answer.
func (a *app) ready(ctx context.Context, srv *api.Server) error {
	if err := srv.Warm(ctx); err != nil {
		return err
	}
	if c := a.chatClient(); c != nil {
		if _, err := c.Models(ctx); err != nil {
			return fmt.Errorf("the model server: %w", err)
		}
	}
	return nil
}

// isLoopback reports whether a listen address is on loopback only.
func isLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
