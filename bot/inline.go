package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/reply"
)

// Inline mode: "@bot question" typed in any chat offers the answer, with
// its sources, as a message to send there. The allowlist applies to the
// user who asks (there is no chat to allow), and so do the user's rate
// limit and the question's length limit. The model gets InlineModelTime;
// after that the answer is extractive, and says so. Answers are kept for
// inlineCacheTime, since Telegram asks again as the user types.

// inlineCacheTime is how long an inline answer is kept.
const inlineCacheTime = 5 * time.Minute

// handleInline answers an inline query.
func (b *Bot) handleInline(q *models.InlineQuery) {
	if q.From == nil {
		return
	}
	question := strings.TrimSpace(b.stripMention(q.Query))
	lang := languageOf(q.From)
	if !b.allowed(q.From.ID, 0) { // no chat to allow: the user must be
		b.log.Info("telegram: refused an inline query of a user not on the allowlist", "user", q.From.ID)
		b.post(q.From.ID, func(ctx context.Context) { b.answerInline(ctx, q.ID, nil) })
		return
	}
	if question == "" {
		b.post(q.From.ID, func(ctx context.Context) { b.answerInline(ctx, q.ID, nil) })
		return
	}
	if ans, ok := b.inline.get(lang, question); ok {
		b.post(q.From.ID, func(ctx context.Context) { b.answerInline(ctx, q.ID, ans) })
		return
	}
	if n := len([]rune(question)); n > b.cfg.MaxQuestionRunes {
		note := inlineNote(question, fmt.Sprintf(pick(lang == "zh", "问题太长（%d 字），请缩短到 %d 字以内。", "That question is too long (%d characters); please keep it under %d."), n, b.cfg.MaxQuestionRunes))
		b.post(q.From.ID, func(ctx context.Context) { b.answerInline(ctx, q.ID, note) })
		return
	}
	if wait, ok, _ := b.limiter.allow(q.From.ID); !ok {
		note := inlineNote(question, fmt.Sprintf(pick(lang == "zh", "提问太频繁了，请 %d 秒后再试。", "Too many questions: please try again in %d s."), int(wait.Seconds())+1))
		b.post(q.From.ID, func(ctx context.Context) { b.answerInline(ctx, q.ID, note) })
		return
	}
	b.work.Add(1)
	if !b.chats.enqueue(q.From.ID, func() {
		defer b.recoverPanic("inline", place{})
		ctx, cancel := context.WithTimeout(b.workCtx, time.Minute)
		defer cancel()
		result, ok := b.inline.get(lang, question) // answered meanwhile?
		if !ok {
			if result = b.inlineAnswer(ctx, q.From.ID, question, lang); result != nil {
				b.inline.put(lang, question, result)
			}
		}
		b.answerInline(ctx, q.ID, result)
	}, b.work.Done) {
		b.work.Done()
	}
}

// inlineAnswer is the inline result that answers question: from the
// model within InlineModelTime, else extractive, saying so; nil when no
// answer could be had.
func (b *Bot) inlineAnswer(ctx context.Context, user int64, question, lang string) models.InlineQueryResult {
	col, err := b.collection(ctx, user) // the collection of the user's private chat
	if err != nil {
		b.log.Warn("telegram: inline answer failed", "error", err)
		return nil
	}
	modelCtx, cancel := context.WithTimeout(ctx, b.cfg.InlineModelTime)
	ans, err := col.Answerer.Answer(modelCtx, rag.Request{Question: question})
	cancel()
	slow := errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil
	if slow {
		ans, err = col.Answerer.Answer(ctx, rag.Request{Question: question, Extractive: true})
	}
	if err != nil {
		b.log.Warn("telegram: inline answer failed", "error", err)
		return nil
	}
	text := renderAnswer(ans, lang)
	if slow {
		text = "<i>" + pick(lang == "zh", "模型回答较慢，以下是从文章中摘录的回答。", "The model was slow, so this answer is extracted from the articles.") + "</i>\n\n" + text
	}
	return inlineArticle(question, reply.Text(ans, ans.Lang), splitHTML(text, maxMessage)[0])
}

// inlineNote is an inline result that only says note.
func inlineNote(question, note string) models.InlineQueryResult {
	return inlineArticle(question, note, escape(note))
}

// inlineArticle is the inline result for question: described by
// description, sending message (HTML).
func inlineArticle(question, description, message string) models.InlineQueryResult {
	sum := sha256.Sum256([]byte(question + "\x00" + message))
	return &models.InlineQueryResultArticle{
		ID:          hex.EncodeToString(sum[:16]),
		Title:       truncate(question, 60),
		Description: truncate(description, 120),
		InputMessageContent: &models.InputTextMessageContent{MessageText: message, ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: noPreview()},
	}
}

// answerInline answers inline query id with result (none when nil).
func (b *Bot) answerInline(ctx context.Context, id string, result models.InlineQueryResult) {
	results := []models.InlineQueryResult{}
	if result != nil {
		results = append(results, result)
	}
	if _, err := b.api.AnswerInlineQuery(ctx, &tgbot.AnswerInlineQueryParams{InlineQueryID: id, Results: results, CacheTime: 60, IsPersonal: true}); err != nil {
		b.log.Warn("telegram: answerInlineQuery failed", "error", redactToken(err, b.cfg.Token))
	}
}

// inlineCache keeps recent inline answers by language and question.
type inlineCache struct {
	mu      sync.Mutex
	entries map[string]inlineEntry
}

type inlineEntry struct {
	result models.InlineQueryResult
	at     time.Time
}

func newInlineCache() *inlineCache { return &inlineCache{entries: map[string]inlineEntry{}} }

func (c *inlineCache) get(lang, question string) (models.InlineQueryResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[lang+"\x00"+question]
	if !ok || time.Since(e.at) > inlineCacheTime {
		return nil, false
	}
	return e.result, true
}

func (c *inlineCache) put(lang, question string, result models.InlineQueryResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxRemembered {
		c.entries = map[string]inlineEntry{}
	}
	c.entries[lang+"\x00"+question] = inlineEntry{result, time.Now()}
}
