package rag

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/philippgille/chromem-go"
)

// IngestOptions says what to index and how.
type IngestOptions struct {
	DataDir  string
	Corpus   Corpus
	Embedder Embedder
	Chunker  Chunker
	// BatchSize is the number of chunks embedded per call (default 32).
	BatchSize int
	// Progress, when set, is called after each batch with the number of
	// chunks embedded so far and the number to embed.
	Progress func(done, total int)
}

// IngestReport says what an ingest did.
type IngestReport struct {
	Added, Updated, Removed, Unchanged []string
	Failed                             []FileError
	Skipped                            []string // files that are not articles
	Chunks                             int      // chunks in the new store
	Embedded                           int      // chunks embedded by this run
	Rebuilt                            string   // why everything was re-embedded, if it was
	Duration                           time.Duration
}

// Changed reports whether the ingest produced a new generation.
func (r IngestReport) Changed() bool {
	return len(r.Added)+len(r.Updated)+len(r.Removed) > 0 || r.Rebuilt != ""
}

// Ingest brings the store in opts.DataDir up to date with the corpus:
// unchanged articles keep their vectors, changed and new ones are embedded,
// deleted ones disappear. Files that cannot be read are reported in the
// report's Failed list; an article that was indexed before and now fails
// keeps its old passages. The new store becomes live only when complete.
func Ingest(ctx context.Context, opts IngestOptions) (IngestReport, error) {
	began := time.Now()
	var rep IngestReport
	if err := opts.Chunker.Validate(); err != nil {
		return rep, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 32
	}
	articles, failed, skipped, err := LoadArticles(opts.Corpus)
	rep.Failed, rep.Skipped = failed, skipped
	if err != nil {
		return rep, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return rep, fmt.Errorf("create data dir: %w", err)
	}
	lock := flock.New(filepath.Join(opts.DataDir, "ingest.lock"))
	if _, err := lock.TryLockContext(ctx, 100*time.Millisecond); err != nil {
		return rep, fmt.Errorf("lock data dir: %w", err)
	}
	defer lock.Unlock()
	removeStale(opts.DataDir)

	old, rebuild := openPrevious(ctx, opts)
	rep.Rebuilt = rebuild
	plan := planIngest(articles, failed, old, &rep)
	if len(plan) == 0 {
		return rep, fmt.Errorf("%s: none of the %d article files could be read", opts.Corpus.Name, len(failed))
	}
	if !rep.Changed() {
		rep.Chunks = totalChunks(old.Manifest)
		rep.Duration = time.Since(began)
		return rep, nil
	}
	gen, err := writeGeneration(ctx, opts, plan, old, &rep)
	if err != nil {
		return rep, err
	}
	if err := writeFileSync(filepath.Join(opts.DataDir, currentFile+".new"), []byte(gen+"\n")); err != nil {
		return rep, fmt.Errorf("switch store: %w", err)
	}
	if err := os.Rename(filepath.Join(opts.DataDir, currentFile+".new"), filepath.Join(opts.DataDir, currentFile)); err != nil {
		return rep, fmt.Errorf("switch store: %w", err)
	}
	pruneGenerations(opts.DataDir, gen)
	rep.Duration = time.Since(began)
	return rep, nil
}

// openPrevious opens the live store for reuse of its vectors. It returns nil
// and the reason when everything must be embedded anew.
func openPrevious(ctx context.Context, opts IngestOptions) (*Store, string) {
	s, err := Open(ctx, opts.DataDir, opts.Embedder, opts.Chunker)
	switch {
	case err == nil:
		return s, ""
	case errors.Is(err, ErrNoStore):
		return nil, ""
	default:
		return nil, strings.TrimSuffix(err.Error(), " (run: qabot ingest)")
	}
}

// planned is one article of the new generation: either new text to embed or
// an article whose chunks are copied from the old store.
type planned struct {
	article *Article // nil when copied
	name    string
	entry   Indexed
}

func planIngest(articles []Article, failed []FileError, old *Store, rep *IngestReport) []planned {
	var prev map[string]Indexed
	if old != nil {
		prev = old.Manifest.Articles
	}
	seen := map[string]bool{}
	var plan []planned
	for i := range articles {
		a := &articles[i]
		seen[a.Name] = true
		p, had := prev[a.Name]
		switch {
		case had && p.Hash == a.Hash:
			rep.Unchanged = append(rep.Unchanged, a.Name)
			plan = append(plan, planned{name: a.Name, entry: p})
		case had:
			rep.Updated = append(rep.Updated, a.Name)
			plan = append(plan, planned{article: a, name: a.Name})
		default:
			rep.Added = append(rep.Added, a.Name)
			plan = append(plan, planned{article: a, name: a.Name})
		}
	}
	for _, f := range failed {
		if p, had := prev[f.Name]; had {
			seen[f.Name] = true
			rep.Unchanged = append(rep.Unchanged, f.Name)
			plan = append(plan, planned{name: f.Name, entry: p})
		}
	}
	for name := range prev {
		if !seen[name] {
			rep.Removed = append(rep.Removed, name)
		}
	}
	sort.Strings(rep.Removed)
	return plan
}

// writeGeneration builds a complete new generation in a temporary directory
// and renames it into place. It returns the generation's directory name.
func writeGeneration(ctx context.Context, opts IngestOptions, plan []planned, old *Store, rep *IngestReport) (string, error) {
	stamp := fmt.Sprintf("%d", time.Now().UnixNano())
	tmp := filepath.Join(opts.DataDir, tmpPrefix+stamp)
	fail := func(err error) (string, error) {
		os.RemoveAll(tmp)
		return "", err
	}
	db, err := chromem.NewPersistentDB(filepath.Join(tmp, chromemDir), false)
	if err != nil {
		return fail(fmt.Errorf("create store: %w", err))
	}
	coll, err := db.CreateCollection(collectionName, nil, embeddingFunc(opts.Embedder))
	if err != nil {
		return fail(fmt.Errorf("create store: %w", err))
	}
	m := Manifest{
		Version: manifestVersion, Embedder: opts.Embedder.ID(), Dim: opts.Embedder.Dim(),
		ChunkSize: opts.Chunker.Size, ChunkOverlap: opts.Chunker.Overlap,
		Corpus: opts.Corpus.Name, Created: time.Now().UTC(), Articles: map[string]Indexed{},
	}
	var toEmbed []Chunk
	var copied []chromem.Document
	for _, p := range plan {
		if p.article == nil {
			for i := 0; i < p.entry.Chunks; i++ {
				d, err := old.coll.GetByID(ctx, Chunk{Doc: p.name, Index: i}.ID())
				if err != nil {
					return fail(fmt.Errorf("copy %s: %w", p.name, err))
				}
				copied = append(copied, d)
			}
			m.Articles[p.name] = p.entry
			continue
		}
		chunks := opts.Chunker.Split(*p.article)
		toEmbed = append(toEmbed, chunks...)
		a := p.article
		m.Articles[a.Name] = Indexed{Hash: a.Hash, Title: a.Title, Date: a.Date, Source: a.Source, Chunks: len(chunks)}
	}
	if len(copied) > 0 {
		if err := coll.AddDocuments(ctx, copied, 4); err != nil {
			return fail(fmt.Errorf("copy unchanged passages: %w", err))
		}
	}
	if err := embedInto(ctx, coll, opts, toEmbed); err != nil {
		return fail(err)
	}
	rep.Embedded = len(toEmbed)
	rep.Chunks = len(copied) + len(toEmbed)
	if err := writeManifest(tmp, m); err != nil {
		return fail(fmt.Errorf("write manifest: %w", err))
	}
	gen := genPrefix + stamp
	if err := os.Rename(tmp, filepath.Join(opts.DataDir, gen)); err != nil {
		return fail(fmt.Errorf("finish store: %w", err))
	}
	return gen, nil
}

// embedInto embeds chunks in batches and adds them to coll.
func embedInto(ctx context.Context, coll *chromem.Collection, opts IngestOptions, chunks []Chunk) error {
	for start := 0; start < len(chunks); start += opts.BatchSize {
		batch := chunks[start:min(start+opts.BatchSize, len(chunks))]
		texts := make([]string, len(batch))
		for i, c := range batch {
			texts[i] = c.Text
		}
		vecs, err := opts.Embedder.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed passages: %w", err)
		}
		if len(vecs) != len(batch) {
			return fmt.Errorf("embed passages: got %d vectors for %d texts", len(vecs), len(batch))
		}
		docs := make([]chromem.Document, len(batch))
		for i, c := range batch {
			if len(vecs[i]) != opts.Embedder.Dim() {
				return fmt.Errorf("embed passages: vector of %d dims, want %d", len(vecs[i]), opts.Embedder.Dim())
			}
			docs[i] = chunkDocument(c, vecs[i])
		}
		if err := coll.AddDocuments(ctx, docs, 4); err != nil {
			return fmt.Errorf("store passages: %w", err)
		}
		if opts.Progress != nil {
			opts.Progress(start+len(batch), len(chunks))
		}
	}
	return nil
}

func totalChunks(m Manifest) int {
	n := 0
	for _, a := range m.Articles {
		n += a.Chunks
	}
	return n
}

// removeStale deletes the temporary directories of ingests that were killed.
// The caller holds the ingest lock, so no other ingest is writing one.
func removeStale(dataDir string) {
	tmps, _ := filepath.Glob(filepath.Join(dataDir, tmpPrefix+"*"))
	for _, t := range tmps {
		os.RemoveAll(t)
	}
}

// pruneGenerations deletes old generations, keeping the live one and the one
// before it, which readers that opened it a moment ago may still be loading.
func pruneGenerations(dataDir, live string) {
	gens, _ := filepath.Glob(filepath.Join(dataDir, genPrefix+"*"))
	sort.Strings(gens)
	kept := 0
	for i := len(gens) - 1; i >= 0; i-- {
		if filepath.Base(gens[i]) == live || kept < 2 {
			kept++
			continue
		}
		os.RemoveAll(gens[i])
	}
}
