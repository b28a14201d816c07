package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qabot/qabot/config"
	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/web"
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

	// A good token: it polls until stopped, then exits 0, serving its
	// metrics meanwhile.
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123:good")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	metricsAddr := l.Addr().String()
	l.Close()
	t.Setenv("QABOT_TELEGRAM_METRICS_LISTEN", metricsAddr)
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"telegram"}, strings.NewReader(""), &out, &errOut) }()
	<-polled
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), "qabot_questions_in_flight 0") {
		t.Errorf("metrics:\n%.500s", metrics)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after stop: %s", code, errOut.String())
	}
	if log := errOut.String(); !strings.Contains(log, "@qa_bot") || !strings.Contains(log, "anyone can use this bot") || strings.Contains(log, "123:good") {
		t.Errorf("log:\n%s", log)
	}
}

// What admins add through the bot is indexed and answered from at once;
// what they remove is gone.
func TestLibraryChangesTheBotsCollection(t *testing.T) {
	data := setup(t)
	_, live, lib := testLibrary(t)
	ask := func(q string) rag.Answer {
		ans, err := live.Answer(t.Context(), rag.Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	const q = "今年全省小麦平均亩产多少公斤？"
	if ans := ask(q); strings.Contains(ans.Text, "450公斤") {
		t.Fatalf("the seeds know about wheat: %q", ans.Text)
	}
	if _, err := lib.AddDocument(t.Context(), "../小麦.txt", []byte("小麦丰收\n今年全省小麦平均亩产达到450公斤，比去年增加12公斤。")); err != nil {
		t.Fatal(err)
	}
	if ans := ask(q); ans.Refused() || !strings.Contains(ans.Text, "450公斤") || ans.Sources[0].Doc != "added/小麦.txt" {
		t.Errorf("after adding: %q %+v", ans.Text, ans.Sources)
	}
	if _, err := lib.Forget(t.Context(), "小麦.txt"); err != nil {
		t.Fatal(err)
	}
	if ans := ask(q); strings.Contains(ans.Text, "450公斤") {
		t.Errorf("after forgetting: %q", ans.Text)
	}
	if _, err := lib.AddDocument(t.Context(), "tool.exe", []byte("MZ")); err == nil {
		t.Error("a program was added as an article")
	}
	if _, err := os.Stat(data); err != nil {
		t.Fatal(err)
	}
}

// A document that cannot be read is not kept, whether it fails as it is
// sent or at a later ingest (put there by hand): the admin is told why, and
// the next change of the collection does not fail on it again.
func TestLibraryDropsUnreadableDocuments(t *testing.T) {
	setup(t)
	a, _, lib := testLibrary(t)
	added := web.AddedDir(a.collectionDir())
	_, err := lib.AddDocument(t.Context(), "report.docx", []byte("PK\x03\x04 not a zip archive"))
	if err == nil || !strings.Contains(err.Error(), "report.docx cannot be read") {
		t.Errorf("a broken document: %v", err)
	}
	if _, err := os.Stat(filepath.Join(added, "report.docx")); err == nil {
		t.Error("the broken document was kept")
	}
	if err := os.MkdirAll(added, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(added, "scan.pdf"), []byte("%PDF-1.4 no objects"), 0o644); err != nil {
		t.Fatal(err)
	}
	msg, err := lib.AddDocument(t.Context(), "wheat.txt", []byte("小麦丰收\n今年全省小麦平均亩产达到450公斤。"))
	if err != nil || !strings.Contains(msg, "added/scan.pdf was taken out: ") {
		t.Errorf("adding beside a broken file: %q, %v", msg, err)
	}
	if _, err := os.Stat(filepath.Join(added, "scan.pdf")); err == nil {
		t.Error("the broken file is still in the added folder")
	}
	if msg, err := lib.Forget(t.Context(), "wheat.txt"); err != nil || strings.Contains(msg, "taken out") {
		t.Errorf("the next change: %q, %v", msg, err)
	}
}

// An admin who sends a URL is told that its address is not allowed, or that
// the site could not be reached, and no more: not what listens where.
func TestLibraryFetchErrorsTellNothingOfTheNetwork(t *testing.T) {
	setup(t)
	t.Setenv("QABOT_FETCH_ALLOW", "127.0.0.2")
	_, _, lib := testLibrary(t)
	_, err := lib.AddPage(t.Context(), "http://127.0.0.1:1/admin")
	if err == nil || !strings.Contains(err.Error(), "local or private network") {
		t.Errorf("a loopback page: %v", err)
	}
	_, err = lib.AddPage(t.Context(), "http://127.0.0.2:1/admin")
	if err == nil || err.Error() != "cannot fetch http://127.0.0.2:1/admin: "+web.ErrUnreachable.Error() {
		t.Errorf("a closed port on an allowed address: %v", err)
	}
}

// testLibrary is the bot's library of the collection in the test's data
// dir, with the answerer it changes.
func testLibrary(t *testing.T) (*app, *liveAnswerer, *library) {
	t.Helper()
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, cfg: cfg, log: slog.New(slog.DiscardHandler)}
	s, err := a.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	live := a.liveAnswerer(a.answerer(s), a.log)
	return a, live, &library{a: a, live: live, log: a.log}
}

// The bot's shelf opens the collections telegram.collections names, once
// each, and answers from them; it opens no other.
func TestTelegramShelf(t *testing.T) {
	ingestFarm(t, setup(t), "farms")
	t.Setenv("QABOT_TELEGRAM_COLLECTIONS", "farms")
	a, _, _ := testLibrary(t)
	s := a.shelf(a.log)
	if names := strings.Join(s.Names(), ","); names != "farms" {
		t.Fatalf("names %s", names)
	}
	col, err := s.Open(t.Context(), "farms")
	if err != nil {
		t.Fatal(err)
	}
	ans, err := col.Answerer.Answer(t.Context(), rag.Request{Question: "小麦亩产多少?"})
	if err != nil || !strings.Contains(ans.Text, "六百公斤") || len(col.Articles) != 1 || col.Library == nil {
		t.Errorf("farms: %q %v, %d articles", ans.Text, err, len(col.Articles))
	}
	if again, _ := s.Open(t.Context(), "farms"); again.Answerer != col.Answerer {
		t.Error("the collection was opened twice")
	}
	if _, err := s.Open(t.Context(), "default2"); err == nil || !strings.Contains(err.Error(), "telegram.collections") {
		t.Errorf("a collection not listed: %v", err)
	}
}
