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
func Dot(a, b []float32) float64 {
	var sum float64
	for i, x := range a {
		sum += float64(x) * float64(b[i])
	}
	return sum
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
