package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// streamPreviewUnits bounds the text shown while an answer streams, in
// UTF-16 code units; the final answer is split into as many messages as it
// needs.
const streamPreviewUnits = 3500

var draftIDs atomic.Int64

// stream shows an answer in a chat while it is generated: as a draft
// (sendMessageDraft) in private chats where the Bot API supports it, else
// as one message that is edited, at most once per EditInterval, skipping
// unchanged text and backing off when Telegram says 429.
type stream struct {
	b       *Bot
	to      place
	replyTo int
	draft   string // draft ID; "" when editing a message instead

	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // a token when text has grown
	done    chan struct{} // closed by stop
	exited  chan struct{} // closed when the loop has returned

	msgID int    // the message being edited, 0 before the first send
	shown string // the text last shown
}

func (b *Bot) newStream(ctx context.Context, msg *models.Message) *stream {
	s := &stream{b: b, to: placeOf(msg), changed: make(chan struct{}, 1), done: make(chan struct{}), exited: make(chan struct{})}
	if msg.Chat.Type == models.ChatTypePrivate && b.draftsWork() {
		s.draft = strconv.FormatInt(draftIDs.Add(1), 10)
	} else if msg.Chat.Type != models.ChatTypePrivate {
		s.replyTo = msg.ID
	}
	go s.loop(ctx)
	return s
}

// add takes the next piece of the answer; it never blocks.
func (s *stream) add(piece string) {
	s.mu.Lock()
	s.text.WriteString(piece)
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// stop ends the updates and waits until none is in flight.
func (s *stream) stop() {
	close(s.done)
	<-s.exited
}

func (s *stream) loop(ctx context.Context) {
	defer close(s.exited)
	interval := s.b.cfg.EditInterval
	if s.draft != "" {
		interval /= 4
	}
	next := time.Now()
	for {
		select {
		case <-s.done:
			return
		case <-s.changed:
		}
		if wait := time.Until(next); wait > 0 {
			select {
			case <-s.done:
				return
			case <-time.After(wait):
			}
		}
		s.mu.Lock()
		text := s.text.String()
		s.mu.Unlock()
		if text == s.shown {
			continue
		}
		err := s.show(ctx, text)
		next = time.Now().Add(interval)
		var tooMany *tgbot.TooManyRequestsError
		if errors.As(err, &tooMany) {
			interval *= 2 // adapt: this chat is near its limit
			next = time.Now().Add(max(interval, time.Duration(tooMany.RetryAfter)*time.Second))
		}
	}
}

// show puts text on screen once, without retrying: the next update or the
// final message will follow.
func (s *stream) show(ctx context.Context, text string) error {
	preview := escape(truncate(text, streamPreviewUnits)) + " …"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	if s.draft != "" {
		_, err = s.b.api.SendMessageDraft(ctx, &tgbot.SendMessageDraftParams{ChatID: s.to.chat, MessageThreadID: s.to.thread, DraftID: s.draft, Text: preview, ParseMode: models.ParseModeHTML})
		var tooMany *tgbot.TooManyRequestsError
		if err == nil || errors.As(err, &tooMany) {
			if err == nil {
				s.shown = text
			}
			return err
		}
		s.b.disableDrafts(err)
		s.draft = "" // and show it as a message instead
	}
	if s.msgID == 0 {
		params := &tgbot.SendMessageParams{ChatID: s.to.chat, MessageThreadID: s.to.thread, Text: preview, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview()}
		if s.replyTo != 0 {
			params.ReplyParameters = &models.ReplyParameters{MessageID: s.replyTo, AllowSendingWithoutReply: true}
		}
		var m *models.Message
		if m, err = s.b.api.SendMessage(ctx, params); err == nil {
			s.msgID = m.ID
		}
	} else {
		_, err = s.b.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: s.to.chat, MessageID: s.msgID, Text: preview,
			ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview()})
		if isNotModified(err) {
			err = nil
		}
	}
	if err == nil {
		s.shown = text
	}
	return err
}

// finish delivers the final answer, split in parts, with markup on the
// last part: the streamed message becomes the first part, or, if it cannot
// be edited, every part is sent anew. It is complete even when streamed
// updates failed.
func (s *stream) finish(ctx context.Context, parts []string, markup models.ReplyMarkup) {
	for i, part := range parts {
		var m models.ReplyMarkup
		if i == len(parts)-1 {
			m = markup
		}
		if i == 0 && s.msgID != 0 {
			if err := s.b.edit(ctx, s.to.chat, s.msgID, part, m); err == nil {
				continue
			}
		}
		s.b.send(ctx, s.to, s.replyTo, part, m)
	}
}

// draftsWork reports whether sendMessageDraft has not failed yet.
func (b *Bot) draftsWork() bool {
	b.draftsMu.Lock()
	defer b.draftsMu.Unlock()
	return b.drafts
}

// disableDrafts stops using sendMessageDraft after the Bot API refused it
// (an older or self-hosted server).
func (b *Bot) disableDrafts(err error) {
	b.draftsMu.Lock()
	defer b.draftsMu.Unlock()
	if b.drafts {
		b.drafts = false
		b.log.Info("telegram: sendMessageDraft unavailable; streaming by editing messages", "error", redactToken(err, b.cfg.Token))
	}
}

// truncate cuts s to at most n UTF-16 code units.
func truncate(s string, n int) string {
	r := []rune(s)
	return string(r[:fitting(r, n)])
}
