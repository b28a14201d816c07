package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/ragtest"
)

// scaleBench is the scale benchmark: the crud-news archive beside articles
// generated from its sentences (ragtest.Distractors: deterministic, about
// 16 passages each) up to o.passages passages, ingested with the local
// embedder in a temporary folder. It prints each figure of the scale issue
// beside its goal: the first ingest's time and peak heap, a cold question
// (open and ask), questions on the open store before and after it is warm,
// and re-ingests with nothing and with one article changed.
func scaleBench(ctx context.Context, o options) error {
	tmp, done, err := benchFolder(o, "qabot-scale-")
	if err != nil {
		return err
	}
	defer done()
	archive, err := archiveFolder(o.shared, o.archive)
	if err != nil {
		return err
	}
	corpus := filepath.Join(tmp, "corpus")
	fmt.Fprintf(os.Stderr, "devsets: copying the archive into %s…\n", corpus)
	if err := os.CopyFS(filepath.Join(corpus, "archive"), document.FolderFS(archive)); err != nil {
		return err
	}
	if err := generate(ctx, archive, filepath.Join(corpus, "generated"), o.passages-archivePassages); err != nil {
		return err
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	items, err := seedSets(repo)
	if err != nil {
		return fmt.Errorf("run devsets from the repository's top folder: %w", err)
	}
	var questions []string
	for _, it := range items {
		if asked(it) {
			questions = append(questions, it.question)
		}
	}
	emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
	opts := index.IngestOptions{Dir: filepath.Join(tmp, "data"), Corpus: folderCorpus(corpus), Embedder: emb, Chunker: ch}
	ingest := func() (index.IngestReport, time.Duration, error) {
		began := time.Now()
		rep, err := index.Ingest(ctx, opts)
		return rep, time.Since(began), err
	}
	fmt.Fprintln(os.Stderr, "devsets: ingesting…")
	var first index.IngestReport
	var firstTook time.Duration
	peak := ragtest.PeakHeap(func() { first, firstTook, err = ingest() })
	if err != nil {
		return err
	}
	began := time.Now()
	st, err := index.Open(ctx, opts.Dir, emb, ch)
	if err != nil {
		return err
	}
	a := &rag.Answerer{Store: st, TopK: 5, MinRelevance: 0.08}
	if _, err := a.Ask(ctx, questions[0]); err != nil {
		return err
	}
	cold := time.Since(began)
	var scan []time.Duration
	for _, q := range questions[1:21] {
		began := time.Now()
		if _, err := a.Ask(ctx, q); err != nil {
			return err
		}
		scan = append(scan, time.Since(began))
	}
	slices.Sort(scan)
	began = time.Now()
	if err := st.Warm(ctx); err != nil {
		return err
	}
	warming := time.Since(began)
	var warm []time.Duration
	for _, q := range questions {
		began := time.Now()
		if _, err := a.Ask(ctx, q); err != nil {
			return err
		}
		warm = append(warm, time.Since(began))
	}
	slices.Sort(warm)
	_, unchanged, err := ingest()
	if err != nil {
		return err
	}
	if err := changeOne(corpus); err != nil {
		return err
	}
	oneRep, oneTook, err := ingest()
	if err != nil {
		return err
	}
	fmt.Printf("scale: %d articles, %d passages (the archive and generated articles), local embedder\n", len(first.Added), first.Chunks)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\tgoal")
	fmt.Fprintf(tw, "first ingest\t%s\t< 20 min\n", firstTook.Round(time.Second))
	fmt.Fprintf(tw, "peak heap during the first ingest\t%d MB\t< 400 MB\n", peak>>20)
	fmt.Fprintf(tw, "cold question (open, then ask)\t%d ms\t< 1 s\n", cold.Milliseconds())
	fmt.Fprintf(tw, "question on the open store, scanning the vectors, median of %d\t%d ms\t< 150 ms\n", len(scan), scan[len(scan)/2].Milliseconds())
	how := "chromem-go"
	if first.Chunks > index.MaxWarmPassages {
		how = fmt.Sprintf("the scan: over %d passages, Warm leaves chromem-go out", index.MaxWarmPassages)
	}
	fmt.Fprintf(tw, "warming\t%d ms\t\n", warming.Milliseconds())
	fmt.Fprintf(tw, "warm question (%s), median of %d\t%d ms\t< 150 ms\n", how, len(warm), warm[len(warm)/2].Milliseconds())
	fmt.Fprintf(tw, "re-ingest, nothing changed\t%s\t\n", unchanged.Round(time.Millisecond))
	fmt.Fprintf(tw, "re-ingest, one article changed (%d embedded)\t%s (%.1f%% of the first)\t< 5%%\n", oneRep.Embedded, oneTook.Round(time.Millisecond), 100*oneTook.Seconds()/firstTook.Seconds())
	return tw.Flush()
}

// archivePassages is about how many passages the crud-news archive makes
// (213,091 when measured): what the generated articles add to reach the
// number asked for.
const archivePassages = 213091

// generate writes articles recombined from the sentences of the archive's
// first articles into dir, about passages passages' worth, in folders of
// a thousand.
func generate(ctx context.Context, archive, dir string, passages int) error {
	var sentences []string
	_, err := document.EachArticle(ctx, document.Corpus{Name: archive, FS: document.FolderFS(archive)}, nil, func(done, _ int, a *document.Article) error {
		if a != nil && done <= 3000 {
			sentences = append(sentences, document.Sentences(a.Text)...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	articles := passages / 16 // measured: about 16.5 passages each (300 runes, 60 overlapping)
	fmt.Fprintf(os.Stderr, "devsets: generating %d articles from %d sentences…\n", articles, len(sentences))
	for k := 0; k*1000 < articles; k++ {
		folder := filepath.Join(dir, fmt.Sprintf("%03d", k))
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return err
		}
		for name, text := range ragtest.Distractors(sentences, min(1000, articles-k*1000), uint64(k), nil) {
			if err := os.WriteFile(filepath.Join(folder, name), []byte(text), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// changeOne adds a sentence to one generated article.
func changeOne(corpus string) error {
	path := filepath.Join(corpus, "generated", "000", "d0000000.txt")
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.TrimSpace(string(raw))+"这一句是后来加上的。\n"), 0o644)
}
