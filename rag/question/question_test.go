package question

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// What a question asks for, and the words that say of what, are read from
// invented questions of each kind.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		q                      string
		asks                   Type
		focus, subject, unit   string
		items                  int
		ordinal, attr, article bool
	}{
		{q: "绿源公司的董事长是谁？", asks: Person, focus: "董事长", subject: "绿源公司", attr: true},
		{q: "绿源公司是哪一年成立的？", asks: Date, focus: "成立", subject: "绿源公司"},
		{q: "新工厂一共有多少名工人？", asks: Number, focus: "工人", subject: "新工厂", unit: "名"},
		{q: "绿源公司的专利号是多少？", asks: Number, focus: "专利号", subject: "绿源公司", attr: true},
		{q: "厂区占地多少平方公里？", asks: Number, unit: "平方公里", subject: "厂区", attr: true},
		{q: "李教授今年多大岁数了？", asks: Number, unit: "岁", subject: "李教授"},
		{q: "绿源公司有哪三类产品？", asks: List, items: 3, subject: "绿源公司", unit: "类"},
		{q: "为什么说绿源公司的老办法不行？", asks: Reason, subject: "绿源公司"},
		{q: "他们是怎么把成本降下来的？", asks: Means},
		{q: "这篇报道主要讲了什么？", asks: Summary, article: true},
		{q: "新工厂在哪里？", asks: Place, subject: "新工厂", attr: true},
		{q: "东山有没有机场？", asks: Confirm, subject: "东山"},
		{q: "东山是全省第几个挂牌的？", asks: Number, ordinal: true, subject: "东山", unit: "个"},
		{q: "那个平台叫什么名字？", asks: Thing, focus: "平台", attr: true},
	} {
		q := Parse(tt.q)
		if q.Asks != tt.asks || tt.focus != "" && q.Focus != tt.focus || tt.subject != "" && q.Subject() != tt.subject || q.Unit != tt.unit ||
			q.Items != tt.items || q.Ordinal != tt.ordinal || q.Attribute() != tt.attr || q.Article != tt.article {
			t.Errorf("%s: read as %s; subject %q, items %d, ordinal %v, attribute %v, article %v", tt.q, describe(q), q.Subject(), q.Items, q.Ordinal, q.Attribute(), q.Article)
		}
	}
}

// A post a colloquial word stands for is what a who-question looks for.
func TestParseTitles(t *testing.T) {
	q := Parse("南湖科技局的一把手是谁？")
	if q.Asks != Person || !slices.Contains(q.Titles, "局长") {
		t.Errorf("read as %s, titles %v", describe(q), q.Titles)
	}
	if q := Parse("东山市市长叫什么？"); q.Asks != Person || !slices.Equal(q.Titles, []string{"市长"}) {
		t.Errorf("read as %s, titles %v", describe(q), q.Titles)
	}
}

// Names, numbers given, question words, chat and punctuation are told
// apart; the terms for retrieval hold no question word.
func TestParseWords(t *testing.T) {
	q := Parse("那个绿源公司在日本的工厂，2019年度产了多少吨啊？")
	var names []string
	for _, w := range q.Names() {
		names = append(names, w.Text)
	}
	if !slices.Contains(names, "日本") {
		t.Errorf("names %v", names)
	}
	if n := q.Numbers(); len(n) != 1 || n[0].Text != "2019年度" || !n[0].Names {
		t.Errorf("numbers %+v", n)
	}
	for _, term := range q.Terms {
		for _, w := range []string{"多少", "那个", "啊", "什么"} {
			if strings.Contains(term.Text, w) {
				t.Errorf("term %q holds %q", term.Text, w)
			}
		}
	}
	if n := Parse("今年营收能有两千万吗").Numbers(); len(n) != 1 || n[0].Text != "2000万" || n[0].Names {
		t.Errorf("an amount: %+v", n)
	}
}

// A question that asks two things is read as two questions.
func TestParseParts(t *testing.T) {
	q := Parse("绿源公司董事长是谁，主要产品有哪些？")
	if len(q.Parts) != 2 || q.Parts[0].Asks != Person || q.Parts[1].Asks != List {
		t.Errorf("parts %d", len(q.Parts))
	}
	if q := Parse("绿源公司的生产线有多长？"); q.Parts != nil {
		t.Errorf("one question read as %d", len(q.Parts))
	}
}

// Opinions, errands and follow-ups are recognised; a yes-or-no question of
// fact is no opinion.
func TestParseScope(t *testing.T) {
	for q, want := range map[string]Scope{"东山的苹果甜不甜": Opinion, "碳纤维板好用吗": Opinion, "护照怎么办理": Errand, "明天会下雨吗": Now,
		"生产线是不是有六百米长": InScope, "绿源公司有没有上市": InScope} {
		if got := Parse(q).Scope; got != want {
			t.Errorf("%s: scope %q, want %q", q, got, want)
		}
	}
	if !Parse("那它的前身呢？").FollowUp || Parse("绿源公司的前身是什么？").FollowUp {
		t.Error("follow-ups")
	}
}

// heldCorpus holds the words it lists.
type heldCorpus []string

func (c heldCorpus) Holds(w string) bool { return slices.Contains(c, w) }

// A name the dictionary cuts apart (绿源 is no word of it) is one word when
// the collection holds it whole.
func TestParseInJoinsHeldWords(t *testing.T) {
	q := ParseIn("恒达钢构的董事长是谁？", heldCorpus{"恒达钢构"})
	if q.Subject() != "恒达钢构" || len(q.SubjectWords()) != 1 {
		t.Errorf("subject %q %v", q.Subject(), q.SubjectWords())
	}
	if q := Parse("恒达钢构的董事长是谁？"); q.Subject() == "恒达钢构" {
		t.Errorf("without the collection: %v", q.SubjectWords())
	}
}

// The dictionary finds its words, and the segmenter cuts a question into
// them.
func TestSegment(t *testing.T) {
	if e, ok := lookup("陕西"); !ok || e.tag != "ns" {
		t.Errorf("陕西: %+v %v", e, ok)
	}
	if _, ok := lookup("绿源新材料"); ok {
		t.Error("a word the dictionary lacks")
	}
	var got []string
	for _, w := range segment("陕西省的新材料产业") {
		got = append(got, w.Text)
	}
	if diff := cmp.Diff([]string{"陕西省", "的", "新", "材料", "产业"}, got); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
}

// BenchmarkParseLong reads a question as long as any qabot answers (2,000
// characters): reading must stay linear in its length.
func BenchmarkParseLong(b *testing.B) {
	text := strings.Repeat("绿源公司的碳纤维生产线有多长，", 2000/15)
	for b.Loop() {
		Parse(text)
	}
}
