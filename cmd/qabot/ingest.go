package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag"
)

func (a *app) ingestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ingest [DIR]",
		Short: "Index a folder of .txt/.md articles into a collection (default: refresh the collection from its folder)",
		Long: `Index a folder of .txt/.md articles into a collection of data_dir (--collection, default "default").
The collection remembers the folder: later commands answer from it, and a plain
qabot ingest refreshes it. With no DIR and no corpus.dir, a new collection gets the seeds.
Running it again is cheap: unchanged articles keep their vectors, changed ones are
re-embedded, deleted ones disappear. Files that cannot be read are named with the reason,
and the rest are still indexed (exit status 3).` + exitCodesHelp,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				a.cfg.Corpus.Dir = args[0]
			}
			corpus := a.configuredCorpus()
			if corpus != "" {
				if fi, err := os.Stat(corpus); err != nil || !fi.IsDir() {
					return usageError{fmt.Errorf("%s is not a readable folder", a.cfg.Corpus.Dir)}
				}
			} else if m, err := rag.ReadLiveManifest(a.collectionDir()); err == nil && m.Corpus != "" {
				corpus = m.Corpus // refresh the collection from its own articles
			} else {
				corpus = a.firstCorpus("")
			}
			emb, err := a.embedder(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := a.ingest(cmd.Context(), corpusAt(corpus), emb)
			if err == nil || isPartial(err) {
				printReport(a.stdout, rep)
			}
			return err
		},
	}
}

func isPartial(err error) bool { return errors.As(err, new(partialError)) }

// ingest runs rag.Ingest with a progress bar on a terminal (log lines
// otherwise), reports unusable files on stderr, and returns a partialError
// when some files failed.
func (a *app) ingest(ctx context.Context, corpus rag.Corpus, emb rag.Embedder) (rag.IngestReport, error) {
	progress := a.progress()
	rep, err := rag.Ingest(ctx, rag.IngestOptions{
		Dir: a.collectionDir(), Corpus: corpus, Embedder: emb, Chunker: a.chunker(), Progress: progress,
		Waiting: func() { fmt.Fprintln(a.stderr, "qabot: waiting for another ingest of this collection to finish…") },
	})
	for _, f := range rep.Failed {
		fmt.Fprintf(a.stderr, "qabot: skipped %s\n", f.Error())
	}
	if len(rep.Skipped) > 0 {
		fmt.Fprintf(a.stderr, "qabot: skipped %d files that are not articles (only .txt .md .html .docx .pdf are read): %s\n", len(rep.Skipped), shortList(rep.Skipped, 5))
	}
	if err != nil {
		return rep, err
	}
	if rep.Rebuilt != "" {
		fmt.Fprintf(a.stderr, "qabot: re-indexed everything: %s\n", rep.Rebuilt)
	}
	if len(rep.Failed) > 0 {
		return rep, partialError{fmt.Errorf("%d article files could not be used (see above)", len(rep.Failed))}
	}
	return rep, nil
}

// progress returns a progress callback: a bar when stderr is a terminal,
// a plain line every few seconds and at the end otherwise.
func (a *app) progress() func(done, total int) {
	if f, ok := a.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		var bar *progressbar.ProgressBar
		return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("embedding passages"),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(true))
			}
			_ = bar.Set(done)
		}
	}
	last := time.Now()
	return func(done, total int) {
		if done == total || time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintf(a.stderr, "qabot: embedded %d of %d passages\n", done, total)
		}
	}
}

func printReport(w io.Writer, r rag.IngestReport) {
	fmt.Fprintf(w, "articles: %d added, %d updated, %d removed, %d unchanged", len(r.Added), len(r.Updated), len(r.Removed), len(r.Unchanged))
	if len(r.Failed) > 0 {
		fmt.Fprintf(w, ", %d failed", len(r.Failed))
	}
	fmt.Fprintf(w, "\npassages: %d in the index, %d embedded now; took %s\n", r.Chunks, r.Embedded, r.Duration.Round(time.Millisecond))
}
