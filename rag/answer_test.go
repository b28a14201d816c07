package rag

import (
	"context"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/question"
)

func seedAnswerer(t testing.TB) *Answerer {
	return &Answerer{Store: indextest.Seeds(t), TopK: 5, MinRelevance: 0.08}
}

var citation = regexp.MustCompile(`\[(\d+)\]`)

// The invented articles the answer tests ask about: a company and its new
// plant in 东山市, another city's science bureau, and an unrelated report.
var inventedArticles = map[string]string{
	"plant.txt": `绿源新材料公司新工厂投产
——东山市加快培育新材料产业
记者 李明远
东山市绿源新材料有限公司成立于2009年，是一家生产碳纤维材料的企业。该公司董事长王建国表示，新工厂位于东山高新区，全长600米的生产线上只有12名工人。
公司主要产品包括碳纤维板、碳纤维管、碳纤维布三大类。
过去，公司依赖人工铺层，效率低下且废品率较高。通过引进自动铺丝机，生产效率提高了三倍。
2023年度，绿源公司获得省科技进步一等奖。王建国说，公司下一步要建设研发中心，打造国内一流的碳纤维供应商。`,
	"bureau.txt": `南湖市科技局推动平台建设
南湖市科技局局长赵敏说，全市已建成各类创新平台45家，比去年增加8家。
她表示，没有产业，科技成果就无处落地，因此要推动平台与企业深度合作。`,
	"school.txt": `城东小学开展读书月活动
城东小学组织学生阅读经典名著，开展读书分享会。校长周丽说，读书让孩子们受益匪浅。`,
}

// inventedAnswerer answers from inventedArticles, offline.
func inventedAnswerer(t *testing.T) *Answerer {
	t.Helper()
	return &Answerer{Store: indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, inventedArticles), TopK: 5, MinRelevance: 0.08}
}

// An answer quotes the sentence that states what is asked, first, cites it
// as [1] (citations are numbered from 1 in the order cited), and stays
// within 300 characters; its quotes are in their passages.
func TestAskAnswersWithCitations(t *testing.T) {
	a := inventedAnswerer(t)
	for q, want := range map[string]string{
		"绿源公司的生产线有多长？":  "全长600米",
		"绿源公司是哪年成立的？":   "成立于2009年",
		"绿源公司的董事长是谁？":   "董事长王建国",
		"新工厂有几名工人？":     "12名工人",
		"绿源公司有哪三类产品？":   "碳纤维板、碳纤维管、碳纤维布",
		"南湖市有多少家创新平台？":  "45家",
		"绿源公司下一步要建设什么？": "研发中心",
	} {
		ans, err := a.Ask(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Refused() || ans.Mode != ModeExtractive || !strings.Contains(ans.Text, want) {
			t.Errorf("%s: refused=%v %q, want it to quote %q", q, ans.Refused(), ans.Text, want)
			continue
		}
		if first := citation.Split(ans.Text, -1)[0]; !strings.Contains(first, want) {
			t.Errorf("%s: the answering sentence is not first: %q", q, ans.Text)
		}
		if document.RuneLen(citation.ReplaceAllString(ans.Text, "")) > 300 {
			t.Errorf("%s: answer longer than 300 runes: %d", q, document.RuneLen(ans.Text))
		}
		checkCitations(t, ans)
	}
}

// checkCitations verifies that the cited sources come first, numbered from
// 1 in the order cited, and that every [n] in the text names a source whose
// passage holds its quote.
func checkCitations(t *testing.T, ans Answer) {
	t.Helper()
	for i, s := range ans.Sources {
		if s.N != i+1 {
			t.Errorf("source %d numbered %d", i, s.N)
		}
	}
	ms := citation.FindAllStringSubmatch(ans.Text, -1)
	if len(ms) == 0 {
		t.Fatalf("no citation in %q", ans.Text)
	}
	next := 1
	for _, m := range ms {
		n, _ := strconv.Atoi(m[1])
		if n > next {
			t.Errorf("citation [%d] before [%d] in %q", n, next, ans.Text)
		}
		if n == next {
			next++
		}
		if n < 1 || n > len(ans.Sources) {
			t.Fatalf("citation [%d] names no source (have %d)", n, len(ans.Sources))
		}
		src := ans.Sources[n-1]
		if src.Quote == "" {
			t.Errorf("cited source [%d] has no quote", n)
		}
		for _, part := range strings.Split(src.Quote, " … ") {
			if !strings.Contains(src.Text, strings.Trim(part, "…")) {
				t.Errorf("quote of [%d] is not in its passage: %q", n, part)
			}
		}
	}
	if !strings.HasSuffix(ans.Text, "]") {
		t.Errorf("answer does not end with a citation: %q", ans.Text)
	}
}

// A why question gets the sentence that gives the reason first; a means
// question the means; an overview of an article named by its reporter the
// article's lead; a question of two parts both answers.
func TestAnswersByKind(t *testing.T) {
	a := inventedAnswerer(t)
	for _, tt := range []struct{ q, want, first string }{
		{"绿源公司是靠什么提高生产效率的？", "自动铺丝机", "自动铺丝机"},
		{"南湖市科技局为什么要推动平台和企业合作？", "无处落地", "无处落地"},
		{"李明远写的那篇主要讲了什么？", "成立于2009年", "成立于2009年"},
		{"绿源公司董事长是谁，公司主要产品有哪些？", "碳纤维板", "王建国"},
	} {
		ans, err := a.Ask(t.Context(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Refused() || !strings.Contains(ans.Text, tt.want) {
			t.Errorf("%s: refused=%v %q, want %q", tt.q, ans.Refused(), ans.Text, tt.want)
			continue
		}
		if first := citation.Split(ans.Text, -1)[0]; !strings.Contains(first, tt.first) {
			t.Errorf("%s: first sentence %q, want the one with %q", tt.q, first, tt.first)
		}
	}
}

// Offline, a question is refused only on proof, and the refusal says what
// is missing: a place (by its name, or its name without its unit: 城东 of
// 城东区) or a year that no passage found holds, or, for a
// number asked, no sentence found that states one near the question's
// words. Questions of the same shapes that the articles answer are
// answered, and so are those whose words the passages hold without proof
// that they lack the answer: those get the best evidence, cited.
func TestRefusesWhatTheArticlesDoNotSay(t *testing.T) {
	a := inventedAnswerer(t)
	for _, tt := range []struct {
		q      string
		reason RefusalReason
		says   string // the constraint missing, or what the answer quotes
	}{
		{"北海市有多少家创新平台？", MissingConstraint, "北海市"},
		{"2019年度绿源公司获得了什么奖？", MissingConstraint, "2019年度"},
		{"2023年度绿源公司获得了什么奖？", Answered, "一等奖"},
		{"南湖市有多少家创新平台？", Answered, "45家"},
		{"东山市有多少家创新平台？", NotStated, ""},
		{"绿源公司的市值是多少？", NotStated, ""},
		{"绿源公司的厂区占地多少平方公里？", NotStated, ""},
		{"东山市的古城墙有多高？", NotStated, ""},
		{"王建国今年多大年纪？", NotStated, ""}, // 2009, 600米 and 12名 are no age
		{"绿源公司的工人有多少名？", Answered, "12名"},
		{"绿源公司总经理是谁？", Answered, "[1]"},
		{"绿源公司的专利号是多少？", Answered, "[1]"}, // figures stated of 绿源 itself: evidence, not proof of a lack
		{"东山市的市花是什么？", Answered, "[1]"},
		{"城东区的小学开展了什么活动？", Answered, "读书"}, // a place named without its unit (城东) is the place
		{"城西区的小学开展了什么活动？", MissingConstraint, "城西区"},
	} {
		ans, err := a.Ask(t.Context(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		r := ans.Refusal
		if r.Reason != tt.reason {
			t.Errorf("%s: %+v, want reason %d", tt.q, r, tt.reason)
		}
		switch tt.reason {
		case Answered:
			if !strings.Contains(ans.Text, tt.says) {
				t.Errorf("%s: %q, want it to quote %q", tt.q, ans.Text, tt.says)
			}
		case NotStated:
			if r.Asked != question.Number || r.Missing.Shown != "" {
				t.Errorf("%s: %+v, want a number asked and nothing missing", tt.q, r)
			}
		default:
			if r.Missing.Shown != tt.says {
				t.Errorf("%s: missing %q, want %q", tt.q, r.Missing.Shown, tt.says)
			}
		}
		if ans.Refused() && (len(ans.Sources) != 0 || ans.Text != "") {
			t.Errorf("%s: a refusal with text %q and %d sources", tt.q, ans.Text, len(ans.Sources))
		}
	}
}

func TestAskRefuses(t *testing.T) {
	a := inventedAnswerer(t)
	for _, q := range []string{"上海的人口有多少?", "怎样做红烧肉?", "月球上有水吗"} {
		ans, err := a.Ask(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Refused() || len(ans.Sources) != 0 {
			t.Errorf("%s: want a refusal, got %+v", q, ans)
		}
	}
	zh, err := a.Ask(t.Context(), "上海的人口有多少?")
	if err != nil {
		t.Fatal(err)
	}
	if zh.Lang != "zh" || zh.Refusal.Reason != NothingRelevant || zh.Text != "" {
		t.Errorf("a refusal as data, without words: %+v", zh)
	}
}

// The relevance floor separates covered from uncovered questions: lowering
// it to 0 makes the same unanswerable question produce an answer.
func TestRefusalFloor(t *testing.T) {
	a := inventedAnswerer(t)
	q := "红烧肉和东坡肉有什么区别?"
	open := *a
	open.MinRelevance = 0
	if ans, _ := open.Ask(t.Context(), q); ans.Refused() {
		t.Fatal("floor 0 still refuses plainly")
	}
	if ans, _ := a.Ask(t.Context(), q); !ans.Refused() {
		t.Fatal("default floor answers")
	}
}

func TestAskBadQuestions(t *testing.T) {
	a := inventedAnswerer(t)
	for _, q := range []string{"", "   ", "？？？", "!!!"} {
		if _, err := a.Ask(t.Context(), q); err != ErrEmptyQuestion {
			t.Errorf("%q: err = %v, want ErrEmptyQuestion", q, err)
		}
	}
	huge := strings.Repeat("绿源公司生产线", 100000/7)
	ans, err := a.Ask(t.Context(), huge)
	if err != nil {
		t.Fatal(err)
	}
	if document.RuneLen(ans.Question) > MaxQuestionRunes {
		t.Errorf("huge question not cut: %d runes", document.RuneLen(ans.Question))
	}
}

// Sentence selection picks the sentences that answer, not the whole passage.
func TestExtractPicksAnsweringSentences(t *testing.T) {
	s := indextest.Ingested(t, document.Chunker{Size: 400, Overlap: 0}, map[string]string{
		"a.txt": "全市经济平稳运行。天气晴朗，市民出行方便。绿源公司的新工厂位于东山工业园，总投资12亿元。工厂明年投产。城市绿化不断改善。",
		"b.txt": "另一篇文章谈到教育改革和医疗服务。学校增加了课程。",
	})
	a := &Answerer{Store: s, TopK: 3, MinRelevance: 0.25}
	ans, err := a.Ask(t.Context(), "绿源公司的新工厂总投资多少?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans.Text, "总投资12亿元。[1]") {
		t.Errorf("answer misses the sentence with the fact: %s", ans.Text)
	}
	for _, off := range []string{"天气晴朗", "城市绿化", "教育改革"} {
		if strings.Contains(ans.Text, off) {
			t.Errorf("answer quotes an unrelated sentence %q: %s", off, ans.Text)
		}
	}
	checkCitations(t, ans)
}

// BenchmarkAsk answers questions of several kinds from the seeds.
func BenchmarkAsk(b *testing.B) {
	a := seedAnswerer(b)
	ctx := context.Background()
	qs := []string{"晋能光伏的生产线上靠什么机器人干活？", "哪家银行是新材料产业的合作银行？", "太原到北京的高铁要坐多久？", "为什么要建设创新平台？"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Ask(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// Offline, a question in another language than the articles is deferred,
// with the articles' language for the front end to name.
func TestCrossLanguageDeferredOffline(t *testing.T) {
	a := inventedAnswerer(t)
	ans, err := a.Ask(t.Context(), "How long is the carbon fibre line?")
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Refused() || !ans.Deferred() || ans.Refusal.Reason != OtherLanguage || ans.Refusal.ArticlesLang != "zh" || ans.Lang != "en" {
		t.Errorf("got %+v", ans)
	}
}

// Offline, a follow-up that the passages do not plainly answer, whether
// nothing or only a word or two matches it, is deferred; the same question
// without a conversation gets the plain refusal.
func TestFollowUpDeferredOffline(t *testing.T) {
	a := inventedAnswerer(t)
	history := []Turn{{Question: "绿源公司是哪年成立的？", Answer: "2009年"}}
	for _, q := range []string{"那它呢？", "那它的前身呢？"} {
		ans, err := a.Answer(t.Context(), Request{Question: q, History: history})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Refused() || !ans.Deferred() || ans.Refusal.Reason != FollowUp || len(ans.Sources) > 0 {
			t.Errorf("%s: got %+v", q, ans)
		}
	}
	ans, err := a.Answer(t.Context(), Request{Question: "那它呢？"})
	if err != nil || !ans.Refused() || ans.Deferred() {
		t.Errorf("without a conversation: %v %+v", err, ans)
	}
}

// Answers and chunks stay readable after their store is gone: the store
// keeps texts in its segments' mappings, which are unmapped with it, and
// must copy what it hands out.
func TestAnswersOutliveStore(t *testing.T) {
	files := map[string]string{
		"a.txt": "光伏的报道\n光伏是本文的主题。记者介绍了光伏的最新进展，相关部门表示将继续推进。",
		"b.txt": "煤炭的报道\n煤炭是本文的主题。记者介绍了煤炭的最新进展，相关部门表示将继续推进。",
	}
	var ans Answer
	var chunks []document.Chunk
	func() {
		s := indextest.Ingested(t, document.Chunker{Size: 60, Overlap: 10}, files)
		a := &Answerer{Store: s, TopK: 3, MinRelevance: 0.01}
		var err error
		if ans, err = a.Ask(context.Background(), "光伏的最新进展"); err != nil {
			t.Fatal(err)
		}
		chunks = s.Chunks()
	}()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
	}
	var n int
	for _, src := range ans.Retrieved {
		n += strings.Count(src.Text, "光伏")
	}
	for _, c := range chunks {
		n += len([]rune(c.Text))
	}
	if n == 0 || !strings.Contains(ans.Text, "光伏") {
		t.Errorf("answer %q, %d runes", ans.Text, n)
	}
}

// Offline, a count of things is given by the things listed: how many kinds
// of course, over a sentence that lists them, is answered with it, not
// refused as a number not given; an amount is not given by a list.
func TestCountGivenByList(t *testing.T) {
	a := &Answerer{Store: indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, map[string]string{
		"school.txt": "城东小学丰富课后服务\n城东小学今年开设了书法、绘画、围棋等课程，深受学生欢迎。校长周丽说，学校还将改造操场。",
	}), TopK: 5, MinRelevance: 0.08}
	ans, err := a.Ask(t.Context(), "城东小学今年开设了几种课程？")
	if err != nil || ans.Refused() || !strings.Contains(ans.Text, "书法、绘画") {
		t.Errorf("a count over a list: %v %+v %q", err, ans.Refusal, ans.Text)
	}
	ans, err = a.Ask(t.Context(), "城东小学的操场有多少平方米？")
	if err != nil || ans.Refusal.Reason != NotStated {
		t.Errorf("an amount over no figure: %v %+v %q", err, ans.Refusal, ans.Text)
	}
}

// Offline, a figure stated in an article about something else is not the
// one asked: the question's words must be in the stating sentence's
// article too, or the number is not given.
func TestFigureOfAnotherArticleIsNotStated(t *testing.T) {
	a := &Answerer{Store: indextest.Ingested(t, document.Chunker{Size: 300, Overlap: 60}, map[string]string{
		"plant.txt":  "绿源新材料公司新工厂投产\n绿源新材料有限公司的新工厂在东山高新区投产，主要生产碳纤维板。",
		"school.txt": "城东小学开展读书月活动\n城东小学现有教职员工80名，组织学生阅读经典名著。",
	}), TopK: 5, MinRelevance: 0.08}
	ans, err := a.Ask(t.Context(), "绿源新材料公司现有员工多少名？")
	if err != nil || ans.Refusal.Reason != NotStated {
		t.Errorf("a figure of another article: %v %+v %q", err, ans.Refusal, ans.Text)
	}
}
