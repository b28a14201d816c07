package bot

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/qabot/qabot/config"
	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/reply"
)

// Config is what the bot needs to run; cmd fills it from the configuration.
type Config struct {
	Token  string
	APIURL string // the Bot API server; https://api.telegram.org by default
	// AllowedUsers and AllowedChats are allowlists of IDs. Both empty means
	// anyone may ask; otherwise a message is answered when its sender is in
	// AllowedUsers or its chat is in AllowedChats.
	AllowedUsers, AllowedChats []int64
	// WebhookURL, when set, replaces long polling: Telegram posts updates
	// to it, and the bot serves them on Listen, checking WebhookSecret.
	WebhookURL, Listen, WebhookSecret string
	RatePerMinute                     int // questions per user per minute
	MaxQuestionRunes                  int
	Concurrency                       int // questions answered at once, over all chats
	// EditInterval is the least time between two edits of a streamed answer
	// in one chat (default 1.5 s); drafts are sent four times as often.
	EditInterval time.Duration
	// ChatInterval is the pace of new messages in one private chat after a
	// burst of three (default 1 s, Telegram's limit); groups get a third
	// of it.
	ChatInterval time.Duration
	// RequestsPerSecond bounds the Bot API requests over all chats
	// (default 30, Telegram's limit).
	RequestsPerSecond int
	// Grace bounds how long shutdown waits for answers in progress
	// (default 20 s).
	Grace time.Duration
	// Articles are listed by /sources and counted by /start.
	Articles []Article
	// Examples are example questions /start suggests.
	Examples []string
	// FollowUps says that follow-up questions work (a model is configured
	// to resolve them); /help mentions them only then.
	FollowUps bool
	// StatePath, when set, is a file (bbolt) that keeps conversations,
	// source buttons and rate limits across restarts, for HistoryTTL
	// (default a week).
	StatePath  string
	HistoryTTL time.Duration
	// Admins (user IDs) may change the collection through Library:
	// send a document or a URL to add an article, /forget to remove one.
	Admins  []int64
	Library Library
	// Collection names the bot's own collection, which Articles, Examples
	// and Library describe; Shelf, when set, offers others (see Shelf).
	Collection string
	Shelf      Shelf
	// Transcriber, when set, turns voice and audio questions into text;
	// MaxVoiceSeconds bounds them (default 120).
	Transcriber     Transcriber
	MaxVoiceSeconds int
	// InlineModelTime is how long an inline answer waits for the model
	// before it is extractive (default 6 s: Telegram drops an inline
	// query that gets no answer in about ten).
	InlineModelTime time.Duration
}

// Article describes one article of the collection.
type Article struct {
	Title, Date, Source string
}

// Answerer answers questions; *rag.Answerer is one.
type Answerer interface {
	Answer(ctx context.Context, req rag.Request) (rag.Answer, error)
}

// Bot answers questions about the articles in Telegram chats.
type Bot struct {
	cfg      Config
	answerer Answerer
	log      *slog.Logger
	api      *tgbot.Bot
	username string // without "@", learned from getMe

	chats    *chatQueues // questions, answered one at a time per chat
	outbox   *chatQueues // other replies, sent in order per chat
	limiter  *userLimits
	chatRate *chatLimits   // Telegram's pace per chat
	global   *rate.Limiter // Telegram's pace over all chats
	sessions *sessions
	answers  *answerCache
	refused  onceSet // strangers already told no
	inline   *inlineCache
	home     Collection // the bot's own collection
	kb       *choices   // each chat's collection, when not home
	disk     *diskState // nil: state lives in memory only

	drafts   bool // sendMessageDraft works; cleared after it fails
	draftsMu sync.Mutex

	work     sync.WaitGroup // questions being answered
	workCtx  context.Context
	stopWork context.CancelFunc
}

// New connects to the Bot API (getMe) and returns a bot. It fails with a
// message naming the fix when the token is missing or rejected.
func New(ctx context.Context, cfg Config, answerer Answerer, log *slog.Logger) (*Bot, error) {
	cfg = withDefaults(cfg)
	b := &Bot{cfg: cfg, answerer: answerer, log: log, drafts: true,
		chats:    newChatQueues(cfg.Concurrency, maxQueued, maxQueuedTotal),
		outbox:   newChatQueues(0, maxOutgoing, maxOutgoingTotal),
		limiter:  newUserLimits(cfg.RatePerMinute),
		chatRate: &chatLimits{every: cfg.ChatInterval},
		global:   rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), cfg.RequestsPerSecond),
		sessions: newSessions(), answers: newAnswerCache(1000), inline: newInlineCache(),
		home: Collection{Name: cfg.Collection, Answerer: answerer, Library: cfg.Library, Articles: cfg.Articles, Examples: cfg.Examples},
		kb:   &choices{byChat: map[int64]string{}}}
	b.workCtx, b.stopWork = context.WithCancel(context.WithoutCancel(ctx))
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram.token is not set: create a bot with @BotFather and set QABOT_TELEGRAM_TOKEN")
	}
	api, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(50*time.Second, &http.Client{Timeout: 70 * time.Second, Transport: &pollGate{next: http.DefaultTransport}}),
		tgbot.WithNotAsyncHandlers(), // updates reach handle in order; it only queues work
		tgbot.WithDefaultHandler(b.handle),
		tgbot.WithErrorsHandler(func(err error) { b.log.Warn("telegram", "error", redactToken(err, cfg.Token)) }),
		tgbot.WithAllowedUpdates(tgbot.AllowedUpdates{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateInlineQuery}),
		tgbot.WithWebhookSecretToken(cfg.WebhookSecret),
	)
	if err != nil {
		return nil, redactToken(err, cfg.Token)
	}
	b.api = api
	getMe, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := api.GetMe(getMe)
	if err != nil {
		return nil, explainTelegram(err, cfg.Token, cfg.APIURL)
	}
	b.username = me.Username
	if cfg.StatePath != "" {
		if b.disk, err = openState(cfg.StatePath, cfg.HistoryTTL); err != nil {
			return nil, err
		}
		if err := b.restore(); err != nil {
			b.disk.close()
			return nil, fmt.Errorf("read the bot's state %s: %w", cfg.StatePath, err)
		}
	}
	return b, nil
}

// restore loads conversations, answers and rate limits from the state file.
func (b *Bot) restore() error {
	return errors.Join(
		each(b.disk, chatsBucket, b.sessions.restore),
		each(b.disk, answersBucket, func(id int64, rec answerRecord) { b.answers.restore(id, rec.Sources) }),
		each(b.disk, askedBucket, func(user int64, rec askedRecord) { b.limiter.restore(user, rec.Times) }),
		each(b.disk, kbBucket, func(chat int64, rec kbRecord) { b.kb.set(chat, rec.Name) }),
	)
}

// save writes a record to the state file, if there is one; a failure is
// logged and the bot goes on from memory.
func (b *Bot) save(bucket []byte, id int64, rec any) {
	if b.disk == nil {
		return
	}
	var err error
	if rec == nil {
		err = b.disk.remove(bucket, id)
	} else {
		err = b.disk.put(bucket, id, rec)
	}
	if err != nil {
		b.log.Warn("telegram: cannot write the state file", "error", err)
	}
}

// withDefaults fills in what cfg leaves unset, from config.Default where
// the setting is a configuration key.
func withDefaults(cfg Config) Config {
	def := config.Default().Telegram
	if cfg.APIURL == "" {
		cfg.APIURL = def.APIURL
	}
	if cfg.RatePerMinute <= 0 {
		cfg.RatePerMinute = def.RatePerMinute
	}
	if cfg.MaxQuestionRunes <= 0 {
		cfg.MaxQuestionRunes = def.MaxQuestionRunes
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = def.Concurrency
	}
	if cfg.EditInterval <= 0 {
		cfg.EditInterval = 1500 * time.Millisecond
	}
	if cfg.ChatInterval <= 0 {
		cfg.ChatInterval = time.Second
	}
	if cfg.RequestsPerSecond <= 0 {
		cfg.RequestsPerSecond = 30
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 20 * time.Second
	}
	if cfg.MaxVoiceSeconds <= 0 {
		cfg.MaxVoiceSeconds = 120
	}
	if cfg.InlineModelTime <= 0 {
		cfg.InlineModelTime = 6 * time.Second
	}
	if cfg.HistoryTTL <= 0 {
		cfg.HistoryTTL = config.Default().Telegram.HistoryTTL
	}
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		// Telegram sends the secret back with every update; without one,
		// anyone who finds the address could post updates as anyone.
		cfg.WebhookSecret = rand.Text()
	}
	return cfg
}

// Username is the bot's username, without "@".
func (b *Bot) Username() string { return b.username }

// Run serves updates until ctx is done (long polling, or the webhook when
// one is configured), then lets the answers in progress finish, for at most
// Config.Grace, and returns.
func (b *Bot) Run(ctx context.Context) error {
	b.registerCommands(ctx)
	if len(b.cfg.AllowedUsers)+len(b.cfg.AllowedChats) == 0 {
		b.log.Warn("telegram: anyone can use this bot; set telegram.allowed_users or telegram.allowed_chats to restrict it")
	}
	if b.cfg.WebhookURL == "" {
		if _, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
			b.log.Warn("telegram: deleteWebhook failed; polling anyway", "error", redactToken(err, b.cfg.Token))
		}
		b.log.Info("telegram: polling for updates", "bot", "@"+b.username)
		b.api.Start(ctx)
	} else if err := b.serveWebhook(ctx); err != nil {
		return err
	}
	b.drain()
	if b.disk != nil {
		return b.disk.close()
	}
	return nil
}

// drain waits for the answers in progress, at most Config.Grace, then
// cancels those still running and waits, at most lastMessageTimeout, for
// their last messages (an apology) to go out.
func (b *Bot) drain() {
	done := make(chan struct{})
	go func() {
		b.work.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.stopWork()
		return
	case <-time.After(b.cfg.Grace):
		b.log.Warn("telegram: shutting down with answers still in progress")
	}
	b.stopWork()
	select {
	case <-done:
	case <-time.After(lastMessageTimeout):
	}
}

// lastMessageTimeout bounds the sending of an answer's last message, which
// goes out even after the answer was cancelled.
const lastMessageTimeout = 15 * time.Second

// serveWebhook registers the webhook and serves updates on Listen until ctx
// is done.
func (b *Bot) serveWebhook(ctx context.Context) error {
	if _, err := b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: b.cfg.WebhookURL, SecretToken: b.cfg.WebhookSecret,
		AllowedUpdates: []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateInlineQuery}}); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: a stop, not a failure
		}
		return fmt.Errorf("setWebhook %s: %w", b.cfg.WebhookURL, redactToken(err, b.cfg.Token))
	}
	srv := &http.Server{Addr: b.cfg.Listen, Handler: b.webhookHandler(),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	go b.api.StartWebhook(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	b.log.Info("telegram: serving the webhook", "bot", "@"+b.username, "listen", b.cfg.Listen, "url", webhookHost(b.cfg.WebhookURL))
	select {
	case err := <-errc:
		return fmt.Errorf("webhook server on %s: %w (check telegram.listen)", b.cfg.Listen, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// webhookHost is the host of the webhook URL, for the log: its path may be
// a secret.
func webhookHost(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Host
	}
	return ""
}

// maxUpdateBytes bounds a webhook request's body; Telegram's updates are a
// few kilobytes.
const maxUpdateBytes = 1 << 20

// webhookHandler serves Telegram's update posts. It refuses requests without
// the secret token (the library would answer them 200 and only log), bodies
// over maxUpdateBytes, and bodies that are not an update, without logging
// them (the library would log the whole body).
func (b *Bot) webhookHandler() http.Handler {
	next := b.api.WebhookHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")), []byte(b.cfg.WebhookSecret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			b.log.Warn("telegram: refused a webhook request over the size limit", "limit", maxUpdateBytes)
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read the request", http.StatusBadRequest)
			return
		case json.Unmarshal(body, new(models.Update)) != nil:
			// Checked here, as the library logs a body it cannot decode.
			b.log.Warn("telegram: refused a webhook request that is not an update", "bytes", len(body))
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r)
	})
}

// registerCommands sets the command menu, in English and, for users whose
// Telegram is in Chinese, in Chinese; a failure is only logged.
func (b *Bot) registerCommands(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, lang := range []string{"en", "zh"} {
		zh := lang == "zh"
		params := &tgbot.SetMyCommandsParams{Commands: []models.BotCommand{
			{Command: "ask", Description: pick(zh, "提问", "ask a question")},
			{Command: "sources", Description: pick(zh, "文章列表", "the articles")},
			{Command: "retry", Description: pick(zh, "重问上一个问题", "ask the last question again")},
		}}
		if b.cfg.FollowUps {
			params.Commands = append(params.Commands, models.BotCommand{Command: "reset", Description: pick(zh, "忘记对话", "forget this conversation")})
		}
		if b.cfg.Shelf != nil {
			params.Commands = append(params.Commands, models.BotCommand{Command: "kb", Description: pick(zh, "文章集：查看或切换", "collections: show or switch")})
		}
		params.Commands = append(params.Commands, models.BotCommand{Command: "help", Description: pick(zh, "帮助", "help")})
		if zh {
			params.LanguageCode = "zh"
		}
		if _, err := b.api.SetMyCommands(ctx, params); err != nil {
			b.log.Warn("telegram: setMyCommands failed; commands still work", "error", redactToken(err, b.cfg.Token))
			return
		}
	}
}

// handle receives every update, in order. It checks access first, answers
// commands, and queues questions; it never waits for an answer.
func (b *Bot) handle(_ context.Context, _ *tgbot.Bot, upd *models.Update) {
	defer b.recoverPanic("update", place{})
	switch {
	case upd.CallbackQuery != nil:
		b.handleCallback(upd.CallbackQuery)
	case upd.InlineQuery != nil:
		b.handleInline(upd.InlineQuery)
	case upd.Message != nil:
		b.handleMessage(upd.Message)
	}
}

// allowed reports whether user in chat may use the bot.
func (b *Bot) allowed(user, chat int64) bool {
	if len(b.cfg.AllowedUsers)+len(b.cfg.AllowedChats) == 0 {
		return true
	}
	return slices.Contains(b.cfg.AllowedUsers, user) || slices.Contains(b.cfg.AllowedChats, chat)
}

func (b *Bot) handleMessage(msg *models.Message) {
	if msg.From == nil || msg.From.IsBot {
		return
	}
	cmd, arg := parseCommand(msg, b.username)
	addressed := msg.Chat.Type == models.ChatTypePrivate || cmd != "" || b.mentioned(msg) || b.repliedTo(msg)
	if !addressed || cmd == commandForOtherBot {
		return
	}
	if !b.allowed(msg.From.ID, msg.Chat.ID) {
		b.refuseStranger(msg)
		return
	}
	lang := userLanguage(msg)
	if b.adminMessage(msg, cmd, arg, lang) || b.runCommand(msg, cmd, arg, lang) {
		return
	}
	b.queueQuestion(msg, cmd, arg, lang)
}

// runCommand answers the commands other than /ask; it reports whether msg
// was one.
func (b *Bot) runCommand(msg *models.Message, cmd, arg, lang string) bool {
	private := msg.Chat.Type == models.ChatTypePrivate
	switch cmd {
	case "ask", "":
		return false
	case "start":
		b.replyFrom(msg, func(col Collection) string { return b.greeting(col, lang) })
	case "help":
		help := helpText(lang, private, b.cfg.FollowUps, b.cfg.Shelf != nil)
		if b.isAdmin(msg.From.ID) {
			help += pick(lang == "zh", "\n\n管理员：发送文档（txt/md/html/docx/pdf）或网址即可加入文章；/forget 文件名或网址 删除。",
				"\n\nAdmins: send a document (txt/md/html/docx/pdf) or a URL to add it; /forget NAME or URL removes one.")
		}
		b.reply(msg, help, nil)
	case "sources":
		b.replyFrom(msg, func(col Collection) string { return articleList(col, lang) })
	case "kb":
		b.switchCollection(msg, arg, lang)
	case "reset":
		conv := placeOf(msg).conversation()
		b.sessions.reset(conv)
		b.save(chatsBucket, conv, nil)
		b.reply(msg, pick(lang == "zh", "好的，已忘记之前的对话。", "Done: the conversation is forgotten."), nil)
	case "retry":
		if q, ok := b.sessions.lastQuestion(placeOf(msg).conversation()); ok {
			b.queueQuestion(msg, "ask", q, lang)
		} else {
			b.reply(msg, pick(lang == "zh", "还没有可以重问的问题。", "There is no question to ask again yet."), nil)
		}
	default:
		if private {
			b.reply(msg, helpText(lang, private, b.cfg.FollowUps, b.cfg.Shelf != nil), nil)
		}
	}
	return true
}

// queueQuestion checks a question (text, length, the user's rate) and
// queues it for its chat.
func (b *Bot) queueQuestion(msg *models.Message, cmd, arg, lang string) {
	question := arg
	if cmd == "" {
		question = b.stripMention(msg.Text)
	}
	question = strings.TrimSpace(question)
	switch {
	case msg.Text == "" && msg.Caption == "" && msg.Chat.Type != models.ChatTypePrivate && !b.repliedTo(msg):
		return
	case msg.Voice != nil || msg.Audio != nil:
		b.queueVoice(msg, lang)
		return
	case msg.Text == "":
		b.reply(msg, pick(lang == "zh", "我只能回答文字问题，请用文字提问。", "I can only answer text: please type your question."), nil)
		return
	case question == "":
		b.reply(msg, pick(lang == "zh", "请在 /ask 后面写上问题，例如：", "Put your question after /ask, for example: ")+"/ask "+b.example(), nil)
		return
	}
	if n := len([]rune(question)); n > b.cfg.MaxQuestionRunes {
		b.reply(msg, fmt.Sprintf(pick(lang == "zh", "问题太长（%d 字），请缩短到 %d 字以内。", "That question is too long (%d characters); please keep it under %d."), n, b.cfg.MaxQuestionRunes), nil)
		return
	}
	if b.admit(msg, lang) {
		b.enqueue(msg, lang, func() { b.ask(msg, question) })
	}
}

// admit counts a question against its user's rate; false, with the user
// told, when it is over.
func (b *Bot) admit(msg *models.Message, lang string) bool {
	wait, ok, asked := b.limiter.allow(msg.From.ID)
	if !ok {
		b.reply(msg, fmt.Sprintf(pick(lang == "zh", "提问太频繁了，请 %d 秒后再试。", "Too many questions: please try again in %d s."), int(wait.Seconds())+1), nil)
		return false
	}
	b.save(askedBucket, msg.From.ID, askedRecord{Times: asked, At: time.Now()})
	return true
}

// enqueue queues job in msg's chat, telling the user when too much waits.
func (b *Bot) enqueue(msg *models.Message, lang string, job func()) {
	b.work.Add(1)
	if !b.chats.enqueue(msg.Chat.ID, job, b.work.Done) {
		b.work.Done()
		b.reply(msg, pick(lang == "zh", "前面还有很多问题在排队，请稍后再问。", "Too many questions are waiting; please ask again later."), nil)
	}
}

// ask records question as msg's conversation's last (for /retry) and
// answers it.
func (b *Bot) ask(msg *models.Message, question string) {
	conv := placeOf(msg).conversation()
	b.sessions.asked(conv, question)
	b.save(chatsBucket, conv, b.sessions.record(conv))
	b.answer(msg, question)
}

// post queues a job that talks to Telegram for chat: the chat's jobs run
// in order, in a goroutine of the chat's own, so that the update handler
// never waits for Telegram and one chat's 429s delay no other chat.
func (b *Bot) post(chat int64, job func(ctx context.Context)) {
	b.work.Add(1)
	if !b.outbox.enqueue(chat, func() { job(b.workCtx) }, b.work.Done) {
		b.work.Done()
		b.log.Warn("telegram: too many replies waiting; dropped one", "chat", chat)
	}
}

// refuseStranger tells a user who is not allowed, once, that they are not.
func (b *Bot) refuseStranger(msg *models.Message) {
	b.log.Info("telegram: refused a user not on the allowlist", "user", msg.From.ID, "chat", msg.Chat.ID)
	if !b.refused.first(msg.From.ID) {
		return
	}
	b.reply(msg, pick(userLanguage(msg) == "zh", "抱歉，这个机器人只对指定用户开放。", "Sorry, this bot is private."), nil)
}

// recoverPanic logs a panic in a handler instead of letting it end the
// process, and tells the chat, if known, that something went wrong.
func (b *Bot) recoverPanic(where string, to place) {
	r := recover()
	if r == nil {
		return
	}
	b.log.Error("telegram: panic", "in", where, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	if to.chat != 0 {
		ctx, cancel := context.WithTimeout(b.workCtx, 10*time.Second)
		defer cancel()
		b.send(ctx, to, 0, "抱歉，出了点问题，请再试一次。/ Sorry, something went wrong; please try again.", nil)
	}
}

// answer answers one question, streaming the answer into the chat, and
// logs one line about it.
func (b *Bot) answer(msg *models.Message, question string) {
	to := placeOf(msg)
	chat, conv := to.chat, to.conversation()
	defer b.recoverPanic("answer", to)
	ctx, cancel := context.WithTimeout(b.workCtx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	go b.typing(ctx, to)
	out := b.newStream(ctx, msg)
	col, err := b.collection(ctx, chat)
	var ans rag.Answer
	if err == nil {
		ans, err = col.Answerer.Answer(ctx, rag.Request{Question: question, History: b.sessions.history(conv), OnText: out.add})
	}
	out.stop()
	// The last message goes out even when the answer was cut short by a
	// shutdown, so that no half-streamed preview is left in the chat.
	last, cancelLast := context.WithTimeout(context.WithoutCancel(ctx), lastMessageTimeout)
	defer cancelLast()
	if err != nil {
		zh := userLanguage(msg) == "zh"
		text := pick(zh, "抱歉，出了点问题，请再试一次。", "Sorry, something went wrong; please try again.")
		switch {
		case errors.Is(err, rag.ErrEmptyQuestion):
			b.log.Info("telegram: a question with no words", "chat", chat)
			text = pick(zh, "请用文字提问。", "Please ask in words.")
		case b.workCtx.Err() != nil:
			b.log.Warn("telegram: answer cut short by shutdown", "chat", chat)
			text = pick(zh, "抱歉，机器人正在重启，这个问题没能回答完，请稍后再问一次。", "Sorry, the bot is restarting and could not finish this answer; please ask again in a moment.")
		default:
			b.log.Error("telegram: answer failed", "chat", chat, "error", err)
		}
		out.finish(last, []string{text}, nil)
		return
	}
	b.sessions.add(conv, rag.Turn{Question: ans.Question, Answer: reply.Text(ans, ans.Lang)})
	b.save(chatsBucket, conv, b.sessions.record(conv))
	id := b.answers.put(ans)
	cited := ans.Cited()
	b.save(answersBucket, id, answerRecord{Sources: cited, At: time.Now()})
	lang := userLanguage(msg)
	out.finish(last, splitHTML(renderAnswer(ans, lang), maxMessage), sourceButtons(id, cited, lang))
	docs := make([]string, 0, len(cited))
	for _, s := range cited {
		docs = append(docs, fmt.Sprintf("%s#%d", s.Doc, s.Chunk))
	}
	b.log.Info("telegram: answered", "chat", chat, "user", msg.From.ID, "latency", time.Since(start).Round(time.Millisecond),
		"mode", ans.Mode, "refused", ans.Refused(), "needs_model", ans.Deferred(), "sources", strings.Join(docs, ","), "model_error", ans.ModelError)
}

// typing shows "typing…" in the chat; failures are ignored. The request is
// not cut short when the answer comes first.
func (b *Bot) typing(ctx context.Context, to place) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = b.api.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: to.chat, MessageThreadID: to.thread, Action: models.ChatActionTyping})
}

// sourceButtons are one inline button per cited source; pressing one shows
// its passage.
func sourceButtons(answerID int64, sources []rag.Source, lang string) models.ReplyMarkup {
	if len(sources) == 0 {
		return nil
	}
	var row []models.InlineKeyboardButton
	var rows [][]models.InlineKeyboardButton
	for _, s := range sources {
		row = append(row, models.InlineKeyboardButton{Text: fmt.Sprintf(pick(lang == "zh", "[%d] 原文", "[%d] passage"), s.N), CallbackData: fmt.Sprintf("src:%d:%d", answerID, s.N)})
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// handleCallback shows the passage behind a source button.
func (b *Bot) handleCallback(q *models.CallbackQuery) {
	var to place
	if q.Message.Message != nil {
		to = placeOf(q.Message.Message)
	}
	chat := to.chat
	if !b.allowed(q.From.ID, chat) {
		b.post(chat, func(ctx context.Context) { b.answerCallback(ctx, q.ID, "") })
		return
	}
	var id int64
	var n int
	src, ok := rag.Source{}, false
	if _, err := fmt.Sscanf(q.Data, "src:%d:%d", &id, &n); err == nil {
		src, ok = b.answers.source(id, n)
	}
	b.post(chat, func(ctx context.Context) {
		if !ok || chat == 0 {
			b.answerCallback(ctx, q.ID, pick(languageOf(&q.From) == "zh", "这条回答已过期，请重新提问。", "This answer has expired; please ask again."))
			return
		}
		b.answerCallback(ctx, q.ID, "")
		for _, part := range splitHTML(renderPassage(src), maxMessage) {
			b.send(ctx, to, 0, part, nil)
		}
	})
}

func (b *Bot) answerCallback(ctx context.Context, id, text string) {
	if _, err := b.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text}); err != nil {
		b.log.Warn("telegram: answerCallbackQuery failed", "error", redactToken(err, b.cfg.Token))
	}
}

// reply queues an HTML message in answer to msg (see post).
func (b *Bot) reply(msg *models.Message, text string, markup models.ReplyMarkup) {
	replyTo := 0
	if msg.Chat.Type != models.ChatTypePrivate {
		replyTo = msg.ID
	}
	b.post(msg.Chat.ID, func(ctx context.Context) { b.send(ctx, placeOf(msg), replyTo, text, markup) })
}

// place is where in Telegram a message goes: a chat, and in a forum
// group, the topic (message thread) of the question.
type place struct {
	chat   int64
	thread int // 0: the chat itself, or a forum's General topic
}

// placeOf is where msg was written.
func placeOf(msg *models.Message) place {
	p := place{chat: msg.Chat.ID}
	if msg.IsTopicMessage {
		p.thread = msg.MessageThreadID
	}
	return p
}

// conversation is the key of the conversation at p (its history, its last
// question, its state on disk): the chat's ID, or for a forum topic a hash
// of the chat and the topic, so that two topics are two conversations.
func (p place) conversation() int64 {
	if p.thread == 0 {
		return p.chat
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d", p.chat, p.thread)
	return int64(h.Sum64())
}

// userLanguage is the language of the interface for the sender of msg
// (replies to commands, notices, buttons): Chinese when their Telegram is set
// to Chinese, else English. Answers follow the question's language.
func userLanguage(msg *models.Message) string {
	return languageOf(msg.From)
}

func languageOf(u *models.User) string {
	if u != nil && strings.HasPrefix(strings.ToLower(u.LanguageCode), "zh") {
		return "zh"
	}
	return "en"
}

func (b *Bot) example() string {
	if len(b.home.Examples) > 0 {
		return b.home.Examples[0]
	}
	return "山西有哪些创新政策?"
}

// greeting is the reply to /start; it offers to forget the conversation
// only when follow-up questions use it.
func (b *Bot) greeting(col Collection, lang string) string {
	var ex strings.Builder
	for _, e := range col.Examples[:min(2, len(col.Examples))] {
		fmt.Fprintf(&ex, "\n• %s", escape(e))
	}
	zh := lang == "zh"
	reset := ""
	if b.cfg.FollowUps {
		reset = pick(zh, "，可以继续追问，/reset 忘记对话", "; follow-up questions work, and /reset forgets the conversation")
	}
	if zh {
		return fmt.Sprintf("你好！我根据 %d 篇文章回答问题，并注明出处 [n]。直接发送问题即可，例如：%s\n\n/sources 查看文章列表%s，/help 帮助。", len(col.Articles), ex.String(), reset)
	}
	return fmt.Sprintf("Hello! I answer questions from %d articles and cite them as [n]. Just send a question, for example:%s\n\n/sources lists the articles%s; /help shows help.", len(col.Articles), ex.String(), reset)
}

func helpText(lang string, private, followUps, shelf bool) string {
	zh := lang == "zh"
	var b strings.Builder
	b.WriteString(pick(zh, "发送一个关于文章的问题，我会回答并标注出处 [n]；点击按钮查看原文。",
		"Send a question about the articles; I answer with citations [n], and the buttons show the passages."))
	if followUps {
		b.WriteString(pick(zh, "可以继续追问（“那它的前身呢？”）。", " Follow-up questions work."))
	}
	if !private {
		b.WriteString(pick(zh, "\n在群组中：@我、回复我的消息，或使用 /ask 问题。", "\nIn groups: mention me, reply to my message, or use /ask QUESTION."))
	}
	b.WriteString(pick(zh, "\n/sources 文章列表\n/retry 重问上一个问题", "\n/sources the articles\n/retry ask the last question again"))
	if followUps {
		b.WriteString(pick(zh, "\n/reset 忘记对话", "\n/reset forget the conversation"))
	}
	if shelf {
		b.WriteString(pick(zh, "\n/kb 查看文章集，/kb 名称 切换", "\n/kb the collections; /kb NAME switches"))
	}
	b.WriteString(pick(zh, "\n/help 帮助", "\n/help this help"))
	return b.String()
}

func articleList(col Collection, lang string) string {
	var s strings.Builder
	s.WriteString(pick(lang == "zh", "<b>文章</b>", "<b>Articles</b>"))
	for i, a := range col.Articles {
		meta := strings.Trim(a.Date+", "+a.Source, ", ")
		fmt.Fprintf(&s, "\n%d. %s", i+1, escape(a.Title))
		if meta != "" {
			fmt.Fprintf(&s, " (%s)", escape(meta))
		}
	}
	return s.String()
}

// mentioned reports whether msg mentions the bot by @username.
func (b *Bot) mentioned(msg *models.Message) bool {
	return b.username != "" && strings.Contains(strings.ToLower(msg.Text+msg.Caption), "@"+strings.ToLower(b.username))
}

// repliedTo reports whether msg replies to one of the bot's messages.
func (b *Bot) repliedTo(msg *models.Message) bool {
	r := msg.ReplyToMessage
	return r != nil && r.From != nil && r.From.IsBot && strings.EqualFold(r.From.Username, b.username)
}

// stripMention removes "@username" from a question.
func (b *Bot) stripMention(text string) string {
	if b.username == "" {
		return text
	}
	i := strings.Index(strings.ToLower(text), "@"+strings.ToLower(b.username))
	if i < 0 {
		return text
	}
	return text[:i] + text[i+1+len(b.username):]
}
