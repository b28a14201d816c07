package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
)

// An unreachable Bot API is named as such, without the token, and a network
// failure is retried while an answer from Telegram or a cancellation is not.
func TestNetworkErrors(t *testing.T) {
	_, err := CheckToken(context.Background(), "http://127.0.0.1:1", testToken) // nothing listens on port 1
	if err == nil || !strings.Contains(err.Error(), "cannot reach the Telegram Bot API") || strings.Contains(err.Error(), "TEST-token") {
		t.Errorf("unreachable API: %v", err)
	}
	dial := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + testToken + "/sendMessage", Err: errors.New("connection refused")}
	wrapped := redactToken(fmt.Errorf("error do request for method sendMessage, %w", dial), testToken)
	if strings.Contains(wrapped.Error(), testToken) {
		t.Errorf("token in %q", wrapped)
	}
	for name, tt := range map[string]struct {
		err   error
		retry bool
	}{
		"network":     {wrapped, true},
		"bad request": {fmt.Errorf("%w, chat not found", tgbot.ErrorBadRequest), false},
		"cancelled":   {&url.Error{Op: "Post", URL: "x", Err: context.Canceled}, false},
	} {
		if _, retry := retryDelay(tt.err, time.Second); retry != tt.retry {
			t.Errorf("%s: retry %v, want %v", name, retry, tt.retry)
		}
	}
}
