package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/qabot/qabot/config"
)

// CheckToken asks the Bot API at apiURL who the bot with token is (getMe)
// and returns its username. Errors name the fix and never hold the token.
func CheckToken(ctx context.Context, apiURL, token string) (string, error) {
	if strings.TrimSpace(token) == "" {
		return "", errors.New("telegram.token is not set: create a bot with @BotFather and set QABOT_TELEGRAM_TOKEN")
	}
	b, err := tgbot.New(token, tgbot.WithServerURL(apiURL), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Minute, &http.Client{Timeout: 15 * time.Second}))
	if err != nil {
		return "", redactToken(err, token)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return "", explainTelegram(err, token, apiURL)
	}
	return me.Username, nil
}

// explainTelegram says what to fix for an error from the Bot API.
func explainTelegram(err error, token, apiURL string) error {
	switch {
	case errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
		return errors.New("telegram rejected telegram.token (unauthorized): copy the token again from @BotFather")
	case isNetworkError(err):
		return fmt.Errorf("cannot reach the Telegram Bot API at %s: check telegram.api_url and the network (%w)", apiURL, redactToken(err, token))
	}
	return redactToken(err, token)
}

// redactToken removes the bot token from an error's text (the library puts
// it in request URLs), keeping the error underneath for errors.Is and As.
func redactToken(err error, token string) error {
	if err == nil {
		return err
	}
	msg := config.Redact(err.Error(), token)
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose text had a secret taken out.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// isNetworkError reports whether err is a failure to reach the Bot API or
// to read its reply, rather than an answer from it.
func isNetworkError(err error) bool {
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF)
}
