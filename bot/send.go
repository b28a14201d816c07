package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// Bounds on retrying a Bot API call.
const (
	maxAttempts   = 4
	maxRetryAfter = 60 * time.Second // a longer retry_after is not waited for
)

// call runs fn, retrying when Telegram says 429 (after its retry_after) or
// the network fails (with backoff), a bounded number of times.
func (b *Bot) call(ctx context.Context, fn func(context.Context) error) error {
	backoff := 500 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		if err := b.global.Wait(ctx); err != nil {
			return err
		}
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = fn(callCtx)
		cancel()
		if err == nil || attempt == maxAttempts {
			break
		}
		wait, retry := retryDelay(err, backoff)
		if !retry {
			break
		}
		backoff *= 2
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
	return redactToken(err, b.cfg.Token)
}

// retryDelay says whether err is worth retrying, and after how long.
func retryDelay(err error, backoff time.Duration) (time.Duration, bool) {
	var tooMany *tgbot.TooManyRequestsError
	if errors.As(err, &tooMany) {
		wait := time.Duration(tooMany.RetryAfter) * time.Second
		return wait, wait <= maxRetryAfter
	}
	if isNetworkError(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return backoff, true
	}
	return 0, false
}

// isParseError is Telegram refusing the message's HTML.
func isParseError(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "can't parse entities")
}

// isNotModified is an edit to the text a message already has.
func isNotModified(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

// send sends an HTML message (as plain text if Telegram cannot parse it)
// and returns its ID, or 0 when it could not be sent.
func (b *Bot) send(ctx context.Context, to place, replyTo int, text string, markup models.ReplyMarkup) int {
	params := &tgbot.SendMessageParams{ChatID: to.chat, MessageThreadID: to.thread, ReplyMarkup: markup, LinkPreviewOptions: noPreview()}
	if replyTo != 0 {
		params.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	if err := b.chatRate.wait(ctx, to.chat); err != nil {
		return 0
	}
	var sent *models.Message
	err := b.withPlainFallback(ctx, text, func(t string, m models.ParseMode) { params.Text, params.ParseMode = t, m }, func(ctx context.Context) (err error) {
		sent, err = b.api.SendMessage(ctx, params)
		return err
	})
	if err != nil {
		b.log.Warn("telegram: sendMessage failed", "chat", to.chat, "error", err)
		return 0
	}
	return sent.ID
}

// edit replaces the text of message id (as plain text if Telegram cannot
// parse the HTML). Editing to the same text counts as success.
func (b *Bot) edit(ctx context.Context, chat int64, id int, text string, markup models.ReplyMarkup) error {
	params := &tgbot.EditMessageTextParams{ChatID: chat, MessageID: id, ReplyMarkup: markup, LinkPreviewOptions: noPreview()}
	return b.withPlainFallback(ctx, text, func(t string, m models.ParseMode) { params.Text, params.ParseMode = t, m }, func(ctx context.Context) error {
		_, err := b.api.EditMessageText(ctx, params)
		if isNotModified(err) {
			return nil
		}
		return err
	})
}

// withPlainFallback calls do with the HTML text set, and again with it as
// plain text when Telegram cannot parse the HTML.
func (b *Bot) withPlainFallback(ctx context.Context, text string, set func(string, models.ParseMode), do func(context.Context) error) error {
	set(text, models.ParseModeHTML)
	err := b.call(ctx, do)
	if isParseError(err) {
		b.log.Warn("telegram: the HTML was refused; sending plain text", "error", err)
		set(plainText(text), "")
		err = b.call(ctx, do)
	}
	return err
}

func noPreview() *models.LinkPreviewOptions {
	return &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
}
