package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTelegramCommand(t *testing.T) {
	polled := make(chan struct{}, 1)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // else the server does not notice the client hang up
		switch {
		case !strings.HasPrefix(r.URL.Path, "/bot123:good/"):
			w.WriteHeader(401)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"QA","username":"qa_bot"}}`)
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			select {
			case polled <- struct{}{}:
			default:
			}
			<-r.Context().Done()
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	defer fake.Close()

	data := setup(t)
	r := qabot(t, data, "", "telegram")
	if r.code != 2 || !strings.Contains(r.stderr, "@BotFather") {
		t.Errorf("no token: exit %d, %q", r.code, r.stderr)
	}
	t.Setenv("QABOT_TELEGRAM_API_URL", fake.URL)
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:bad-SECRET")
	r = qabot(t, data, "", "telegram")
	if r.code != 1 || !strings.Contains(r.stderr, "copy the token again") || strings.Contains(r.stderr, "bad-SECRET") {
		t.Errorf("bad token: exit %d, %q", r.code, r.stderr)
	}

	// A good token: it polls until stopped, then exits 0.
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:good")
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"telegram"}, strings.NewReader(""), &out, &errOut) }()
	<-polled
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after stop: %s", code, errOut.String())
	}
	if log := errOut.String(); !strings.Contains(log, "@qa_bot") || !strings.Contains(log, "anyone can use this bot") || strings.Contains(log, "123:good") {
		t.Errorf("log:\n%s", log)
	}
}
