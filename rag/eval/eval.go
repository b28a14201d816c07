// Package eval measures answers: it runs a question set (JSON Lines) and
// computes hit@1, hit@k, MRR, keyword recall and refusal rates, and gives
// the naive baseline (BM25 over fixed 300-character chunks) to set them
// beside.
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/reply"
)

// Question is one line of an evaluation set (see shared/eval/README.md).
type Question struct {
	ID             string   `json:"id"`
	Question       string   `json:"question"`
	Source         *string  `json:"source"`
	Evidence       []string `json:"evidence"`
	AnswerKeywords []string `json:"answer_keywords"`
	Kind           string   `json:"kind"`
	Lang           string   `json:"lang"`
}

// ReadSet reads JSON lines of EvalQuestions, skipping blank lines.
func ReadSet(r io.Reader) ([]Question, error) {
	var out []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if q.Question == "" {
			return nil, fmt.Errorf("line %d: no question", n)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

// Result is the outcome of one question.
type Result struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Lang       string `json:"lang"`
	Answerable bool   `json:"answerable"`
	Rank       int    `json:"rank"` // 1-based rank of the first passage with evidence; 0 if none
	Refused    bool   `json:"refused"`
	Deferred   bool   `json:"deferred"`    // refused because a model is needed (another language, offline)
	KeywordHit bool   `json:"keyword_hit"` // the answer contains an answer keyword
	Answer     string `json:"answer"`
}

// Metrics summarises EvalResults.
type Metrics struct {
	Answerable        int     `json:"answerable"`
	Unanswerable      int     `json:"unanswerable"`
	HitAt1            float64 `json:"hit_at_1"`
	HitAtK            float64 `json:"hit_at_k"`
	K                 int     `json:"k"`
	MRR               float64 `json:"mrr"`
	RefusalRate       float64 `json:"refusal_rate"`
	FalseRefusals     int     `json:"false_refusals"`
	FalseRefusalRate  float64 `json:"false_refusal_rate"`
	KeywordRecall     float64 `json:"answer_keyword_recall"`
	RefusedUnanswered int     `json:"refused_unanswerable"`
	// Deferred counts questions answered with "this needs a model"
	// (answerable or not); they are not false refusals.
	Deferred int `json:"deferred"`
}

// AskFunc answers one question.
type AskFunc func(ctx context.Context, question string) (rag.Answer, error)

// Evaluate asks every question and scores the answers.
func Evaluate(ctx context.Context, qs []Question, ask AskFunc) ([]Result, error) {
	out := make([]Result, 0, len(qs))
	for _, q := range qs {
		ans, err := ask(ctx, q.Question)
		if err != nil {
			return out, fmt.Errorf("%s: %w", q.ID, err)
		}
		r := Result{ID: q.ID, Kind: q.Kind, Lang: q.Lang, Answerable: q.Source != nil, Refused: ans.Refused(), Deferred: ans.Deferred(), Answer: reply.Text(ans, ans.Lang)}
		if q.Source != nil && !ans.Refused() { // a refused question is a miss, whatever was retrieved
			r.Rank = evidenceRank(*q.Source, q.Evidence, ans.Retrieved)
			r.KeywordHit = containsAny(ans.Text, q.AnswerKeywords)
		}
		out = append(out, r)
	}
	return out, nil
}

// evidenceRank is the 1-based rank of the first source from doc that holds
// one of the evidence strings, whitespace ignored; 0 when none does.
func evidenceRank(doc string, evidence []string, sources []rag.Source) int {
	for i, s := range sources {
		if s.Doc != doc {
			continue
		}
		text := stripSpace(s.Text)
		for _, e := range evidence {
			if strings.Contains(text, stripSpace(e)) {
				return i + 1
			}
		}
	}
	return 0
}

func containsAny(text string, words []string) bool {
	text = strings.ToLower(stripSpace(text))
	for _, w := range words {
		if strings.Contains(text, strings.ToLower(stripSpace(w))) {
			return true
		}
	}
	return false
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Summarise computes the metrics over results that keep(r) selects; k is
// the number of passages retrieved per question.
func Summarise(results []Result, k int, keep func(Result) bool) Metrics {
	m := Metrics{K: k}
	var hit1, hitK, rr, kw float64
	for _, r := range results {
		if keep != nil && !keep(r) {
			continue
		}
		if r.Deferred {
			m.Deferred++
		}
		if !r.Answerable {
			m.Unanswerable++
			if r.Refused {
				m.RefusedUnanswered++
			}
			continue
		}
		m.Answerable++
		if r.Refused && !r.Deferred {
			m.FalseRefusals++
		}
		if r.Rank == 1 {
			hit1++
		}
		if r.Rank >= 1 && r.Rank <= k {
			hitK++
			rr += 1 / float64(r.Rank)
		}
		if r.KeywordHit {
			kw++
		}
	}
	if m.Answerable > 0 {
		n := float64(m.Answerable)
		m.HitAt1, m.HitAtK, m.MRR, m.KeywordRecall = hit1/n, hitK/n, rr/n, kw/n
		m.FalseRefusalRate = float64(m.FalseRefusals) / n
	}
	if m.Unanswerable > 0 {
		m.RefusalRate = float64(m.RefusedUnanswered) / float64(m.Unanswerable)
	}
	return m
}
