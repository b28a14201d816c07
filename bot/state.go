package bot

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/qabot/qabot/rag"
)

// maxQueued is how many questions may wait in one chat.
const maxQueued = 10

// chatQueues answers each chat's questions one at a time, in order, with a
// bound on how many chats are answered at once.
type chatQueues struct {
	mu     sync.Mutex
	queues map[int64][]func() // waiting jobs per chat that has a worker
	slots  chan struct{}
}

func newChatQueues(concurrency int) *chatQueues {
	return &chatQueues{queues: map[int64][]func(){}, slots: make(chan struct{}, concurrency)}
}

// enqueue queues job for chat and calls done after it has run. It returns
// false, without queueing, when the chat already has maxQueued jobs waiting.
func (q *chatQueues) enqueue(chat int64, job, done func()) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting, running := q.queues[chat]
	if len(waiting) >= maxQueued {
		return false
	}
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
		q.mu.Unlock()
		q.slots <- struct{}{}
		jobs[0]()
		<-q.slots
	}
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
		if len(l.limiters) > 100_000 { // forget everyone rather than grow without bound
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
