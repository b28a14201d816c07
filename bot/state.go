package bot

import (
	"context"
	"slices"
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

// userLimits is a token bucket per user, refilled in a minute. It also
// remembers when each user asked in the last minute, which is all it takes
// to rebuild the buckets after a restart.
type userLimits struct {
	mu       sync.Mutex
	perMin   int
	limiters map[int64]*rate.Limiter
	asked    map[int64][]time.Time // granted questions of the last minute
}

func newUserLimits(perMinute int) *userLimits {
	return &userLimits{perMin: perMinute, limiters: map[int64]*rate.Limiter{}, asked: map[int64][]time.Time{}}
}

// limiter is user's bucket; l.mu must be held.
func (l *userLimits) limiter(user int64) *rate.Limiter {
	lim, ok := l.limiters[user]
	if !ok {
		if len(l.limiters) >= maxRemembered {
			l.limiters, l.asked = map[int64]*rate.Limiter{}, map[int64][]time.Time{}
		}
		lim = rate.NewLimiter(rate.Limit(float64(l.perMin)/60), l.perMin)
		l.limiters[user] = lim
	}
	return lim
}

// allow takes a token for user; when there is none it returns how long
// until there is one. It also returns the user's questions of the last
// minute, this one included, for the state file.
func (l *userLimits) allow(user int64) (time.Duration, bool, []time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	r := l.limiter(user).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false, nil
	}
	recent := []time.Time{now}
	for _, t := range l.asked[user] {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	slices.SortFunc(recent, func(a, b time.Time) int { return a.Compare(b) })
	l.asked[user] = recent
	return 0, true, append([]time.Time(nil), recent...)
}

// restore replays a user's questions of the last minute, read from the
// state file, into their bucket.
func (l *userLimits) restore(user int64, asked []time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.limiter(user)
	for _, t := range asked {
		if time.Since(t) < time.Minute {
			lim.ReserveN(t, 1)
			l.asked[user] = append(l.asked[user], t)
		}
	}
}

// maxTurns is how many past turns a chat's follow-up questions can use.
const maxTurns = 6

// sessions holds each chat's recent conversation, for follow-ups, and its
// last question, for /retry.
type sessions struct {
	mu    sync.Mutex
	turns map[int64][]rag.Turn
	last  map[int64]string
}

func newSessions() *sessions {
	return &sessions{turns: map[int64][]rag.Turn{}, last: map[int64]string{}}
}

// asked records chat's last question.
func (s *sessions) asked(chat int64, question string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.last[chat]; !ok && len(s.last) >= maxRemembered {
		s.last = map[int64]string{}
	}
	s.last[chat] = question
}

// record is chat's conversation, for the state file.
func (s *sessions) record(chat int64) chatRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return chatRecord{Turns: append([]rag.Turn(nil), s.turns[chat]...), Last: s.last[chat], At: time.Now()}
}

// restore puts back a chat's conversation read from the state file.
func (s *sessions) restore(chat int64, rec chatRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.turns[chat] = rec.Turns[max(0, len(rec.Turns)-maxTurns):]
	if rec.Last != "" {
		s.last[chat] = rec.Last
	}
}

// lastQuestion is chat's last question, if any.
func (s *sessions) lastQuestion(chat int64) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.last[chat]
	return q, ok
}

func (s *sessions) history(chat int64) []rag.Turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rag.Turn(nil), s.turns[chat]...)
}

func (s *sessions) add(chat int64, t rag.Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.turns[chat]; !ok && len(s.turns) >= maxRemembered {
		s.turns = map[int64][]rag.Turn{}
	}
	turns := append(s.turns[chat], t)
	s.turns[chat] = turns[max(0, len(turns)-maxTurns):]
}

func (s *sessions) reset(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.turns, chat)
	delete(s.last, chat)
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

// restore puts back an answer's sources read from the state file; answers
// are restored oldest first.
func (c *answerCache) restore(id int64, sources []rag.Source) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers[id] = rag.Answer{Sources: sources}
	c.order = append(c.order, id)
	if len(c.order) > c.size {
		delete(c.answers, c.order[0])
		c.order = c.order[1:]
	}
	if id > c.next.Load() {
		c.next.Store(id)
	}
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
