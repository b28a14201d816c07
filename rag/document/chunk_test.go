package document

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"chinese enders", "第一句。第二句！第三句？第四句；", []string{"第一句。", "第二句！", "第三句？", "第四句；"}},
		{"closing quote stays", "他说：“好。”然后走了。", []string{"他说：“好。”", "然后走了。"}},
		{"ellipsis run", "入驻……全市新兴产业。", []string{"入驻……", "全市新兴产业。"}},
		{"line break ends a heading", "标题\n正文。", []string{"标题", "正文。"}},
		{"latin", "It works. Version 1.5 is out! Really?", []string{"It works.", "Version 1.5 is out!", "Really?"}},
		{"ascii punctuation in chinese", "这是什么?这是书!", []string{"这是什么?", "这是书!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Sentences(tt.text)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// startsBadly reports punctuation that cannot begin a passage: closing
// quotes and brackets, and sentence or clause punctuation.
func startsBadly(s string) bool {
	r := []rune(s)[0]
	return strings.ContainsRune("，。、；：！？…”’」』）)】》,.;:!?", r) || unicode.IsSpace(r)
}

func TestChunkBoundaries(t *testing.T) {
	for _, size := range []int{40, 120, 300, 800} {
		ch := Chunker{Size: size, Overlap: size / 5}
		for _, a := range seedArticles(t) {
			text := []rune(a.Text)
			chunks := ch.Split(a)
			if len(chunks) == 0 {
				t.Fatalf("%s: no chunks", a.Name)
			}
			covered := 0
			for i, c := range chunks {
				if c.Index != i || c.Doc != a.Name {
					t.Errorf("%s#%d: index/doc = %d/%s", a.Name, i, c.Index, c.Doc)
				}
				if got := string(text[c.Start:c.End]); got != c.Text {
					t.Errorf("%s#%d: offsets do not match the text", a.Name, i)
				}
				if n := RuneLen(c.Text); n > size {
					t.Errorf("size %d: %s#%d has %d runes", size, a.Name, i, n)
				}
				if startsBadly(c.Text) {
					t.Errorf("size %d: %s#%d starts with punctuation: %q", size, a.Name, i, truncateRunes(c.Text, 20))
				}
				if i > 0 && c.Start <= chunks[i-1].Start {
					t.Errorf("%s#%d does not advance", a.Name, i)
				}
				if c.Start > covered {
					if gap := strings.TrimSpace(string(text[covered:c.Start])); gap != "" {
						t.Errorf("%s#%d: text between chunks is lost: %q", a.Name, i, gap)
					}
				}
				covered = c.End
			}
			if rest := strings.TrimSpace(string(text[covered:])); rest != "" {
				t.Errorf("%s: text after the last chunk is lost: %q", a.Name, rest)
			}
		}
	}
}

// With a size that fits several sentences, a chunk ends at a sentence end.
func TestChunksEndOnSentences(t *testing.T) {
	a := Article{Name: "a.txt", Text: strings.Repeat("这是一个比较短的句子。", 30)}
	for _, c := range (Chunker{Size: 100, Overlap: 30}).Split(a) {
		if !strings.HasSuffix(c.Text, "。") {
			t.Errorf("chunk %d ends mid-sentence: %q", c.Index, c.Text)
		}
	}
}

func TestChunkOverlap(t *testing.T) {
	a := Article{Name: "a.txt", Text: "一二三四五六七八九。甲乙丙丁戊己庚辛壬。子丑寅卯辰巳午未申。"}
	got := (Chunker{Size: 20, Overlap: 10}).Split(a)
	want := []string{"一二三四五六七八九。甲乙丙丁戊己庚辛壬。", "甲乙丙丁戊己庚辛壬。子丑寅卯辰巳午未申。"}
	var texts []string
	for _, c := range got {
		texts = append(texts, c.Text)
	}
	if diff := cmp.Diff(want, texts); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

// A sentence longer than the size is cut after clause punctuation.
func TestChunkLongSentence(t *testing.T) {
	a := Article{Name: "a.txt", Text: strings.Repeat("推进科技创新，", 20) + "完成。"}
	for _, c := range (Chunker{Size: 50, Overlap: 0}).Split(a) {
		if RuneLen(c.Text) > 50 || startsBadly(c.Text) {
			t.Errorf("bad piece %q", c.Text)
		}
		if !strings.HasSuffix(c.Text, "，") && !strings.HasSuffix(c.Text, "。") {
			t.Errorf("piece not cut at a clause: %q", c.Text)
		}
	}
}

func TestChunkerValidate(t *testing.T) {
	for _, c := range []Chunker{{Size: 10}, {Size: 100, Overlap: 100}, {Size: 100, Overlap: -1}} {
		if c.Validate() == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	if err := (Chunker{Size: 300, Overlap: 60}).Validate(); err != nil {
		t.Error(err)
	}
}

func BenchmarkChunk(b *testing.B) {
	arts := seedArticles(b)
	ch := Chunker{Size: 300, Overlap: 60}
	runes := 0
	for _, a := range arts {
		runes += RuneLen(a.Text)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, a := range arts {
			ch.Split(a)
		}
	}
	b.ReportMetric(float64(runes*b.N)/b.Elapsed().Seconds(), "chars/s")
}

// truncateRunes cuts s to at most n runes, marking a cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
