// Command devsets fits qabot's ranking and answer weights on the
// development sets and scores qabot on them, with k-fold cross-validated
// figures beside the figures on the data fitted. It is a tool for
// developers, not part of qabot: the sets it reads beyond the repository's
// own (RGB's and CRUD-RAG's development splits, the crud-news archive) are
// in ../shared, under licences that keep them out of the repository.
//
//	go run ./cmd/devsets fit [-write]     fit, score, and with -write replace rag/weights.tsv
//	go run ./cmd/devsets score            score the weights in rag/weights.tsv
//	go run ./cmd/devsets prompts          how often the prompt a model reads holds the answer
//	go run ./cmd/devsets archive          the archive benchmark: every set with crud-news ingested beside its articles
//	go run ./cmd/devsets scale            the scale benchmark: crud-news and generated articles, a million passages
//
// Flags: -shared DIR (../shared), -data DIR (where the collections are
// indexed, kept between runs), -archive DIR (the crud-news archive,
// unpacked there once), -no-archive (the seeds and RGB only), -folds K,
// -kinds (figures by kind of question), -naive (fit: the naive baseline's
// figures beside),
// -window N (prompts: the model's context window in tokens); archive and
// scale: -tmp DIR (where the temporary folder goes), -keep (keep it);
// scale: -passages N (1,000,000); archive:
// -embedding-url URL and -embedding-model NAME (embed with a server,
// its key from QABOT_EMBEDDING_API_KEY).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"

	"github.com/qabot/qabot/rag/question"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "devsets:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	shared, data, archive, dump    string
	tmp, embeddingURL              string
	embeddingModel                 string
	noArchive, write, diag, misses bool
	keep, naive                    bool
	folds, window, passages        int
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || !slices.Contains([]string{"fit", "score", "prompts", "archive", "scale"}, args[0]) {
		return fmt.Errorf("usage: devsets fit|score|prompts|archive|scale [flags]")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return err
	}
	var o options
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.StringVar(&o.shared, "shared", "../shared", "the shared folder with the evaluation sets and corpora")
	fs.StringVar(&o.data, "data", filepath.Join(cache, "qabot-devsets"), "where the collections are indexed")
	fs.StringVar(&o.archive, "archive", filepath.Join(cache, "qabot-devsets", "crud-news"), "where the crud-news archive is unpacked")
	fs.BoolVar(&o.noArchive, "no-archive", false, "leave out the crud-news archive")
	fs.BoolVar(&o.write, "write", false, "write the fitted weights to rag/weights.tsv")
	fs.BoolVar(&o.diag, "diag", false, "print where the evidence ranks, and stop")
	fs.Float64Var(&question.CrossWeight, "cross", question.CrossWeight, "experiment: the weight of bigrams across words")
	fs.BoolVar(&o.misses, "misses", false, "print the questions answered wrongly, on stderr")
	fs.StringVar(&o.dump, "dump", "", "write the features of every question's sentences to this file, and stop")
	fs.IntVar(&o.folds, "folds", 5, "folds of the cross-validation")
	fs.BoolVar(&byKind, "kinds", false, "figures by kind of question")
	fs.BoolVar(&o.naive, "naive", false, "fit: the naive baseline's figures beside qabot's (slow with the archive)")
	fs.IntVar(&o.window, "window", 4096, "prompts: the model's context window, in tokens")
	fs.IntVar(&promptK, "k", promptK, "prompts: passages given to the model (llm.passages)")
	fs.StringVar(&o.tmp, "tmp", "", "archive, scale: the folder the temporary folder is made in (default: the system's)")
	fs.BoolVar(&o.keep, "keep", false, "archive, scale: keep the temporary folder")
	fs.IntVar(&o.passages, "passages", 1000000, "scale: passages in all, the archive's and generated ones")
	fs.StringVar(&o.embeddingURL, "embedding-url", "", "archive: an OpenAI-compatible embedding server's base URL")
	fs.StringVar(&o.embeddingModel, "embedding-model", "bge-m3", "archive: the embedding model")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "archive":
		return benchmark(ctx, o)
	case "scale":
		return scaleBench(ctx, o)
	}
	sets, err := loadSets(ctx, o)
	if err != nil {
		return err
	}
	switch args[0] {
	case "score":
		return score(ctx, sets, o)
	case "prompts":
		return prompts(ctx, sets, o.window)
	}
	return fit(ctx, sets, o)
}
