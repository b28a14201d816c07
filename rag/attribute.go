package rag

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A question often names an entity and asks for one attribute of it: 晋商银行
// 的行长是谁, 天脊集团的年产能是多少. When the articles name the entity but
// never state the attribute, the honest answer says so, rather than quoting
// a sentence about something else. attributeQuestion finds the parts.

// asked is what a question asks for: the kind of fact, the words naming the
// attribute, and the words naming the entity.
type asked struct {
	kind   answerKind
	attr   string // e.g. 行长, 年产能, 创办; "" when the question names none
	entity string // e.g. 晋商银行
	// counted is set when the question asks how many of attr there are
	// (多少个劳动者港湾), rather than for a quantity named attr (年产能).
	counted bool
	// took is the verb of taking a post (当上 of 当上总经理) that a date
	// question asks the date of; the post is attr.
	took string
	// loose is set for 的X怎么样 and 的X是什么, which may ask about anything
	// the passages say: when the entity is not found as written, the
	// passages may still answer.
	loose bool
	// articles remembers which articles name the entity.
	articles map[string]bool
}

// titles are the posts a "who" question asks about.
const titles = `行长|主任|书记|经理|董事长|院长|校长|所长|处长|局长|厅长|部长|负责人|工程师|总监|主席|市长|省长|县长|区长|老总|老板|一把手|头儿`

// events are the verbs a date question asks the date of.
const events = `成立|创办|创建|创立|建成|建立|建厂|建校|开办|开业|投产|批准|获批|设立|挂牌|落户|开工|举办|召开|发布|入驻|入选|上线|投运|启用|开通|启动|签约|竣工|开幕|出生|诞生|上任|就任|任职|入职|加入|毕业|退休|当选`

// measures are the measure words and units a question puts after 多少 or
// 几 (多少个港湾, 多少吨煤).
const measures = "个家名项块条种台辆架件吨万亿元人座位所"

// Question shapes whose attribute can be told apart from their entity.
var (
	askPerson     = regexp.MustCompile(`的?(现任|目前的?|现在的?)?(副?(总|党委|党组|党总支|党支部|常务|执行|首席|总支)?(` + titles + `))(是谁|叫什么名字|叫什么|是哪位|是哪一位|姓什么)`)
	askDate       = regexp.MustCompile(`的?(是|在|于)?(哪一?年|什么时候|何时|哪一?天|几月几[日号]|几月|几号)(?:(` + events + `)\p{Han}{0,4}?)?的?$`)
	askDateV      = regexp.MustCompile(`(` + events + `)(于|在)?(哪一?年|什么时候|何时|哪一?天)的?$`)
	askDateOffice = regexp.MustCompile(`的?(是|在|于)?(哪一?年|什么时候|何时|哪一?天)(当上|当选|担任|出任|升任|就任|调到|调任|调入|当)的?(\p{Han}{1,8}?)的?$`)
	askWhat       = regexp.MustCompile(`的([^的\s，,]{1,6})是什么$`)
	askNumOf      = regexp.MustCompile(`的([^的\s，,]{1,6}?)(是|有|为|达到|约为|大约是)?多少([\p{Han}]{0,2})$`)
	askNumN       = regexp.MustCompile(`(有|年产|年生产|年能产|能产|能生产|生产|产|开放了|达到)?(?:多少|几)([` + measures + `])([^的\s，,]{1,6})$`)
	askNumBare    = regexp.MustCompile(`(有|达到|年产|生产|产)?多少([^的\s，,` + measures + `钱][^的\s，,]{0,3})$`)
	askNumEnd     = regexp.MustCompile(`(了)?(是|有|为|约为|达到)?多少(钱|亿元?|万元?)?$`)
	askLong       = regexp.MustCompile(`(需要|要|得)?(多长时间|多久)[\p{Han}]{0,2}$`)
	askMeasure    = regexp.MustCompile(`的?(有)?多(重|高|长|远)$`)
	askArea       = regexp.MustCompile(`的?(总面积|占地面积|建筑面积|面积|占地)(有|是|为|约为)?(多大|多少(平方米|平方公里|平米|亩|公顷)?)$`)
	askSchool     = regexp.MustCompile(`(是)?(从)?(哪所|哪个|哪家|什么)(大学|学校|院校)毕业的?$|毕业于(哪所|哪个|哪里|哪儿|什么)(大学|学校|院校)?$|的?(最高)?(学历|学位|文凭)是?什么$|(是)?什么(学历|学位|文凭)$`)
	askMarket     = regexp.MustCompile(`(卖到|卖往|销往|销售到|出口到|出口)(哪里|哪儿|哪些国家|哪些地方|哪些地区|哪个国家|什么地方)$`)
	askBrand      = regexp.MustCompile(`(叫|是)什么(牌子|品牌|商标)$`)
	askFormer     = regexp.MustCompile(`(以前|之前|原来|过去|曾经|早先)(是)?(在)?(哪里|哪儿|哪个单位|什么单位|哪)(工作|上班|任职|干)(过)?的?$`)
	askPrice      = regexp.MustCompile(`的?((价格|售价|价钱)(是|要)?(多少钱?|什么)|(卖|要)?多少钱(一|每)\p{Han}{1,2})$`)
	askAge        = regexp.MustCompile(`(今年|现在)?(有)?(多大年纪|多大岁数|几岁|多少岁)$|(今年|现在)(有)?多大$`)
	askOrigin     = regexp.MustCompile(`是?(哪里|哪儿|哪个地方|什么地方)人$`)
	askHow        = regexp.MustCompile(`的([^的\s，,]{1,6})(怎么样|如何)$`)
	askPlace      = regexp.MustCompile(`(?:的?(地址|厂址|办公地点|位置|所在地)|的(总部|工厂)|的)?(落户|位于|坐落|设在|建在|地处|落|开|搬|建|设)?(在哪里|在哪儿|在哪|位于哪里|位于哪|在(?:\p{Han}{2,3})?哪个(城市|省|市|区|县)|在哪条(街|路)上?|是哪个城市|在什么地方)$`)
)

// hasCount matches a number of things in folded text: a number and a
// measure word (7名, 410个, 58 家, 五大研究方向: folding leaves a numeral
// before 大 as written), whichever the question used.
var hasCount = regexp.MustCompile(`(\d|[一二两三四五六七八九十百千])\s*(多|余)?\s*[个家名项块座位所条种批台只支间处款部辆架件人户大]`)

// howDone matches the verb and 得 of 食醋学院办得怎么样, which ask how well
// the thing before them does.
var howDone = regexp.MustCompile(`(办|搞|做|干|弄|管|发展|建设|经营|运营)得$`)

// asksWithin matches a question word, which an entity's name never holds.
var asksWithin = regexp.MustCompile(`几|哪|谁|什么|多少`)

// askedFirst matches a question of its own before a comma, and the entity
// it asks about.
var askedFirst = regexp.MustCompile(`^(\p{Han}{2,}?)(是|在|有)?(干|做|搞)?(几|哪|谁|什么|多少)[^，,]*[，,]`)

// eventEnd matches an event's verb at the end of a subject (天绿环保成立).
var eventEnd = regexp.MustCompile(`(` + events + `)了?$`)

// leadingTime matches a time word a question starts with (今天晋中的…),
// which is no part of the entity's name.
var leadingTime = regexp.MustCompile(`^(今天|现在|目前|如今|今年|去年|最近|眼下)`)

// perUnit matches "a piece" after an entity (组件一块多重), which is no
// part of its name.
var perUnit = regexp.MustCompile(`(一|每)[` + measures + `袋斤]$`)

// unit matches a unit of measure at the start of an attribute.
var unit = regexp.MustCompile(`^(公斤|千克|斤|克|公里|千米|米|平方|立方|亩|公顷|元|块钱|岁|度|千瓦|瓦|小时|分钟|秒|天|年|月|倍|升|吨|万|亿)`)

// predicate matches the words that begin what a question says of its
// entity: a modal, an adverb of time or a total (要建立, 现在有, 一共有).
var predicate = regexp.MustCompile(`要|准备|打算|计划|已经|正在|一共|总共|累计|目前|现在|如今|今年|去年|每年|这块|这边`)

// counters are the measure words that count things (多少个港湾), as
// opposed to units (多少吨煤).
const counters = "个家名项块条种台辆架件座位所"

// attrAliases maps an attribute a question names to the other words
// articles state it with: the words of output, price, age and origin, the titles
// behind colloquial words for a post, and the verbs of founding, any of
// which dates a founding.
var attrAliases = map[string][]string{
	"产量": {"年产", "产能"}, "年产量": {"年产", "产能"}, "产能": {"年产", "产量"}, "年产能": {"年产", "产量"},
	"重量": {"吨", "公斤", "千克", "斤", "克"}, "高度": {"米", "高"}, "长度": {"全长", "米", "公里", "千米"}, "距离": {"公里", "千米", "米"},
	"价格": {"售价", "价钱", "单价"}, "年龄": {"岁"}, "籍贯": {"人士", "出生于", "生于", "老家"},
	"获批": {"批准"}, "批准": {"获批"}, "年": {"载"}, // 扎根晋中20余载
	"面积": {"占地", "平方米", "平方公里", "亩", "公顷"}, "地址": {"路", "街", "大道"},
	"销路": {"销往", "远销", "出口", "销售到", "卖到"}, "品牌": {"牌子", "商标"},
	"学历": {"毕业", "博士", "硕士", "学士", "本科", "大专", "学位"}, "以前的工作": {"曾任", "原任", "历任", "先后任", "此前", "曾在", "原为"},
	"老总": {"总经理", "董事长"}, "老板": {"董事长", "总经理"}, "一把手": {"书记", "局长", "董事长"}, "头儿": {"负责人", "局长", "主任"},
}

// dimensions name what 多重, 多高, 多长 and 多远 ask.
var dimensions = map[string]string{"重": "重量", "高": "高度", "长": "长度", "远": "距离"}

// countWords name the number of things an entity has (员工人数, 港湾的数量),
// which articles state as a count (300名员工, 410个港湾), not with these
// words; longer words first.
var countWords = []string{"数量", "个数", "数目", "总人数", "总数", "人数"}

// founding are the verbs that date the start of an organisation.
var founding = []string{"成立", "创办", "创建", "创立", "建立", "设立", "组建", "建厂", "建校", "开办"}

func init() {
	for _, v := range founding {
		attrAliases[v] = founding
	}
}

// fillers are words around an attribute that name neither it nor the entity.
var fillers = strings.NewReplacer("这家企业", "", "这家公司", "", "这家单位", "", "这家", "", "这个", "", "那个", "", "一共", "", "大约", "", "一年能", "年", "一年", "年", "多大了", "多大年纪")

// meta matches the words that ask what something is about rather than for
// a stated attribute (433工程的内容是什么, 郭海成的职务是什么): articles answer
// them without those words.
var meta = regexp.MustCompile(`(内容|意思|含义|作用|特点|目标|任务|职务|职位|身份|工作|情况|意义|要求|重点|核心|方向|思路|定位|措施|举措|办法|做法|成果|成绩|优势|关系|区别|原因|背景|主题|名字|名称|目的|特色)$`)

// lastWord is where the last word of subject begins (营收 of 天脊集团去年营收):
// the shortest tail of two to four characters that meets the rest at a
// bigram no passage holds (年营), right after one that passages hold (去年);
// else the last two characters. df is the number of passages holding a
// term.
func lastWord(subject string, df func(string) int) int {
	r := []rune(subject)
	for n := 2; n <= 4 && n+2 <= len(r); n++ {
		cut := len(r) - n
		if df(fold(string(r[cut-1:cut+1]))) == 0 && df(fold(string(r[cut-2:cut]))) > 0 {
			return len(string(r[:cut]))
		}
	}
	return len(string(r[:max(0, len(r)-2)]))
}

// splitSubject splits what a question says before 多少 into the entity
// and the attribute asked: after a word of time or a modal (山西 | 今年 |
// 最低工资标准), else at the last word (天脊集团 | 营收).
func splitSubject(subject string, df func(string) int) (entity, attr string) {
	if at := outputWord.FindStringIndex(subject); at != nil {
		return subject[:at[0]], "产量" // 太钢集团的冷轧取向硅钢 | 年产
	}
	if entity, rest, ok := cutPredicate(subject); ok && rest != "" {
		return entity, rest
	}
	cut := lastWord(subject, df)
	return subject[:cut], subject[cut:]
}

// outputWord matches the words of output that end a subject.
var outputWord = regexp.MustCompile(`(年产量|年产能|年产|产量|产能)$`)

// cutPredicate cuts s before the first word of a predicate that follows a
// name of two or more characters (晋中科技局 | 要 | 建立), returning the name
// and what follows the predicate's word.
func cutPredicate(s string) (name, rest string, ok bool) {
	loc := predicate.FindStringIndex(s)
	if loc == nil || utf8.RuneCountInString(s[:loc[0]]) < 2 {
		return s, "", false
	}
	return s[:loc[0]], s[loc[1]:], true
}

// attributeQuestion analyses a Chinese question in plain form (see
// plainQuestion); df is the number of passages holding a term, to find where
// words meet. It returns false when the question does not plainly ask for
// one attribute of one entity.
func attributeQuestion(question string, df func(string) int) (asked, bool) {
	q := strings.TrimRight(strings.TrimSpace(fillers.Replace(question)), "?？!！。 啊呀呢吗吧了")
	if strings.Contains(q, "哪几") || strings.Contains(q, "第几") {
		return asked{}, false // a list or a rank, not one attribute
	}
	var a asked
	var at []int
	switch {
	case askPerson.MatchString(q):
		at = askPerson.FindStringSubmatchIndex(q)
		a = asked{kind: personAnswer, attr: q[at[4]:at[5]]}
	case askAge.MatchString(q): // 张军多大年纪
		at = askAge.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer, attr: "年龄"}
	case askOrigin.MatchString(q): // 康磊是哪里人
		at = askOrigin.FindStringSubmatchIndex(q)
		a = asked{kind: placeAnswer, attr: "籍贯"}
	case askDate.MatchString(q):
		at = askDate.FindStringSubmatchIndex(q)
		a = asked{kind: dateAnswer, attr: group(q, at, 3)}
	case askDateV.MatchString(q):
		at = askDateV.FindStringSubmatchIndex(q)
		a = asked{kind: dateAnswer, attr: group(q, at, 1)}
	case askDateOffice.MatchString(q): // 王琨是哪一年当上总经理的 asks when he took the post
		at = askDateOffice.FindStringSubmatchIndex(q)
		a = asked{kind: dateAnswer, attr: group(q, at, 4), took: group(q, at, 3)}
	case askNumOf.MatchString(q):
		at = askNumOf.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer, attr: group(q, at, 1)}
	case askNumN.MatchString(q):
		at = askNumN.FindStringSubmatchIndex(q)
		switch {
		case strings.Contains(group(q, at, 1), "产"): // 年产多少吨煤 asks the output
			a = asked{kind: numberAnswer, attr: "产量"}
		case strings.Contains(counters, group(q, at, 2)):
			a = asked{kind: numberAnswer, attr: group(q, at, 3), counted: true}
		default: // a unit: 多少吨煤 asks for the tonnage
			a = asked{kind: numberAnswer, attr: group(q, at, 2) + group(q, at, 3)}
		}
	case askNumBare.MatchString(q): // 有多少员工 counts 员工; 多少公斤 asks a weight
		at = askNumBare.FindStringSubmatchIndex(q)
		attr := group(q, at, 2)
		a = asked{kind: numberAnswer, attr: attr, counted: !unit.MatchString(attr)}
		if strings.Contains(group(q, at, 1), "产") { // 年产多少煤 asks the output
			a = asked{kind: numberAnswer, attr: "产量"}
		}
		if ev := eventEnd.FindStringSubmatchIndex(q[:at[0]]); ev != nil && attr == "年" {
			// 成立多少年了 asks how long ago the founding was.
			a, at[0] = asked{kind: dateAnswer, attr: q[ev[2]:ev[3]]}, ev[0]
		}
	case askLong.MatchString(q):
		at = askLong.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer}
	case askArea.MatchString(q): // 开发区占地多大 asks its area
		at = askArea.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer, attr: "面积"}
	case askSchool.MatchString(q): // 秦品乐是哪所大学毕业的 asks his education
		at = askSchool.FindStringSubmatchIndex(q)
		a = asked{kind: anyAnswer, attr: "学历"}
	case askFormer.MatchString(q): // 郭海成以前在哪里工作 asks his earlier posts
		at = askFormer.FindStringSubmatchIndex(q)
		a = asked{kind: anyAnswer, attr: "以前的工作"}
	case askMarket.MatchString(q): // 化肥卖到哪些国家 asks its markets
		at = askMarket.FindStringSubmatchIndex(q)
		a = asked{kind: anyAnswer, attr: "销路"}
	case askBrand.MatchString(q): // 化肥叫什么牌子 asks its brand
		at = askBrand.FindStringSubmatchIndex(q)
		a = asked{kind: anyAnswer, attr: "品牌"}
	case askMeasure.MatchString(q): // 城墙有多高 asks its height
		at = askMeasure.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer, attr: dimensions[group(q, at, 2)]}
		if of := strings.LastIndex(q[:at[0]], "的"); of > 0 && utf8.RuneCountInString(q[of:at[0]]) > 2 && group(q, at, 2) == "高" {
			// 电池的转化效率有多高 asks the 转化效率 of 电池: a level, not a
			// height. (生产线有多长 keeps 生产线 in the entity, which may be
			// named loosely: 那个光伏厂的生产线.)
			a.attr, at[0] = q[of+len("的"):at[0]], of
		}
	case askPrice.MatchString(q): // 馍片多少钱一袋 asks its price
		at = askPrice.FindStringSubmatchIndex(q)
		a = asked{kind: numberAnswer, attr: "价格"}
	case askNumEnd.MatchString(q): // 天脊集团营收是多少
		at = askNumEnd.FindStringSubmatchIndex(q)
		entity, attr := splitSubject(q[:at[0]], df)
		a = asked{kind: numberAnswer, attr: attr}
		at[0] = len(entity)
	case askHow.MatchString(q): // 山西大学的宿舍条件怎么样 asks about 宿舍条件
		at = askHow.FindStringSubmatchIndex(q)
		a = asked{kind: anyAnswer, attr: howDone.ReplaceAllString(group(q, at, 1), ""), loose: true}
	case askWhat.MatchString(q) && !meta.MatchString(askWhat.FindStringSubmatch(q)[1]):
		at = askWhat.FindStringSubmatchIndex(q) // 太原理工大学的校训是什么
		a = asked{kind: anyAnswer, attr: group(q, at, 1), loose: true}
	case askPlace.MatchString(q):
		at = askPlace.FindStringSubmatchIndex(q) // 总部 after 的 only: 区域总部 is a name
		a = asked{kind: placeAnswer, attr: group(q, at, 1) + group(q, at, 2)}
		if group(q, at, 6) != "" { // 在哪条街 asks an address
			a.attr = "地址"
		}
	default:
		return asked{}, false
	}
	subject := q[:at[0]]
	if m := askedFirst.FindStringSubmatch(subject); m != nil {
		subject = m[1] // 后稷实验室是干什么的，在哪 asks two things of 后稷实验室
	}
	a.entity = strings.Trim(leadingTime.ReplaceAllString(perUnit.ReplaceAllString(subject, ""), ""), "的 ,，现任")
	a.entity, _, _ = cutPredicate(a.entity) // 晋中科技局要建立几个清单 asks about 晋中科技局
	if utf8.RuneCountInString(a.entity) < 2 || asksWithin.MatchString(a.entity) {
		return asked{}, false // 江苏考察是几号到几号 asks a range, not one attribute
	}
	if outputWord.MatchString(a.attr) {
		a.attr = "产量" // 硅钢年产能 is stated as 年产16万吨…硅钢
	}
	for _, w := range countWords {
		if strings.HasSuffix(a.attr, w) {
			// 港湾的数量 is stated as 410个港湾, 员工人数 as 300名员工.
			a.attr, a.counted = strings.TrimSuffix(a.attr, w), true
			break
		}
	}
	a.articles = map[string]bool{}
	return a, true
}

// group is submatch i of q located by at, or "".
func group(q string, at []int, i int) string {
	if at[2*i] < 0 {
		return ""
	}
	return q[at[2*i]:at[2*i+1]]
}

// names reports whether text (a passage) names the entity (see namer).
func (a asked) names(text string, s *Store) bool { return a.namer(s).in(text) }

// namer tells whether a text names an entity: it holds most of the
// entity's terms, weighted by rarity, or a name that the entity shortens,
// or the post and surname the entity calls a person by.
type namer struct {
	m      matcher        // the entity's terms
	entity string         // folded
	holder *regexp.Regexp // for 段局长, the post and surname as text writes them (局长段); else nil
}

func (a asked) namer(s *Store) namer {
	n := namer{m: s.matcher(queryTerms(a.entity)), entity: fold(a.entity)}
	if m := surnameTitle.FindStringSubmatch(n.entity); m != nil {
		post := m[2]
		if post == "总" {
			post = "总经理|董事长|总裁|总工程师"
		}
		n.holder = regexp.MustCompile(`(` + post + `)` + regexp.QuoteMeta(m[1]))
	}
	return n
}

func (n namer) in(text string) bool {
	folded := fold(text)
	if n.m.coverageFolded(folded) >= 0.5 {
		return true
	}
	return abbreviates(n.entity, folded) || n.holder != nil && n.holder.MatchString(folded)
}

// abbreviates reports whether entity, of four or more characters, is a
// short form of a name in text: its characters in order, within twice its
// length (山西农大 of 山西农业大学, 晋中科技局 of 晋中市科学技术局).
func abbreviates(entity, text string) bool {
	e := []rune(entity)
	if len(e) < 4 {
		return false
	}
	t := []rune(text)
	for start := range t {
		if t[start] != e[0] {
			continue
		}
		k := 1
		for i := start + 1; i < len(t) && i < start+2*len(e) && k < len(e); i++ {
			if t[i] == e[k] {
				k++
			}
		}
		if k == len(e) {
			return true
		}
	}
	return false
}

// surnameTitle matches a person called by surname and post: 段局长, 姜总.
var surnameTitle = regexp.MustCompile(`^(\p{Han})(` + titles + `|总)$`)

// statedIn reports whether the passage c states the attribute for the
// entity (see statement): a sentence holds both the attribute's words (or
// a title they stand for) and a fact of the kind asked.
func (a asked) statedIn(c Chunk, s *Store) bool {
	return a.statement(c, s) != ""
}

// statement is the sentence of c that states the attribute for the
// entity, or "": of several, the one that names the entity most fully
// itself (长治市科技局局长…, not 运城市科技局局长… next to it). The entity
// is named within two sentences of it, or, for a count when c does not
// name it at all, somewhere in c's article: news text names its subject
// once and goes on with 市科技局 or 我市 (建立政策、项目、任务三个清单).
func (a asked) statement(c Chunk, s *Store) string {
	inArticle := a.counted && a.namedInArticle(c.Doc, s)
	if !inArticle && !a.names(c.Text, s) {
		return ""
	}
	n := a.namer(s)
	best, bestCov := "", -1.0
	// The entity is named near a statement within its paragraph: the next
	// paragraph is about the next subject (…学院院长秦品乐…。\n…工作室创建于2014年).
	for _, paragraph := range strings.Split(c.Text, "\n") {
		sents := Sentences(paragraph)
		for i, sent := range sents {
			if a.sentenceStates(fold(sent), s) && (namedNear(sents, i, a.near(), n) || inArticle && a.countsAttr(fold(sent))) {
				if cov := n.m.coverage(sent); cov > bestCov {
					best, bestCov = sent, cov
				}
			}
		}
	}
	return best
}

// countsAttr reports whether sent (folded) counts the attribute itself,
// with a number and a measure word at most twelve characters before it
// (三项保障, 250个市级以上农业龙头企业), as a sentence that leaves the entity
// to its article must.
func (a asked) countsAttr(sent string) bool {
	i := strings.Index(sent, fold(a.attr))
	return i > 0 && countBefore.MatchString(sent[:i])
}

// countBefore matches a count followed by at most twelve characters, at the
// end of text.
var countBefore = regexp.MustCompile(hasCount.String() + `[^，,。；;：:]{0,12}$`)

// namedInArticle reports whether the article doc names the entity, in its
// title or any of its passages (remembered per question).
func (a asked) namedInArticle(doc string, s *Store) bool {
	named, ok := a.articles[doc]
	if !ok {
		named = a.names(s.articleText(doc), s)
		a.articles[doc] = named
	}
	return named
}

// nearby is how many sentences before and after a statement may name the
// entity it is about: news text names it once ("天脊集团…") and goes on
// with "公司", "该实验室", or signs a paragraph with it afterwards.
const nearby = 2

// near is how many sentences from a statement of a's attribute may name
// its entity: none for a place, which news text states of the subject of
// its own sentence (位于X的Y, Y位于X).
func (a asked) near() int {
	if a.kind == placeAnswer {
		return 0
	}
	return nearby
}

// namedNear reports whether sentence i of sents, or one of the sentences
// within near of it, names the entity.
func namedNear(sents []string, i, near int, n namer) bool {
	for _, sent := range sents[max(0, i-near):min(len(sents), i+near+1)] {
		if n.in(sent) {
			return true
		}
	}
	return false
}

// sentenceStates reports whether sent (folded) holds the attribute's words
// and a fact of the kind asked. The attribute must stand apart from the
// entity's name: 山西大学城 does not state how many 大学 there are.
func (a asked) sentenceStates(sent string, s *Store) bool {
	if otherQualifier(sent, fold(a.entity)) {
		return false
	}
	names := append([]string{a.attr}, attrAliases[a.attr]...)
	hasAttr := a.attr == ""
	rest := withoutName(sent, fold(a.entity))
	for _, n := range names {
		if n != "" && (strings.Contains(rest, n) || s.phraseMatcher(n).coverage(rest) >= 0.5 || abbreviates(fold(n), rest)) {
			hasAttr = true
			break
		}
	}
	if !hasAttr {
		return false
	}
	switch {
	case a.kind == personAnswer || a.kind == anyAnswer:
		return true // the title or the attribute is there; no shape to check
	case a.counted:
		return hasCount.MatchString(rest) // 400米的生产线 is no count of lines
	default:
		return a.kind.matches(rest)
	}
}

// adminSuffix matches the suffix of a place's name that a qualifier may
// carry or drop (晋中市科技局, 晋中科技局).
var adminSuffix = regexp.MustCompile(`(市|省|县|区)$`)

// suffixWords are words that begin with a place's suffix (区域总部).
const suffixWords = "区域 县域 市域 省域 市场 市民 区级 市级 县级 省级"

// notDistrict matches the words ending in 区 that name no place's
// district: 园区, 开发区, 示范区, 社区.
var notDistrict = regexp.MustCompile(`(园|厂|校|矿|社|景|片|城|小|功能|开发|示范|保税|综改|试验)区$`)

// notPlace are characters that end a clause or a phrase before a bare 市
// or 省 (这让市农业农村局, 表示省科技厅) and are no part of a place's name.
const notPlace = "这那让使在和与及对是了的将为把被向从给据由该本我你他她它其说示"

// otherQualifier reports whether sent (folded) names the entity's kind of
// body with another place: 运城市科技局 when the entity is 晋中科技局. A
// sentence about that body states nothing of the entity.
func otherQualifier(sent, entity string) bool {
	e := []rune(entity)
	for cut := 1; cut <= len(e)-2; cut++ { // longest tail first
		tail := string(e[cut:])
		if adminSuffix.MatchString(string(e[cut])) || strings.Contains(suffixWords, string(e[cut-1:cut+1])) {
			continue // the place's suffix goes with the place; 区域 is no 区
		}
		i := strings.Index(sent, tail)
		if i < 0 {
			continue
		}
		if !adminSuffix.MatchString(sent[:i]) || notDistrict.MatchString(sent[:i]) {
			return false // no place before it: 王福西职工创新工作室, 生态园区项目 are no other body
		}
		r := []rune(adminSuffix.ReplaceAllString(sent[:i], ""))
		own := adminSuffix.ReplaceAllString(string(e[:cut]), "")
		if len(r) < 2 || !isCJK(r[len(r)-1]) || !isCJK(r[len(r)-2]) {
			return false
		}
		qualifier := string(r[len(r)-2:])
		if strings.ContainsAny(qualifier, notPlace) {
			return false // 这让市农业农村局: a bare 市, this city
		}
		if own != "" && strings.HasSuffix(string(r[:len(r)-2]), own) {
			return false // 智慧交通山西省实验室: the entity's own words, then the place
		}
		return own != "" && !strings.Contains(own, qualifier) && !strings.Contains(qualifier, own)
	}
	return false
}

// withoutName is text without the runs of three or more characters that
// it shares with name, longest first from the left.
func withoutName(text, name string) string {
	const minRun = 3
	var b strings.Builder
	for i := 0; i < len(text); {
		end := 0
		for j, n := i, 0; j < len(text); n++ {
			_, size := utf8.DecodeRuneInString(text[j:])
			j += size
			if !strings.Contains(name, text[i:j]) {
				break
			}
			if n+1 >= minRun {
				end = j
			}
		}
		if end > 0 {
			i = end
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		b.WriteString(text[i : i+size])
		i += size
	}
	return b.String()
}

// absentText says that the articles mention the entity but not the
// attribute, in the question's language.
func (a asked) absentText() string {
	missing := "其" + a.attr // 其 is neutral: the entity may be a person or a body
	switch {
	case a.kind == placeAnswer && a.attr == "":
		missing = "其所在的地方"
	case a.kind == placeAnswer:
		missing = "其" + a.attr + "在哪里"
	case a.attr == "":
		missing = "问题所问的" + kindNameZH[a.kind]
	case a.counted:
		missing = a.attr + "的数量"
	case a.kind == dateAnswer:
		missing = a.took + a.attr + "的时间"
	case unit.FindString(a.attr) == a.attr: // 占地多少亩
		missing = "具体是多少" + a.attr
	}
	return "文章提到了" + a.entity + "，但没有提到" + missing + "。"
}

var kindNameZH = map[answerKind]string{numberAnswer: "数字", dateAnswer: "时间", personAnswer: "人"}
