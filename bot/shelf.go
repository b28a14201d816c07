package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// A bot serves its collection, and with a Shelf others too: /kb lists them
// and shows the chat's, /kb NAME switches the chat to another (in groups,
// only the bot's admins may). The choice is kept across restarts; answers,
// /sources and admins' changes use the chat's collection. Each collection
// is opened once and shared between chats.

// Shelf offers the collections a bot may serve.
type Shelf interface {
	Names() []string
	Open(ctx context.Context, name string) (Collection, error)
}

// Collection is a collection as the bot uses it.
type Collection struct {
	Name     string
	Answerer Answerer
	Library  Library // nil: admins cannot change it
	Articles []Article
	Examples []string
}

// kbBucket keeps each chat's collection.
var kbBucket = []byte("kb")

// kbRecord is a chat's collection as stored.
type kbRecord struct {
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// choices are the chats' collections, by chat; a chat not listed has the
// bot's own.
type choices struct {
	mu     sync.Mutex
	byChat map[int64]string
}

func (c *choices) get(chat int64) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byChat[chat]
}

func (c *choices) set(chat int64, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byChat[chat] = name
}

// collection is the collection chat uses.
func (b *Bot) collection(ctx context.Context, chat int64) (Collection, error) {
	name := b.kb.get(chat)
	if name == "" || name == b.home.Name || b.cfg.Shelf == nil {
		return b.home, nil
	}
	return b.cfg.Shelf.Open(ctx, name)
}

// collectionNames are the collections a chat may switch to.
func (b *Bot) collectionNames() []string {
	names := []string{b.home.Name}
	if b.cfg.Shelf != nil {
		for _, n := range b.cfg.Shelf.Names() {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// switchCollection answers /kb [NAME] in msg's chat.
func (b *Bot) switchCollection(msg *models.Message, arg, lang string) {
	zh := lang == "zh"
	chat, name := msg.Chat.ID, strings.TrimSpace(arg)
	current := b.kb.get(chat)
	if current == "" {
		current = b.home.Name
	}
	names := b.collectionNames()
	switch {
	case name == "":
		var s strings.Builder
		s.WriteString(pick(zh, "<b>文章集</b>（/kb 名称 切换）", "<b>Collections</b> (/kb NAME switches)"))
		for _, n := range names {
			mark := ""
			if n == current {
				mark = pick(zh, " ← 当前", " ← this chat's")
			}
			fmt.Fprintf(&s, "\n• %s%s", escape(n), mark)
		}
		b.reply(msg, s.String(), nil)
	case !slices.Contains(names, name):
		b.reply(msg, escape(fmt.Sprintf(pick(zh, "没有文章集 %q，可选：%s", "There is no collection %q; there are: %s"), name, strings.Join(names, ", "))), nil)
	case msg.Chat.Type != models.ChatTypePrivate && !slices.Contains(b.cfg.Admins, msg.From.ID):
		b.reply(msg, pick(zh, "在群组中只有管理员可以切换文章集。", "In groups, only the bot's admins can switch the collection."), nil)
	default:
		b.kb.set(chat, name)
		b.save(kbBucket, chat, kbRecord{Name: name, At: time.Now()})
		conv := placeOf(msg).conversation() // the conversation was about the other articles
		b.sessions.reset(conv)
		b.save(chatsBucket, conv, nil)
		b.reply(msg, escape(fmt.Sprintf(pick(zh, "已切换到文章集 %s。", "This chat now uses the collection %s."), name)), nil)
	}
}

// replyFrom queues a reply to msg whose text comes from the chat's
// collection, opened in the chat's queue rather than in the update handler.
func (b *Bot) replyFrom(msg *models.Message, text func(Collection) string) {
	replyTo := 0
	if msg.Chat.Type != models.ChatTypePrivate {
		replyTo = msg.ID
	}
	b.post(msg.Chat.ID, func(ctx context.Context) {
		col, err := b.collection(ctx, msg.Chat.ID)
		if err != nil {
			b.log.Error("telegram: cannot open the chat's collection", "chat", msg.Chat.ID, "error", err)
			col = b.home
		}
		b.send(ctx, placeOf(msg), replyTo, text(col), nil)
	})
}
