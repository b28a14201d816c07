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
	"github.com/qabot/qabot/rag/terms"
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
	// SegmentPassages is the most passages a segment holds (default
	// 8192): an ingest embeds and writes one segment at a time, so that
	// its memory stays bounded whatever the collection's size.
	SegmentPassages int
	// Progress, when set, is called after each article file with the
	// number of files read (and their passages embedded) and the number in
	// all.
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
	if opts.SegmentPassages <= 0 {
		opts.SegmentPassages = defaultSegmentPassages
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
	removeUnreferenced(opts.Dir, prev)
	stamp := fmt.Sprintf("%d", time.Now().UnixNano())
	m := nextManifest(opts, prev)
	w := &segmentWriter{opts: opts, m: &m, name: segmentPrefix + stamp}
	urls := web.PageURLs(opts.Dir)
	loaded, err := document.EachArticle(ctx, opts.Corpus, known, func(done, total int, a *document.Article) error {
		if a != nil {
			rep.noteFresh(*a, prev)
			// Cloned: a title cut from the article's text would keep the
			// whole text in memory for the rest of the ingest.
			m.Articles[a.Name] = Indexed{Hash: a.Hash, Title: strings.Clone(a.Title), Date: strings.Clone(a.Date), Source: strings.Clone(a.Source),
				URL: urls[a.Name], Reporters: strings.Clone(a.Reporters)}
			if err := w.add(ctx, opts.Chunker.Split(*a)); err != nil {
				return err
			}
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		return nil
	})
	rep.Failed, rep.Skipped = loaded.Failed, loaded.Skipped
	if err == nil {
		err = w.flush(ctx)
	}
	if err != nil {
		return rep, err
	}
	rep.Embedded = w.embedded
	keepOld(prev, loaded, &m, &rep)
	if len(m.Articles) == 0 {
		return rep, fmt.Errorf("%s: none of the %d article files could be read", opts.Corpus.Name, len(loaded.Failed))
	}
	if !rep.Changed() {
		rep.Chunks = totalChunks(*prev)
		rep.Duration = time.Since(began)
		return rep, nil
	}
	if needsCompaction(m, opts.SegmentPassages) {
		if err := compact(ctx, opts.Dir, segmentPrefix+stamp+"-c", &m, opts.SegmentPassages); err != nil {
			return rep, err
		}
		rep.Compacted = true
	}
	if m.Language == "" {
		m.Language = w.langs.majority()
	}
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

// nextManifest is the manifest the ingest builds on: the previous one's
// segments and language, and no articles yet.
func nextManifest(opts IngestOptions, prev *Manifest) Manifest {
	m := Manifest{
		Version: manifestVersion, Embedder: opts.Embedder.ID(), Dim: opts.Embedder.Dim(),
		ChunkSize: opts.Chunker.Size, ChunkOverlap: opts.Chunker.Overlap,
		Corpus: opts.Corpus.Name, Created: time.Now().UTC(), Articles: map[string]Indexed{},
	}
	if prev != nil {
		m.Segments = append(m.Segments, prev.Segments...)
		m.Language = prev.Language
	}
	return m
}

// noteFresh records the article a, read anew, as added or updated.
func (r *IngestReport) noteFresh(a document.Article, prev *Manifest) {
	if a.Encoding != "" {
		r.Converted = append(r.Converted, fmt.Sprintf("%s (%s)", a.Name, a.Encoding))
	}
	if _, had := prev.articles()[a.Name]; had {
		r.Updated = append(r.Updated, a.Name)
	} else {
		r.Added = append(r.Added, a.Name)
	}
}

// keepOld carries into m the articles of prev that are unchanged, and
// those that failed to read now (their old passages stay), and reports
// the rest of prev's as removed.
func keepOld(prev *Manifest, loaded document.Loaded, m *Manifest, rep *IngestReport) {
	before := prev.articles()
	for _, name := range loaded.Unchanged {
		m.Articles[name] = before[name]
		rep.Unchanged = append(rep.Unchanged, name)
	}
	for _, f := range loaded.Failed {
		if p, had := before[f.Name]; had {
			m.Articles[f.Name] = p
			rep.Unchanged = append(rep.Unchanged, f.Name)
		}
	}
	for name := range before {
		if _, kept := m.Articles[name]; !kept {
			rep.Removed = append(rep.Removed, name)
		}
	}
	sort.Strings(rep.Removed)
}

// articles are the manifest's articles; none when it is nil.
func (m *Manifest) articles() map[string]Indexed {
	if m == nil {
		return nil
	}
	return m.Articles
}

// defaultSegmentPassages is IngestOptions.SegmentPassages by default: at
// 300 runes a passage, an ingest then stays near 250 MB (measured on 213k
// real news passages; see README, Scale).
const defaultSegmentPassages = 8192

// segmentWriter embeds passages and writes them as segments of at most
// opts.SegmentPassages, an article's passages always in one segment.
type segmentWriter struct {
	opts     IngestOptions
	m        *Manifest
	name     string // of the first segment; the next ones are name-1, name-2…
	pending  []document.Chunk
	written  int // segments written
	embedded int // passages embedded
	langs    languageCount
}

// add takes the passages of one article, writing a segment when enough
// are pending.
func (w *segmentWriter) add(ctx context.Context, chunks []document.Chunk) error {
	for _, c := range chunks {
		w.langs.add(c.Text)
	}
	w.pending = append(w.pending, chunks...)
	if len(w.pending) >= w.opts.SegmentPassages {
		return w.flush(ctx)
	}
	return nil
}

// flush embeds the pending passages and writes them as a segment.
func (w *segmentWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	vectors, err := embedChunks(ctx, w.opts, w.pending)
	if err != nil {
		return err
	}
	name := w.name
	if w.written > 0 {
		name = fmt.Sprintf("%s-%d", w.name, w.written)
	}
	if err := addSegment(w.opts.Dir, name, w.m, w.pending, vectors); err != nil {
		return err
	}
	w.embedded += len(w.pending)
	w.written++
	w.pending = nil
	return nil
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

// needsCompaction reports whether too many stored passages are dead, or
// there are too many small segments.
func needsCompaction(m Manifest, size int) bool {
	stored := 0
	for _, s := range m.Segments {
		stored += s.Chunks
	}
	return len(toCompact(m, size)) > maxSegments || stored > 0 && float64(stored-totalChunks(m)) > maxDeadShare*float64(stored)
}

// toCompact are the live segments that compaction rewrites: those under
// half the size of a full one (size passages), and those with more than
// maxDeadShare of their passages dead. In a small collection that is every
// segment.
func toCompact(m Manifest, size int) map[string]bool {
	live := map[string]int{}
	for _, a := range m.Articles {
		live[a.Segment] += a.Chunks
	}
	out := map[string]bool{}
	for _, s := range m.Segments {
		if live[s.Name] > 0 && (s.Chunks < size/2 || float64(s.Chunks-live[s.Name]) > maxDeadShare*float64(s.Chunks)) {
			out[s.Name] = true
		}
	}
	return out
}

// compact rewrites the live passages of the segments toCompact picks into
// segments of at most size passages, the first named name, holding one new
// segment's passages at a time (the rest stay in the old segments'
// mappings).
func compact(ctx context.Context, dir, name string, m *Manifest, size int) error {
	rewrite := toCompact(*m, size)
	var docs []string
	for doc, a := range m.Articles {
		if rewrite[a.Segment] {
			docs = append(docs, doc)
		}
	}
	sort.Strings(docs)
	var kept []SegmentInfo
	for _, s := range m.Segments {
		if !rewrite[s.Name] {
			kept = append(kept, s)
		}
	}
	m.Segments = kept
	segs := map[string]*segment.Segment{}
	defer runtime.KeepAlive(segs) // chunks and vectors point into their mappings
	var chunks []document.Chunk
	var vectors [][]float32
	written := 0
	flush := func() error {
		next := name
		if written > 0 {
			next = fmt.Sprintf("%s-%d", name, written)
		}
		written++
		err := addSegment(dir, next, m, chunks, vectors)
		chunks, vectors = nil, nil
		return err
	}
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
		if len(chunks) >= size {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(chunks) == 0 {
		return nil
	}
	return flush()
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

// languageCount counts the languages of passages (terms.Language), for
// the one most are in.
type languageCount struct {
	count map[string]int
	best  string
}

// add counts the language of one passage.
func (l *languageCount) add(text string) {
	if l.count == nil {
		l.count, l.best = map[string]int{}, "zh"
	}
	lang := terms.Language(text)
	l.count[lang]++
	if l.count[lang] > l.count[l.best] {
		l.best = lang
	}
}

// majority is the language most passages counted are in ("zh" when none
// were).
func (l *languageCount) majority() string {
	if l.best == "" {
		return "zh"
	}
	return l.best
}
