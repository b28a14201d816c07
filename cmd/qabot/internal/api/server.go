// Package api serves qabot's answers over HTTP: an OpenAI-compatible chat
// completions endpoint (for chat front ends such as Open WebUI), the
// object `ask --json` prints, health checks and Prometheus metrics.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/qabot/qabot/rag"
)

// MaxBodyBytes bounds a request body: a conversation's messages, not
// documents.
const MaxBodyBytes = 1 << 20

// Options configure a Server.
type Options struct {
	// Collections lists the collections that may be asked (the models of
	// /v1/models); Default is the one asked when a request names none.
	Collections func() ([]string, error)
	Default     string
	// Open returns the answerer of a collection; it is called once per
	// collection, and the answerer kept.
	Open func(ctx context.Context, collection string) (Answerer, error)
	// APIKeys are the keys a request must bear (Authorization: Bearer);
	// none: every request is served (on loopback only; see Listen).
	APIKeys []string
	// Concurrency bounds the questions answered at once; RatePerMinute
	// the questions one key (or one address, without keys) may ask.
	Concurrency, RatePerMinute int
	// MaxQuestionRunes bounds a question; longer ones are refused.
	MaxQuestionRunes int
	Metrics          *Metrics
	Log              *slog.Logger
}

// Server answers questions over HTTP.
type Server struct {
	opts       Options
	slots      chan struct{}
	readyCheck func(ctx context.Context) error

	mu        sync.Mutex // answerers; held while a collection opens
	answerers map[string]Answerer
	limitMu   sync.Mutex
	limiters  map[string]*rate.Limiter
}

// New makes a server.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	return &Server{opts: opts, slots: make(chan struct{}, max(1, opts.Concurrency)),
		answerers: map[string]Answerer{}, limiters: map[string]*rate.Limiter{}}
}

// SetReady sets the check of /readyz: it reports what keeps the server
// from answering (a collection that cannot be opened, a model server that
// cannot be reached). Without one, the server is ready.
func (s *Server) SetReady(ready func(ctx context.Context) error) { s.readyCheck = ready }

// Warm opens the default collection, as the first question would.
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.answerer(ctx, "")
	return err
}

// Handler routes the endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.opts.Metrics.Handler())
	mux.Handle("GET /v1/models", s.guard(http.HandlerFunc(s.models)))
	mux.Handle("POST /v1/chat/completions", s.guard(http.HandlerFunc(s.chat)))
	mux.Handle("POST /v1/ask", s.guard(http.HandlerFunc(s.ask)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "not_found", fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// guard checks the API key and the key's rate, and bounds the body.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := clientAddress(r)
		if len(s.opts.APIKeys) > 0 {
			key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || !s.knownKey(key) {
				writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "a valid API key is needed: Authorization: Bearer KEY, one of serve.api_keys")
				return
			}
			sum := sha256.Sum256([]byte(key))
			who = fmt.Sprintf("key %x", sum[:6])
		}
		if r.Method == http.MethodPost && !s.limiter(who).Allow() {
			w.Header().Set("Retry-After", "60")
			writeError(w, http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded", fmt.Sprintf("more than %d questions a minute: try again shortly", s.opts.RatePerMinute))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

func (s *Server) knownKey(key string) bool {
	return slices.ContainsFunc(s.opts.APIKeys, func(k string) bool { return subtle.ConstantTimeCompare([]byte(k), []byte(key)) == 1 })
}

// clientAddress is the remote address without its port.
func clientAddress(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = host[:i]
	}
	return host
}

func (s *Server) limiter(who string) *rate.Limiter {
	s.limitMu.Lock()
	defer s.limitMu.Unlock()
	l, ok := s.limiters[who]
	if !ok {
		per := max(1, s.opts.RatePerMinute)
		l = rate.NewLimiter(rate.Every(time.Minute/time.Duration(per)), per)
		s.limiters[who] = l
	}
	return l
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.readyCheck == nil {
		fmt.Fprintln(w, "ready")
		return
	}
	if err := s.readyCheck(r.Context()); err != nil {
		s.opts.Log.Warn("serve: not ready", "error", err)
		// What is down, and where, is for the operator: the log, or a
		// caller with a key. Anyone else learns only that it is down.
		msg := "not ready: see the server's log"
		if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && len(s.opts.APIKeys) > 0 && s.knownKey(key) {
			msg = err.Error()
		}
		writeError(w, http.StatusServiceUnavailable, "server_error", "not_ready", msg)
		return
	}
	fmt.Fprintln(w, "ready")
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	names, err := s.opts.Collections()
	if err != nil {
		s.internalError(w, err)
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	out := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, n := range names {
		out.Data = append(out.Data, model{ID: n, Object: "model", OwnedBy: "qabot"})
	}
	writeJSON(w, http.StatusOK, out)
}

// answerer is the answerer of a collection, opened on first use.
func (s *Server) answerer(ctx context.Context, collection string) (Answerer, error) {
	if collection == "" {
		collection = s.opts.Default
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.answerers[collection]; ok {
		return a, nil
	}
	// Only a collection not yet open is looked for in the data dir.
	names, err := s.opts.Collections()
	if err != nil {
		return nil, err
	}
	if !slices.Contains(names, collection) {
		return nil, errUnknownModel{collection, names}
	}
	a, err := s.opts.Open(ctx, collection)
	if err != nil {
		return nil, err
	}
	a = s.opts.Metrics.Instrument(a)
	s.answerers[collection] = a
	return a, nil
}

// errUnknownModel is a request for a collection that is not there.
type errUnknownModel struct {
	name  string
	known []string
}

func (e errUnknownModel) Error() string {
	return fmt.Sprintf("the model %q does not exist: the models are qabot's collections (%s)", e.name, strings.Join(e.known, ", "))
}

// askRequest is the body of /v1/ask.
type askRequest struct {
	Question   string `json:"question"`
	Collection string `json:"collection"`
}

func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	if !s.decode(w, r, &req) {
		return
	}
	ans, ok := s.answer(w, r, req.Collection, rag.Request{Question: req.Question})
	if ok {
		writeJSON(w, http.StatusOK, NewAnswerJSON(ans))
	}
}

// answer answers req from a collection, within the concurrency bound; it
// writes the error and reports false when it cannot.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, collection string, req rag.Request) (rag.Answer, bool) {
	question := strings.TrimSpace(req.Question)
	switch n := len([]rune(question)); {
	case n == 0:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "empty_question", "the question is empty")
		return rag.Answer{}, false
	case s.opts.MaxQuestionRunes > 0 && n > s.opts.MaxQuestionRunes:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "question_too_long",
			fmt.Sprintf("the question has %d characters, more than the %d allowed", n, s.opts.MaxQuestionRunes))
		return rag.Answer{}, false
	}
	a, err := s.answerer(r.Context(), collection)
	var unknown errUnknownModel
	switch {
	case errors.As(err, &unknown):
		writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found", err.Error())
		return rag.Answer{}, false
	case err != nil:
		s.internalError(w, err)
		return rag.Answer{}, false
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return rag.Answer{}, false
	}
	ans, err := a.Answer(r.Context(), req)
	switch {
	case errors.Is(err, rag.ErrEmptyQuestion):
		writeError(w, http.StatusBadRequest, "invalid_request_error", "empty_question", "the question has no words in it")
		return rag.Answer{}, false
	case r.Context().Err() != nil:
		return rag.Answer{}, false // the client went away: nothing to write to
	case err != nil:
		s.internalError(w, err)
		return rag.Answer{}, false
	}
	return ans, true
}

// decode reads a JSON body into v, or writes the error.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(r.Body).Decode(v)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large", fmt.Sprintf("the request is larger than %d bytes", MaxBodyBytes))
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "the request body is not the JSON expected: "+err.Error())
	default:
		return true
	}
	return false
}

// internalError logs err and answers 500 without its detail.
func (s *Server) internalError(w http.ResponseWriter, err error) {
	s.opts.Log.Error("serve: a request failed", "error", err)
	writeError(w, http.StatusInternalServerError, "server_error", "internal_error", "the question could not be answered; the server's log says why")
}

// writeError writes an error in OpenAI's shape.
func writeError(w http.ResponseWriter, status int, kind, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": kind, "param": nil, "code": code}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
