package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/llm"
)

// benchmark is the archive benchmark. It unpacks crud-news into a
// temporary folder with the seeds and RGB's passages (about 216,000
// passages in all), ingests it, and asks every set of it: v1 to v3,
// rgb-dev and crud-qa-dev. Each figure is printed beside the naive
// baseline's on the same collection (qabot eval --baseline's: 300-character
// chunks, BM25 over bigrams, its top chunk as the answer) and beside the figure of the
// set's own articles alone (the seeds; RGB's passages). With an embedding
// server (-embedding-url), every collection is embedded by it instead of
// the local embedder.
func benchmark(ctx context.Context, o options) error {
	tmp, done, err := benchFolder(o, "qabot-archive-")
	if err != nil {
		return err
	}
	defer done()
	emb, err := benchEmbedder(ctx, o)
	if err != nil {
		return err
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	seedItems, err := seedSets(repo)
	if err != nil {
		return fmt.Errorf("run devsets from the repository's top folder: %w", err)
	}
	rgbDir := filepath.Join(o.shared, "eval/rgb-dev")
	rgbItems, err := rgbSet(rgbDir)
	if err != nil {
		return err
	}
	crudItems, err := crudSet(filepath.Join(o.shared, "eval/crud-qa-dev"))
	if err != nil {
		return err
	}
	archive, err := archiveFolder(o.shared, filepath.Join(tmp, "archive"))
	if err != nil {
		return err
	}
	if err := os.CopyFS(archive, document.FolderFS(filepath.Join(rgbDir, "corpus"))); err != nil {
		return fmt.Errorf("add RGB's passages to the archive: %w", err)
	}

	data := filepath.Join(tmp, "data")
	began := time.Now()
	big, err := openWith(ctx, data, "archive", folderCorpus(archive), emb)
	if err != nil {
		return err
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("archive: %d articles, %d passages, ingested in %s (Go heap at most %d MB)\n",
		len(big.Manifest.Articles), big.Count(), time.Since(began).Round(time.Second), mem.Sys>>20)
	seedStore, err := openWith(ctx, data, "seeds", seedsCorpus(), emb)
	if err != nil {
		return err
	}
	rgbStore, err := openWith(ctx, data, "rgb", folderCorpus(filepath.Join(rgbDir, "corpus")), emb)
	if err != nil {
		return err
	}
	rgbCorpus := folderCorpus(filepath.Join(rgbDir, "corpus"))
	runs := []set{
		{name: "seeds alone", store: seedStore, corpus: seedsCorpus(), items: seedItems},
		{name: "archive", store: big, corpus: folderCorpus(archive), items: seedItems},
		{name: "RGB alone", store: rgbStore, corpus: rgbCorpus, items: rgbItems},
		{name: "archive", store: big, corpus: folderCorpus(archive), items: rgbItems},
		{name: "archive", store: big, corpus: folderCorpus(archive), items: crudItems},
	}
	qabot, err := answer(ctx, runs, func(item) *rag.Weights { return rag.DefaultWeights })
	if err != nil {
		return err
	}
	naive, err := naiveTallies(ctx, runs)
	if err != nil {
		return err
	}
	var order []string
	for _, r := range runs {
		for _, it := range r.items {
			if name := rowName(r, it); asked(it) && !slices.Contains(order, name) {
				order = append(order, name)
			}
		}
	}
	printBenchmark(os.Stdout, order, qabot, naive)
	return nil
}

// printBenchmark prints the rows of qabot's figures with the naive
// baseline's.
func printBenchmark(w io.Writer, order []string, qabot, naive map[string]*tally) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "set (collection)\tcorrect\tnaive\tfalse refusals\trefused (no answer)\thit@1\tnaive\thit@5\tnaive\tmedian answer\tnaive")
	for _, name := range order {
		q, n := qabot[name], naive[name]
		fmt.Fprintf(tw, "%s\t%d/%d\t%d\t%d\t%d/%d\t%d\t%d\t%d\t%d\t%d chars\t%d chars\n", name, q.correct, q.answerable, n.correct,
			q.falseRefusals, q.refused, q.unanswerable, q.hit1, n.hit1, q.hit5, n.hit5, q.median(), n.median())
	}
	tw.Flush()
}

// benchFolder makes the temporary folder of a benchmark in o.tmp; done
// removes it, unless o.keep.
func benchFolder(o options, prefix string) (dir string, done func(), err error) {
	dir, err = os.MkdirTemp(o.tmp, prefix)
	if err != nil {
		return "", nil, err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "devsets: keeping %s\n", dir)
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// benchEmbedder is the local embedder, or the embedding server's model
// when -embedding-url is set (its key from QABOT_EMBEDDING_API_KEY).
func benchEmbedder(ctx context.Context, o options) (embedding.Embedder, error) {
	if o.embeddingURL == "" {
		return embedding.NewLocalEmbedder(0), nil
	}
	return embedding.NewOpenAIEmbedder(ctx, llm.ModelConfig{Setting: "embedding", BaseURL: o.embeddingURL, Model: o.embeddingModel,
		APIKey: os.Getenv("QABOT_EMBEDDING_API_KEY"), Timeout: 2 * time.Minute, Retries: 3, MaxRetryWait: 5 * time.Second})
}
