package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

const testToken = "123456:TEST-token-SECRET"

// call is one Bot API request the fake server received.
type call struct {
	Method string
	Form   map[string]string
	At     time.Time
}

// fakeTelegram is a Bot API server on 127.0.0.1, routed on
// /bot<token>/<method> like Telegram. Updates pushed to it are handed out by
// getUpdates; every other request is recorded, and answered by Fail when it
// returns a response, else with success.
type fakeTelegram struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	calls   []call
	updates []*models.Update
	nextMsg int
	nextUpd int64
	changes chan struct{} // closed and replaced after every change

	// fail may answer a request instead of the default success, e.g.
	// with a 429; it runs under the server's lock. Set it with SetFail.
	fail     failFunc
	attempts map[string]int    // per method and text, for fail
	polls    []time.Time       // when getUpdates was called
	files    map[string]string // downloadable files, by path
}

// addFile makes a file downloadable as documents/ID.
func (f *fakeTelegram) addFile(id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]string{}
	}
	f.files["documents/"+id] = body
}

// failFunc answers a request with an error (fail true) or lets it succeed.
type failFunc func(method string, form map[string]string, attempt int) (status int, body string, fail bool)

// SetFail sets how requests fail from now on; safe while the bot runs.
func (f *fakeTelegram) SetFail(fn failFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

func newFakeTelegram(t testing.TB) *fakeTelegram {
	f := &fakeTelegram{t: t, changes: make(chan struct{}), nextMsg: 100, attempts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// changed wakes everyone waiting for a change.
func (f *fakeTelegram) changed() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.changes)
	f.changes = make(chan struct{})
}

// nextChange returns a channel closed at the next change.
func (f *fakeTelegram) nextChange() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changes
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	if path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+testToken+"/"); ok { // a file download
		f.mu.Lock()
		body, found := f.files[path]
		f.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
		return
	}
	prefix := "/bot" + testToken + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	form := map[string]string{}
	if err := r.ParseMultipartForm(1 << 20); err == nil {
		for k, v := range r.MultipartForm.Value {
			form[k] = v[0]
		}
	}
	if method == "getUpdates" {
		f.mu.Lock()
		f.polls = append(f.polls, time.Now())
		f.attempts[method]++
		status, body, fail := 0, "", false
		if f.fail != nil {
			status, body, fail = f.fail(method, form, f.attempts[method])
		}
		f.mu.Unlock()
		if fail {
			w.WriteHeader(status)
			fmt.Fprint(w, body)
			return
		}
		f.getUpdates(w, r)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{Method: method, Form: form, At: time.Now()})
	key := method + "\x00" + form["text"]
	f.attempts[key]++
	var status int
	var body string
	fail := false
	if f.fail != nil {
		status, body, fail = f.fail(method, form, f.attempts[key])
	}
	f.nextMsg++
	id := f.nextMsg
	f.mu.Unlock()
	defer f.changed()
	if fail {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return
	}
	switch method {
	case "getFile":
		fmt.Fprintf(w, `{"ok":true,"result":{"file_id":%q,"file_unique_id":"u","file_path":"documents/%s"}}`, form["file_id"], form["file_id"])
	case "getMe":
		fmt.Fprint(w, `{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"QA","username":"qa_bot"}}`)
	case "sendMessage", "editMessageText":
		if method == "editMessageText" {
			fmt.Sscan(form["message_id"], &id)
		}
		msg := models.Message{ID: id, Date: 1, Chat: models.Chat{}, Text: form["text"]}
		fmt.Sscan(form["chat_id"], &msg.Chat.ID)
		raw, _ := json.Marshal(&msg)
		fmt.Fprintf(w, `{"ok":true,"result":%s}`, raw)
	default:
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	}
}

func (f *fakeTelegram) getUpdates(w http.ResponseWriter, r *http.Request) {
	for {
		next := f.nextChange()
		f.mu.Lock()
		batch := f.updates[:min(100, len(f.updates))]
		f.updates = f.updates[len(batch):]
		f.mu.Unlock()
		if len(batch) > 0 {
			raw, _ := json.Marshal(batch)
			fmt.Fprintf(w, `{"ok":true,"result":%s}`, raw)
			return
		}
		select {
		case <-next:
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
			return
		}
	}
}

// Polls returns when getUpdates was called.
func (f *fakeTelegram) Polls() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.polls)
}

// push queues updates for getUpdates.
func (f *fakeTelegram) push(upds ...*models.Update) {
	f.mu.Lock()
	for _, u := range upds {
		f.nextUpd++
		u.ID = f.nextUpd
		f.updates = append(f.updates, u)
	}
	f.mu.Unlock()
	f.changed()
}

// Calls returns the requests of the given methods (all when none given).
func (f *fakeTelegram) Calls(methods ...string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// waitFor waits until cond holds for the requests received, failing the
// test after 20 s. It wakes on every request, not on a timer.
func (f *fakeTelegram) waitFor(what string, cond func([]call) bool) []call {
	f.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		next := f.nextChange()
		calls := f.Calls()
		if cond(calls) {
			return calls
		}
		select {
		case <-next:
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; calls: %v", what, methodsOf(calls))
		}
	}
}

func methodsOf(calls []call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Method + ":" + truncate(c.Form["text"], 40)
	}
	return out
}

// sent returns the texts of sendMessage requests to chat.
func sent(calls []call, chat int64) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["chat_id"] == fmt.Sprint(chat) {
			out = append(out, c.Form["text"])
		}
	}
	return out
}

// logBuffer collects the bot's log, to check that the token never shows.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// running is a bot started against a fake Telegram.
type running struct {
	bot  *Bot
	tg   *fakeTelegram
	logs *logBuffer
	stop func() // cancels Run and waits for it to return
}

// startBot runs a bot with cfg (token and API URL filled in) and answerer
// against a new fake Telegram.
func startBot(t *testing.T, cfg Config, answerer Answerer) *running {
	t.Helper()
	tg := newFakeTelegram(t)
	cfg.Token, cfg.APIURL = testToken, tg.srv.URL
	if cfg.EditInterval == 0 {
		cfg.EditInterval = 50 * time.Millisecond
	}
	if cfg.ChatInterval == 0 {
		cfg.ChatInterval = 10 * time.Millisecond
	}
	if cfg.RequestsPerSecond == 0 {
		cfg.RequestsPerSecond = 100_000
	}
	logs := &logBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := New(ctx, cfg, answerer, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(func() {
		stop()
		if strings.Contains(logs.String(), testToken) || strings.Contains(logs.String(), "TEST-token") {
			t.Error("the token appears in the log")
		}
	})
	return &running{bot: b, tg: tg, logs: logs, stop: stop}
}

// message builds an update with a text message from user in chat, whose
// Telegram is in Chinese; chat IDs below zero are groups.
func message(chat, user int64, text string) *models.Update {
	typ := models.ChatTypePrivate
	if chat < 0 {
		typ = models.ChatTypeGroup
	}
	msg := &models.Message{ID: int(time.Now().UnixNano() % 1_000_000), Date: 1, Text: text,
		From: &models.User{ID: user, FirstName: "u", LanguageCode: "zh-hans"}, Chat: models.Chat{ID: chat, Type: typ}}
	if strings.HasPrefix(text, "/") {
		end := strings.IndexAny(text, " ")
		if end < 0 {
			end = len(text)
		}
		msg.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(text[:end])}}
	}
	return &models.Update{Message: msg}
}
