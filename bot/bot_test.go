package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
	"github.com/qabot/qabot/seeds"
)

// seedAnswerer answers from the seed articles, extractively.
func seedAnswerer(t *testing.T) *rag.Answerer {
	return corpusAnswerer(t, document.Corpus{Name: "seeds", FS: seeds.FS})
}

func corpusAnswerer(t *testing.T, corpus document.Corpus) *rag.Answerer {
	t.Helper()
	dir := t.TempDir()
	emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
	if _, err := index.Ingest(t.Context(), index.IngestOptions{Dir: dir, Corpus: corpus, Embedder: emb, Chunker: ch}); err != nil {
		t.Fatal(err)
	}
	s, err := index.Open(t.Context(), dir, emb, ch)
	if err != nil {
		t.Fatal(err)
	}
	return &rag.Answerer{Store: s, TopK: 5, MinRelevance: 0.25}
}

// fakeAnswerer answers with fn and counts its calls.
type fakeAnswerer struct {
	calls atomic.Int32
	fn    func(ctx context.Context, req rag.Request) (rag.Answer, error)
}

func (f *fakeAnswerer) Answer(ctx context.Context, req rag.Request) (rag.Answer, error) {
	f.calls.Add(1)
	return f.fn(ctx, req)
}

// echo answers "答：<question>[1]" citing one source.
func echo() *fakeAnswerer {
	return &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "答：" + req.Question + "[1]", Mode: rag.ModeExtractive,
			Sources: []rag.Source{{N: 1, Doc: "a.txt", Title: "标题", Text: "段落"}}}, nil
	}}
}

const lineQuestion = "晋能光伏的TOPCon电池生产线有多长？"

func lastSent(calls []call, chat int64) string {
	texts := sent(calls, chat)
	if len(texts) == 0 {
		return ""
	}
	return texts[len(texts)-1]
}

// /start, /help and the command menu offer follow-up questions and
// /reset only when a model is there to resolve follow-ups.
func TestStartHelpSources(t *testing.T) {
	for _, followUps := range []bool{false, true} {
		r := startBot(t, Config{Articles: []Article{{Title: "向「新」而行", Date: "2024-03-05"}, {Title: "<b>&"}},
			Examples: []string{lineQuestion, "新材料产业要打造哪几个集群？"}, FollowUps: followUps}, echo())
		r.tg.push(message(1, 1, "/start"), message(1, 1, "/sources"), message(1, 1, "/help"))
		calls := r.tg.waitFor("three replies", func(c []call) bool { return len(sent(c, 1)) == 3 })
		texts := sent(calls, 1)
		if !strings.Contains(texts[0], "2 篇文章") || !strings.Contains(texts[0], lineQuestion) {
			t.Errorf("/start: %q", texts[0])
		}
		if !strings.Contains(texts[1], "向「新」而行 (2024-03-05)") || !strings.Contains(texts[1], "&lt;b&gt;&amp;") {
			t.Errorf("/sources: %q", texts[1])
		}
		for _, text := range []string{texts[0], texts[2]} {
			if strings.Contains(text, "/reset") != followUps || strings.Contains(text, "追问") != followUps {
				t.Errorf("follow-ups %v: %q", followUps, text)
			}
		}
		cmds := r.tg.Calls("setMyCommands")
		if len(cmds) != 2 || cmds[0].Form["language_code"] != "" || cmds[1].Form["language_code"] != "zh" ||
			!strings.Contains(cmds[0].Form["commands"], "ask a question") || !strings.Contains(cmds[1].Form["commands"], "提问") {
			t.Errorf("commands not registered in English and Chinese: %v", cmds)
		}
		if len(cmds) > 0 && strings.Contains(cmds[0].Form["commands"], "reset") != followUps {
			t.Errorf("follow-ups %v: menu %s", followUps, cmds[0].Form["commands"])
		}
	}
}

// The interface follows the user's Telegram language: Chinese for zh,
// English for anything else; answers follow the question.
func TestInterfaceLanguage(t *testing.T) {
	r := startBot(t, Config{Articles: []Article{{Title: "向「新」而行"}}}, echo())
	for chat, code := range map[int64]string{1: "zh-hans", 2: "en", 3: "de", 4: ""} {
		for _, text := range []string{"/start", "/help", "问题"} {
			m := message(chat, chat, text)
			m.Message.From.LanguageCode = code
			r.tg.push(m)
		}
	}
	calls := r.tg.waitFor("the replies", func(c []call) bool {
		for chat := int64(1); chat <= 4; chat++ {
			if len(sent(c, chat)) < 3 {
				return false
			}
		}
		return true
	})
	for chat := int64(1); chat <= 4; chat++ {
		texts := strings.Join(sent(calls, chat), "\n")
		want := []string{"Hello!", "Send a question about the articles"}
		if chat == 1 {
			want = []string{"你好！", "发送一个关于文章的问题"}
		}
		for _, w := range want {
			if !strings.Contains(texts, w) {
				t.Errorf("chat %d lacks %q: %q", chat, w, texts)
			}
		}
	}
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["chat_id"] == "2" && strings.Contains(c.Form["reply_markup"], "原文") {
			t.Errorf("an English user got a Chinese button: %s", c.Form["reply_markup"])
		}
	}
}

func TestQuestionAnsweredWithSourcesAndButton(t *testing.T) {
	r := startBot(t, Config{}, seedAnswerer(t))
	r.tg.push(message(7, 7, lineQuestion))
	calls := r.tg.waitFor("the answer and typing", func(c []call) bool {
		return len(sent(c, 7)) == 1 && len(r.tg.Calls("sendChatAction")) > 0
	})
	var answer call
	for _, c := range calls {
		if c.Method == "sendMessage" {
			answer = c
		}
	}
	for _, want := range []string{"400米", "[1]", "<b>来源</b>", "[1] 向「新」而行"} {
		if !strings.Contains(answer.Form["text"], want) {
			t.Errorf("answer lacks %q:\n%s", want, answer.Form["text"])
		}
	}
	if answer.Form["parse_mode"] != "HTML" || !strings.Contains(answer.Form["reply_markup"], `"callback_data":"src:1:1"`) {
		t.Fatalf("parse mode %q, markup %s", answer.Form["parse_mode"], answer.Form["reply_markup"])
	}
	// Pressing the button shows the passage.
	r.tg.push(&models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb1", From: models.User{ID: 7}, Data: "src:1:1",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: 1, Date: 1, Chat: models.Chat{ID: 7, Type: models.ChatTypePrivate}}}}})
	calls = r.tg.waitFor("the passage", func(c []call) bool { return len(sent(c, 7)) == 2 })
	if passage := lastSent(calls, 7); !strings.Contains(passage, "<b>") || !strings.Contains(passage, "400米") {
		t.Errorf("passage: %q", passage)
	}
	if len(r.tg.Calls("answerCallbackQuery")) != 1 {
		t.Error("callback not answered")
	}
}

// TestArticleTextIsEscaped checks that markup in an article reaches the
// chat as text.
func TestArticleTextIsEscaped(t *testing.T) {
	corpus := document.Corpus{Name: "t", FS: fstest.MapFS{
		"a.txt": {Data: []byte("标题<b>&测试\n\n量子工厂的<b>&产量是每年三百万台，位于太原市的高新区。")},
	}}
	r := startBot(t, Config{}, corpusAnswerer(t, corpus))
	r.tg.push(message(3, 3, "量子工厂的产量是多少？"))
	calls := r.tg.waitFor("the answer", func(c []call) bool { return len(sent(c, 3)) == 1 })
	text := lastSent(calls, 3)
	if !strings.Contains(text, "&lt;b&gt;&amp;产量") || strings.Contains(text, "<b>&") {
		t.Errorf("not escaped: %q", text)
	}
}

// TestStreamingEdits checks throttled edits in a group (no drafts there):
// a bounded number of edits, and a complete final text.
func TestStreamingEdits(t *testing.T) {
	pieces := 60
	release := make(chan struct{})
	streamer := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		var all strings.Builder
		for i := range pieces {
			piece := fmt.Sprintf("第%d句。", i)
			all.WriteString(piece)
			req.OnText(piece)
			if i == pieces/2 {
				<-release // let the test see a preview mid-way
			}
			time.Sleep(time.Millisecond) // a model's pace, not synchronisation
		}
		return rag.Answer{Question: req.Question, Lang: "zh", Text: all.String(), Mode: rag.ModeLLM}, nil
	}}
	r := startBot(t, Config{EditInterval: 40 * time.Millisecond}, streamer)
	start := time.Now()
	r.tg.push(message(-100, 5, "/ask@qa_bot 问题"))
	r.tg.waitFor("a preview", func(c []call) bool { return len(sent(c, -100)) == 1 })
	close(release)
	calls := r.tg.waitFor("the final text", func(c []call) bool {
		for _, x := range c {
			if x.Method == "editMessageText" && strings.HasSuffix(x.Form["text"], fmt.Sprintf("第%d句。", pieces-1)) {
				return true
			}
		}
		return false
	})
	elapsed := time.Since(start)
	edits := 0
	for _, c := range calls {
		if c.Method == "editMessageText" {
			edits++
		}
	}
	if bound := int(elapsed/(40*time.Millisecond)) + 2; edits > bound {
		t.Errorf("%d edits in %s, want at most %d", edits, elapsed, bound)
	}
	if first := sent(calls, -100)[0]; !strings.HasSuffix(first, " …") || sent(calls, -100)[0] == "" {
		t.Errorf("preview %q", first)
	}
	if len(sent(calls, -100)) != 1 {
		t.Errorf("the final answer was sent anew instead of edited in: %v", methodsOf(calls))
	}
}

// TestStreamingDrafts checks sendMessageDraft in private chats, and the
// switch to edits when the Bot API does not have it.
func TestStreamingDrafts(t *testing.T) {
	for _, available := range []bool{true, false} {
		t.Run(fmt.Sprint("available=", available), func(t *testing.T) {
			release := make(chan struct{})
			streamer := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
				req.OnText("第一句。")
				<-release
				req.OnText("第二句。")
				return rag.Answer{Question: req.Question, Lang: "zh", Text: "第一句。第二句。", Mode: rag.ModeLLM}, nil
			}}
			r := startBot(t, Config{}, streamer)
			if !available {
				r.tg.SetFail(func(method string, _ map[string]string, _ int) (int, string, bool) {
					return 404, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`, method == "sendMessageDraft"
				})
			}
			r.tg.push(message(9, 9, "问题"))
			r.tg.waitFor("a preview", func(c []call) bool {
				return len(sent(c, 9)) == 1 || available && len(r.tg.Calls("sendMessageDraft")) > 0
			})
			close(release)
			calls := r.tg.waitFor("the final answer", func(c []call) bool {
				for _, x := range c {
					if x.Form["text"] == "第一句。第二句。" {
						return true
					}
				}
				return false
			})
			drafts := len(r.tg.Calls("sendMessageDraft"))
			if available && (drafts == 0 || len(sent(calls, 9)) != 1) {
				t.Errorf("drafts %d, messages %d: %v", drafts, len(sent(calls, 9)), methodsOf(calls))
			}
			if !available && drafts > 1 {
				t.Errorf("sendMessageDraft tried %d times after it failed", drafts)
			}
		})
	}
}

func TestLongAnswerIsSplit(t *testing.T) {
	long := strings.Repeat("这是一个很长的句子，用来测试消息的拆分是否正确。", 400) // ~9,600 runes
	r := startBot(t, Config{}, &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		return rag.Answer{Question: req.Question, Lang: "zh", Text: long + "[1]", Sources: []rag.Source{{N: 1, Title: "T", Text: "x"}}}, nil
	}})
	r.tg.push(message(4, 4, "问题"))
	calls := r.tg.waitFor("the parts", func(c []call) bool {
		texts := sent(c, 4)
		return len(texts) > 0 && strings.Contains(texts[len(texts)-1], "<b>来源</b>")
	})
	texts := sent(calls, 4)
	if len(texts) < 3 {
		t.Fatalf("%d messages for %d runes", len(texts), utf8.RuneCountInString(long))
	}
	var joined strings.Builder
	for i, text := range texts {
		if n := utf16Len(text); n > maxMessage {
			t.Errorf("message %d has %d UTF-16 units", i, n)
		}
		if i < len(texts)-1 && !strings.HasSuffix(text, "。") {
			t.Errorf("message %d does not end at a sentence end: …%s", i, truncateEnd(text, 10))
		}
		joined.WriteString(text)
	}
	if !strings.Contains(joined.String(), long+"[1]") {
		t.Error("the parts do not add up to the answer")
	}
	markups := 0
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["reply_markup"] != "" {
			markups++
		}
	}
	if markups != 1 {
		t.Errorf("%d messages carry buttons, want only the last", markups)
	}
}

func truncateEnd(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

func TestGroupRules(t *testing.T) {
	ans := echo()
	r := startBot(t, Config{}, ans)
	botReply := &models.Message{ID: 50, Date: 1, From: &models.User{ID: 123456, IsBot: true, Username: "qa_bot"}, Chat: models.Chat{ID: -1, Type: models.ChatTypeGroup}}
	replied := message(-1, 2, "那它呢")
	replied.Message.ReplyToMessage = botReply
	afterText := message(-1, 2, "你好 /ask 句中命令")
	afterText.Message.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 3, Length: 4}}
	r.tg.push(
		message(-1, 2, "大家好"),                  // not for the bot
		message(-1, 2, "/ask@other_bot 别的机器人"), // for another bot
		message(-1, 2, "@qa_bot 提到我"),
		replied,
		message(-1, 2, "/ask@QA_Bot 带后缀"),
		afterText,
	)
	calls := r.tg.waitFor("four answers", func(c []call) bool { return len(sent(c, -1)) == 4 })
	want := []string{"答：提到我[1]", "答：那它呢[1]", "答：带后缀[1]", "答：句中命令[1]"}
	for i, text := range sent(calls, -1) {
		if !strings.HasPrefix(text, want[i]) {
			t.Errorf("answer %d = %q, want %q first", i, text, want[i])
		}
	}
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["reply_parameters"] == "" {
			t.Errorf("a group answer does not reply to its question: %v", c.Form)
		}
	}
	if ans.calls.Load() != 4 {
		t.Errorf("%d questions answered, want 4", ans.calls.Load())
	}
}

func TestAllowlist(t *testing.T) {
	ans := echo()
	r := startBot(t, Config{AllowedUsers: []int64{1}, AllowedChats: []int64{-5}}, ans)
	r.tg.push(message(2, 2, "陌生人的问题"), message(2, 2, "陌生人又问"), message(-5, 3, "/ask 群里的问题"), message(1, 1, "主人的问题"))
	calls := r.tg.waitFor("replies", func(c []call) bool { return len(sent(c, 1)) == 1 && len(sent(c, -5)) == 1 && len(sent(c, 2)) >= 1 })
	if texts := sent(calls, 2); len(texts) != 1 || !strings.Contains(texts[0], "只对指定用户开放") {
		t.Errorf("the stranger got %q; want one refusal", texts)
	}
	if ans.calls.Load() != 2 {
		t.Errorf("%d questions reached the answerer, want 2 (none from the stranger)", ans.calls.Load())
	}
}

func TestLimits(t *testing.T) {
	ans := echo()
	r := startBot(t, Config{RatePerMinute: 2, MaxQuestionRunes: 50}, ans)
	r.tg.push(message(1, 1, "一"), message(1, 1, "二"), message(1, 1, "三"), message(2, 2, strings.Repeat("长", 51)))
	calls := r.tg.waitFor("replies", func(c []call) bool { return len(sent(c, 1)) == 3 && len(sent(c, 2)) == 1 })
	if !strings.Contains(strings.Join(sent(calls, 1), "\n"), "提问太频繁") {
		t.Errorf("no rate-limit reply: %q", sent(calls, 1))
	}
	if text := sent(calls, 2)[0]; !strings.Contains(text, "问题太长（51 字）") {
		t.Errorf("long question: %q", text)
	}
	if ans.calls.Load() != 2 {
		t.Errorf("%d questions answered, want 2", ans.calls.Load())
	}
}

func TestTelegramErrors(t *testing.T) {
	t.Run("429", func(t *testing.T) {
		r := startBot(t, Config{}, echo())
		r.tg.SetFail(func(method string, form map[string]string, attempt int) (int, string, bool) {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`,
				method == "sendMessage" && attempt == 1
		})
		r.tg.push(message(1, 1, "问题"))
		calls := r.tg.waitFor("the retry", func(c []call) bool { return len(sent(c, 1)) == 2 })
		texts := sent(calls, 1)
		var at []time.Time
		for _, c := range calls {
			if c.Method == "sendMessage" {
				at = append(at, c.At)
			}
		}
		if texts[0] != texts[1] || at[1].Sub(at[0]) < 900*time.Millisecond {
			t.Errorf("retry after %s with %q; want the same message after retry_after (1 s)", at[1].Sub(at[0]), texts[1])
		}
	})
	t.Run("429 on getUpdates waits retry_after", func(t *testing.T) {
		r := startBot(t, Config{}, echo())
		r.tg.SetFail(func(method string, _ map[string]string, attempt int) (int, string, bool) {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}}`,
				method == "getUpdates" && attempt <= 2
		})
		r.tg.push(message(1, 1, "问题"))
		r.tg.waitFor("the answer", func(c []call) bool { return len(sent(c, 1)) > 0 })
		polls := r.tg.Polls()
		if len(polls) < 3 {
			t.Fatalf("%d polls", len(polls))
		}
		// The library's own backoff would poll again within 100-200 ms.
		for i := 1; i < 3; i++ {
			if gap := polls[i].Sub(polls[i-1]); gap < 1900*time.Millisecond {
				t.Errorf("poll %d came %s after a 429 with retry_after 2 s", i+1, gap)
			}
		}
	})
	t.Run("429 in one chat delays no other", func(t *testing.T) {
		r := startBot(t, Config{RatePerMinute: 1}, echo())
		r.tg.SetFail(func(method string, form map[string]string, attempt int) (int, string, bool) {
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`,
				method == "sendMessage" && form["chat_id"] == "1" && attempt == 1
		})
		// Chat 1 floods: its answer and its "too frequent" replies all
		// meet a 429 first.
		for i := range 4 {
			r.tg.push(message(1, 1, fmt.Sprintf("问题%d", i)))
		}
		r.tg.waitFor("chat 1's first tries", func(c []call) bool { return len(sent(c, 1)) >= 2 })
		r.tg.push(message(2, 2, "别的问题"))
		calls := r.tg.waitFor("chat 2's answer", func(c []call) bool { return len(sent(c, 2)) == 1 })
		tries := map[string]int{}
		for _, text := range sent(calls, 1) {
			if tries[text]++; tries[text] > 1 {
				t.Errorf("chat 2 was answered only after chat 1's retry_after had passed (%q retried first)", text)
			}
		}
	})
	t.Run("parse error", func(t *testing.T) {
		r := startBot(t, Config{}, echo())
		r.tg.SetFail(func(method string, form map[string]string, _ int) (int, string, bool) {
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: unexpected end tag"}`,
				method == "sendMessage" && form["parse_mode"] == "HTML"
		})
		r.tg.push(message(1, 1, "问题"))
		calls := r.tg.waitFor("the plain resend", func(c []call) bool { return len(sent(c, 1)) == 2 })
		last := calls[len(calls)-1]
		if last.Form["parse_mode"] != "" || !strings.Contains(last.Form["text"], "来源\n[1] 标题") || strings.Contains(last.Form["text"], "<b>") {
			t.Errorf("resend: %v", last.Form)
		}
	})
	t.Run("failing chat action and commands", func(t *testing.T) {
		r := startBot(t, Config{}, echo())
		r.tg.SetFail(func(method string, _ map[string]string, _ int) (int, string, bool) {
			return 500, `{"ok":false,"error_code":500,"description":"Internal"}`, method == "sendChatAction" || method == "setMyCommands"
		})
		r.tg.push(message(1, 1, "问题"))
		r.tg.waitFor("the answer", func(c []call) bool { return len(sent(c, 1)) == 1 })
	})
}

func TestNonTextAndPanics(t *testing.T) {
	var n atomic.Int32
	ans := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		if n.Add(1) == 1 {
			panic("boom")
		}
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "好的"}, nil
	}}
	r := startBot(t, Config{}, ans)
	sticker := message(1, 1, "")
	sticker.Message.Sticker = &models.Sticker{FileID: "x"}
	r.tg.push(sticker, message(1, 1, "会崩溃的问题"), message(1, 1, "之后的问题"))
	calls := r.tg.waitFor("three replies", func(c []call) bool { return len(sent(c, 1)) == 3 })
	// The reply to the sticker is sent beside the answers, which keep
	// their order.
	texts := sent(calls, 1)
	i := slices.IndexFunc(texts, func(s string) bool { return strings.Contains(s, "出了点问题") })
	if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "文字") }) || i < 0 || slices.Index(texts, "好的") < i {
		t.Errorf("replies: %q", texts)
	}
	if !strings.Contains(r.logs.String(), "panic") {
		t.Error("the panic was not logged")
	}
}

// TestShutdownFinishesAnswers checks that stopping lets an answer in
// progress finish and be delivered.
func TestShutdownFinishesAnswers(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	ans := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		close(started)
		<-release
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "慢慢的回答"}, nil
	}}
	r := startBot(t, Config{}, ans)
	r.tg.push(message(1, 1, "问题"))
	<-started
	stopped := make(chan struct{})
	go func() {
		r.stop()
		close(stopped)
	}()
	select {
	case <-stopped:
		t.Fatal("Run returned with an answer in progress")
	case <-time.After(100 * time.Millisecond): // not synchronisation: a window in which Run must not return
	}
	close(release)
	<-stopped
	if texts := sent(r.tg.Calls(), 1); len(texts) != 1 || texts[0] != "慢慢的回答" {
		t.Errorf("delivered %q", texts)
	}
}

// An answer still running when the grace period ends is cancelled, and the
// chat gets an apology in place of the half-streamed preview.
func TestShutdownPastGrace(t *testing.T) {
	ans := &fakeAnswerer{fn: func(ctx context.Context, req rag.Request) (rag.Answer, error) {
		req.OnText("半截回答")
		<-ctx.Done()
		return rag.Answer{}, ctx.Err()
	}}
	r := startBot(t, Config{Grace: 50 * time.Millisecond}, ans)
	r.tg.push(message(-1, 1, "/ask 问题"))
	r.tg.waitFor("the preview", func(c []call) bool { return len(sent(c, -1)) == 1 })
	r.stop()
	calls := r.tg.Calls("sendMessage", "editMessageText")
	last := calls[len(calls)-1]
	if !strings.Contains(last.Form["text"], "重启") {
		t.Errorf("the last message is %q; want the apology", last.Form["text"])
	}
}

// A message of punctuation only gets a reply in the sender's language, and
// is not logged as an error.
func TestPunctuationOnly(t *testing.T) {
	ans := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		return rag.Answer{}, rag.ErrEmptyQuestion
	}}
	r := startBot(t, Config{}, ans)
	zh, en := message(1, 1, "？？"), message(2, 2, "?!")
	zh.Message.From.LanguageCode, en.Message.From.LanguageCode = "zh-hans", "en"
	r.tg.push(zh, en)
	calls := r.tg.waitFor("two replies", func(c []call) bool { return len(sent(c, 1)) == 1 && len(sent(c, 2)) == 1 })
	if got := sent(calls, 1)[0]; got != "请用文字提问。" {
		t.Errorf("zh user got %q", got)
	}
	if got := sent(calls, 2)[0]; got != "Please ask in words." {
		t.Errorf("en user got %q", got)
	}
	if strings.Contains(r.logs.String(), "level=ERROR") {
		t.Errorf("logged as an error:\n%s", r.logs.String())
	}
}

// TestLoad sends 200 chats x 5 questions through the fake Telegram with an
// instant answerer, with 50 voice questions and 50 inline queries mixed
// in: every question must be answered exactly once, in order within each
// chat. It logs throughput and the time the bot adds.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const chats, perChat, voices, inlines = 200, 5, 50, 50
	var mu sync.Mutex
	asked := map[string]time.Time{}
	answered := map[string]time.Time{} // when the answerer returned
	ans := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		if req.OnText != nil { // inline answers do not stream
			req.OnText("答")
		}
		mu.Lock()
		answered[req.Question] = time.Now()
		mu.Unlock()
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "答" + req.Question, Mode: rag.ModeLLM}, nil
	}}
	// A recording's transcript is its file's content.
	transcribe := transcriberFunc(func(_ context.Context, _ string, audio []byte) (string, error) { return string(audio), nil })
	r := startBot(t, Config{Concurrency: 8, Transcriber: transcribe}, ans)
	var upds []*models.Update
	var questions []string
	for i := range perChat {
		for c := int64(1); c <= chats; c++ {
			q := fmt.Sprintf("Q%d-%d", c, i)
			upds, questions = append(upds, message(c, c, q)), append(questions, q)
		}
	}
	for c := int64(1001); c <= 1000+voices; c++ {
		q := fmt.Sprintf("Q%d-0", c)
		r.tg.addFile(q, q)
		u := message(c, c, "")
		u.Message.Voice = &models.Voice{FileID: q, Duration: 3, FileSize: int64(len(q))}
		upds, questions = append(upds, u), append(questions, q)
	}
	for i := range inlines {
		upds = append(upds, &models.Update{InlineQuery: &models.InlineQuery{ID: fmt.Sprint("iq", i), From: &models.User{ID: int64(2001 + i)}, Query: fmt.Sprint("I", i)}})
	}
	rand.Shuffle(len(upds)-chats*perChat, func(i, j int) { // voice and inline among the text, the text's order kept
		upds[chats*perChat+i], upds[chats*perChat+j] = upds[chats*perChat+j], upds[chats*perChat+i]
	})
	start := time.Now()
	mu.Lock()
	for _, q := range questions {
		asked[q] = start
	}
	mu.Unlock()
	r.tg.push(upds...)
	isFinal := func(c call) bool {
		return (c.Method == "editMessageText" || c.Method == "sendMessage") && strings.HasPrefix(c.Form["text"], "答Q")
	}
	calls := r.tg.waitFor("every answer", func(cs []call) bool {
		n := 0
		for _, c := range cs {
			if isFinal(c) {
				n++
			}
		}
		return n >= chats*perChat+voices && len(r.tg.Calls("answerInlineQuery")) >= inlines
	})
	inlineAnswers := map[string]int{}
	for _, c := range calls {
		if c.Method == "answerInlineQuery" && strings.Contains(c.Form["results"], "答I") {
			inlineAnswers[c.Form["inline_query_id"]]++
		}
	}
	for i := range inlines {
		if n := inlineAnswers[fmt.Sprint("iq", i)]; n != 1 {
			t.Errorf("inline query %d answered %d times", i, n)
		}
	}
	elapsed := time.Since(start)
	seen := map[string]int{}
	lastIndex := map[string]int{}
	var latencies, overheads []time.Duration
	mu.Lock()
	defer mu.Unlock()
	for _, c := range calls {
		if !isFinal(c) {
			continue
		}
		q := strings.TrimPrefix(c.Form["text"], "答")
		seen[q]++
		var chat, i int
		fmt.Sscanf(q, "Q%d-%d", &chat, &i)
		key := fmt.Sprint(chat)
		if last, ok := lastIndex[key]; ok && i != last+1 {
			t.Errorf("chat %d: answer %d after %d", chat, i, last)
		}
		lastIndex[key] = i
		latencies = append(latencies, c.At.Sub(asked[q]))
		overheads = append(overheads, c.At.Sub(answered[q]))
	}
	for q := range asked {
		if seen[q] != 1 {
			t.Errorf("%s answered %d times", q, seen[q])
		}
	}
	t.Logf("load: %d questions in %s: %.0f questions/s; from the burst to each final message p50 %s, p99 %s; "+
		"from the answer to its final message (rendering and sending) p50 %s, p99 %s",
		len(latencies), elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(),
		percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(overheads, 0.5), percentile(overheads, 0.99))
}

// transcriberFunc is a Transcriber of a function.
type transcriberFunc func(ctx context.Context, name string, audio []byte) (string, error)

func (f transcriberFunc) Transcribe(ctx context.Context, name string, audio []byte) (string, error) {
	return f(ctx, name, audio)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func TestWebhook(t *testing.T) {
	r := startBot(t, Config{WebhookURL: "https://example.org/hook", WebhookSecret: "s3cret", Listen: "127.0.0.1:0"}, echo())
	r.tg.waitFor("setWebhook", func(c []call) bool { return len(r.tg.Calls("setWebhook")) == 1 })
	set := r.tg.Calls("setWebhook")[0]
	if set.Form["url"] != "https://example.org/hook" || set.Form["secret_token"] != "s3cret" {
		t.Errorf("setWebhook %v", set.Form)
	}
	hook := httptest.NewServer(r.bot.webhookHandler())
	defer hook.Close()
	post := func(secret, text string) int {
		raw, _ := json.Marshal(message(8, 8, text))
		req, _ := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(raw))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("wrong", "伪造的问题"); code != http.StatusForbidden {
		t.Errorf("wrong secret: HTTP %d", code)
	}
	if code := post("s3cret", "真的问题"); code != http.StatusOK {
		t.Errorf("right secret: HTTP %d", code)
	}
	got := r.tg.waitFor("the answer", func(c []call) bool { return len(sent(c, 8)) == 1 })
	if text := sent(got, 8)[0]; !strings.HasPrefix(text, "答：真的问题") {
		t.Errorf("answered %q", text)
	}
	for name, body := range map[string]string{"huge": strings.Repeat("x", 2<<20), "not JSON": "garbage-body-must-not-be-logged",
		"JSON, not an update": `{"update_id":"seven","message":{"text":"garbage-body-of-json"}}`} {
		req, _ := http.NewRequest(http.MethodPost, hook.URL, strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s body: HTTP %d", name, resp.StatusCode)
		}
	}
	if strings.Contains(r.logs.String(), "garbage-body") || strings.Contains(r.logs.String(), "xxxxxxxx") {
		t.Error("a request body was logged")
	}
}

// Without a configured secret, the bot makes one up: a forged update
// without it is refused.
func TestWebhookWithoutSecret(t *testing.T) {
	r := startBot(t, Config{WebhookURL: "https://example.org/hook", Listen: "127.0.0.1:0"}, echo())
	r.tg.waitFor("setWebhook", func(c []call) bool { return len(r.tg.Calls("setWebhook")) == 1 })
	secret := r.tg.Calls("setWebhook")[0].Form["secret_token"]
	if len(secret) < 16 {
		t.Fatalf("setWebhook secret_token %q; want a generated secret", secret)
	}
	hook := httptest.NewServer(r.bot.webhookHandler())
	defer hook.Close()
	raw, _ := json.Marshal(message(8, 8, "伪造的问题"))
	resp, err := http.Post(hook.URL, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged update without the secret: HTTP %d", resp.StatusCode)
	}
}

// TestWithLLM runs the bot over a generated answer from a fake model
// server, and over a model server that fails (extractive, with a notice).
func TestWithLLM(t *testing.T) {
	model := ragtest.NewModel(t, func(openai.ChatCompletionRequest) string { return "生产线全长400米[1]。" })
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(502) }))
	defer down.Close()
	for name, url := range map[string]string{"up": model.URL, "down": down.URL + "/v1"} {
		t.Run(name, func(t *testing.T) {
			a := seedAnswerer(t)
			a.LLM = llm.NewChatClient(llm.ChatConfig{ModelConfig: llm.ModelConfig{BaseURL: url, Model: "fake-model", Timeout: 5 * time.Second}, MaxTokens: 100})
			r := startBot(t, Config{}, a)
			r.tg.push(message(-2, 2, "/ask "+lineQuestion))
			calls := r.tg.waitFor("the answer", func(c []call) bool {
				texts := sent(c, -2)
				for _, x := range c {
					if x.Method == "editMessageText" {
						texts = append(texts, x.Form["text"])
					}
				}
				return slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "<b>来源</b>") })
			})
			final := calls[len(calls)-1].Form["text"]
			want := "生产线全长400米[1]。\n\n<b>来源</b>\n[1] "
			if name == "down" {
				want = "<i>模型服务暂时不可用，以下是从文章中摘录的回答。</i>"
			}
			r.stop() // waits for the answer's log line
			if !strings.Contains(final, want) || !strings.Contains(r.logs.String(), "mode="+map[string]string{"up": "llm", "down": "extractive"}[name]) {
				t.Errorf("final message %q lacks %q, or the log the mode:\n%s", final, want, r.logs.String())
			}
		})
	}
}

// Conversations, source buttons and rate limits survive a restart with a
// state file; /retry asks the last question again.
func TestStateSurvivesRestart(t *testing.T) {
	var mu sync.Mutex
	var asked []rag.Request
	ans := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		mu.Lock()
		asked = append(asked, req)
		mu.Unlock()
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "答：" + req.Question + "[1]", Mode: rag.ModeExtractive,
			Sources: []rag.Source{{N: 1, Doc: "a.txt", Title: "标题", Text: "原文段落：" + req.Question}}}, nil
	}}
	cfg := Config{StatePath: filepath.Join(t.TempDir(), "state.db"), RatePerMinute: 3}
	r := startBot(t, cfg, ans)
	r.tg.push(message(1, 1, "第一个问题"), message(1, 1, "第二个问题"), message(1, 1, "第三个问题"), message(2, 2, "晋能光伏在哪里"))
	calls := r.tg.waitFor("four answers", func(c []call) bool { return len(sent(c, 1)) == 3 && len(sent(c, 2)) == 1 })
	var button string
	for _, c := range calls {
		if c.Form["chat_id"] == "2" && strings.Contains(c.Form["reply_markup"], "src:") {
			button = regexp.MustCompile(`src:\d+:1`).FindString(c.Form["reply_markup"])
		}
	}
	r.stop()

	r = startBot(t, cfg, ans)
	r.tg.push(message(1, 1, "第四个问题"), message(2, 2, "那它的董事长是谁"))
	calls = r.tg.waitFor("the limit and the follow-up", func(c []call) bool { return len(sent(c, 1)) == 1 && len(sent(c, 2)) == 1 })
	if !strings.Contains(sent(calls, 1)[0], "太频繁") {
		t.Errorf("user 1's fourth question in a minute, after a restart: %q", sent(calls, 1)[0])
	}
	mu.Lock()
	last := asked[len(asked)-1]
	mu.Unlock()
	if last.Question != "那它的董事长是谁" || len(last.History) != 1 || last.History[0].Question != "晋能光伏在哪里" {
		t.Errorf("the follow-up after a restart came with history %+v", last.History)
	}
	r.tg.push(&models.Update{CallbackQuery: &models.CallbackQuery{ID: "cb", From: models.User{ID: 2}, Data: button,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: 1, Date: 1, Chat: models.Chat{ID: 2, Type: models.ChatTypePrivate}}}}})
	calls = r.tg.waitFor("the passage", func(c []call) bool { return len(sent(c, 2)) == 2 })
	if p := lastSent(calls, 2); !strings.Contains(p, "原文段落：晋能光伏在哪里") {
		t.Errorf("button %q after a restart showed %q", button, p)
	}
	r.tg.push(message(2, 2, "/retry"))
	r.tg.waitFor("the retried answer", func(c []call) bool { return len(sent(c, 2)) == 3 })
	mu.Lock()
	defer mu.Unlock()
	if q := asked[len(asked)-1].Question; q != "那它的董事长是谁" || len(asked) != 6 {
		t.Errorf("/retry asked %q (%d questions in all)", q, len(asked))
	}
}

// fakeLibrary records the changes admins ask for.
type fakeLibrary struct {
	mu    sync.Mutex
	calls []string
}

func (l *fakeLibrary) record(call string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
	return "done: " + call, nil
}

func (l *fakeLibrary) AddDocument(_ context.Context, name string, data []byte) (string, error) {
	return l.record("add " + name + " " + string(data))
}
func (l *fakeLibrary) AddPage(_ context.Context, u string) (string, error) {
	return l.record("page " + u)
}
func (l *fakeLibrary) Forget(_ context.Context, n string) (string, error) {
	return l.record("forget " + n)
}

// Admins add documents and pages and remove articles, and see it done;
// others cannot.
func TestAdminsChangeTheCollection(t *testing.T) {
	lib := &fakeLibrary{}
	r := startBot(t, Config{Admins: []int64{1}, Library: lib}, echo())
	r.tg.addFile("doc1", "文章正文")
	doc := func(chat, user int64) *models.Update {
		u := message(chat, user, "")
		u.Message.Document = &models.Document{FileID: "doc1", FileName: "新文章.txt", FileSize: 12}
		return u
	}
	r.tg.push(doc(1, 1), message(1, 1, "https://example.org/news/1.html"), message(1, 1, "/forget 新文章.txt"),
		doc(2, 2), message(2, 2, "/forget 新文章.txt"))
	calls := r.tg.waitFor("the changes and the refusals", func(c []call) bool {
		done := 0
		for _, x := range c {
			if x.Method == "editMessageText" && strings.HasPrefix(x.Form["text"], "done: ") {
				done++
			}
		}
		return done == 3 && len(sent(c, 2)) == 2
	})
	lib.mu.Lock()
	defer lib.mu.Unlock()
	want := []string{"add 新文章.txt 文章正文", "page https://example.org/news/1.html", "forget 新文章.txt"}
	if !slices.Equal(lib.calls, want) {
		t.Errorf("library calls %q, want %q", lib.calls, want)
	}
	if progress := sent(calls, 1); len(progress) != 3 || !strings.HasPrefix(progress[0], "正在加入 新文章.txt") {
		t.Errorf("admin's progress messages: %q", progress)
	}
	others := strings.Join(sent(calls, 2), "\n")
	if !strings.Contains(others, "只能回答文字") || !strings.Contains(others, "只有管理员") {
		t.Errorf("a non-admin got %q", others)
	}
}

// topicQuestion is /ask text in topic thread of forum, a supergroup.
func topicQuestion(forum int64, thread int, text string) *models.Update {
	upd := message(forum, 7, "/ask "+text)
	upd.Message.Chat.Type, upd.Message.Chat.IsForum = models.ChatTypeSupergroup, true
	upd.Message.IsTopicMessage, upd.Message.MessageThreadID = true, thread
	return upd
}

// recorder answers "答：QUESTION[1]" with one source, after before (when
// set) lets it, and keeps the requests.
type recorder struct {
	mu     sync.Mutex
	asked  []rag.Request
	before func(context.Context, rag.Request) error
}

func (r *recorder) Answer(ctx context.Context, req rag.Request) (rag.Answer, error) {
	r.mu.Lock()
	r.asked = append(r.asked, req)
	r.mu.Unlock()
	if r.before != nil {
		if err := r.before(ctx, req); err != nil {
			return rag.Answer{}, err
		}
	}
	return rag.Answer{Question: req.Question, Lang: "zh", Text: "答：" + req.Question + "[1]", Mode: rag.ModeExtractive,
		Sources: []rag.Source{{N: 1, Doc: "a.txt", Title: "标题", Text: "原文段落"}}}, nil
}

// requests are the requests answered so far.
func (r *recorder) requests() []rag.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.asked)
}

// In a forum group, every message of an answer (draft, parts, notices,
// the passage behind a button) goes to the question's topic, and each topic
// is a conversation of its own: its history, its /reset.
func TestForumTopics(t *testing.T) {
	ans := &recorder{}
	r := startBot(t, Config{FollowUps: true}, ans)
	const forum = -1001
	inTopic := func(thread int, text string) *models.Update { return topicQuestion(forum, thread, text) }
	r.tg.push(inTopic(11, "晋能光伏在哪里"))
	r.tg.waitFor("the first answer", func(c []call) bool { return len(sent(c, forum)) == 1 })
	r.tg.push(inTopic(22, "绿源公司在哪里"))
	r.tg.waitFor("the second answer", func(c []call) bool { return len(sent(c, forum)) == 2 })
	r.tg.push(inTopic(11, "那它的董事长是谁"))
	calls := r.tg.waitFor("the follow-up", func(c []call) bool { return len(sent(c, forum)) == 3 })
	for _, c := range calls {
		if c.Form["chat_id"] == fmt.Sprint(forum) && c.Method != "getUpdates" && c.Form["message_thread_id"] == "" && c.Method != "editMessageText" && c.Method != "answerCallbackQuery" {
			t.Errorf("%s to the forum without its topic: %v", c.Method, c.Form)
		}
	}
	asked := ans.requests()
	if last := asked[len(asked)-1]; len(last.History) != 1 || last.History[0].Question != "晋能光伏在哪里" {
		t.Errorf("topic 11's follow-up came with history %+v", asked)
	}
	var topics []string
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["chat_id"] == fmt.Sprint(forum) {
			topics = append(topics, c.Form["message_thread_id"])
		}
	}
	if strings.Join(topics, ",") != "11,22,11" {
		t.Errorf("answers went to topics %v, want 11, 22, 11", topics)
	}
}

// An inline query gets the answer as a result to send, once per question
// for a while; a stranger gets nothing, and the answerer is not asked; a
// model too slow for an inline query gives way to the extractive answer,
// which says so.
func TestInlineQueries(t *testing.T) {
	ans := &recorder{before: func(ctx context.Context, req rag.Request) error {
		if strings.Contains(req.Question, "慢") && !req.Extractive {
			<-ctx.Done() // a model that takes longer than the inline query may wait
			return ctx.Err()
		}
		return nil
	}}
	r := startBot(t, Config{AllowedUsers: []int64{7}, InlineModelTime: 50 * time.Millisecond}, ans)
	inline := func(id string, user int64, query string) *models.Update {
		return &models.Update{InlineQuery: &models.InlineQuery{ID: id, From: &models.User{ID: user, LanguageCode: "zh-hans"}, Query: query}}
	}
	answered := func(c []call, id string) (string, bool) {
		for _, x := range c {
			if x.Method == "answerInlineQuery" && x.Form["inline_query_id"] == id {
				return x.Form["results"], true
			}
		}
		return "", false
	}
	r.tg.push(inline("q1", 7, "晋能光伏在哪里"), inline("q2", 666, "晋能光伏在哪里"), inline("q3", 7, "晋能光伏在哪里"), inline("q4", 7, "慢的问题"))
	calls := r.tg.waitFor("four inline answers", func(c []call) bool {
		for _, id := range []string{"q1", "q2", "q3", "q4"} {
			if _, ok := answered(c, id); !ok {
				return false
			}
		}
		return true
	})
	for _, id := range []string{"q1", "q3"} {
		if res, _ := answered(calls, id); !strings.Contains(res, "答：晋能光伏在哪里") || !strings.Contains(res, "标题") {
			t.Errorf("%s: %s", id, res)
		}
	}
	if res, _ := answered(calls, "q2"); res != "[]" {
		t.Errorf("a stranger's inline query got %s", res)
	}
	if res, _ := answered(calls, "q4"); !strings.Contains(res, "摘录") || !strings.Contains(res, "答：慢的问题") {
		t.Errorf("the slow model's inline answer: %s", res)
	}
	var questions []string
	for _, req := range ans.requests() {
		questions = append(questions, fmt.Sprintf("%s/%v", req.Question, req.Extractive))
	}
	if strings.Join(questions, ",") != "晋能光伏在哪里/false,慢的问题/false,慢的问题/true" {
		t.Errorf("the answerer was asked %v", questions)
	}
}

// fakeShelf offers collections whose answers name them.
type fakeShelf struct {
	mu     sync.Mutex
	opened map[string]int
}

func (s *fakeShelf) Names() []string { return []string{"farms", "cars"} }

func (s *fakeShelf) Open(_ context.Context, name string) (Collection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened[name]++
	return Collection{Name: name, Articles: []Article{{Title: name + "的文章"}},
		Answerer: &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
			return rag.Answer{Question: req.Question, Lang: "zh", Text: name + "答：" + req.Question + "[1]", Mode: rag.ModeExtractive,
				Sources: []rag.Source{{N: 1, Doc: "a.txt", Title: "标题", Text: "原文"}}}, nil
		}}}, nil
}

// /kb lists the collections and switches a chat's; answers and /sources
// then come from it, in that chat only; a group's member who is no admin
// cannot switch; an unknown name lists the known; the choice survives a
// restart.
func TestCollectionPerChat(t *testing.T) {
	home := &fakeAnswerer{fn: func(_ context.Context, req rag.Request) (rag.Answer, error) {
		return rag.Answer{Question: req.Question, Lang: "zh", Text: "种子答：" + req.Question + "[1]", Mode: rag.ModeExtractive,
			Sources: []rag.Source{{N: 1, Doc: "a.txt", Title: "标题", Text: "原文"}}}, nil
	}}
	shelf := &fakeShelf{opened: map[string]int{}}
	cfg := Config{Collection: "default", Shelf: shelf, Admins: []int64{9}, StatePath: filepath.Join(t.TempDir(), "state.db"),
		Articles: []Article{{Title: "种子文章"}}}
	r := startBot(t, cfg, home)
	r.tg.push(message(1, 1, "/kb"))
	calls := r.tg.waitFor("the list", func(c []call) bool { return len(sent(c, 1)) == 1 })
	if l := lastSent(calls, 1); !strings.Contains(l, "default ← 当前") || !strings.Contains(l, "farms") || !strings.Contains(l, "cars") {
		t.Errorf("/kb: %q", l)
	}
	r.tg.push(message(1, 1, "/kb nope"))
	calls = r.tg.waitFor("unknown", func(c []call) bool { return len(sent(c, 1)) == 2 })
	if l := lastSent(calls, 1); !strings.Contains(l, "没有文章集") || !strings.Contains(l, "farms") {
		t.Errorf("/kb nope: %q", l)
	}
	r.tg.push(message(-5, 1, "/kb cars"))
	calls = r.tg.waitFor("a group member", func(c []call) bool { return len(sent(c, -5)) == 1 })
	if l := lastSent(calls, -5); !strings.Contains(l, "管理员") {
		t.Errorf("a group member's /kb cars: %q", l)
	}
	r.tg.push(message(1, 1, "/kb farms"), message(1, 1, "小麦亩产多少"), message(1, 1, "/sources"), message(2, 2, "小麦亩产多少"))
	calls = r.tg.waitFor("the answers", func(c []call) bool { return len(sent(c, 1)) == 5 && len(sent(c, 2)) == 1 })
	got := strings.Join(sent(calls, 1)[2:], "\n") // the answer and /sources go by two queues
	if !strings.Contains(got, "farms答：小麦亩产多少") || !strings.Contains(got, "farms的文章") || !strings.Contains(lastSent(calls, 2), "种子答") {
		t.Errorf("after /kb farms: %q; another chat: %q", got, lastSent(calls, 2))
	}
	r.stop()

	r = startBot(t, cfg, home)
	r.tg.push(message(1, 1, "小麦亩产多少"), message(-5, 9, "/kb cars"), message(-5, 9, "/ask 销量"))
	calls = r.tg.waitFor("after a restart", func(c []call) bool { return len(sent(c, 1)) == 1 && len(sent(c, -5)) == 2 })
	group := strings.Join(sent(calls, -5), "\n") // the /kb reply and the answer go by two queues
	if !strings.Contains(lastSent(calls, 1), "farms答") || !strings.Contains(group, "cars答：销量") {
		t.Errorf("after a restart: %q, %q", lastSent(calls, 1), group)
	}
	shelf.mu.Lock()
	defer shelf.mu.Unlock()
	if shelf.opened["farms"] < 1 {
		t.Errorf("opened %v", shelf.opened)
	}
}

// transcriptionServer is an OpenAI-compatible transcription server on
// loopback that answers a scripted text, or fails while fail is set, and
// keeps the recordings it got.
type transcriptionServer struct {
	mu   sync.Mutex
	got  [][]byte
	fail bool
	srv  *httptest.Server
}

func newTranscriptionServer(t *testing.T) *transcriptionServer {
	ts := &transcriptionServer{}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, _, err := r.FormFile("file")
		if err != nil || r.URL.Path != "/v1/audio/transcriptions" {
			http.Error(w, "bad request", 400)
			return
		}
		audio, _ := io.ReadAll(f)
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.got = append(ts.got, audio)
		if ts.fail {
			http.Error(w, "overloaded", 503)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"text":"晋能光伏的生产线有多长"}`)
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

// A voice question is fetched through getFile, sent to a transcription
// server, quoted and answered; one over the limit, or with no transcription server, or one
// the server fails on, gets a plain sentence why, with no internal detail.
func TestVoiceQuestions(t *testing.T) {
	ogg, err := os.ReadFile("testdata/voice.ogg") // espeak-ng -v cmn "晋能光伏的生产线有多长", opusenc --bitrate 16
	if err != nil {
		t.Fatal(err)
	}
	voice := func(chat int64, seconds int) *models.Update {
		u := message(chat, chat, "")
		u.Message.Voice = &models.Voice{FileID: "v1", Duration: seconds, MimeType: "audio/ogg", FileSize: int64(len(ogg))}
		return u
	}
	off := startBot(t, Config{}, echo())
	off.tg.push(voice(1, 5))
	calls := off.tg.waitFor("the notice", func(c []call) bool { return len(sent(c, 1)) == 1 })
	if !strings.Contains(lastSent(calls, 1), "没有启用语音") {
		t.Errorf("no transcription server: %q", lastSent(calls, 1))
	}

	ts := newTranscriptionServer(t)
	tr := llm.NewTranscriber(llm.ModelConfig{Setting: "transcription", BaseURL: ts.srv.URL + "/v1", Model: "whisper-1", Timeout: 5 * time.Second})
	r := startBot(t, Config{Transcriber: tr, MaxVoiceSeconds: 60}, echo())
	r.tg.addFile("v1", string(ogg))
	r.tg.push(voice(1, 5), voice(2, 600))
	calls = r.tg.waitFor("the answer and the refusal", func(c []call) bool { return len(sent(c, 1)) >= 2 && len(sent(c, 2)) == 1 })
	got := strings.Join(sent(calls, 1), "\n")
	if !strings.Contains(got, "🎤") || !strings.Contains(got, "晋能光伏的生产线有多长") || strings.Index(got, "🎤") > strings.LastIndex(got, "晋能光伏的生产线有多长") {
		t.Errorf("the transcript and the answer: %q", got)
	}
	if !strings.Contains(lastSent(calls, 2), "太长") {
		t.Errorf("600 s of voice: %q", lastSent(calls, 2))
	}
	ts.mu.Lock()
	if len(ts.got) != 1 || !bytes.Equal(ts.got[0], ogg) {
		t.Errorf("the transcription server got %d recordings", len(ts.got))
	}
	ts.fail = true
	ts.mu.Unlock()
	r.tg.push(voice(3, 5))
	calls = r.tg.waitFor("the failure", func(c []call) bool { return len(sent(c, 3)) == 1 })
	if l := lastSent(calls, 3); !strings.Contains(l, "没能转成文字") || strings.Contains(l, "127.0.0.1") || strings.Contains(l, "503") {
		t.Errorf("a transcription failure: %q", l)
	}
}

// A topic closed while its question is answered loses that answer, said
// in the log; the bot goes on answering in the other topics.
func TestForumTopicClosedMidAnswer(t *testing.T) {
	r := startBot(t, Config{}, &recorder{})
	r.tg.SetFail(func(method string, form map[string]string, _ int) (int, string, bool) {
		if form["message_thread_id"] == "11" && method != "sendChatAction" {
			return 400, `{"ok":false,"error_code":400,"description":"Bad Request: TOPIC_CLOSED"}`, true
		}
		return 0, "", false
	})
	const forum = -1002
	inTopic := func(thread int, text string) *models.Update { return topicQuestion(forum, thread, text) }
	r.tg.push(inTopic(11, "晋能光伏在哪里"), inTopic(22, "绿源公司在哪里"))
	calls := r.tg.waitFor("the open topic's answer", func(c []call) bool {
		for _, x := range c {
			if x.Method == "sendMessage" && x.Form["message_thread_id"] == "22" && strings.Contains(x.Form["text"], "答：绿源公司在哪里") {
				return true
			}
		}
		return false
	})
	tries := 0
	for _, c := range calls {
		if c.Method == "sendMessage" && c.Form["message_thread_id"] == "11" {
			tries++
		}
	}
	if tries == 0 || tries > 4 {
		t.Errorf("%d tries to send to the closed topic", tries)
	}
	if !strings.Contains(r.logs.String(), "TOPIC_CLOSED") || strings.Contains(r.logs.String(), "panic") {
		t.Errorf("log:\n%s", r.logs.String())
	}
}
