package document

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/qabot/qabot/rag/ragtest"
	"github.com/qabot/qabot/seeds"
)

func seedArticles(t testing.TB) []Article {
	t.Helper()
	loaded, err := LoadArticles(context.Background(), Corpus{Name: "seeds", FS: seeds.FS}, nil)
	arts, failed := loaded.Articles, loaded.Failed
	if err != nil || len(failed) > 0 {
		t.Fatalf("load seeds: %v %v", err, failed)
	}
	return arts
}

// TestCleanSeedsGolden pins the cleaned text, metadata and chunk list of
// every seed article.
func TestCleanSeedsGolden(t *testing.T) {
	for _, a := range seedArticles(t) {
		head := fmt.Sprintf("title: %s\ndate: %s\nsource: %s\n\n", a.Title, a.Date, a.Source)
		ragtest.Golden(t, a.Name+".clean", head+a.Text+"\n")
		var b strings.Builder
		for _, c := range (Chunker{Size: 300, Overlap: 60}).Split(a) {
			fmt.Fprintf(&b, "#%d [%d,%d) %s\n", c.Index, c.Start, c.End, c.Text)
		}
		ragtest.Golden(t, a.Name+".chunks", b.String())
	}
}

func TestCleanSeedQuirks(t *testing.T) {
	byName := map[string]Article{}
	for _, a := range seedArticles(t) {
		byName[a.Name[:3]] = a
	}
	tests := []struct {
		doc, name    string
		contains     []string
		notContains  []string
		title, date  string
		sourceSubstr string
	}{
		{doc: "000", name: "photo credit inside a sentence is dropped and the sentence rejoined",
			contains:    []string{"产业是培育发展新质生产力的主要载体,创新则是核心动力。"},
			notContains: []string{"通讯员 郭夜炜 摄", "记者 张凯鹏"},
			title:       "向「新」而行 以「质」致远"},
		{doc: "001", name: "breadcrumbs, column name and date line are furniture",
			notContains:  []string{"当前位置", "本站首页", "要闻要论\n", "发布日期"},
			title:        "习近平总书记在江苏考察时重要讲话激励我省广大干部群众—— 依靠创新驱动推动高质量发展",
			date:         "2023-07-09",
			sourceSubstr: "山西日报"},
		{doc: "002", name: "comment counter is dropped",
			notContains: []string{"评论0"}},
		{doc: "003", name: "hard-wrapped lines are joined without spaces; the headline at the end is found",
			contains:    []string{"放眼晋商故里，新质生产力热潮持续涌动，勾勒出一幅幅晋中经济新图景：", "省级重点实验室、技术创新中心等各类创新平台总数达到 58 家"},
			notContains: []string{"记者 程婧 摄", "持\n续"},
			title:       "一路向“新”动能澎湃"},
		{doc: "004", name: "inline source notes give the sources",
			sourceSubstr: "《求是》杂志"},
	}
	for _, tt := range tests {
		t.Run(tt.doc+" "+tt.name, func(t *testing.T) {
			a := byName[tt.doc]
			for _, s := range tt.contains {
				if !strings.Contains(a.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(a.Text, s) {
					t.Errorf("text still has %q", s)
				}
			}
			if tt.title != "" && a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			if tt.date != "" && a.Date != tt.date {
				t.Errorf("date = %q, want %q", a.Date, tt.date)
			}
			if !strings.Contains(a.Source, tt.sourceSubstr) {
				t.Errorf("source = %q, want it to contain %q", a.Source, tt.sourceSubstr)
			}
		})
	}
}

// Every sentence of the cleaned text must be findable in the original file
// once whitespace and the dropped photo-credit lines are ignored: cleaning
// drops lines and joins them, it never rewrites text.
func TestCleanKeepsTextVerbatim(t *testing.T) {
	for _, a := range seedArticles(t) {
		raw, err := seeds.FS.ReadFile(a.Name)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.Split(string(raw), "\n") {
			if !photoCredit.MatchString(strings.TrimSpace(l)) {
				kept = append(kept, l)
			}
		}
		orig := strings.Join(strings.Fields(strings.Join(kept, "")), "")
		for _, s := range Sentences(a.Text) {
			if !strings.Contains(orig, strings.Join(strings.Fields(s), "")) {
				t.Errorf("%s: sentence not in the original: %q", a.Name, s)
			}
		}
	}
}

func TestParseArticle(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr error
		text    string
		title   string
		enc     string
	}{
		{name: "bom is stripped", raw: "\ufeff标题\n正文第一句。", text: "标题\n正文第一句。", title: "标题"},
		{name: "crlf and spaces are normalised", raw: "  第一段。 \r\n\r\n第二段\u3000\u3000有空格。\r\n", text: "第一段。\n第二段 有空格。"},
		{name: "empty file", raw: "", wantErr: ErrEmpty},
		{name: "only whitespace", raw: " \n\t\n", wantErr: ErrEmpty},
		{name: "binary with NUL", raw: "PK\x03\x04\x00\x00", wantErr: ErrBinary},
		{name: "UTF-16 with BOM", raw: "\xff\xfe" + utf16LE("山西创新。"), text: "山西创新。", enc: "UTF-16"},
		{name: "UTF-16 big-endian with BOM", raw: "\xfe\xff" + utf16BE("山西创新。"), text: "山西创新。", enc: "UTF-16"},
		{name: "UTF-16 without BOM", raw: utf16LE("Shanxi 2024 report."), text: "Shanxi 2024 report.", enc: "UTF-16"},
		{name: "GBK", raw: encode(t, simplifiedchinese.GBK, gbText), text: gbText, enc: "GB18030"},
		{name: "GB18030", raw: encode(t, simplifiedchinese.GB18030, gbText), text: gbText, enc: "GB18030"},
		{name: "Big5", raw: encode(t, traditionalchinese.Big5, big5Text), text: big5Text, enc: "Big5"},
		{name: "Latin-1 is no Chinese", raw: encode(t, charmap.ISO8859_1, "Le café crème de la gare, à côté du musée, était très fréquenté ; on y parlait français."), wantErr: ErrNotUTF8},
		{name: "a trailing byline is dropped", raw: "标题\n工作室获得了优秀奖。(记者沈佳 李林霞 杨彧)\n会议强调创新。(李林霞 杨彧 沈佳)\n(张运宁,山西省住建厅审批处处长)",
			text: "标题\n工作室获得了优秀奖。\n会议强调创新。\n(张运宁,山西省住建厅审批处处长)"},
		{name: "control characters", raw: strings.Repeat("\x01\x02abc", 50), wantErr: ErrBinary},
		{name: "latin hard wrap keeps a space", raw: strings.Repeat("The quick brown fox jumps over\nthe lazy dog and keeps running\n", 5),
			text: strings.TrimSpace(strings.Repeat("The quick brown fox jumps over the lazy dog and keeps running ", 5))},
		{name: "markdown heading is the title", raw: "# 我的标题\n\n正文。", title: "我的标题"},
		{name: "no heading: first clause", raw: "这是一篇没有标题的文章,它只有正文。第二句。", title: "这是一篇没有标题的文章"},
		{name: "no heading: a lead-in skipped", raw: "连日来,全省干部群众认真学习全会精神,凝聚共识。第二句。", title: "全省干部群众认真学习全会精神"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArticle(t.Context(), "x.txt", []byte(tt.raw))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if a.Encoding != tt.enc {
				t.Errorf("encoding = %q, want %q", a.Encoding, tt.enc)
			}
			if tt.text != "" && a.Text != tt.text {
				t.Errorf("text = %q, want %q", a.Text, tt.text)
			}
			if tt.title != "" && a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
		})
	}
}

// Text of the kinds that legacy Chinese encodings carry.
const (
	gbText   = "晋中市科技局表示，全市高新技术企业总数连续七年居全省第二。\n创新平台总数达到58家。"
	big5Text = "晉中市科技局表示，全市高新技術企業總數連續七年居全省第二。\n創新平臺總數達到58家。"
)

// encode writes text in the encoding e.
func encode(t *testing.T, e encoding.Encoding, text string) string {
	t.Helper()
	out, err := e.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParseArticleTooLarge(t *testing.T) {
	_, err := ParseArticle(t.Context(), "big.txt", make([]byte, MaxArticleBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestParseArticleDate(t *testing.T) {
	for raw, want := range map[string]string{
		"标题\n发布时间：2024年3月5日 来源：晋中日报\n正文。": "2024-03-05",
		"标题\n发布日期:2023-07-09\n正文。":        "2023-07-09",
		"标题\n正文提到2023年7月9日的会议。":           "",
	} {
		a, err := ParseArticle(t.Context(), "x.txt", []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if a.Date != want {
			t.Errorf("%q: date %q, want %q", raw, a.Date, want)
		}
	}
}

func TestNeedsSpace(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"the quick", "brown fox", true},
		{"Hello,", "world", true},
		{"新质生产力热潮持", "续涌动", false},
		{"山西省实验室2022", "年批准", false},
		{"晋能光伏,公司", "TOPCon电池", false},
		{"我省是全国试点省之一,", "AGV机器人", false},
	}
	for _, tt := range tests {
		if got := needsSpace(tt.a, tt.b); got != tt.want {
			t.Errorf("needsSpace(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// utf16LE encodes s as little-endian UTF-16.
func utf16LE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

func utf16BE(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u >> 8))
		b.WriteByte(byte(u))
	}
	return b.String()
}
