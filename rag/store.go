package rag

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/philippgille/chromem-go"
)

// The data directory holds generations of the store. Each generation is a
// directory with a chromem-go database and a manifest; the file CURRENT
// names the live one. Ingest builds a new generation beside the live one and
// switches CURRENT with an atomic rename, so readers see the old store or
// the new one, never a mix, and a killed ingest leaves the old one live.
const (
	currentFile    = "CURRENT"
	genPrefix      = "gen-"
	tmpPrefix      = "tmp-"
	chromemDir     = "chromem"
	collectionName = "chunks"
)

// Errors from Open.
var (
	// ErrNoStore means the data directory holds no store yet.
	ErrNoStore = errors.New("no store yet (run: qabot ingest)")
	// ErrIncompatible means the store was built with other settings.
	ErrIncompatible = errors.New("store does not match the configuration")
	// ErrCorrupt means the store could not be read.
	ErrCorrupt = errors.New("store is corrupt")
)

// Store is a read-only view of the live generation of the index: vectors in
// chromem-go, a BM25 index, and the manifest. It is safe for concurrent use.
type Store struct {
	Manifest Manifest
	embedder Embedder
	coll     *chromem.Collection
	chunks   []Chunk        // every chunk, sorted by article name and index
	byID     map[string]int // chunk ID -> position in chunks
	lexical  *lexicalIndex
	stats    termStats
	language string // the language most passages are in
}

// Open loads the live store of dataDir. It fails with ErrNoStore when there
// is none, ErrIncompatible when it was built with another embedder or other
// chunking parameters, and ErrCorrupt when it cannot be read.
//
// An ingest that replaces the live generation while Open reads it may prune
// it; Open then retries with the new live generation.
func Open(ctx context.Context, dataDir string, e Embedder, c Chunker) (*Store, error) {
	for attempt := 0; ; attempt++ {
		gen, err := currentGeneration(dataDir)
		if err != nil {
			return nil, err
		}
		s, err := openGeneration(ctx, filepath.Join(dataDir, gen), e, c)
		if err == nil || attempt == 4 {
			return s, err
		}
		if now, _ := currentGeneration(dataDir); now == gen {
			return nil, err
		}
	}
}

func openGeneration(ctx context.Context, dir string, e Embedder, c Chunker) (*Store, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v (run: qabot ingest)", ErrCorrupt, dir, err)
	}
	if why := m.compatible(e, c); why != "" {
		return nil, fmt.Errorf("%w: %s (run: qabot ingest)", ErrIncompatible, why)
	}
	// NewPersistentDB would create a missing directory: check first.
	if _, err := os.Stat(filepath.Join(dir, chromemDir)); err != nil {
		return nil, fmt.Errorf("%w: %v (run: qabot ingest)", ErrCorrupt, err)
	}
	db, err := chromem.NewPersistentDB(filepath.Join(dir, chromemDir), false)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (run: qabot ingest)", ErrCorrupt, err)
	}
	s := &Store{Manifest: m, embedder: e, byID: map[string]int{}}
	s.coll = db.GetCollection(collectionName, embeddingFunc(e))
	if s.coll == nil {
		return nil, fmt.Errorf("%w: %s has no collection %q (run: qabot ingest)", ErrCorrupt, dir, collectionName)
	}
	if err := s.loadChunks(ctx); err != nil {
		return nil, err
	}
	if s.lexical, err = newLexicalIndex(s.chunks); err != nil {
		return nil, fmt.Errorf("lexical index: %w", err)
	}
	s.stats = newTermStats(s.chunks)
	s.language = majorityLanguage(s.chunks)
	return s, nil
}

// loadChunks reads every chunk named by the manifest from chromem-go.
func (s *Store) loadChunks(ctx context.Context) error {
	names := make([]string, 0, len(s.Manifest.Articles))
	for name := range s.Manifest.Articles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for i := 0; i < s.Manifest.Articles[name].Chunks; i++ {
			id := Chunk{Doc: name, Index: i}.ID()
			d, err := s.coll.GetByID(ctx, id)
			if err != nil {
				return fmt.Errorf("%w: chunk %s: %v (run: qabot ingest)", ErrCorrupt, id, err)
			}
			c, err := chunkFromDocument(d)
			if err != nil {
				return fmt.Errorf("%w: chunk %s: %v (run: qabot ingest)", ErrCorrupt, id, err)
			}
			s.byID[id] = len(s.chunks)
			s.chunks = append(s.chunks, c)
		}
	}
	if len(s.chunks) == 0 {
		return fmt.Errorf("%w: it holds no passages (run: qabot ingest)", ErrCorrupt)
	}
	return nil
}

// Chunks returns every passage in the store. The slice must not be modified.
func (s *Store) Chunks() []Chunk { return s.chunks }

// Language is the language most passages are written in ("zh", "en").
func (s *Store) Language() string { return s.language }

// majorityLanguage is the language most chunks are in.
func majorityLanguage(chunks []Chunk) string {
	count := map[string]int{}
	best := "zh"
	for _, c := range chunks {
		lang := Language(c.Text)
		count[lang]++
		if count[lang] > count[best] {
			best = lang
		}
	}
	return best
}

// Article returns the manifest entry of the named article.
func (s *Store) Article(name string) Indexed { return s.Manifest.Articles[name] }

func chunkDocument(c Chunk, embedding []float32) chromem.Document {
	return chromem.Document{
		ID:        c.ID(),
		Content:   c.Text,
		Embedding: embedding,
		Metadata: map[string]string{
			"doc":   c.Doc,
			"index": strconv.Itoa(c.Index),
			"start": strconv.Itoa(c.Start),
			"end":   strconv.Itoa(c.End),
		},
	}
}

func chunkFromDocument(d chromem.Document) (Chunk, error) {
	c := Chunk{Doc: d.Metadata["doc"], Text: d.Content}
	var err error
	for key, dst := range map[string]*int{"index": &c.Index, "start": &c.Start, "end": &c.End} {
		if *dst, err = strconv.Atoi(d.Metadata[key]); err != nil {
			return c, fmt.Errorf("metadata %s: %w", key, err)
		}
	}
	if c.Doc == "" || c.ID() != d.ID {
		return c, fmt.Errorf("metadata does not match id %q", d.ID)
	}
	return c, nil
}

// embeddingFunc adapts an Embedder to chromem-go.
func embeddingFunc(e Embedder) chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		v, err := e.Embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		return v[0], nil
	}
}

// currentGeneration returns the directory name of the live generation.
func currentGeneration(dataDir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dataDir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoStore
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	gen := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(gen, genPrefix) || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("%w: %s names %q (run: qabot ingest)", ErrCorrupt, currentFile, gen)
	}
	return gen, nil
}
