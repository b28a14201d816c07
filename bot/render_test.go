package bot

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/qabot/qabot/rag"
)

func TestRenderAnswer(t *testing.T) {
	ans := rag.Answer{Question: "问题？", Lang: "zh", Text: "答案 <b>&[1]。", ModelError: errors.New("cannot connect to the llm server at http://10.0.0.5:8000/v1"),
		Unsupported: []string{"没有依据的句子", "这一句很长很长，长到警告里只引用它的开头部分就够了。"},
		Sources:     []rag.Source{{N: 1, Title: "标题<i>", Date: "2024-03-05", Publisher: "新华网"}, {N: 2, Title: "未引用"}}}
	got := renderAnswer(ans, "zh")
	want := "<i>模型服务暂时不可用，以下是从文章中摘录的回答。</i>\n\n答案 &lt;b&gt;&amp;[1]。\n\n<i>注意：所引段落不支持 “没有依据的句子”、“这一句很长很长，长到警告里只引用…”</i>\n\n<b>来源</b>\n[1] 标题&lt;i&gt; (2024-03-05, 新华网)"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSplitHTML(t *testing.T) {
	sentence := "这是一句话，里面有&amp;实体。"
	text := "<b>标题</b>\n" + "<i>" + strings.Repeat(sentence, 40) + "</i>\n\n" + strings.Repeat("第二段。", 30)
	parts := splitHTML(text, 200)
	if len(parts) < 4 {
		t.Fatalf("%d parts", len(parts))
	}
	var plain strings.Builder
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > 200 {
			t.Errorf("part %d has %d runes", i, n)
		}
		if strings.Count(p, "<i>") != strings.Count(p, "</i>") || strings.Count(p, "<b>") != strings.Count(p, "</b>") {
			t.Errorf("part %d has unbalanced tags: %q", i, p)
		}
		if strings.Contains(p, "&am\n") || strings.HasSuffix(strings.TrimSuffix(p, "</i>"), "&amp") {
			t.Errorf("part %d cuts an entity: %q", i, p)
		}
		plain.WriteString(plainText(p))
	}
	if strings.ReplaceAll(plain.String(), "\n", "") != strings.ReplaceAll(plainText(text), "\n", "") {
		t.Error("the parts do not add up to the text")
	}
	emoji := strings.Repeat("😀", 300) // two UTF-16 units each
	for i, p := range splitHTML(emoji, 200) {
		if n := utf16Len(p); n > 200 {
			t.Errorf("emoji part %d is %d UTF-16 units long", i, n)
		}
	}
	if got := splitHTML("短", 4096); len(got) != 1 || got[0] != "短" {
		t.Errorf("short text: %q", got)
	}
}

func TestParseCommand(t *testing.T) {
	entity := func(offset, length int) []models.MessageEntity {
		return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: offset, Length: length}}
	}
	tests := []struct {
		text      string
		entities  []models.MessageEntity
		name, arg string
	}{
		{"/start", entity(0, 6), "start", ""},
		{"/ask@qa_bot 生产线多长？", entity(0, 11), "ask", "生产线多长？"},
		{"/Ask@QA_BOT x", entity(0, 11), "ask", "x"},
		{"/ask@other_bot x", entity(0, 14), commandForOtherBot, "x"},
		{"你好 /ask 句中命令", entity(3, 4), "ask", "句中命令"},
		{"😀😀 /ask emoji", entity(5, 4), "ask", "emoji"}, // each emoji is two UTF-16 units
		{"普通问题", nil, "", ""},
		{"/reset", nil, "reset", ""},
	}
	for _, tt := range tests {
		name, arg := parseCommand(&models.Message{Text: tt.text, Entities: tt.entities}, "qa_bot")
		if name != tt.name || arg != tt.arg {
			t.Errorf("%q: got %q %q, want %q %q", tt.text, name, arg, tt.name, tt.arg)
		}
	}
}

// /help advertises follow-up questions only when a model can resolve them.
func TestHelpFollowUps(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		with, without := helpText(lang, true, true, false), helpText(lang, true, false, false)
		for _, word := range []string{"追问", "Follow-up"} {
			if strings.Contains(without, word) {
				t.Errorf("%s help without a model mentions %q: %s", lang, word, without)
			}
		}
		if with == without {
			t.Errorf("%s help is the same with and without follow-ups", lang)
		}
	}
}
