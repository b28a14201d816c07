package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/llm"
)

// Metrics are qabot's Prometheus metrics: questions by mode and outcome,
// the latency of retrieval, of the model and of its first token, model
// errors by kind, and questions in flight; with the Go runtime's and the
// process's.
type Metrics struct {
	registry   *prometheus.Registry
	questions  *prometheus.CounterVec
	retrieval  prometheus.Histogram
	model      prometheus.Histogram
	firstToken prometheus.Histogram
	errors     *prometheus.CounterVec
	inFlight   prometheus.Gauge
}

// NewMetrics makes the metrics, in a registry of their own.
func NewMetrics() *Metrics {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qabot_questions_total",
			Help: "Questions answered, by mode (llm, extractive) and outcome (answered, refused, fell_back, failed)."}, []string{"mode", "outcome"}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qabot_retrieval_seconds",
			Help: "Time to search the passages for a question.", Buckets: buckets}),
		model: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qabot_model_seconds",
			Help: "Time of the model's whole answer.", Buckets: buckets}),
		firstToken: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "qabot_model_first_token_seconds",
			Help: "Time from asking the model to its first text.", Buckets: buckets}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qabot_model_errors_total",
			Help: "Failures of the model server, by kind (timeout, no_connection, auth, not_found, rate_limited, server_error, cut_off, ...)."}, []string{"kind"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "qabot_questions_in_flight",
			Help: "Questions being answered now."}),
	}
	m.registry.MustRegister(m.questions, m.retrieval, m.model, m.firstToken, m.errors, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Answerer answers questions; rag.Answerer is one.
type Answerer interface {
	Answer(ctx context.Context, req rag.Request) (rag.Answer, error)
}

// Instrument counts the answers of a, and times them.
func (m *Metrics) Instrument(a Answerer) Answerer { return instrumented{a, m} }

type instrumented struct {
	next Answerer
	m    *Metrics
}

func (i instrumented) Answer(ctx context.Context, req rag.Request) (rag.Answer, error) {
	i.m.inFlight.Inc()
	defer i.m.inFlight.Dec()
	ans, err := i.next.Answer(ctx, req)
	i.m.observe(ans, err)
	return ans, err
}

// observe records one answer.
func (m *Metrics) observe(ans rag.Answer, err error) {
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			m.questions.WithLabelValues(ans.Mode, "failed").Inc()
		}
		return
	}
	outcome := "answered"
	switch {
	case ans.ModelError != nil:
		outcome = "fell_back"
		kind := "other"
		var se *llm.ServiceError
		if errors.As(ans.ModelError, &se) && se.Kind != "" {
			kind = se.Kind
		}
		m.errors.WithLabelValues(kind).Inc()
	case ans.Refused():
		outcome = "refused"
	}
	m.questions.WithLabelValues(ans.Mode, outcome).Inc()
	seconds := func(h prometheus.Histogram, d time.Duration) {
		if d > 0 {
			h.Observe(d.Seconds())
		}
	}
	seconds(m.retrieval, ans.Timings.Retrieval)
	seconds(m.model, ans.Timings.Model)
	seconds(m.firstToken, ans.Timings.FirstToken)
}
