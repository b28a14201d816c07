package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/index"
)

// liveAnswerer answers from a collection's latest index, for the commands
// that run for long (serve, telegram). An ingest by this process (the
// bot's /add) swaps the index at once; one by another process (qabot
// ingest while the bot runs) is seen through the data dir: a question
// looks, at most every reloadEvery, at which index the collection's
// current file names, and when that changed, the new index is opened in
// the background. Questions go on meanwhile, and one in flight finishes
// on the index it began with.
type liveAnswerer struct {
	current atomic.Pointer[rag.Answerer]
	dir     string                                          // the collection's folder
	open    func(ctx context.Context) (*index.Store, error) // opens its live index
	log     *slog.Logger

	mu        sync.Mutex
	version   string // the live index current answers from
	checked   time.Time
	reloading bool
}

// reloadEvery is how often, at most, a question looks for a new index.
const reloadEvery = 2 * time.Second

// liveAnswerer answers with ans, from ans.Store and, after an ingest, from
// the collection's new index.
func (a *app) liveAnswerer(ans *rag.Answerer, log *slog.Logger) *liveAnswerer {
	l := &liveAnswerer{dir: a.collectionDir(), log: log, checked: time.Now()}
	l.open = func(ctx context.Context) (*index.Store, error) {
		remote, err := a.remote(ctx)
		if err != nil {
			return nil, err
		}
		return a.openIndex(ctx, l.current.Load().Store.Embedder(), remote)
	}
	l.version, _ = index.LiveVersion(l.dir)
	l.current.Store(ans)
	return l
}

// Answer answers req from the latest index open.
func (l *liveAnswerer) Answer(ctx context.Context, req rag.Request) (rag.Answer, error) {
	l.look()
	return l.current.Load().Answer(ctx, req)
}

// look starts opening the collection's live index when it is not the one
// answered from.
func (l *liveAnswerer) look() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reloading || time.Since(l.checked) < reloadEvery {
		return
	}
	l.checked = time.Now()
	if v, err := index.LiveVersion(l.dir); err == nil && v != l.version {
		l.reloading = true
		go l.reload(v)
	}
}

// reload opens the index v and answers from it; if it cannot be opened,
// questions go on to the index before, and it is tried again later.
func (l *liveAnswerer) reload(v string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s, err := l.open(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reloading = false
	if err != nil {
		l.log.Warn("the collection was ingested again, but its new index could not be opened: answering from the one before", "error", err)
		return
	}
	l.use(s)
	l.log.Info("the collection was ingested again: answering from its new index", "articles", len(s.Manifest.Articles), "passages", s.Count())
}

// swap answers from s, the index an ingest of this process just made.
func (l *liveAnswerer) swap(s *index.Store) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.use(s)
}

// use answers from s, the collection's live index; l.mu is held.
func (l *liveAnswerer) use(s *index.Store) {
	next := *l.current.Load()
	next.Store = s
	l.current.Store(&next)
	l.version, _ = index.LiveVersion(l.dir)
}
