package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/qabot/qabot/rag"
)

// Bounds on the questions waiting to be answered.
const (
	maxQueued      = 10   // in one chat
	maxQueuedTotal = 1000 // over all chats
)

// Bounds on the replies waiting to be sent.
const (
	maxOutgoing      = 20
	maxOutgoingTotal = 5000
)

// chatQueues runs each chat's jobs one at a time, in order, in a goroutine
// per chat with jobs waiting, with bounds on the jobs waiting in one chat
// and in all, and, when slots is set, on how many chats run a job at once.
type chatQueues struct {
	mu       sync.Mutex
	queues   map[int64][]func() // waiting jobs per chat that has a worker
	total    int                // jobs waiting, over all chats
	perChat  int
	maxTotal int
	slots    chan struct{} // nil: no bound
}

// newChatQueues returns queues that run at most concurrency chats' jobs at
// once (no bound when it is 0), and hold at most perChat jobs in a chat and
// maxTotal in all.
func newChatQueues(concurrency, perChat, maxTotal int) *chatQueues {
	q := &chatQueues{queues: map[int64][]func(){}, perChat: perChat, maxTotal: maxTotal}
	if concurrency > 0 {
		q.slots = make(chan struct{}, concurrency)
	}
	return q
}

// enqueue queues job for chat and calls done after it has run. It returns
// false, without queueing, when the chat or all chats together already
// have as many jobs waiting as allowed.
func (q *chatQueues) enqueue(chat int64, job, done func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting, running := q.queues[chat]
	if len(waiting) >= q.perChat || q.total >= q.maxTotal {
		return false
	}
	q.total++
	q.queues[chat] = append(waiting, func() {
		defer done()
		job()
	})
	if !running {
		go q.work(chat)
	}
	return true
}

// work runs chat's jobs until its queue is empty.
func (q *chatQueues) work(chat int64) {
	for {
		q.mu.Lock()
		jobs := q.queues[chat]
		if len(jobs) == 0 {
			delete(q.queues, chat)
			q.mu.Unlock()
			return
		}
		q.queues[chat] = jobs[1:]
		q.total--
		q.mu.Unlock()
		if q.slots != nil {
			q.slots <- struct{}{}
		}
		jobs[0]()
		if q.slots != nil {
			<-q.slots
		}
	}
}

// maxRemembered bounds the maps kept per user or chat (rate limiters,
// strangers already refused): past it they are forgotten, all at once,
// rather than grow without bound.
const maxRemembered = 100_000

// onceSet remembers IDs, to do something once per ID.
type onceSet struct {
	mu   sync.Mutex
	seen map[int64]bool
}

// first reports whether id is new, and remembers it.
func (o *onceSet) first(id int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[id] {
		return false
	}
	if o.seen == nil || len(o.seen) >= maxRemembered {
		o.seen = map[int64]bool{}
	}
	o.seen[id] = true
	return true
}

// chatLimits paces the messages sent to each chat, as Telegram asks: about
// one a second in a chat, and a third of that in a group, after a burst of
// three.
type chatLimits struct {
	every    time.Duration // between messages in a private chat
	mu       sync.Mutex
	limiters map[int64]*rate.Limiter
}

// wait blocks until a message may be sent to chat, or ctx is done.
func (l *chatLimits) wait(ctx context.Context, chat int64) error {
	l.mu.Lock()
	lim, ok := l.limiters[chat]
	if !ok {
		if l.limiters == nil || len(l.limiters) >= maxRemembered {
			l.limiters = map[int64]*rate.Limiter{}
		}
		every := l.every
		if chat < 0 { // groups and channels
			every *= 3
		}
		lim = rate.NewLimiter(rate.Every(every), 3)
		l.limiters[chat] = lim
	}
	l.mu.Unlock()
	return lim.Wait(ctx)
}

// userLimits is a token bucket per user.
type userLimits struct {
	mu       sync.Mutex
	perMin   int
	limiters map[int64]*rate.Limiter
}

func newUserLimits(perMinute int) *userLimits {
	return &userLimits{perMin: perMinute, limiters: map[int64]*rate.Limiter{}}
}

// allow takes a token for user; when there is none it returns how long
// until there is one.
func (l *userLimits) allow(user int64) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.limiters[user]
	if !ok {
		if len(l.limiters) >= maxRemembered {
			l.limiters = map[int64]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Limit(float64(l.perMin)/60), l.perMin)
		l.limiters[user] = lim
	}
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d, false
	}
	return 0, true
}

// maxTurns is how many past turns a chat's follow-up questions can use.
const maxTurns = 6

// sessions holds each chat's recent conversation, for follow-ups.
type sessions struct {
	mu    sync.Mutex
	turns map[int64][]rag.Turn
}

func newSessions() *sessions { return &sessions{turns: map[int64][]rag.Turn{}} }

func (s *sessions) history(chat int64) []rag.Turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rag.Turn(nil), s.turns[chat]...)
}

func (s *sessions) add(chat int64, t rag.Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.turns[chat]; !ok && len(s.turns) > 100_000 {
		s.turns = map[int64][]rag.Turn{}
	}
	turns := append(s.turns[chat], t)
	s.turns[chat] = turns[max(0, len(turns)-maxTurns):]
}

func (s *sessions) reset(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.turns, chat)
}

// answerCache keeps recent answers so that source buttons can show their
// passages.
type answerCache struct {
	mu      sync.Mutex
	next    atomic.Int64
	answers map[int64]rag.Answer
	order   []int64 // oldest first
	size    int
}

func newAnswerCache(size int) *answerCache {
	return &answerCache{answers: map[int64]rag.Answer{}, size: size}
}

// put stores ans and returns its ID, forgetting the oldest answer when full.
func (c *answerCache) put(ans rag.Answer) int64 {
	id := c.next.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers[id] = ans
	c.order = append(c.order, id)
	if len(c.order) > c.size {
		delete(c.answers, c.order[0])
		c.order = c.order[1:]
	}
	return id
}

// source returns source n of answer id.
func (c *answerCache) source(id int64, n int) (rag.Source, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.answers[id].Sources {
		if s.N == n {
			return s, true
		}
	}
	return rag.Source{}, false
}
