package question

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// What a question asks for, its unit and the word naming what is asked,
// are read from invented questions of each kind.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		q                 string
		asks              Type
		focus, unit       string
		article, followUp bool
	}{
		{q: "绿源公司的董事长是谁？", asks: Person, focus: "董事长"},
		{q: "绿源公司是哪一年成立的？", asks: Date, focus: "成立"},
		{q: "新工厂一共有多少名工人？", asks: Number, focus: "工人", unit: "名"},
		{q: "厂区占地多少平方公里？", asks: Number, focus: "占地", unit: "平方公里"},
		{q: "李教授今年多大岁数了？", asks: Number, focus: "岁数", unit: "岁"},
		{q: "绿源公司有哪三类产品？", asks: List, focus: "产品", unit: "类"},
		{q: "为什么说绿源公司的老办法不行？", asks: Reason},
		{q: "他们是怎么把成本降下来的？", asks: Means, followUp: true},
		{q: "这篇报道主要讲了什么？", asks: Summary, article: true, followUp: true},
		{q: "新工厂在哪里？", asks: Place, focus: "工厂"},
		{q: "东山有没有机场？", asks: Confirm, focus: "机场"},
		{q: "那个平台叫什么名字？", asks: Thing, focus: "平台"},
		{q: "那它的前身呢？", asks: Thing, followUp: true},
	} {
		q := Parse(tt.q)
		if q.Asks != tt.asks || tt.focus != "" && q.Focus != tt.focus || q.Unit != tt.unit || q.Article != tt.article || q.FollowUp != tt.followUp {
			t.Errorf("%s: read as %s; article %v, follow-up %v", tt.q, describe(q), q.Article, q.FollowUp)
		}
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
	for _, term := range q.Terms {
		for _, w := range []string{"多少", "那个", "啊", "什么"} {
			if strings.Contains(term.Text, w) {
				t.Errorf("term %q holds %q", term.Text, w)
			}
		}
	}
}

// The years, dates, ordinals and names a question takes as given are its
// constraints, shown as it writes them; a place has a short name without
// its administrative unit when enough of it is left.
func TestConstraints(t *testing.T) {
	for q, want := range map[string][]Constraint{
		"二〇二一年绿源公司的产量是多少？":   {{Kind: Year, Text: "2021", Shown: "二〇二一年"}},
		"第三届龙舟赛有多少支队伍？":      {{Kind: Ordinal, Text: "第3届", Shown: "第三届", Also: []string{"3届"}}},
		"2022年8月东山的汽车产量":     {{Kind: Year, Text: "2022", Shown: "2022年"}, {Kind: Month, Text: "8月", Shown: "8月"}, {Kind: Name, Text: "东山", Shown: "东山"}},
		"《东山往事》的导演是谁":        {{Kind: Name, Text: "东山往事", Shown: "东山往事"}},
		"陕西的绿源公司有多少员工":       {{Kind: Name, Text: "陕西", Shown: "陕西"}},
		"绿源公司的股价是20145.29点吗": nil,
		"绿源公司营业额能有两千万吗":      nil,
		"晉中市有多少家企業":          {{Kind: Name, Text: "晋中市", Shown: "晉中市", Also: []string{"晋中"}}},
		"沁县有多少家企业":           {{Kind: Name, Text: "沁县", Shown: "沁县"}},
	} {
		if diff := cmp.Diff(want, Parse(q).Constraints()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
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

// A sentence states the kind of answer asked when it holds one the
// question does not: a number, a date, a person, a place, a list, a reason.
func TestStates(t *testing.T) {
	for _, tt := range []struct {
		q, yes, no string
	}{
		{"绿源公司有多少名工人？", "公司有120名工人。", "公司2019年成立。"},
		{"绿源公司是哪年成立的？", "公司成立于2009年。", "公司有120名工人。"},
		{"2023年绿源公司的产量是多少？", "2023年产量达到3700吨。", "2023年产量创了新高。"},
		{"绿源公司的董事长是谁？", "公司董事长郑晓峰表示，将扩大产能。", "公司董事会决定扩大产能。"},
		{"绿源公司的新工厂在哪里？", "新工厂建在陕西。", "新工厂已经投产。"},
		{"绿源公司有哪些产品？", "产品有碳纤维板、碳纤维管。", "产品销往海外。"},
		{"为什么绿源公司要建新工厂？", "由于订单增加，公司建了新工厂。", "公司建了新工厂。"},
		// A rank is no count, unless a rank is asked.
		{"东山有多少家创新平台？", "全市创新平台总数达到58家。", "东山成为全省第三家创新平台。"},
		{"东山是全省第几家创新平台？", "东山成为全省第三家创新平台。", "东山的创新平台已经挂牌。"},
		// A number asked in a unit of measure is given in that unit, at any magnitude.
		{"绿源公司一年能产多少吨碳纤维？", "公司年产碳纤维3700吨。", "公司有120名工人。"},
		{"绿源公司年产多少万吨碳纤维？", "公司年产碳纤维3.7亿吨。", "公司2009年成立，有120名工人。"},
		// An age is given in years of age, a span of days also by a range of dates (the unitcue table).
		{"王建国今年多大年纪？", "王建国今年56岁。", "王建国在公司工作了16年。"},
		{"总书记在江苏考察了几天？", "7月5日至7日，总书记在江苏考察。", "7月5日，总书记在江苏考察。"},
	} {
		q := Parse(tt.q)
		if !q.States(tt.yes) || q.States(tt.no) {
			t.Errorf("%s: states %q %v, %q %v", tt.q, tt.yes, q.States(tt.yes), tt.no, q.States(tt.no))
		}
	}
}

// heldCorpus holds the words it lists.
type heldCorpus []string

func (c heldCorpus) Holds(w string) bool { return slices.Contains(c, w) }

// A name the dictionary cuts apart (绿源 is no word of it) is one word when
// the collection holds it whole.
func TestParseInJoinsHeldWords(t *testing.T) {
	held := func(q Question) bool {
		return slices.ContainsFunc(q.Words, func(w Word) bool { return w.Text == "恒达钢构" })
	}
	if q := ParseIn("恒达钢构的董事长是谁？", heldCorpus{"恒达钢构"}); !held(q) {
		t.Errorf("words %v", q.Words)
	}
	if q := Parse("恒达钢构的董事长是谁？"); held(q) {
		t.Errorf("without the collection: %v", q.Words)
	}
	// A name whose last character the dictionary put in a word after it
	// (渠 | 建 | 光是) takes it back; a function word joins no name (的 |
	// 董事长 is held, but no word).
	var words []string
	for _, w := range ParseIn("渠建光是哪家公司的董事长？", heldCorpus{"渠建", "渠建光", "的董事长"}).Words {
		words = append(words, w.Text)
	}
	if diff := cmp.Diff([]string{"渠建光", "是", "哪家", "公司", "的", "董事长", "?"}, words); diff != "" {
		t.Errorf("words (-want +got):\n%s", diff)
	}
	// A person's name cut after its given name's first character (张凯 |
	// 鹏) is whole again; a name followed by a word of two characters (李宁 |
	// 公司) is no such name.
	for text, want := range map[string]string{"张凯鹏写的那篇讲了什么？": "张凯鹏", "李宁公司在哪里？": "李宁"} {
		q := ParseIn(text, heldCorpus{"张凯鹏", "李宁公司"})
		if q.Words[0].Text != want {
			t.Errorf("%s: words %v, want %s first", text, q.Words, want)
		}
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
