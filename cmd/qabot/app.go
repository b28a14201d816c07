package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/config"
	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/terms"
	"github.com/qabot/qabot/rag/weaviate"
	"github.com/qabot/qabot/seeds"
)

// Exit codes.
const (
	exitOK      = 0
	exitError   = 1 // the command failed
	exitUsage   = 2 // bad arguments or flags, e.g. an empty question
	exitPartial = 3 // ingest finished, but some files could not be used
)

const exitCodesHelp = `
Exit status:
  0  success (a refusal such as "not in the articles" is a success)
  1  failure: unreadable config, data dir or store, a failed ingest
  2  usage error: unknown flag, empty question
  3  ingest finished, but some article files could not be used`

// usageError marks errors that are the caller's mistake (exit status 2).
type usageError struct{ error }

// partialError marks an ingest that indexed some articles but not all (exit status 3).
type partialError struct{ error }

// app holds what every command needs.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configFile     string
	verbose        bool
	cfg            config.Config
	log            *slog.Logger
	checked        embedding.Embedder // the embedder doctor checked, if it works
	remoteIndex    index.RemoteIndex
	question       string // the question on the command line, whose language notices follow
	hinted         bool   // the operator was told what deferred questions need
	warm           bool   // the command answers many questions: its stores are warmed (index.Store.Warm)
}

// say writes a notice to stderr ("qabot: …") in the interface's language:
// that of LANG when it is set, else that of the question asked, else
// English.
// Text among args (file names, titles, errors that quote them) is printed
// with its control characters escaped (rag.Printable).
func (a *app) say(zh, en string, args ...any) {
	for i, arg := range args {
		switch v := arg.(type) {
		case string:
			args[i] = document.Printable(v)
		case error:
			args[i] = document.Printable(v.Error())
		}
	}
	fmt.Fprintf(a.stderr, "qabot: "+pick(a.chinese(), zh, en)+"\n", args...)
}

// chinese reports whether the interface speaks Chinese.
func (a *app) chinese() bool {
	if locale, ok := localeSet(); ok {
		return locale
	}
	return a.question != "" && terms.Language(a.question) == "zh"
}

// run executes qabot with args and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "qabot:", document.Printable(err.Error()))
	var ue usageError
	var pe partialError
	switch {
	case errors.As(err, &pe):
		return exitPartial
	case errors.As(err, &ue), isUnknownCommand(err):
		return exitUsage
	}
	return exitError
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "qabot",
		Short: "Answer questions about a collection of articles, with cited sources",
		Long: `qabot answers questions about a collection of articles and cites the passages it used.
With nothing configured it answers offline from the five embedded seed articles, extractively.
Config: --config FILE (YAML), QABOT_* environment variables (e.g. QABOT_DATA_DIR,
QABOT_RETRIEVAL_TOP_K), and flags; flags win over the environment, which wins over the file.` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.load(cmd)
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "YAML config file")
	pf.String("data-dir", "", "where the index is stored (default: the user cache dir, e.g. ~/.cache/qabot)")
	pf.String("corpus", "", "folder of .txt/.md articles (default: what the collection was built from, else the embedded seeds)")
	defaults := config.Default()
	pf.String("collection", defaults.Collection, "the collection (index) in the data dir to use")
	pf.Int("top-k", defaults.Retrieval.TopK, "passages to retrieve (retrieval.top_k)")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log details to stderr")
	root.AddCommand(a.askCommand(), a.chatCommand(), a.ingestCommand(), a.evalCommand(), a.configCommand(), a.doctorCommand(), a.telegramCommand(), a.serveCommand(),
		a.collectionsCommand(), a.versionCommand())
	return root
}

// load reads the configuration once flags are parsed and sets up logging.
func (a *app) load(cmd *cobra.Command) error {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if f := cmd.Flags().Lookup("top-k"); f != nil && f.Changed {
		if n, err := cmd.Flags().GetInt("top-k"); err != nil || n < 1 {
			return usageError{fmt.Errorf("--top-k must be at least 1, got %s", f.Value)}
		}
	}
	cfg, err := config.Load(a.configFile, cmd.Flags())
	if err != nil {
		return err
	}
	if err := index.CheckCollectionName(cfg.Collection); err != nil {
		return usageError{err}
	}
	a.cfg = cfg
	document.PDFMemoryMiB = cfg.Corpus.PDFMemoryMB
	red := cfg.Redacted()
	a.log.Debug("config", "data_dir", red.DataDir, "collection", cfg.Collection, "corpus", red.Corpus.Dir, "embedding", red.Embedding.Provider,
		"llm", red.LLM.BaseURL, "top_k", red.Retrieval.TopK, "chunk_size", red.Chunk.Size, "chunk_overlap", red.Chunk.Overlap)
	return nil
}

// seedsCorpus names the embedded seed articles in manifests; webOnlyCorpus
// a collection made of fetched web pages only.
const (
	seedsCorpus   = "seeds (embedded)"
	webOnlyCorpus = "web pages only"
)

// corpusAt is the corpus of a manifest's name: the embedded seeds or a folder.
func corpusAt(name string) document.Corpus {
	switch name {
	case seedsCorpus:
		return document.Corpus{Name: seedsCorpus, FS: seeds.FS}
	case webOnlyCorpus:
		return document.Corpus{Name: webOnlyCorpus} // the pages are added by Ingest
	}
	return document.Corpus{Name: name, FS: document.FolderFS(name)}
}

// configuredCorpus is the corpus named by --corpus or corpus.dir, as an
// absolute path, or "" when none is.
func (a *app) configuredCorpus() string {
	if a.cfg.Corpus.Dir == "" {
		return ""
	}
	if dir, err := filepath.Abs(a.cfg.Corpus.Dir); err == nil {
		return dir
	}
	return a.cfg.Corpus.Dir
}

// collectionDir is the directory of the configured collection.
func (a *app) collectionDir() string { return index.CollectionDir(a.cfg.DataDir, a.cfg.Collection) }

// embedder is the configured embedder; an OpenAI-compatible one is probed
// once, which checks the server and learns its vectors' dimension.
func (a *app) embedder(ctx context.Context) (embedding.Embedder, error) {
	if a.cfg.Embedding.Provider == "local" {
		return embedding.NewLocalEmbedder(0), nil
	}
	e := a.cfg.Embedding
	return embedding.NewOpenAIEmbedder(ctx, llm.ModelConfig{
		Setting: "embedding", BaseURL: e.BaseURL, APIKey: e.APIKey, Model: e.Model, Timeout: e.Timeout,
		Retries: a.cfg.LLM.Retries, MaxRetryWait: maxRetryWait,
	})
}

// maxRetryWait bounds each wait between retries, Retry-After included.
const maxRetryWait = 5 * time.Second

// chatClient is the configured LLM, or nil when none is.
func (a *app) chatClient() *llm.ChatClient {
	l := a.cfg.LLM
	if l.BaseURL == "" {
		return nil
	}
	return llm.NewChatClient(llm.ChatConfig{
		ModelConfig: llm.ModelConfig{Setting: "llm", BaseURL: l.BaseURL, APIKey: l.APIKey, Model: l.Model, Timeout: l.Timeout,
			Retries: l.Retries, MaxRetryWait: maxRetryWait},
		Temperature: float32(l.Temperature), MaxTokens: l.MaxTokens, ContextTokens: l.ContextTokens, DisableThinking: l.DisableThinking,
	})
}

func (a *app) chunker() document.Chunker {
	return document.Chunker{Size: a.cfg.Chunk.Size, Overlap: a.cfg.Chunk.Overlap}
}

// openStore opens the collection's index. It builds the index first only
// when the default collection has none (from the configured corpus, else
// the seeds), or when it cannot be used as it is (other settings, damaged),
// from the corpus it was built from: the articles are the source of truth.
// Any other collection that does not exist is an error: only ingest makes
// one. It never replaces a collection's articles with others; that takes
// qabot ingest.
func (a *app) openStore(ctx context.Context) (*index.Store, error) {
	emb, err := a.embedder(ctx)
	if err != nil {
		return nil, err
	}
	dir := a.collectionDir()
	remote, err := a.remote(ctx)
	if err != nil {
		// Answer anyway: the data dir holds the vectors too.
		a.say("Weaviate 不可用（%v）：改用数据目录中的向量回答", "Weaviate is unavailable (%v): answering from the vectors in the data dir", err)
		remote = nil
	}
	s, err := a.openIndex(ctx, emb, remote)
	want := a.configuredCorpus()
	var corpus string
	switch {
	case err == nil && (want == "" || want == s.Manifest.Corpus):
		return s, nil
	case err == nil:
		return nil, usageError{fmt.Errorf("collection %q holds the articles of %s, not %s: run qabot ingest %s to replace them, or use --collection NAME for a collection of its own",
			a.cfg.Collection, s.Manifest.Corpus, want, want)}
	case errors.Is(err, index.ErrNoStore) && a.cfg.Collection != index.DefaultCollection:
		// Its first ingest may be under way: answer from what it makes.
		if err := index.AwaitIngest(ctx, dir, a.waitingForIngest); err != nil {
			return nil, err
		}
		if s, err := a.openIndex(ctx, emb, remote); err == nil {
			return s, nil
		}
		return nil, a.unknownCollection()
	case errors.Is(err, index.ErrNoStore):
		corpus = a.firstCorpus(want)
		a.say("首次运行：正在把 %s 建入文章集 %q…", "first run: indexing %s into collection %q…", corpus, a.cfg.Collection)
		// An ingest under way may make the collection first: then this
		// question is answered from what it made.
		rep, err := a.ingestWith(ctx, index.IngestOptions{Corpus: corpusAt(corpus), Embedder: emb, First: true})
		if err != nil && !isPartial(err) {
			return nil, err
		}
		if rep.Existing {
			return a.openStore(ctx)
		}
		return a.openIndex(ctx, emb, remote)
	case errors.Is(err, index.ErrIncompatible), errors.Is(err, index.ErrCorrupt):
		m, _ := index.ReadLiveManifest(dir)
		if corpus = m.Corpus; corpus == "" {
			corpus = a.firstCorpus(want)
		}
		a.say("索引需要重建，正在重新建立 %[2]s 的索引…（%[1]v）", "%v; re-indexing %s…", err, corpus)
	default:
		return nil, err
	}
	if _, err := a.ingest(ctx, corpusAt(corpus), emb); err != nil && !isPartial(err) {
		return nil, err
	}
	return a.openIndex(ctx, emb, remote)
}

// unknownCollection is the error for a collection that does not exist:
// only qabot ingest creates one (but the default, which the first
// question builds). It lists the collections there are, and names the
// closest.
func (a *app) unknownCollection() error {
	list, _ := index.ListCollections(a.cfg.DataDir)
	var names []string
	for _, c := range list {
		names = append(names, c.Name)
	}
	msg := fmt.Sprintf("collection %q does not exist in %s", a.cfg.Collection, a.cfg.DataDir)
	if len(names) > 0 {
		msg += " (there are: " + strings.Join(names, ", ")
		if near := config.Nearest(a.cfg.Collection, names); near != "" {
			msg += "; did you mean " + near + "?"
		}
		msg += ")"
	}
	return usageError{fmt.Errorf("%s; qabot --collection %s ingest DIR creates it", msg, a.cfg.Collection)}
}

// openIndex opens the collection's index with its vectors in remote (nil:
// in memory); a search remote cannot answer is logged, and answered from
// the vectors in the data dir.
func (a *app) openIndex(ctx context.Context, emb embedding.Embedder, remote index.RemoteIndex) (*index.Store, error) {
	resume := pauseGC()
	s, err := index.OpenWith(ctx, a.collectionDir(), emb, a.chunker(), remote)
	resume()
	if err == nil && a.warm {
		go func() { // until it is built, questions scan the vectors
			if err := s.Warm(context.WithoutCancel(ctx)); err != nil {
				a.log.Warn("the in-memory vector index could not be built; questions scan the vectors in the data dir", "error", err)
			}
		}()
	}
	if err == nil && remote != nil {
		s.OnRemoteError = func(err error) {
			a.log.Warn("weaviate failed a search; searching the vectors in the data dir instead", "error", err)
		}
	}
	return s, err
}

// weaviateClient is a client of the configured Weaviate server.
func (a *app) weaviateClient() *weaviate.Client {
	w := a.cfg.Weaviate
	return weaviate.New(weaviate.Config{URL: w.URL, APIKey: w.APIKey, Consistency: w.ConsistencyLevel, Replication: w.ReplicationFactor, Timeout: w.Timeout})
}

// remote is the collection's remote vector index when store.backend is
// weaviate (its class created when missing), else nil.
func (a *app) remote(ctx context.Context) (index.RemoteIndex, error) {
	if a.cfg.Store.Backend != "weaviate" || a.remoteIndex != nil {
		return a.remoteIndex, nil
	}
	client := a.weaviateClient()
	if _, err := client.Ready(ctx); err != nil {
		return nil, err
	}
	class := weaviate.ClassName(a.cfg.Collection)
	if err := client.EnsureClass(ctx, class); err != nil {
		return nil, err
	}
	a.remoteIndex = &weaviate.Index{Client: client, Class: class, Alpha: 0.5}
	return a.remoteIndex, nil
}

// firstCorpus is what a new collection is built from: the configured
// corpus, else what an index of an earlier qabot version was built from,
// else the seeds.
func (a *app) firstCorpus(configured string) string {
	if configured != "" {
		return configured
	}
	if a.cfg.Collection == index.DefaultCollection {
		if legacy, ok := index.LegacyCorpus(a.cfg.DataDir); ok {
			if fi, err := os.Stat(legacy); legacy == seedsCorpus || err == nil && fi.IsDir() {
				index.RemoveLegacy(a.cfg.DataDir)
				return legacy
			}
		}
	}
	return seedsCorpus
}

func (a *app) answerer(s *index.Store) *rag.Answerer {
	return &rag.Answerer{Store: s, TopK: a.cfg.Retrieval.TopK, MinRelevance: a.cfg.Retrieval.MinRelevance,
		MinSimilarity: a.cfg.Retrieval.MinSimilarity, LLM: a.chatClient(), ModelPassages: a.cfg.LLM.Passages, Log: a.log}
}

// usageArgs makes an argument validator's errors usage errors (exit status 2).
func usageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := validate(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// isUnknownCommand recognises cobra's error for a misspelt command, which
// it does not type.
func isUnknownCommand(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command")
}
