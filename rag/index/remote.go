package index

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/philippgille/chromem-go"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/internal/atomicfile"
	"github.com/qabot/qabot/rag/question"
)

// A collection's vectors may live in a remote index (Weaviate) rather than
// in memory: the segment files still hold the passages, their vectors and
// term statistics, and opening the collection then loads no vectors. The
// remote index answers the dense half of a search (a hybrid search of its
// own); ingest brings it in line with the live index, article by article.

// VectorIndex is the seam between a store and where its vectors are
// searched: both backends implement it, the local one (chromem-go in
// memory, filled from the segment files) and Weaviate.
type VectorIndex interface {
	// Search returns up to n passages for the question (its text folded,
	// and its vector), best first.
	Search(ctx context.Context, question string, vector []float32, n int) ([]PassageRef, error)
}

// RemoteIndex is a vector index outside the process that holds a
// collection's passages and their vectors, and is kept in step with the
// segments by SyncRemote.
type RemoteIndex interface {
	VectorIndex
	// Upsert stores the passages of articles, replacing those they had.
	Upsert(ctx context.Context, articles []RemoteArticle) error
	// Delete removes the passages of one article.
	Delete(ctx context.Context, doc string) error
}

// RemoteArticle is an article's passages with their vectors, as a remote
// index stores them; Hash identifies the article's content.
type RemoteArticle struct {
	Doc, Hash string
	Chunks    []document.Chunk
	Vectors   [][]float32
}

// PassageRef names a passage a vector index found: its article and its
// position in it.
type PassageRef struct {
	Doc   string
	Index int
}

// chromemIndex is the local vector index: chromem-go collections in
// memory (shards of the live passages), their documents keyed by global
// position.
type chromemIndex struct {
	shards []*chromem.Collection
	s      *Store
}

func (x chromemIndex) Search(ctx context.Context, _ string, vector []float32, n int) ([]PassageRef, error) {
	results := make([][]chromem.Result, len(x.shards))
	errs := make([]error, len(x.shards))
	var wg sync.WaitGroup
	for k, coll := range x.shards {
		wg.Go(func() { results[k], errs[k] = coll.QueryEmbedding(ctx, vector, min(n, coll.Count()), nil, nil) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("vector search: %w", err)
	}
	var hits []Scored
	for _, res := range results {
		for _, r := range res {
			if pos, err := strconv.Atoi(r.ID); err == nil && pos < len(x.s.chunks) {
				hits = append(hits, Scored{pos, float64(r.Similarity)})
			}
		}
	}
	sortScored(hits)
	out := make([]PassageRef, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		c := x.s.chunks[h.Pos]
		out = append(out, PassageRef{Doc: c.Doc, Index: c.Index})
	}
	return out, nil
}

// remoteSyncFile records, in a collection's directory, which version (hash)
// of each article the remote index holds.
const remoteSyncFile = "remote-synced.json"

// SyncReport says what SyncRemote changed.
type SyncReport struct {
	Upserted, Deleted []string
	Passages          int
}

// SyncRemote makes the remote index hold the articles of the live index in
// dir: articles it holds in another version are written again, articles it
// holds and the index does not are deleted, the others are left alone.
// progress, when set, is called after each article with the number done
// and the number in all. What was written is recorded every
// syncSaveEvery articles, so that a sync cut short resumes where it was.
func SyncRemote(ctx context.Context, dir string, remote RemoteIndex, e embedding.Embedder, c document.Chunker, progress func(done, total int)) (SyncReport, error) {
	var rep SyncReport
	s, err := OpenWith(ctx, dir, e, c, remote)
	if err != nil {
		return rep, err
	}
	synced := map[string]string{}
	raw, err := os.ReadFile(filepath.Join(dir, remoteSyncFile))
	switch {
	case err == nil:
		if json.Unmarshal(raw, &synced) != nil {
			synced = map[string]string{} // unreadable: write everything again
		}
	case !errors.Is(err, fs.ErrNotExist):
		return rep, err
	}
	save := func() error {
		raw, err := json.Marshal(synced)
		if err != nil {
			return err
		}
		return atomicfile.Write(filepath.Join(dir, remoteSyncFile), raw)
	}
	var gone []string
	for doc := range synced {
		if _, ok := s.Manifest.Articles[doc]; !ok {
			gone = append(gone, doc)
		}
	}
	sort.Strings(gone)
	for _, doc := range gone {
		if err := remote.Delete(ctx, doc); err != nil {
			return rep, errors.Join(err, save())
		}
		delete(synced, doc)
		rep.Deleted = append(rep.Deleted, doc)
	}
	docs := s.artNames // sorted when the store was opened
	var pending []RemoteArticle
	passages := 0
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := remote.Upsert(ctx, pending); err != nil {
			return errors.Join(fmt.Errorf("%s…: %w", pending[0].Doc, err), save())
		}
		before := len(rep.Upserted)
		for _, a := range pending {
			synced[a.Doc] = a.Hash
			rep.Upserted = append(rep.Upserted, a.Doc)
		}
		pending, passages = nil, 0
		if len(rep.Upserted)/syncSaveEvery > before/syncSaveEvery {
			return save()
		}
		return nil
	}
	for i, doc := range docs {
		if progress != nil && i > 0 {
			progress(i, len(docs))
		}
		art := s.Manifest.Articles[doc]
		rep.Passages += art.Chunks
		if synced[doc] == art.Hash {
			continue
		}
		first := s.first[doc]
		ra := RemoteArticle{Doc: doc, Hash: art.Hash, Chunks: make([]document.Chunk, art.Chunks), Vectors: make([][]float32, art.Chunks)}
		for i := range ra.Chunks {
			ra.Chunks[i], ra.Vectors[i] = s.chunk(first+i), s.Vector(first+i)
		}
		if _, known := synced[doc]; known {
			if err := remote.Delete(ctx, doc); err != nil { // it may have had more passages
				return rep, errors.Join(err, save())
			}
		}
		pending, passages = append(pending, ra), passages+art.Chunks
		if passages >= syncBatchPassages {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if progress != nil {
		progress(len(docs), len(docs))
	}
	return rep, save()
}

// syncBatchPassages is about how many passages SyncRemote sends the
// remote index at a time: many articles to a request, not one.
const syncBatchPassages = 1000

// syncSaveEvery is about how many articles SyncRemote writes between
// records of what it wrote.
const syncSaveEvery = 1000

// Vector is the embedding of the chunk at global position pos.
func (s *Store) Vector(pos int) []float32 {
	k := sort.Search(len(s.base), func(k int) bool { return s.base[k] > pos }) - 1
	return s.segs[k].Vector(pos - s.base[k])
}

// scanVectors compares vec with every live passage's vector in the
// segments, a share of the passages on each core, and returns the n most
// similar, best first: the dense search before the local index is built,
// and when the remote index cannot answer.
func (s *Store) scanVectors(vec []float32, n int) []Scored {
	shards := max(1, min(runtime.GOMAXPROCS(0), len(s.chunks)/minShard))
	tops := make([][]Scored, shards)
	var wg sync.WaitGroup
	for k := range shards {
		wg.Go(func() { tops[k] = s.topVectors(k*len(s.chunks)/shards, (k+1)*len(s.chunks)/shards, vec, n) })
	}
	wg.Wait()
	all := slices.Concat(tops...)
	sortScored(all)
	return all[:min(n, len(all))]
}

// topVectors is a heap of the n live passages among positions [lo, hi)
// most similar to vec (the least similar first).
func (s *Store) topVectors(lo, hi int, vec []float32, n int) scoredHeap {
	var top scoredHeap
	for k, sg := range s.segs {
		from, to := max(lo, s.base[k]), min(hi, s.base[k]+len(sg.Chunks))
		for pos := from; pos < to; pos++ {
			if !s.live[pos] {
				continue
			}
			sc := Scored{pos, embedding.Dot(sg.Vector(pos-s.base[k]), vec)}
			switch {
			case len(top) < n:
				heap.Push(&top, sc)
			case n > 0 && before(sc, top[0]):
				top[0] = sc
				heap.Fix(&top, 0)
			}
		}
	}
	return top
}

// scoredHeap is a min-heap of passages, the one sortScored puts last on
// top.
type scoredHeap []Scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return before(h[j], h[i]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// before reports whether sortScored puts a before b: a higher score, or
// the same score and an earlier passage.
func before(a, b Scored) bool {
	return a.Score > b.Score || a.Score == b.Score && a.Pos < b.Pos
}

// vectorSearch is the dense half of a search: the vector index's hits,
// mapped to live passages, with their cosine similarity to the question
// computed from the segments' vectors.
func (s *Store) vectorSearch(ctx context.Context, x VectorIndex, question string, vec []float32, n int) ([]Scored, error) {
	hits, err := x.Search(ctx, question, vec, n)
	if err != nil {
		return nil, err
	}
	out := make([]Scored, 0, len(hits))
	for _, h := range hits {
		first, ok := s.first[h.Doc]
		if !ok || h.Index < 0 || h.Index >= s.Manifest.Articles[h.Doc].Chunks {
			continue // the remote index is behind: the next ingest syncs it
		}
		pos := first + h.Index
		out = append(out, Scored{pos, embedding.Dot(s.Vector(pos), vec)})
	}
	return out, nil
}

// Scored is a passage's global position and its score for a question:
// a cosine similarity or a BM25 score.
type Scored struct {
	Pos   int
	Score float64
}

// sortScored puts the highest score first, ties in passage order.
func sortScored(xs []Scored) {
	slices.SortFunc(xs, func(a, b Scored) int {
		switch {
		case before(a, b):
			return -1
		case before(b, a):
			return 1
		}
		return 0
	})
}

// LexicalEmbedder reports whether the store's embedder is the local one,
// whose similarity counts shared n-grams, not meaning.
func (s *Store) LexicalEmbedder() bool {
	_, ok := s.embedder.(*embedding.LocalEmbedder)
	return ok
}

// QueryVector is the question's vector; nil when it has nothing to
// compare (only punctuation).
func (s *Store) QueryVector(ctx context.Context, q question.Question) ([]float32, error) {
	vecs, err := s.embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed question: %w", err)
	}
	if embedding.IsZero(vecs[0]) {
		return nil, nil
	}
	return vecs[0], nil
}

// DenseSearch ranks passages by the cosine similarity of their vectors to
// vec, the question's, returning up to n: from the remote index (from the
// segments' vectors when it is down), else from the in-memory local index
// once Warm has built it, and from the mapped vectors until then.
func (s *Store) DenseSearch(ctx context.Context, question string, vec []float32, n int) ([]Scored, error) {
	if s.remote != nil {
		hits, err := s.vectorSearch(ctx, s.remote, question, vec, n)
		if err == nil || ctx.Err() != nil {
			return hits, err
		}
		if s.OnRemoteError != nil {
			s.OnRemoteError(err)
		}
		return s.scanVectors(vec, n), nil
	}
	if x := s.local.Load(); x != nil {
		return s.vectorSearch(ctx, x, question, vec, n)
	}
	return s.scanVectors(vec, n), nil
}
