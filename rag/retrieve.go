package rag

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/question"
)

// Hit is a passage found for a question.
type Hit struct {
	Chunk document.Chunk
	// Score is the fused rank score (reciprocal-rank fusion of the dense and
	// lexical rankings, blended with Relevance); higher is better.
	Score float64
	// Relevance is the IDF-weighted share of the question's terms that the
	// passage contains, from 0 to 1.
	Relevance float64
	// Similarity is the cosine similarity of the passage's vector to the
	// question's, when the dense search ranked it; else 0.
	Similarity float64
}

// Search returns up to topK passages for a question, best first: the
// candidates (see Candidates) ranked by the default weights.
func (s *Store) Search(ctx context.Context, q question.Question, topK int) ([]Hit, error) {
	return s.SearchWith(ctx, q, topK, DefaultWeights)
}

// SearchWith is Search with the given weights.
func (s *Store) SearchWith(ctx context.Context, q question.Question, topK int, w *Weights) ([]Hit, error) {
	if topK <= 0 {
		return nil, fmt.Errorf("top_k must be positive, got %d", topK)
	}
	cands, err := s.Candidates(ctx, q)
	if err != nil {
		return nil, err
	}
	return Rank(cands, w, topK), nil
}

// mergeNeighbours takes hits best first and joins each hit to an earlier one
// of the adjacent chunk of the same article, so that a passage cut in two
// (a quote and, in the next chunk, who said it) reads as one; it returns at
// most topK passages. Candidates below the top K still join their
// neighbours among the top K.
func mergeNeighbours(hits []Hit, topK int) []Hit {
	var out []Hit
	for _, h := range hits {
		merged := false
		for i := range out {
			if c, ok := mergeChunks(out[i].Chunk, h.Chunk); ok {
				out[i].Chunk = c
				out[i].Relevance = max(out[i].Relevance, h.Relevance)
				merged = true
				break
			}
		}
		if !merged && len(out) < topK {
			out = append(out, h)
		}
	}
	return out
}

// mergeChunks joins two chunks of one article that touch or overlap.
func mergeChunks(a, b document.Chunk) (document.Chunk, bool) {
	if a.Doc != b.Doc {
		return a, false
	}
	if b.Start < a.Start {
		a, b = b, a
	}
	if b.Start > a.End+2 || b.End <= a.End { // apart, or b inside a
		return a, b.End <= a.End && b.Start >= a.Start
	}
	rest := []rune(b.Text)
	sep := ""
	if overlap := a.End - b.Start; overlap > 0 {
		rest = rest[overlap:]
	} else if b.Start > a.End {
		sep = "\n"
	}
	a.Text += sep + string(rest)
	a.End = b.End
	return a, true
}

// scored is a passage's global position and its score for a question:
// a cosine similarity or a BM25 score.
type scored struct {
	pos   int
	score float64
}

// sortScored puts the highest score first, ties in passage order.
func sortScored(xs []scored) {
	slices.SortFunc(xs, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})
}

// lexicalEmbedder reports whether the store's embedder is the local one,
// whose similarity counts shared n-grams, not meaning.
func (s *Store) lexicalEmbedder() bool {
	_, ok := s.embedder.(*embedding.LocalEmbedder)
	return ok
}

// questionVector is the question's vector; nil when it has nothing to
// compare (only punctuation).
func (s *Store) questionVector(ctx context.Context, q question.Question) ([]float32, error) {
	vecs, err := s.embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed question: %w", err)
	}
	if embedding.IsZero(vecs[0]) {
		return nil, nil
	}
	return vecs[0], nil
}

// denseSearch ranks passages by the cosine similarity of their vectors to
// vec, the question's, returning up to n: from the vector index, or from
// the segments' vectors when a remote index is down.
func (s *Store) denseSearch(ctx context.Context, question string, vec []float32, n int) ([]scored, error) {
	hits, err := s.vectorSearch(ctx, question, vec, n)
	if err == nil || ctx.Err() != nil || s.remote == nil {
		return hits, err
	}
	if s.OnRemoteError != nil {
		s.OnRemoteError(err)
	}
	return s.scanVectors(vec, n), nil
}
