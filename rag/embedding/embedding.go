// Package embedding turns texts into normalised vectors: the local
// embedder (hashed character n-grams, offline, no model) or any
// OpenAI-compatible embeddings endpoint.
package embedding

import (
	"context"
	"math"
)

// Embedder turns texts into vectors for the vector store.
//
// Embed must return one *normalised* vector per text, all of length Dim():
// chromem-go scores by dot product and does not normalise vectors that it
// computes itself. ID names the model and its settings; vectors from
// embedders with different IDs must never be mixed in one store.
type Embedder interface {
	ID() string
	Dim() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Normalize scales v to unit length; a zero vector stays zero.
func Normalize[T float32 | float64](v []T) []float32 {
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(float64(x) / norm)
	}
	return out
}

// Dot is the dot product of two vectors of one length: their cosine
// similarity, as vectors are normalised.
//
// Four sums run side by side: a scan of a million vectors waits on the
// additions, not the loads, when one sum takes them all in turn.
func Dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i]) * float64(b[i])
		s1 += float64(a[i+1]) * float64(b[i+1])
		s2 += float64(a[i+2]) * float64(b[i+2])
		s3 += float64(a[i+3]) * float64(b[i+3])
	}
	for ; i < len(a); i++ {
		s0 += float64(a[i]) * float64(b[i])
	}
	return s0 + s1 + s2 + s3
}

// IsZero reports whether every component of v is 0, as an embedder gives
// for a text with nothing in it to embed.
func IsZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
