package rag

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/qabot/qabot/rag/question"
)

// Hit is a passage found for a question.
type Hit struct {
	Chunk Chunk
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

// proximityWeight is the share of a passage's coverage score that comes
// from its best pair of sentences rather than the whole passage.
const proximityWeight = 0.5

// candidatePool is the least number of passages each ranking contributes
// before re-ranking: near-duplicate articles can push the answering passage
// below the first twenty of one list.
const candidatePool = 50

// rrfK is the reciprocal-rank-fusion constant of Cormack et al. (2009).
const rrfK = 60

// Search returns up to topK passages for a question, best first: the union
// of the dense (vector) and BM25 rankings fused by reciprocal rank, then
// re-ranked with the passages' coverage of the question's terms.
func (s *Store) Search(ctx context.Context, q question.Question, topK int) ([]Hit, error) {
	if topK <= 0 {
		return nil, fmt.Errorf("top_k must be positive, got %d", topK)
	}
	pool := min(max(4*topK, candidatePool), s.nLive)
	fused := map[int]float64{}
	dense, err := s.denseSearch(ctx, q, pool)
	if err != nil {
		return nil, err
	}
	lexical := s.lexicalSearch(q.Terms, pool)
	similarity := map[int]float64{}
	for rank, d := range dense {
		fused[d.pos] += denseWeight(s.embedder) / float64(rrfK+rank+1)
		similarity[d.pos] = d.score
	}
	for rank, pos := range lexical {
		fused[pos] += 1 / float64(rrfK+rank+1)
	}
	m := s.matcher(q.Terms)
	hits := make([]Hit, 0, len(fused))
	for pos, rrf := range fused {
		rel, closeness := m.passageScores(s.chunks[pos].Text)
		// RRF of a passage ranked first by both lists is 2/61; scale it to
		// the range of relevance so that both count.
		score := proximityWeight*closeness + (1-proximityWeight)*rel + rrf*float64(rrfK+1)/2
		hits = append(hits, Hit{Chunk: s.chunks[pos], Relevance: rel, Score: score, Similarity: similarity[pos]})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Chunk.ID() < hits[j].Chunk.ID()
	})
	out := mergeNeighbours(hits, topK)
	for i := range out {
		// Texts are in the segments' mapping, which goes away with the
		// store; only the passages returned are copied out.
		out[i].Chunk.Text = strings.Clone(out[i].Chunk.Text)
	}
	return out, nil
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
func mergeChunks(a, b Chunk) (Chunk, bool) {
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

// denseWeight is the weight of the dense ranking in the fusion. The local
// embedder hashes the same n-grams that BM25 counts, without IDF, so it is
// a weaker copy of the lexical signal and counts for less; a neural
// embedder brings meaning that BM25 misses and counts fully.
func denseWeight(e Embedder) float64 {
	if _, ok := e.(*LocalEmbedder); ok {
		return 0.3
	}
	return 1
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
	_, ok := s.embedder.(*LocalEmbedder)
	return ok
}

// denseSearch ranks chunks by the cosine similarity of their vectors to the
// question's, returning up to n.
func (s *Store) denseSearch(ctx context.Context, q question.Question, n int) ([]scored, error) {
	vecs, err := s.embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed question: %w", err)
	}
	if isZero(vecs[0]) {
		return nil, nil // nothing to compare, e.g. only punctuation
	}
	hits, err := s.vectorSearch(ctx, q.Folded, vecs[0], n)
	if err == nil || ctx.Err() != nil || s.remote == nil {
		return hits, err
	}
	// The remote index is down: the segments hold the vectors too.
	if s.OnRemoteError != nil {
		s.OnRemoteError(err)
	}
	return s.scanVectors(vecs[0], n), nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
