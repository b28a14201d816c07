// Package index stores a collection: its passages in segments (terms with
// their postings, vectors, texts) under a manifest, built by Ingest and
// opened by Open, with its vectors searched in memory (chromem-go) or in a
// remote vector database. It answers the questions search asks of the
// passages: BM25 scores, term counts, vectors nearest a question.
package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/philippgille/chromem-go"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index/segment"
	"github.com/qabot/qabot/rag/terms"
)

// A collection's directory holds immutable segment files, one manifest per
// ingest, and the file CURRENT, which names the live manifest. Ingest
// writes new segments and a new manifest beside the live ones and switches
// CURRENT with an atomic rename, so readers see the old store or the new
// one, never a mix, and a killed ingest leaves the old one live.
const (
	currentFile    = "CURRENT"
	manifestPrefix = "manifest-"
	segmentPrefix  = "seg-"
	collectionName = "chunks"
)

// Errors from Open. Front ends word them for their users.
var (
	// ErrNoStore means the collection holds no index yet.
	ErrNoStore = errors.New("no index yet")
	// ErrIncompatible means the index was built with other settings.
	ErrIncompatible = errors.New("the index does not match the configuration")
	// ErrCorrupt means the index could not be read.
	ErrCorrupt = errors.New("the index is damaged")
)

// Store is a read-only view of the live index of a collection: the
// passages, their vectors in an in-memory chromem-go collection, a BM25
// index, and the manifest. It is safe for concurrent use.
type Store struct {
	Manifest Manifest
	embedder embedding.Embedder
	remote   RemoteIndex // nil for the local backend
	// local is the in-memory chromem-go index that Warm builds; until
	// then dense searches scan the mapped vectors.
	local     atomic.Pointer[chromemIndex]
	warmMu    sync.Mutex
	warmLimit int // the most passages Warm loads into chromem-go; 0: MaxWarmPassages
	// OnRemoteError, when set, hears of a remote index failing a search,
	// which is then answered from the segments' vectors.
	OnRemoteError func(error)
	segs          []*segment.Segment
	base          []int            // global position of each segment's first chunk
	chunks        []document.Chunk // every stored chunk, live or not, by global position
	live          []bool
	first         map[string]int // global position of each live article's first chunk
	// art is the article index of each stored chunk, by global position
	// (-1 for a chunk no longer live); artNames and artLen are each live
	// article's name and length in terms, for article-level BM25.
	art       []int32
	artNames  []string
	reporters map[string]bool // the names of the articles' bylines, folded
	artLen    []float64
	avgArtLen float64
	nLive     int
	avgLen    float64 // mean terms per stored chunk, for BM25
	nStored   int
}

// Open loads the live index in dir (a collection's directory). It fails
// with ErrNoStore when there is none, ErrIncompatible when it was built with
// another embedder or other chunking parameters, and ErrCorrupt when it
// cannot be read or its parts disagree.
//
// An ingest that replaces the live index while Open reads it may remove a
// segment; Open then retries with the new live index.
func Open(ctx context.Context, dir string, e embedding.Embedder, c document.Chunker) (*Store, error) {
	return OpenWith(ctx, dir, e, c, nil)
}

// OpenWith is Open with the collection's vectors in a remote index, when
// remote is not nil: no vectors are loaded into memory.
func OpenWith(ctx context.Context, dir string, e embedding.Embedder, c document.Chunker, remote RemoteIndex) (*Store, error) {
	for attempt := 0; ; attempt++ {
		name, err := currentManifest(dir)
		if err != nil {
			return nil, err
		}
		s, err := openManifest(ctx, dir, name, e, c, remote)
		if err == nil || attempt == 4 || ctx.Err() != nil {
			return s, err
		}
		if now, _ := currentManifest(dir); now == name {
			return nil, err
		}
	}
}

func openManifest(ctx context.Context, dir, name string, e embedding.Embedder, c document.Chunker, remote RemoteIndex) (*Store, error) {
	m, err := readManifest(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if why := m.compatible(e, c); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrIncompatible, why)
	}
	s := &Store{Manifest: m, embedder: e, remote: remote}
	if err := s.loadSegments(ctx, dir); err != nil {
		return nil, err
	}
	return s, nil
}

// loadSegments reads the manifest's segments and marks the passages it
// names live, checking that the two agree.
func (s *Store) loadSegments(ctx context.Context, dir string) error {
	m := s.Manifest
	// The article names are sorted while the segments are read.
	sorted := make(chan []string, 1)
	go func() { sorted <- slices.Sorted(maps.Keys(m.Articles)) }()
	segIndex := map[string]int{}
	stored := 0
	for _, seg := range m.Segments {
		stored += seg.Chunks
	}
	s.chunks = make([]document.Chunk, 0, stored)
	for _, seg := range m.Segments {
		if err := ctx.Err(); err != nil {
			return err
		}
		sg, err := segment.Read(filepath.Join(dir, seg.Name), seg.Name)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if sg.Dim != m.Dim || len(sg.Chunks) != seg.Chunks {
			return fmt.Errorf("%w: %s holds %d passages of %d dims, the manifest says %d of %d", ErrCorrupt, seg.Name, len(sg.Chunks), sg.Dim, seg.Chunks, m.Dim)
		}
		segIndex[seg.Name] = len(s.segs)
		s.base = append(s.base, len(s.chunks))
		s.segs = append(s.segs, sg)
		s.chunks = append(s.chunks, sg.Chunks...)
		s.avgLen += float64(sg.TotalLen)
	}
	s.nStored = len(s.chunks)
	if s.nStored > 0 {
		s.avgLen /= float64(s.nStored)
	}
	s.live = make([]bool, len(s.chunks))
	s.first = make(map[string]int, len(m.Articles))
	s.art = make([]int32, len(s.chunks))
	for i := range s.art {
		s.art[i] = -1
	}
	s.artNames = <-sorted
	s.artLen = make([]float64, len(s.artNames))
	s.reporters = map[string]bool{}
	for ai, doc := range s.artNames {
		a := m.Articles[doc]
		for _, name := range strings.Split(a.Reporters, "、") {
			if name != "" {
				s.reporters[terms.Fold(name)] = true
			}
		}
		k, ok := segIndex[a.Segment]
		if !ok || a.First < 0 || a.First+a.Chunks > len(s.segs[k].Chunks) {
			return fmt.Errorf("%w: the manifest places %s outside its segment %s", ErrCorrupt, doc, a.Segment)
		}
		if a.Chunks > 0 {
			s.first[doc] = s.base[k] + a.First
		}
		for i := a.First; i < a.First+a.Chunks; i++ {
			if ch := s.segs[k].Chunks[i]; ch.Doc != doc || ch.Index != i-a.First {
				return fmt.Errorf("%w: passage %d of %s is %s#%d, not %s#%d", ErrCorrupt, i, a.Segment, ch.Doc, ch.Index, doc, i-a.First)
			}
			s.live[s.base[k]+i] = true
			s.art[s.base[k]+i] = int32(ai)
			s.artLen[ai] += float64(s.segs[k].Lengths[i])
			s.nLive++
		}
		s.avgArtLen += s.artLen[ai]
		// An article's passages are written together: one more of them
		// right after its range means the manifest lost count.
		if end := a.First + a.Chunks; end < len(s.segs[k].Chunks) {
			if ch := s.segs[k].Chunks[end]; ch.Doc == doc && ch.Index == a.Chunks {
				return fmt.Errorf("%w: the manifest lists %d passages of %s, its segment %s holds more", ErrCorrupt, a.Chunks, doc, a.Segment)
			}
		}
	}
	if s.nLive == 0 {
		return fmt.Errorf("%w: it holds no passages", ErrCorrupt)
	}
	s.avgArtLen /= float64(len(s.artNames))
	return nil
}

// Warm builds the in-memory chromem-go index of the store's vectors, which
// then answers its dense searches; until then they scan the vectors in the
// mapped segments. A process that answers many questions (serve, telegram,
// chat, eval) warms its stores, in the background; one that asks once does
// not pay for it. A store with a remote index, one warm already, or one of
// more than MaxWarmPassages passages is left as it is.
func (s *Store) Warm(ctx context.Context) error {
	if s.remote != nil || s.nLive > s.maxWarm() {
		return nil
	}
	s.warmMu.Lock()
	defer s.warmMu.Unlock()
	if s.local.Load() != nil {
		return nil
	}
	return s.loadVectors(ctx)
}

// loadVectors puts the live passages' vectors into in-memory chromem-go
// collections, one per core, filled in parallel (chromem-go checks each
// vector's norm and files it under a lock of its collection), and makes
// them the store's local index.
func (s *Store) loadVectors(ctx context.Context) error {
	live := make([]int, 0, s.nLive)
	for pos, ok := range s.live {
		if ok {
			live = append(live, pos)
		}
	}
	shards := max(1, min(runtime.GOMAXPROCS(0), len(live)/minShard))
	db := chromem.NewDB()
	x := chromemIndex{shards: make([]*chromem.Collection, shards), s: s}
	for k := range shards {
		coll, err := db.CreateCollection(collectionName+strconv.Itoa(k), nil, embeddingFunc(s.embedder))
		if err != nil {
			return err
		}
		x.shards[k] = coll
	}
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for k, coll := range x.shards {
		part := live[k*len(live)/shards : (k+1)*len(live)/shards]
		wg.Go(func() { errs[k] = s.addVectors(ctx, coll, part) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.local.Store(&x)
	return nil
}

// MaxWarmPassages is the most passages Warm puts into chromem-go. Its
// query compares the question with every vector and files each result
// under one lock: measured on 2 cores, 34 ms at 100,000 passages and
// 384 ms at 1.2 million, where the scan of the mapped vectors takes 50 ms.
// Up to 250,000 passages its query stays under 100 ms, within a warm
// question's 150 ms; beyond, the scan answers, and the copy of the vectors
// chromem-go would hold (600 MB at 1.2 million) is not made.
const MaxWarmPassages = 250_000

// maxWarm is MaxWarmPassages, or the store's own limit when a test set one.
func (s *Store) maxWarm() int {
	if s.warmLimit > 0 {
		return s.warmLimit
	}
	return MaxWarmPassages
}

// minShard is the fewest passages worth a collection of their own.
const minShard = 4096

// addVectors adds the vectors of the passages at positions to coll.
func (s *Store) addVectors(ctx context.Context, coll *chromem.Collection, positions []int) error {
	for i, pos := range positions {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if err := coll.AddDocument(ctx, chromem.Document{ID: strconv.Itoa(pos), Embedding: s.Vector(pos)}); err != nil {
			return fmt.Errorf("%w: passage %s: %w", ErrCorrupt, s.chunks[pos].ID(), err)
		}
	}
	return nil
}

// Chunks returns the live passages.
func (s *Store) Chunks() []document.Chunk {
	out := make([]document.Chunk, 0, s.nLive)
	for i := range s.chunks {
		if s.live[i] {
			out = append(out, s.chunk(i))
		}
	}
	return out
}

// chunk is the chunk at global position pos, its text copied out of the
// segment's mapping, which goes away with the store.
func (s *Store) chunk(pos int) document.Chunk {
	c := s.chunks[pos]
	c.Text = strings.Clone(c.Text)
	return c
}

// Passage is the passage stored at global position pos. Its text lies in
// the store's mapped segments: valid while the store is open.
func (s *Store) Passage(pos int) document.Chunk { return s.chunks[pos] }

// ArticleIndex is the number of the article of the passage at pos, as
// LexicalScores numbers articles (-1 for a passage no longer live).
func (s *Store) ArticleIndex(pos int) int { return int(s.art[pos]) }

// ArticleName is the name of the article numbered ai.
func (s *Store) ArticleName(ai int) string { return s.artNames[ai] }

// ArticlePassages are the global positions of the passages of the live
// article doc, in order (none when it is not live).
func (s *Store) ArticlePassages(doc string) []int {
	first, ok := s.first[doc]
	if !ok {
		return nil
	}
	out := make([]int, s.Manifest.Articles[doc].Chunks)
	for i := range out {
		out[i] = first + i
	}
	return out
}

// Embedder is the embedder the store was opened with.
func (s *Store) Embedder() embedding.Embedder { return s.embedder }

// Count is the number of live passages.
func (s *Store) Count() int { return s.nLive }

// Language is the language most passages are written in ("zh", "en").
func (s *Store) Language() string {
	if s.Manifest.Language == "" {
		return "zh"
	}
	return s.Manifest.Language
}

// Article returns the manifest entry of the named article.
func (s *Store) Article(name string) Indexed { return s.Manifest.Articles[name] }

// ArticleHolds reports whether the article doc holds any of words
// (folded) in its title or a passage; each passage is folded on its own,
// and the folds are kept.
func (s *Store) ArticleHolds(doc string, words ...string) bool {
	first, ok := s.first[doc]
	if !ok {
		return false
	}
	texts := []string{terms.Fold(s.Manifest.Articles[doc].Title)}
	for _, c := range s.chunks[first : first+s.Manifest.Articles[doc].Chunks] {
		texts = append(texts, terms.Fold(c.Text))
	}
	for _, t := range texts {
		for _, w := range words {
			if w != "" && strings.Contains(t, w) {
				return true
			}
		}
	}
	return false
}

// DF is the number of stored passages that hold term.
func (s *Store) DF(term string) int {
	n := 0
	for _, sg := range s.segs {
		d, _ := sg.Lookup(term)
		n += d
	}
	return n
}

// IDF weighs a term held by df passages by its rarity, for coverage: by the
// share of passages that hold it, saturating for terms rarer than
// idfFloorShare, so that a term found nowhere weighs as much as a rare
// one, and a coverage means the same in a small collection as in a
// large one.
func (s *Store) IDF(df int) float64 {
	n := float64(max(s.nStored, 1))
	return math.Log(1 + 1/(float64(df)/n+max(idfFloorShare, 1/n)))
}

// idfFloorShare is the share of passages below which terms are all
// equally rare (in collections of more than 100 passages; in smaller
// ones, terms found in no passage weigh most).
const idfFloorShare = 0.01

// embeddingFunc adapts an Embedder to chromem-go.
func embeddingFunc(e embedding.Embedder) chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		v, err := e.Embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		return v[0], nil
	}
}

// currentManifest returns the file name of the live manifest.
// LiveVersion names the live index of the collection in dir: it changes
// with every ingest that changes the collection.
func LiveVersion(dir string) (string, error) { return currentManifest(dir) }

func currentManifest(dir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", ErrNoStore
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrCorrupt, currentFile, err)
	}
	name := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(name, manifestPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%w: %s names %q", ErrCorrupt, currentFile, name)
	}
	return name, nil
}
