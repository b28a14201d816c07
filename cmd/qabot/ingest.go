package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/web"
)

func (a *app) ingestCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "ingest [DIR | URL...]",
		Short: "Index a folder of articles, or web pages, into a collection (default: refresh the collection)",
		Long: `Index a folder of articles (.txt .md .html .docx .pdf) into a collection of data_dir
(--collection, default "default"), or fetch web pages (http:// or https:// URLs) into it.
The collection remembers the folder and the pages: later commands answer from them, and
a plain qabot ingest refreshes both (pages are fetched again only when their server says
they changed: ETag / Last-Modified). With no DIR and no corpus.dir, a new collection gets
the seeds. Running it again is cheap: unchanged articles keep their vectors, changed ones
are re-embedded, deleted ones disappear. Files that cannot be read are named with the
reason, and the rest are still indexed (exit status 3).` + exitCodesHelp,
		RunE: func(cmd *cobra.Command, args []string) error {
			urls, dirs := splitURLs(args)
			if len(dirs) > 1 || len(dirs) == 1 && len(urls) > 0 {
				return usageError{errors.New("give one folder, or web page URLs, not both")}
			}
			if len(dirs) == 1 {
				a.cfg.Corpus.Dir = dirs[0]
			}
			corpus := a.configuredCorpus()
			if corpus != "" {
				if fi, err := os.Stat(corpus); err != nil || !fi.IsDir() {
					return usageError{fmt.Errorf("%s is not a readable folder", a.cfg.Corpus.Dir)}
				}
			} else if m, err := index.ReadLiveManifest(a.collectionDir()); err == nil && m.Corpus != "" {
				corpus = m.Corpus // refresh the collection from its own articles
			} else if len(urls) > 0 {
				corpus = webOnlyCorpus
			} else {
				corpus = a.firstCorpus("")
			}
			if err := a.fetchPages(cmd.Context(), urls); err != nil {
				return err
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

// splitURLs sorts ingest's arguments into web page URLs and folders.
func splitURLs(args []string) (urls, dirs []string) {
	for _, arg := range args {
		if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
			urls = append(urls, arg)
		} else {
			dirs = append(dirs, arg)
		}
	}
	return urls, dirs
}

// userAgent names qabot to the servers it fetches pages from.
func userAgent() string { return "qabot/" + version() + " (+https://github.com/qabot/qabot)" }

// fetcher fetches web pages from public addresses, and from those that
// fetch.allow names.
func (a *app) fetcher() (*web.Fetcher, error) {
	policy, err := web.NewAddressPolicy(a.cfg.Fetch.Allow)
	if err != nil {
		return nil, err
	}
	return &web.Fetcher{Client: policy.Client(30 * time.Second), UserAgent: userAgent(), PerHost: time.Second}, nil
}

// fetchPages fetches urls into the collection, and refetches the pages it
// has when they changed; a page that cannot be fetched is named, and
// keeps its last version.
func (a *app) fetchPages(ctx context.Context, urls []string) error {
	f, err := a.fetcher()
	if err != nil {
		return err
	}
	rep, err := f.Fetch(ctx, a.collectionDir(), urls, true)
	if err != nil {
		return fmt.Errorf("fetch web pages: %w", err)
	}
	for _, fe := range rep.Failed {
		a.say("无法获取 %s：%v", "cannot fetch %s: %v", fe.Name, fe.Err)
	}
	if n := len(rep.Fetched) + len(rep.Unchanged); n > 0 {
		a.say("网页：获取 %d 个，%d 个未变", "web pages: %d fetched, %d unchanged", len(rep.Fetched), len(rep.Unchanged))
	}
	if len(urls) > 0 && len(rep.Failed) == len(urls) && len(rep.Fetched)+len(rep.Unchanged) == 0 {
		return errors.New("none of the pages could be fetched")
	}
	return nil
}

// ingest runs rag.Ingest with a progress bar on a terminal (log lines
// otherwise), reports unusable files on stderr, and returns a partialError
// when some files failed.
func (a *app) ingest(ctx context.Context, corpus document.Corpus, emb embedding.Embedder) (index.IngestReport, error) {
	return a.ingestWith(ctx, index.IngestOptions{Corpus: corpus, Embedder: emb})
}

// ingestWith ingests as ingest does, with opts' corpus, embedder and
// whether it is the first.
func (a *app) ingestWith(ctx context.Context, opts index.IngestOptions) (index.IngestReport, error) {
	progress := a.progress("indexing articles", "已建索引 %d / %d 篇文章", "indexed %d of %d articles")
	rep, err := index.Ingest(ctx, index.IngestOptions{
		Dir: a.collectionDir(), Corpus: opts.Corpus, Embedder: opts.Embedder, First: opts.First, Chunker: a.chunker(), Progress: progress,
		Waiting: a.waitingForIngest,
	})
	for _, f := range rep.Failed {
		a.say("跳过 %s", "skipped %s", f.Error())
	}
	if len(rep.Converted) > 0 {
		a.say("已转换为 UTF-8：%s", "converted to UTF-8: %s", strings.Join(rep.Converted, ", "))
	}
	if len(rep.Skipped) > 0 {
		a.say("跳过 %d 个不是文章的文件（只读取 .txt .md .html .docx .pdf）：%s", "skipped %d files that are not articles (only .txt .md .html .docx .pdf are read): %s", len(rep.Skipped), shortList(rep.Skipped, 5))
	}
	if err != nil || rep.Existing {
		return rep, err
	}
	if err := a.syncRemote(ctx, opts.Embedder); err != nil {
		return rep, err
	}
	if rep.Rebuilt != "" {
		a.say("已全部重建索引（%s）", "re-indexed everything: %s", rep.Rebuilt)
	}
	if len(rep.Failed) > 0 {
		return rep, partialError{fmt.Errorf("%d article files could not be used (see above)", len(rep.Failed))}
	}
	return rep, nil
}

// waitingForIngest tells the user that another ingest of the collection
// holds this command up.
func (a *app) waitingForIngest() {
	a.say("正在等待这个文章集的另一次建索引完成…", "waiting for another ingest of this collection to finish…")
}

// syncRemote brings the remote vector index (store.backend weaviate) in
// line with the collection's index.
func (a *app) syncRemote(ctx context.Context, emb embedding.Embedder) error {
	remote, err := a.remote(ctx)
	if err != nil || remote == nil {
		return err
	}
	rep, err := index.SyncRemote(ctx, a.collectionDir(), remote, emb, a.chunker(), a.progress("writing to weaviate", "已写入 weaviate %d / %d 篇文章", "written to weaviate: %d of %d articles"))
	if err != nil {
		return fmt.Errorf("bring weaviate up to date: %w", err)
	}
	if len(rep.Upserted)+len(rep.Deleted) > 0 {
		a.say("weaviate：写入 %d 篇文章，删除 %d 篇（共 %d 个段落）", "weaviate: %d articles written, %d removed (%d passages in all)", len(rep.Upserted), len(rep.Deleted), rep.Passages)
	}
	return nil
}

// progress returns a progress callback: a bar described by label when
// stderr is a terminal, a line (zh or en, with the counts) every few
// seconds and at the end otherwise.
func (a *app) progress(label, zh, en string) func(done, total int) {
	if f, ok := a.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		var bar *progressbar.ProgressBar
		return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(label),
					progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(true))
			}
			_ = bar.Set(done)
		}
	}
	last := time.Now()
	return func(done, total int) {
		if done == total || time.Since(last) > 2*time.Second {
			last = time.Now()
			a.say(zh, en, done, total)
		}
	}
}

func printReport(w io.Writer, r index.IngestReport) {
	fmt.Fprintf(w, "articles: %d added, %d updated, %d removed, %d unchanged", len(r.Added), len(r.Updated), len(r.Removed), len(r.Unchanged))
	if len(r.Failed) > 0 {
		fmt.Fprintf(w, ", %d failed", len(r.Failed))
	}
	fmt.Fprintf(w, "\npassages: %d in the index, %d embedded now; took %s\n", r.Chunks, r.Embedded, r.Duration.Round(time.Millisecond))
}
