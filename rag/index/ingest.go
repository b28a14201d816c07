package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index/segment"
	"github.com/qabot/qabot/rag/internal/atomicfile"
	"github.com/qabot/qabot/rag/web"
)

// IngestOptions says what to index and how.
type IngestOptions struct {
	// Dir is the collection's directory (see CollectionDir).
	Dir      string
	Corpus   document.Corpus
	Embedder embedding.Embedder
	Chunker  document.Chunker
	// BatchSize is the number of chunks embedded per call (default 32).
	BatchSize int
	// Progress, when set, is called after each batch with the number of
	// chunks embedded so far and the number to embed.
	Progress func(done, total int)
	// Waiting, when set, is called once if another ingest holds the
	// collection for more than a second.
	Waiting func()
	// First makes this the collection's first index: if, once the lock is
	// taken, another ingest has made one, that one is left as it is
	// (IngestReport.Existing). A question asked while a folder is being
	// ingested so waits for it rather than indexing the seeds over it.
	First bool
}

// IngestReport says what an ingest did.
type IngestReport struct {
	Added, Updated, Removed, Unchanged []string
	Failed                             []document.FileError
	Skipped                            []string // files that are not articles
	// Converted names the articles read from another encoding than UTF-8,
	// with the encoding: "notes.txt (GB18030)".
	Converted []string
	// Existing is set when a First ingest found an index made meanwhile.
	Existing  bool
	Chunks    int    // chunks in the new store
	Embedded  int    // chunks embedded by this run
	Rebuilt   string // why everything was re-embedded, if it was
	Compacted bool   // the segments were merged into one
	Duration  time.Duration
}

// Changed reports whether the ingest produced a new index.
func (r IngestReport) Changed() bool {
	return len(r.Added)+len(r.Updated)+len(r.Removed) > 0 || r.Rebuilt != ""
}

// Compaction: the live segments are merged into one when more than this
// share of the stored passages is dead, or there are more segments than this.
const (
	maxDeadShare = 0.3
	maxSegments  = 8
)

// Ingest brings the collection in opts.Dir up to date with the corpus:
// unchanged articles keep their passages and vectors where they are, changed
// and new ones are embedded into one new segment, deleted ones disappear.
// Files that cannot be read are reported in the report's Failed list; an
// article that was indexed before and now fails keeps its old passages. The
// new index becomes live only when complete.
func Ingest(ctx context.Context, opts IngestOptions) (IngestReport, error) {
	began := time.Now()
	var rep IngestReport
	if err := opts.Chunker.Validate(); err != nil {
		return rep, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 32
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return rep, fmt.Errorf("create the collection's folder: %w", err)
	}
	unlock, err := lockCollection(ctx, opts.Dir, opts.Waiting)
	if err != nil {
		return rep, err
	}
	defer unlock()
	if opts.First {
		if _, err := ReadLiveManifest(opts.Dir); err == nil {
			rep.Existing = true
			return rep, nil
		}
	}

	prev, reason := previousManifest(opts)
	rep.Rebuilt = reason
	known := map[string]string{}
	if prev != nil {
		for name, a := range prev.Articles {
			known[name] = a.Hash
		}
	}
	opts.Corpus = web.WithAdded(opts.Corpus, opts.Dir)
	loaded, err := document.LoadArticles(ctx, opts.Corpus, known)
	rep.Failed, rep.Skipped = loaded.Failed, loaded.Skipped
	if err != nil {
		return rep, err
	}
	for _, a := range loaded.Articles {
		if a.Encoding != "" {
			rep.Converted = append(rep.Converted, fmt.Sprintf("%s (%s)", a.Name, a.Encoding))
		}
	}
	m, fresh := planIngest(opts, prev, loaded, &rep)
	if len(m.Articles) == 0 {
		return rep, fmt.Errorf("%s: none of the %d article files could be read", opts.Corpus.Name, len(loaded.Failed))
	}
	if !rep.Changed() {
		rep.Chunks = totalChunks(*prev)
		rep.Duration = time.Since(began)
		return rep, nil
	}
	removeUnreferenced(opts.Dir, prev)
	stamp := fmt.Sprintf("%d", time.Now().UnixNano())
	chunks := chunkArticles(opts.Chunker, fresh)
	vectors, err := embedChunks(ctx, opts, chunks)
	if err != nil {
		return rep, err
	}
	rep.Embedded = len(chunks)
	if len(chunks) > 0 {
		if err := addSegment(opts.Dir, segmentPrefix+stamp, &m, chunks, vectors); err != nil {
			return rep, err
		}
	}
	if needsCompaction(m) {
		if err := compact(ctx, opts.Dir, segmentPrefix+stamp+"-c", &m); err != nil {
			return rep, err
		}
		rep.Compacted = true
	}
	m.Language = languageOf(opts.Dir, m, chunks)
	rep.Chunks = totalChunks(m)
	if err := switchManifest(opts.Dir, manifestPrefix+stamp+".json", m); err != nil {
		return rep, err
	}
	prune(opts.Dir, prev, m)
	rep.Duration = time.Since(began)
	return rep, nil
}

// AwaitIngest waits until no ingest of the collection in dir is under
// way; waiting is called if that takes more than a second. A question
// asked during a collection's first ingest is then answered from what it
// made, not refused for a collection that does not exist yet.
func AwaitIngest(ctx context.Context, dir string, waiting func()) error {
	if _, err := os.Stat(filepath.Join(dir, "ingest.lock")); err != nil {
		return nil // no ingest ever began here
	}
	unlock, err := lockCollection(ctx, dir, waiting)
	if err != nil {
		return err
	}
	unlock()
	return nil
}

// lockCollection takes the collection's ingest lock, waiting for another
// ingest to finish; waiting is called if that takes more than a second.
func lockCollection(ctx context.Context, dir string, waiting func()) (func(), error) {
	lock := flock.New(filepath.Join(dir, "ingest.lock"))
	ok, err := lock.TryLock()
	if err == nil && !ok {
		if waiting != nil {
			timer := time.AfterFunc(time.Second, waiting)
			defer timer.Stop()
		}
		ok, err = lock.TryLockContext(ctx, 100*time.Millisecond)
	}
	if err != nil || !ok {
		return nil, fmt.Errorf("lock the collection: %w", errors.Join(err, ctx.Err()))
	}
	return func() { lock.Unlock() }, nil
}

// previousManifest reads the live manifest for reuse of its passages. It
// returns nil and the reason when everything must be embedded anew.
func previousManifest(opts IngestOptions) (*Manifest, string) {
	if fi, err := os.Stat(filepath.Join(opts.Dir, currentFile)); err == nil && fi.IsDir() {
		os.RemoveAll(filepath.Join(opts.Dir, currentFile)) // not ours to keep: repair
		return nil, fmt.Sprintf("%v: %s was a directory", ErrCorrupt, currentFile)
	}
	name, err := currentManifest(opts.Dir)
	if errors.Is(err, ErrNoStore) {
		return nil, ""
	}
	if err != nil {
		return nil, err.Error()
	}
	m, err := readManifest(filepath.Join(opts.Dir, name))
	if err != nil {
		return nil, fmt.Sprintf("%v: %v", ErrCorrupt, err)
	}
	if why := m.compatible(opts.Embedder, opts.Chunker); why != "" {
		return nil, why
	}
	// Read every segment, so that a damaged index is rebuilt, not kept.
	if err := (&Store{Manifest: m}).loadSegments(context.Background(), opts.Dir); err != nil {
		return nil, err.Error()
	}
	return &m, ""
}

// planIngest builds the next manifest from the previous one and the corpus;
// it returns the articles whose passages must be embedded.
func planIngest(opts IngestOptions, prev *Manifest, loaded document.Loaded, rep *IngestReport) (Manifest, []document.Article) {
	m := Manifest{
		Version: manifestVersion, Embedder: opts.Embedder.ID(), Dim: opts.Embedder.Dim(),
		ChunkSize: opts.Chunker.Size, ChunkOverlap: opts.Chunker.Overlap,
		Corpus: opts.Corpus.Name, Created: time.Now().UTC(), Articles: map[string]Indexed{},
	}
	var before map[string]Indexed
	if prev != nil {
		before = prev.Articles
		m.Segments = append(m.Segments, prev.Segments...)
		m.Language = prev.Language
	}
	var fresh []document.Article
	for _, name := range loaded.Unchanged {
		m.Articles[name] = before[name]
		rep.Unchanged = append(rep.Unchanged, name)
	}
	for _, a := range loaded.Articles {
		if _, had := before[a.Name]; had {
			rep.Updated = append(rep.Updated, a.Name)
		} else {
			rep.Added = append(rep.Added, a.Name)
		}
		fresh = append(fresh, a)
	}
	for _, f := range loaded.Failed {
		if p, had := before[f.Name]; had {
			m.Articles[f.Name] = p
			rep.Unchanged = append(rep.Unchanged, f.Name)
		}
	}
	read := map[string]bool{}
	for _, a := range fresh {
		read[a.Name] = true
	}
	for name := range before {
		if _, kept := m.Articles[name]; !kept && !read[name] {
			rep.Removed = append(rep.Removed, name)
		}
	}
	sort.Strings(rep.Removed)
	urls := web.PageURLs(opts.Dir)
	for _, a := range fresh {
		m.Articles[a.Name] = Indexed{Hash: a.Hash, Title: a.Title, Date: a.Date, Source: a.Source, URL: urls[a.Name], Reporters: a.Reporters}
	}
	return m, fresh
}

func chunkArticles(c document.Chunker, articles []document.Article) []document.Chunk {
	var out []document.Chunk
	for _, a := range articles {
		out = append(out, c.Split(a)...)
	}
	return out
}

// embedChunks embeds chunks in batches, reporting progress.
func embedChunks(ctx context.Context, opts IngestOptions, chunks []document.Chunk) ([][]float32, error) {
	out := make([][]float32, 0, len(chunks))
	for start := 0; start < len(chunks); start += opts.BatchSize {
		batch := chunks[start:min(start+opts.BatchSize, len(chunks))]
		texts := make([]string, len(batch))
		for i, c := range batch {
			texts[i] = c.Text
		}
		vecs, err := opts.Embedder.Embed(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("embed passages: %w", err)
		}
		if len(vecs) != len(batch) {
			return nil, fmt.Errorf("embed passages: got %d vectors for %d texts", len(vecs), len(batch))
		}
		for _, v := range vecs {
			if len(v) != opts.Embedder.Dim() {
				return nil, fmt.Errorf("embed passages: vector of %d dims, want %d", len(v), opts.Embedder.Dim())
			}
		}
		out = append(out, vecs...)
		if opts.Progress != nil {
			opts.Progress(start+len(batch), len(chunks))
		}
	}
	return out, nil
}

// addSegment writes chunks as the segment name and points m's entries of
// their articles at it.
func addSegment(dir, name string, m *Manifest, chunks []document.Chunk, vectors [][]float32) error {
	tmp := filepath.Join(dir, name+".tmp")
	if err := segment.Write(tmp, chunks, vectors, m.Dim); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the index: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write the index: %w", err)
	}
	for i, c := range chunks {
		a := m.Articles[c.Doc]
		if c.Index == 0 {
			a.Segment, a.First, a.Chunks = name, i, 0
		}
		a.Chunks++
		m.Articles[c.Doc] = a
	}
	m.Segments = append(m.Segments, SegmentInfo{Name: name, Chunks: len(chunks)})
	return nil
}

// needsCompaction reports whether too many stored passages are dead or
// there are too many segments.
func needsCompaction(m Manifest) bool {
	stored := 0
	for _, s := range m.Segments {
		stored += s.Chunks
	}
	used := referencedSegments(m)
	segs := 0
	for _, s := range m.Segments {
		if used[s.Name] {
			segs++
		}
	}
	return segs > maxSegments || stored > 0 && float64(stored-totalChunks(m)) > maxDeadShare*float64(stored)
}

// compact rewrites the live passages of m into one segment, name.
func compact(ctx context.Context, dir, name string, m *Manifest) error {
	var chunks []document.Chunk
	var vectors [][]float32
	docs := make([]string, 0, len(m.Articles))
	for doc := range m.Articles {
		docs = append(docs, doc)
	}
	sort.Strings(docs)
	segs := map[string]*segment.Segment{}
	for _, doc := range docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		a := m.Articles[doc]
		sg, ok := segs[a.Segment]
		if !ok {
			var err error
			if sg, err = segment.Read(filepath.Join(dir, a.Segment), a.Segment); err != nil {
				return fmt.Errorf("compact the index: %w", err)
			}
			segs[a.Segment] = sg
		}
		for i := a.First; i < a.First+a.Chunks; i++ {
			chunks = append(chunks, sg.Chunks[i])
			vectors = append(vectors, sg.Vector(i))
		}
	}
	m.Segments = nil
	err := addSegment(dir, name, m, chunks, vectors)
	runtime.KeepAlive(segs) // chunks and vectors point into their mappings
	return err
}

// languageOf is the language of the collection: kept from before unless
// this ingest added passages to a collection that had none.
func languageOf(dir string, m Manifest, added []document.Chunk) string {
	if m.Language != "" {
		return m.Language
	}
	return majorityLanguage(added)
}

// switchManifest writes m as the manifest name and makes it live with an
// atomic rename of CURRENT.
func switchManifest(dir, name string, m Manifest) error {
	m.Segments = liveSegments(m)
	if err := writeManifest(filepath.Join(dir, name), m); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	next := filepath.Join(dir, currentFile+".new")
	if err := atomicfile.WriteSync(next, []byte(name+"\n")); err != nil {
		return fmt.Errorf("switch the index: %w", err)
	}
	if err := os.Rename(next, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("switch the index: %w", err)
	}
	syncDir(dir)
	return nil
}

// liveSegments lists the segments that hold live passages.
func liveSegments(m Manifest) []SegmentInfo {
	used := referencedSegments(m)
	var out []SegmentInfo
	for _, s := range m.Segments {
		if used[s.Name] {
			out = append(out, s)
		}
	}
	return out
}

func referencedSegments(m Manifest) map[string]bool {
	used := map[string]bool{}
	for _, a := range m.Articles {
		used[a.Segment] = true
	}
	return used
}

func totalChunks(m Manifest) int {
	n := 0
	for _, a := range m.Articles {
		n += a.Chunks
	}
	return n
}

// syncDir flushes a directory's entries, so that a rename survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// prune deletes the files that neither the new manifest nor the previous
// one needs; readers that opened the previous one a moment ago may still be
// loading its segments.
func prune(dir string, prev *Manifest, next Manifest) {
	keep := map[string]bool{currentFile: true, "ingest.lock": true}
	for _, m := range []*Manifest{prev, &next} {
		if m == nil {
			continue
		}
		for _, s := range m.Segments {
			keep[s.Name] = true
		}
	}
	current, _ := currentManifest(dir)
	keep[current] = true
	manifests, _ := filepath.Glob(filepath.Join(dir, manifestPrefix+"*"))
	sort.Strings(manifests)
	if n := len(manifests); n >= 2 {
		keep[filepath.Base(manifests[n-2])] = true // the previous one, for readers
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !keep[e.Name()] && (strings.HasPrefix(e.Name(), segmentPrefix) || strings.HasPrefix(e.Name(), manifestPrefix) || strings.HasSuffix(e.Name(), ".new")) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// removeUnreferenced deletes what killed ingests left behind: segment and
// manifest files that the live manifest does not need. The caller holds the
// lock, so no other ingest is writing them.
func removeUnreferenced(dir string, live *Manifest) {
	keep := map[string]bool{}
	if live != nil {
		for _, s := range live.Segments {
			keep[s.Name] = true
		}
	}
	current, _ := currentManifest(dir)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, segmentPrefix) && !keep[name] && current != "" {
			os.Remove(filepath.Join(dir, name))
		}
	}
}
