package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/qabot/qabot/rag/document"
)

// Library changes the collection the bot serves: admins (Config.Admins)
// send documents or URLs to add articles, and /forget to remove them. Each
// call indexes the change, makes it live, and returns a one-line summary.
type Library interface {
	AddDocument(ctx context.Context, name string, data []byte) (string, error)
	AddPage(ctx context.Context, pageURL string) (string, error)
	Forget(ctx context.Context, name string) (string, error)
}

// isAdmin reports whether user may change the collection.
func (b *Bot) isAdmin(user int64) bool {
	return (b.cfg.Library != nil || b.cfg.Shelf != nil) && slices.Contains(b.cfg.Admins, user)
}

// adminMessage handles what only admins may send: a document, a URL on its
// own, /forget. It reports whether msg was one of those (refusing
// non-admins' /forget).
func (b *Bot) adminMessage(msg *models.Message, cmd, arg, lang string) bool {
	zh := lang == "zh"
	admin := b.isAdmin(msg.From.ID)
	switch {
	case cmd == "forget" && !admin:
		b.reply(msg, pick(zh, "只有管理员可以删除文章。", "Only the bot's admins can remove articles."), nil)
		return true
	case !admin:
		return false
	case cmd == "forget" && strings.TrimSpace(arg) == "":
		b.reply(msg, pick(zh, "用法：/forget 文件名或网址", "Usage: /forget FILE-NAME or URL"), nil)
		return true
	case cmd == "forget":
		name := strings.TrimSpace(arg)
		b.libraryJob(msg, pick(zh, "正在删除 ", "Removing ")+name, func(ctx context.Context, lib Library) (string, error) { return lib.Forget(ctx, name) })
		return true
	case msg.Document != nil:
		doc := msg.Document
		b.libraryJob(msg, pick(zh, "正在加入 ", "Adding ")+doc.FileName, func(ctx context.Context, lib Library) (string, error) {
			data, err := b.download(ctx, doc)
			if err != nil {
				return "", err
			}
			return lib.AddDocument(ctx, doc.FileName, data)
		})
		return true
	case cmd == "" && isPageURL(msg.Text):
		page := strings.TrimSpace(msg.Text)
		b.libraryJob(msg, pick(zh, "正在加入 ", "Adding ")+page, func(ctx context.Context, lib Library) (string, error) { return lib.AddPage(ctx, page) })
		return true
	}
	return false
}

// isPageURL reports whether text is one http(s) URL and nothing else.
func isPageURL(text string) bool {
	text = strings.TrimSpace(text)
	u, err := url.Parse(text)
	return err == nil && !strings.ContainsAny(text, " \n") && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// libraryJob runs a change of the collection in the chat's queue, showing
// what it is doing and then what it did.
func (b *Bot) libraryJob(msg *models.Message, doing string, job func(context.Context, Library) (string, error)) {
	chat, to := msg.Chat.ID, placeOf(msg)
	b.work.Add(1)
	queued := b.chats.enqueue(chat, func() {
		defer b.recoverPanic("library", to)
		ctx, cancel := context.WithTimeout(b.workCtx, 10*time.Minute)
		defer cancel()
		id := b.send(ctx, to, 0, escape(doing+"…"), nil)
		col, err := b.collection(ctx, chat)
		var result string
		switch {
		case err == nil && col.Library == nil:
			err = fmt.Errorf("the collection %s cannot be changed from Telegram", col.Name)
		case err == nil:
			result, err = job(ctx, col.Library)
		}
		if err != nil {
			b.log.Warn("telegram: changing the collection failed", "chat", chat, "error", redactToken(err, b.cfg.Token))
			result = "⚠️ " + redactToken(err, b.cfg.Token).Error()
		} else {
			b.log.Info("telegram: the collection changed", "chat", chat, "user", msg.From.ID, "result", result)
		}
		if id == 0 || b.edit(ctx, chat, id, escape(result), nil) != nil {
			b.send(ctx, to, 0, escape(result), nil)
		}
	}, b.work.Done)
	if !queued {
		b.work.Done()
		b.reply(msg, pick(userLanguage(msg) == "zh", "前面还有很多问题在排队，请稍后再试。", "Too much is waiting; please try again later."), nil)
	}
}

// download fetches a document sent to the bot, up to the size of an article.
func (b *Bot) download(ctx context.Context, doc *models.Document) ([]byte, error) {
	if doc.FileSize > document.MaxArticleBytes {
		return nil, fmt.Errorf("%s is larger than the %d MB an article may have", doc.FileName, document.MaxArticleBytes>>20)
	}
	return b.downloadFile(ctx, doc.FileID, doc.FileName, document.MaxArticleBytes)
}

// downloadFile fetches a file sent to the bot through getFile, reading no
// more than limit bytes.
func (b *Bot) downloadFile(ctx context.Context, id, name string, limit int) ([]byte, error) {
	file, err := b.api.GetFile(ctx, &tgbot.GetFileParams{FileID: id})
	if err != nil {
		return nil, fmt.Errorf("getFile: %w", redactToken(err, b.cfg.Token))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(file), nil)
	if err != nil {
		return nil, redactToken(err, b.cfg.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", name, redactToken(err, b.cfg.Token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: HTTP %d", name, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", name, redactToken(err, b.cfg.Token))
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB", name, limit>>20)
	}
	return data, nil
}
