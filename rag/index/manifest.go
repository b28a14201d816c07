package index

import (
	"bytes"
	"fmt"
	"os"
	"time"

	json "github.com/goccy/go-json"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/internal/atomicfile"
)

// manifestVersion changes when the store layout or cleaning changes in a
// way that old stores cannot be read as they are.
const manifestVersion = 3

// Manifest describes one generation of the store: what was indexed and how.
type Manifest struct {
	Version      int                `json:"version"`
	Embedder     string             `json:"embedder"`
	Dim          int                `json:"dim"`
	ChunkSize    int                `json:"chunk_size"`
	ChunkOverlap int                `json:"chunk_overlap"`
	Corpus       string             `json:"corpus"`
	Language     string             `json:"language"`
	Created      time.Time          `json:"created"`
	Segments     []SegmentInfo      `json:"segments"`
	Articles     map[string]Indexed `json:"articles"`
}

// SegmentInfo names a segment file of the store and its passage count.
type SegmentInfo struct {
	Name   string `json:"name"`
	Chunks int    `json:"chunks"`
}

// Indexed is one article as recorded in the manifest.
type Indexed struct {
	Hash   string `json:"hash"`
	Title  string `json:"title"`
	Date   string `json:"date,omitempty"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"` // where a fetched page came from
	// Reporters are the names of the article's bylines, 、-separated.
	Reporters string `json:"reporters,omitempty"`
	Chunks    int    `json:"chunks"`
	// Segment holds the article's passages, from First on.
	Segment string `json:"segment"`
	First   int    `json:"first"`
}

// compatible reports why vectors built with m cannot be reused with the given
// embedder and chunker, or "" when they can.
func (m Manifest) compatible(e embedding.Embedder, c document.Chunker) string {
	switch {
	case m.Version != manifestVersion:
		return fmt.Sprintf("the store was built by another version of qabot (format %d, need %d)", m.Version, manifestVersion)
	case m.Embedder != e.ID() || m.Dim != e.Dim():
		return fmt.Sprintf("the store was built with embedder %s (%d dims) but %s (%d dims) is configured", m.Embedder, m.Dim, e.ID(), e.Dim())
	case m.ChunkSize != c.Size || m.ChunkOverlap != c.Overlap:
		return fmt.Sprintf("the store was built with chunk.size %d and chunk.overlap %d but %d and %d are configured", m.ChunkSize, m.ChunkOverlap, c.Size, c.Overlap)
	}
	return ""
}

func readManifest(path string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	// The map is made for all its articles at once (each has one "hash"
	// key, which no string can hold unescaped): growing a map of 70,000
	// articles as they are decoded costs a quarter of the reading.
	m.Articles = make(map[string]Indexed, bytes.Count(raw, []byte(`"hash":`)))
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("manifest: %w", err)
	}
	return m, nil
}

func writeManifest(path string, m Manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return atomicfile.WriteSync(path, raw)
}
