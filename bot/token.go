package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
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
	case strings.Contains(err.Error(), "error do request"):
		return fmt.Errorf("cannot reach the Telegram Bot API at %s: check telegram.api_url and the network (%w)", apiURL, redactToken(err, token))
	}
	return redactToken(err, token)
}

// redactToken removes the bot token from an error's text: the library puts
// it in request URLs.
func redactToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[token]"))
}
