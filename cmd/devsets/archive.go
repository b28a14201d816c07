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
	tmp, err := os.MkdirTemp(o.tmp, "qabot-archive-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "devsets: keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
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
	if err := os.CopyFS(archive, rag.FolderFS(filepath.Join(rgbDir, "corpus"))); err != nil {
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
	type run struct {
		corpus rag.Corpus
		s      set
	}
	runs := []run{
		{seedsCorpus(), set{name: "seeds alone", store: seedStore, items: seedItems}},
		{folderCorpus(archive), set{name: "archive", store: big, items: seedItems}},
		{folderCorpus(filepath.Join(rgbDir, "corpus")), set{name: "RGB alone", store: rgbStore, items: rgbItems}},
		{folderCorpus(archive), set{name: "archive", store: big, items: rgbItems}},
		{folderCorpus(archive), set{name: "archive", store: big, items: crudItems}},
	}
	qabot, naive := map[string]*tally{}, map[string]*tally{}
	var order []string
	baselines := map[string]*rag.NaiveBaseline{}
	for _, r := range runs {
		if err := tallyInto(ctx, qabot, r.s, func(ctx context.Context, it item) (rag.Answer, error) {
			a := &rag.Answerer{Store: r.s.store, TopK: topK, MinRelevance: 0.08}
			return a.Ask(ctx, it.question)
		}); err != nil {
			return err
		}
		b := baselines[r.corpus.Name]
		if b == nil {
			if b, err = rag.NewNaiveBaseline(ctx, r.corpus); err != nil {
				return err
			}
			baselines[r.corpus.Name] = b
		}
		if err := tallyInto(ctx, naive, r.s, func(ctx context.Context, it item) (rag.Answer, error) {
			ans, err := b.Ask(ctx, it.question)
			if len(ans.Retrieved) > 0 { // the naive answer is its top chunk
				ans.Text, ans.Sources = ans.Retrieved[0].Text, ans.Retrieved
			}
			return ans, err
		}); err != nil {
			return err
		}
		for _, it := range r.s.items {
			if name := it.set + " (" + r.s.name + ")"; !slices.Contains(order, name) {
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

// benchEmbedder is the local embedder, or the embedding server's model
// when -embedding-url is set (its key from QABOT_EMBEDDING_API_KEY).
func benchEmbedder(ctx context.Context, o options) (rag.Embedder, error) {
	if o.embeddingURL == "" {
		return rag.NewLocalEmbedder(0), nil
	}
	return rag.NewOpenAIEmbedder(ctx, llm.ModelConfig{Setting: "embedding", BaseURL: o.embeddingURL, Model: o.embeddingModel,
		APIKey: os.Getenv("QABOT_EMBEDDING_API_KEY"), Timeout: 2 * time.Minute, Retries: 3, MaxRetryWait: 5 * time.Second})
}
