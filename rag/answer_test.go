package rag

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qabot/qabot/seeds"
)

var (
	seedOnce  sync.Once
	seedStore *Store
	seedErr   error
)

// openSeeds indexes the embedded seeds once per test binary with the default settings.
func openSeeds(t testing.TB) *Store {
	t.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qabot-seeds-")
		if err != nil {
			seedErr = err
			return
		}
		emb, ch := NewLocalEmbedder(0), Chunker{Size: 300, Overlap: 60}
		if _, seedErr = Ingest(context.Background(), IngestOptions{Dir: dir, Corpus: Corpus{Name: "seeds", FS: seeds.FS}, Embedder: emb, Chunker: ch}); seedErr == nil {
			seedStore, seedErr = Open(context.Background(), dir, emb, ch)
		}
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedStore
}

func seedAnswerer(t testing.TB) *Answerer {
	return &Answerer{Store: openSeeds(t), TopK: 5, MinRelevance: 0.08}
}

var citation = regexp.MustCompile(`\[(\d+)\]`)

func TestAskAnswersWithCitations(t *testing.T) {
	a := seedAnswerer(t)
	ans, err := a.Ask(context.Background(), "晋能光伏的TOPCon电池生产线有多长?")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || ans.Mode != ModeExtractive {
		t.Fatalf("refused=%v mode=%s", ans.Refused, ans.Mode)
	}
	if !strings.Contains(ans.Text, "400米") {
		t.Errorf("answer lacks the fact: %s", ans.Text)
	}
	if runeLen(citation.ReplaceAllString(ans.Text, "")) > 300 {
		t.Errorf("answer longer than 300 runes: %d", runeLen(ans.Text))
	}
	checkCitations(t, ans)
}

// checkCitations verifies that sources are numbered 1..n, best first, and
// that every [n] in the text names a source whose passage holds the quote.
func checkCitations(t *testing.T, ans Answer) {
	t.Helper()
	for i, s := range ans.Sources {
		if s.N != i+1 {
			t.Errorf("source %d numbered %d", i, s.N)
		}
		if i > 0 && s.Score > ans.Sources[i-1].Score {
			t.Errorf("sources not best first: %v > %v", s.Score, ans.Sources[i-1].Score)
		}
	}
	ms := citation.FindAllStringSubmatch(ans.Text, -1)
	if len(ms) == 0 {
		t.Fatalf("no citation in %q", ans.Text)
	}
	for _, m := range ms {
		n, _ := strconv.Atoi(m[1])
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
	// Each sentence of the answer is followed by a citation.
	for _, s := range citation.Split(ans.Text, -1) {
		if strings.TrimSpace(s) != "" && !strings.HasSuffix(ans.Text, "]") {
			t.Errorf("answer does not end with a citation: %q", ans.Text)
		}
	}
}

func TestAskRefuses(t *testing.T) {
	a := seedAnswerer(t)
	// The 5 of 五台山 (folded 5台山) is not evidence: an item's number (5、)
	// shares it.
	for _, q := range []string{"上海的人口有多少?", "怎样做红烧肉?", "明天会不会下雨", "五台山上有什么寺庙"} {
		ans, err := a.Ask(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Refused || len(ans.Sources) != 0 || ans.Text != RefusalText(q) {
			t.Errorf("%s: want a refusal, got %+v", q, ans)
		}
	}
	if RefusalText("上海?") == RefusalText("Shanghai?") {
		t.Error("refusal does not follow the question's language")
	}
}

// Offline, passages that share only a word or two with the question make a
// refusal that quotes them as related; passages that share more make an
// answer.
func TestWeakMatchRefused(t *testing.T) {
	a := seedAnswerer(t)
	for q, weak := range map[string]bool{
		"平遥古城的城墙是谁修的？":         true, // shares 平遥
		"晋能光伏的TOPCon电池生产线有多长？": false,
		"做醋的那个学院院长觉得该从哪儿切入？":   false, // a loose paraphrase, still more than two words
	} {
		ans, err := a.Ask(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		quoted := answerMarker.MatchString(ans.Text)
		if ans.Refused != weak || ans.Weak != weak || strings.HasPrefix(ans.Text, weakText(q)) != weak || !quoted {
			t.Errorf("%s: refused=%v weak=%v %q, want weak=%v", q, ans.Refused, ans.Weak, ans.Text, weak)
		}
	}
}

// The relevance floor separates covered from uncovered questions: lowering
// it to 0 makes the same unanswerable question produce an answer.
func TestRefusalFloor(t *testing.T) {
	a := seedAnswerer(t)
	q := "红烧肉和东坡肉有什么区别?"
	open := *a
	open.MinRelevance = 0
	ans, _ := open.Ask(context.Background(), q)
	if ans.Refused {
		t.Fatal("floor 0 still refuses")
	}
	ans, _ = a.Ask(context.Background(), q)
	if !ans.Refused {
		t.Fatal("default floor answers")
	}
}

func TestAskBadQuestions(t *testing.T) {
	a := seedAnswerer(t)
	for _, q := range []string{"", "   ", "？？？", "!!!"} {
		if _, err := a.Ask(context.Background(), q); err != ErrEmptyQuestion {
			t.Errorf("%q: err = %v, want ErrEmptyQuestion", q, err)
		}
	}
	huge := strings.Repeat("晋能光伏生产线", 100000/7)
	ans, err := a.Ask(context.Background(), huge)
	if err != nil {
		t.Fatal(err)
	}
	if runeLen(ans.Question) > MaxQuestionRunes {
		t.Errorf("huge question not cut: %d runes", runeLen(ans.Question))
	}
}

// Sentence selection picks the sentences that answer, not the whole passage.
func TestExtractPicksAnsweringSentences(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.chunker = Chunker{Size: 400, Overlap: 0}
	writeCorpus(t, f.corpus, map[string]string{
		"a.txt": "全市经济平稳运行。天气晴朗，市民出行方便。绿源公司的新工厂位于东山工业园，总投资12亿元。工厂明年投产。城市绿化不断改善。",
		"b.txt": "另一篇文章谈到教育改革和医疗服务。学校增加了课程。",
	})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	a := &Answerer{Store: f.open(t), TopK: 3, MinRelevance: 0.25}
	ans, err := a.Ask(ctx, "绿源公司的新工厂总投资多少?")
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

// Reciprocal-rank fusion: a passage that both rankings find beats one that
// only one finds.
func TestSearchFusesRankings(t *testing.T) {
	s := openSeeds(t)
	ctx := context.Background()
	q := "太原中北高新区聚焦哪两个特色专业镇集群?"
	dense, err := s.denseSearch(ctx, q, 20)
	if err != nil {
		t.Fatal(err)
	}
	lexical := s.lexicalSearch(queryTerms(q), 20)
	hits, err := s.Search(ctx, q, 5)
	if err != nil {
		t.Fatal(err)
	}
	inBoth := map[string]bool{}
	for _, d := range dense {
		for _, l := range lexical {
			if d.pos == l {
				inBoth[s.chunks[l].ID()] = true
			}
		}
	}
	if !inBoth[hits[0].Chunk.ID()] && !strings.Contains(hits[0].Chunk.Text, "特钢和半导体材料") {
		t.Errorf("top hit %s is neither in both rankings nor the answer", hits[0].Chunk.ID())
	}
	if !strings.Contains(hits[0].Chunk.Text, "特钢和半导体材料") {
		t.Errorf("top hit lacks the answer: %s", hits[0].Chunk.Text)
	}
	if len(hits) > 5 {
		t.Errorf("got %d hits for top_k 5", len(hits))
	}
	if big, err := s.Search(ctx, q, 50); err != nil || len(big) > len(s.Chunks()) {
		t.Errorf("top_k above the chunk count: %d hits, %v", len(big), err)
	}
}

func TestMergeChunks(t *testing.T) {
	text := []rune("第一句。第二句。第三句。第四句。")
	mk := func(i, start, end int) Chunk {
		return Chunk{Doc: "a", Index: i, Start: start, End: end, Text: string(text[start:end])}
	}
	tests := []struct {
		name string
		a, b Chunk
		want string
		ok   bool
	}{
		{"overlapping", mk(0, 0, 8), mk(1, 4, 12), "第一句。第二句。第三句。", true},
		{"reverse order", mk(1, 4, 12), mk(0, 0, 8), "第一句。第二句。第三句。", true},
		{"touching", mk(0, 0, 4), mk(1, 4, 8), "第一句。第二句。", true},
		{"apart", mk(0, 0, 4), mk(3, 12, 16), "", false},
		{"other article", mk(0, 0, 4), Chunk{Doc: "b", Start: 4, End: 8}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mergeChunks(tt.a, tt.b)
			if ok != tt.ok || (ok && got.Text != tt.want) {
				t.Errorf("got %q, %v; want %q, %v", got.Text, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestExpectedAnswer(t *testing.T) {
	tests := map[string]answerKind{
		"习近平总书记在江苏考察是哪几天?":      dateAnswer,
		"晋中计划培育多少个龙头企业?":        numberAnswer,
		"How long is the line?": numberAnswer,
		"华远陆港计划在哪些国家建设海外仓?":     listAnswer,
		"郭海成提出要打造什么样的创新生态?":     anyAnswer,
		"谁说要打造雨林式创新生态?":         personAnswer,
	}
	for q, want := range tests {
		if got := expectedAnswer(q); got != want {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}

func BenchmarkAsk(b *testing.B) {
	a := seedAnswerer(b)
	ctx := context.Background()
	qs := []string{"晋能光伏的TOPCon电池生产线有多长?", "山西重点打造哪四大新材料产业集群?", "太原到北京的高铁需要多长时间?"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Ask(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// Offline, a question in another language than the articles is deferred,
// in words for whoever asked: the setting is for the operator.
func TestCrossLanguageDeferredOffline(t *testing.T) {
	a := seedAnswerer(t)
	ans, err := a.Ask(context.Background(), "How long is the TOPCon production line?")
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Refused || !ans.Deferred || !strings.Contains(ans.Text, "ask in Chinese") || strings.Contains(ans.Text, "llm.") || strings.Contains(ans.Text, "do not contain") {
		t.Errorf("got %+v", ans)
	}
}

// A list question that says how many items it wants gets the enumeration
// of that many, not a sentence that only names the list; an attribute
// question gets the sentence that states it for the entity asked about.
func TestExtractListsAndStatements(t *testing.T) {
	f := newFixture(t)
	f.chunker = Chunker{Size: 400, Overlap: 0}
	writeCorpus(t, f.corpus, map[string]string{
		"a.txt": "准确把握这一个方向。“三好”要求指明了方向，各方面都要落实。",
		"c.txt": "会议提出，做好好学习、好工作、好身体“三好”文章。",
		"b.txt": "西城区科技工作会议召开。东城区科技局局长王一说，要加强创新。西城区科技局局长李二表示，要重视人才。",
		"d.txt": "会议强调，要在城市群中当好龙头。市发改委主任张三表示，将在城市群中当好龙头。",
	})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	a := &Answerer{Store: f.open(t), TopK: 3, MinRelevance: 0.08}
	for q, want := range map[string]string{"“三好”具体指哪三个方面？": "好学习、好工作、好身体", "西城区科技局局长是谁？": "李二", "谁说要在城市群中当好龙头？": "张三"} {
		ans, err := a.Ask(t.Context(), q)
		if err != nil || ans.Refused || !strings.Contains(ans.Text, want) {
			t.Errorf("%s: %v %q, want it to quote %q", q, err, ans.Text, want)
		}
	}
	q, _ := attributeQuestion("西城区科技局局长是谁", a.Store.df)
	if got := q.statement(Chunk{Text: "西城区科技工作会议召开。东城区科技局局长王一说，要加强创新。西城区科技局局长李二表示，要重视人才。"}, a.Store); !strings.Contains(got, "李二") {
		t.Errorf("statement %q, want the one about 西城区", got)
	}
}

// A question about an attribute the articles do not state, of an entity
// they name, is refused with what is missing; one about an entity they do
// not name gets the plain refusal; one they answer is answered.
func TestAbsentAttribute(t *testing.T) {
	a := seedAnswerer(t)
	tests := []struct {
		q        string
		refused  bool
		contains string
	}{
		{"山西恒达钢结构工程有限公司是哪一年成立的？", true, "但没有提到"},
		{"晋商银行的行长是谁？", true, "没有提到"},
		{"上海迪士尼乐园的地址在哪里？", true, RefusalText("上海")},
		{"晋能光伏的董事长是谁？", false, "张洁"},
		{"天脊集團的董事長叫什麼名字？", false, "畅学华"},
		{"建设银行山西省分行挂牌开放了多少个劳动者港湾？", false, "410"},
		{"王福西职工创新工作室是哪一年创建的？", false, "2014"},
		// 几 asks as 多少 does.
		{"建设银行山西省分行挂牌开放了几个劳动者港湾？", false, "410"},
		{"建设银行山西省分行有几个网点？", true, "没有提到网点的数量"},
		// A count is a number of things: 全长400米的生产线 counts no lines.
		{"晋能光伏有几条生产线？", true, "没有提到生产线的数量"},
		// The attribute must stand apart from the entity's own name.
		{"智慧交通山西省实验室有几个实验室？", true, "没有提到实验室的数量"},
		// What the question says of its entity is not part of its name
		// (新材料产业, not 新材料产业要聚焦), and a count may be stated in a
		// passage that leaves the subject its article names unsaid.
		{"新材料产业要聚焦几个核心环节？", false, "三个核心环节"},
		{"新材料产业一共有几个研究院？", true, "没有提到研究院的数量"},
		{"晋中市科技局要加强几项保障？", false, "三项保障"}, // the passage says 市科学技术局
		// The seams between the words of an entity (钢冷, 轧项) are no words
		// the passages lack.
		{"太钢冷轧项目年产多少万吨？", false, "16万吨"},
		// Any verb of founding dates a founding.
		{"王福西职工创新工作室是哪一年建立的？", false, "2014"},
		// A count may stand sentences away from where its article names
		// the entity.
		{"市农业农村局打算培育壮大多少个龙头企业？", false, "250个"},
		// 多少 with no measure word counts the thing it asks about.
		{"晋能光伏有多少员工", true, "没有提到员工的数量"},
		{"建设银行山西省分行开放了多少劳动者港湾？", false, "410"},
		{"晋能光伏的生产线全长多少米？", false, "400米"}, // a unit, not a count
		// A number of things is stated as a count, output with 年产.
		{"劳动者港湾的数量是多少？", false, "410个"},
		{"天脊集团的员工人数是多少？", true, "没有提到员工的数量"},
		{"太钢集团硅钢的年产量是多少？", false, "16万吨"},
		{"天脊集团建厂多少年了？", false, "40年"}, // a trailing 了 is no part of the attribute
		// Colloquial ways to name the entity: without 的 before the post,
		// a short form, a surname and post.
		{"经纬化纤老板叫啥", false, "王琨"},
		{"中北大学信创学院院长是谁", false, "秦品乐"},
		{"郭局长要打通几个环节？", false, "两个环节"},
		// Another city's bureau is not the one asked about.
		{"晋中科技局局长是谁", false, "郭海成"},
		{"运城科技局局长是谁", false, "白根虎"},
		{"智慧交通实验室是哪年获批的", false, "2022"}, // 智慧交通山西省实验室…批准: its own name, and 获批 is 批准
		{"晋中农业农村局的局长是谁", false, "段燕瑞"},   // 这让市农业农村局…: a bare 市 is no other city
		// A price, a birth year, a count of 几大.
		{"晋能光伏组件的价格是多少", true, "没有提到其价格"},
		{"王福西是哪年出生的", true, "没有提到出生的时间"},
		{"智慧交通山西省实验室有几个研究方向", false, "五大研究方向"},
		{"太钢项目总投资多少钱", true, "没有提到其总投资"}, // an investment, not a price
		// A place is stated of its own sentence's subject, with 位于, 落户
		// or the like: not 车路协同, not 聚焦市委.
		{"山西晋杰特种电缆研发生产项目在哪", false, "位于山西转型综改示范区"},
		{"智慧交通山西省实验室位于哪里", true, "没有提到其所在的地方"},
		{"华北首家抖音短视频创作基地落在哪了", false, "落户我市"}, // 落 is no part of the name
		{"崖州湾实验室杂粮基地在哪个城市", true, "没有提到其所在的地方"},
		// A person's age and origin.
		{"郭海成多大年纪", true, "没有提到其年龄"},
		{"渠建光是哪里人", true, "没有提到其籍贯在哪里"},
		// 的X怎么样 asks about X.
		{"晋中开发区的创新资源怎么样？", false, "创新资源丰富"},
		{"智慧交通山西省实验室的食堂怎么样？", true, "没有提到其食堂"},
		{"现在晋中的产业发展势头怎么样？", false, "势头强劲"},   // 现在 is no part of the name
		{"山西农大的食醋学院办得怎么样？", false, "食醋产业学院"}, // named otherwise: no refusal
		{"晋中数字文化产业园是什么时候投运的？", true, "没有提到投运的时间"},
		// 多少 at the end asks the word before it, found where the
		// question's words meet (营收 of 晋能光伏去年营收).
		{"晋能光伏去年营收多少", true, "没有提到其营收"},
		{"晋中创新平台总数多少", false, "58"},
		{"劳动者港湾挂牌开放了多少", false, "410"},
		// 年产 asks an output; taking a post is an event with a date.
		{"天脊集团一年产多少化肥", true, "没有提到其产量"},
		{"太钢集团年产多少硅钢", false, "16万吨"},
		{"张洁是哪一年当上董事长的", true, "没有提到当上董事长的时间"},
		// 的X是什么 asks for X, unless X asks what something is about.
		{"晋能光伏的股票代码是什么", true, "没有提到其股票代码"},
		{"经纬化纤的前身是什么", false, "专件厂"},
		// 多重, 多高, 多长 ask a dimension, stated with its unit.
		{"晋能光伏的组件一块多重", true, "没有提到其重量"},
		{"晋能光伏那条智能生产线有多长", false, "400米"},
		// After a word of time, all the rest is the attribute (人均收入标准,
		// not 标准); an event's date may be asked with its object after it
		// (入驻晋中); 今年多大 asks an age.
		{"晋中今年人均收入标准是多少", true, "没有提到其人均收入标准"},
		{"优必选是哪一年入驻晋中的", true, "没有提到入驻的时间"},
		{"张洁今年多大", true, "没有提到其年龄"},
		{"“433”创新工程的内容是什么", false, "四大攻坚行动"},
		// A name holds no question word (江苏考察是几号到 is no entity), and a
		// question of its own before a comma names what the next one asks of.
		{"总书记去江苏考察是几号到几号", false, "7月5日至7日"},
		{"后稷实验室是干什么的，在哪", true, "文章提到了后稷实验室，但没有提到其所在的地方"},
		// A passage that shares most of the question answers it, whatever
		// the question calls its entity.
		{"杜亮的公司在晋中待了多少年", false, "扎根晋中20余载"},
		{"省科技厅管平台的那个处长叫什么", false, "肖育雷"},
		// Output verbs ask the output (天脊集团, not 天脊集团年); 园区 is no
		// district of another place (生态园区项目、太钢集团年产…).
		{"天脊集团一年生产多少吨化肥", true, "文章提到了天脊集团，但没有提到其产量"},
		{"太鋼集團的冷軋取向硅鋼年產多少", false, "16万吨"},
		// An area, the date of taking or moving to a post, of building a
		// plant, an education, earlier posts, a district within a city.
		{"晋中开发区占地多大", true, "没有提到其面积"},
		{"白根虎什么时候当的局长", true, "没有提到当局长的时间"},
		{"肖育雷是什么时候调到平台处的", true, "没有提到调到平台处的时间"},
		{"太原工具厂是哪年建厂的", true, "没有提到建厂的时间"},
		{"天脊集团哪年建厂的", false, "建厂40年"},
		{"秦品乐是哪所大学毕业的", true, "没有提到其学历"},
		{"原效国是什么学历", true, "没有提到其学历"},
		{"郭海成以前在哪里工作", true, "没有提到其以前的工作"},
		{"中北大学在太原哪个区", true, "没有提到其所在的地方"},
		// 区域总部 is a name, not the 总部 of a place called 优必选的区域;
		// settling in (入驻) and building "in such places" state a place; a
		// street asks an address.
		{"优必选的区域总部落户在哪", false, "中北区域总部入驻"},
		{"华远陆港的海外仓建在哪", false, "德国"},
		{"優必選中北區域總部在哪條街", true, "没有提到其地址在哪里"},
		// How long ago a founding was, markets, a level (有多高 of an
		// abstract attribute), a sum in 亿, a brand (of an entity not named:
		// the plain refusal).
		{"天绿环保成立多少年了", true, "没有提到成立的时间"},
		// A count in an article that names the entity elsewhere must count
		// the attribute itself (三项保障), not stand anywhere near its word.
		{"晋中开发区有几个项目", true, "没有提到项目的数量"},
		// The next paragraph is about the next subject: 秦品乐's 学院 is not
		// what 王福西's 工作室 (创建于2014年) is.
		{"中北大学信创产业学院是哪一年创建的", true, "没有提到创建的时间"},
		{"许女多大了", true, "没有提到其年龄"},        // 多大了 asks an age
		{"平遥兆辉食品扎根晋中多少年了", false, "20余载"}, // 载 counts years
		{"太钢集团的硅钢年产能有多少", false, "16万吨"},
		{"智慧交通实验室获批多少年了", false, "2022"},
		{"恒达钢结构的产品卖到哪里", true, "没有提到其销路"},
		{"晋能光伏电池的转化效率有多高", true, "没有提到其转化效率"},
		{"晋中数字文化产业园投资了多少亿", true, "没有提到其投资"},
		{"天脊集团生产的化肥叫什么牌子", true, RefusalText("天脊")},
	}
	for _, tt := range tests {
		ans, err := a.Ask(context.Background(), tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Refused != tt.refused || !strings.Contains(ans.Text, tt.contains) {
			t.Errorf("%s: refused=%v %q, want refused=%v containing %q", tt.q, ans.Refused, ans.Text, tt.refused, tt.contains)
		}
	}
}

// Questions typed the way people type find the same passage as the plain
// question: Traditional characters, numbers in words, chat style.
func TestQuestionForms(t *testing.T) {
	a := seedAnswerer(t)
	for _, q := range []string{
		"太钢集团年产十六万吨的是什么产品", "太鋼集團年產16萬噸的是什麼產品？", "太钢集团年产16万吨的是啥产品啊",
	} {
		ans, err := a.Ask(context.Background(), q)
		if err != nil || ans.Refused || !strings.Contains(ans.Text, "取向硅钢") {
			t.Errorf("%s: %v %q", q, err, ans.Text)
		}
	}
	// The 为 of 成为 before 什么 is no 为什么 (why).
	if ans, err := a.Ask(context.Background(), "恒达想成为啥样的企业"); err != nil || ans.Refused || !strings.Contains(ans.Text, "恒达") {
		t.Errorf("恒达想成为啥样的企业: %v %q", err, ans.Text)
	}
	// 指的是 asks what a name means; it is no word the answer holds.
	for q, want := range map[string]string{"五小指的是啥": "五小创新大赛", "六共指的是什么": "平台共搭"} {
		if ans, err := a.Ask(context.Background(), q); err != nil || ans.Refused || !strings.Contains(ans.Text, want) {
			t.Errorf("%s: %v %q, want %q", q, err, ans.Text, want)
		}
	}
}

// Offline, a follow-up that the passages do not plainly answer, whether
// nothing or only a word or two matches it, is deferred, in words for the
// asker; the same question without a conversation gets the plain refusal.
func TestFollowUpDeferredOffline(t *testing.T) {
	a := seedAnswerer(t)
	history := []Turn{{Question: "经纬化纤是哪年成立的？", Answer: "2014年"}}
	for _, q := range []string{"那它呢？", "那它的前身呢？"} {
		ans, err := a.Answer(context.Background(), Request{Question: q, History: history})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Refused || !ans.Deferred || !strings.Contains(ans.Text, "问题说完整") || strings.Contains(ans.Text, "llm.") || len(ans.Sources) > 0 {
			t.Errorf("%s: got %+v", q, ans)
		}
	}
	ans, err := a.Answer(context.Background(), Request{Question: "那它呢？"})
	if err != nil || !ans.Refused || ans.Deferred {
		t.Errorf("without a conversation: %v %+v", err, ans)
	}
}

// A bigram no passage holds, between two that passages hold, is the seam of
// two words and weighs nothing; within a one-word phrase it still counts.
func TestSeamsWeighNothing(t *testing.T) {
	s := openSeeds(t)
	weightOf := func(m matcher, term string) float64 {
		for i, qt := range m.terms {
			if qt.Text == term {
				return m.weights[i]
			}
		}
		t.Fatalf("no term %s", term)
		return 0
	}
	m := s.matcher(queryTerms("太钢冷轧项目"))
	if weightOf(m, "钢冷") != 0 || weightOf(m, "轧项") != 0 || weightOf(m, "冷轧") == 0 {
		t.Errorf("weights %v of %v", m.weights, m.terms)
	}
	if m := s.matcher(queryTerms("火锅店")); weightOf(m, "火锅") == 0 {
		t.Error("a word the passages lack weighs nothing")
	}
	if m := s.phraseMatcher("研究人员"); weightOf(m, "究人") == 0 {
		t.Error("a phrase's inner bigram weighs nothing")
	}
}
