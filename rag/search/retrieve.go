// Package search finds the passages of an index most likely to answer a
// question: a pool of candidates from BM25 over passages and articles and
// from the dense search, each described by general features (rank.go) and
// ranked by their weighted sum, adjacent passages joined.
package search

import (
	"context"
	"fmt"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index"
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
	// ArticleCover is the share of the question's terms, weighed by their
	// rarity among articles, that the passage's article holds.
	ArticleCover float64
	// Named is whether the question asks about the passage's article as a
	// whole and names it by its title or reporters (RankNamed).
	Named bool
}

// SearchWith is Search with the given weights.
func Search(ctx context.Context, s *index.Store, q question.Question, topK int, w RankWeights) ([]Hit, error) {
	if topK <= 0 {
		return nil, fmt.Errorf("top_k must be positive, got %d", topK)
	}
	cands, err := Candidates(ctx, s, q)
	if err != nil {
		return nil, err
	}
	return Rank(cands, w, topK), nil
}

// MergeNeighbours takes hits best first and joins each hit to an earlier one
// of the adjacent chunk of the same article, so that a passage cut in two
// (a quote and, in the next chunk, who said it) reads as one; it returns at
// most topK passages. Candidates below the top K still join their
// neighbours among the top K.
func MergeNeighbours(hits []Hit, topK int) []Hit {
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
