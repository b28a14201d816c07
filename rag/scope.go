package rag

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// News articles report what was done and said. They do not rate
// restaurants, recommend phones or tell how to apply for a visa, and they
// do not know today's weather. Offline, with no model to read the passages,
// a question of that kind that shares a word or two with the articles
// (太原哪家火锅店最好吃: 太原) would be answered with a sentence about
// something else; it is refused instead. With a model, the model reads the
// passages and decides.

var (
	// asksOpinion matches a request for a recommendation, a judgement of
	// taste, worth or prospects, or a how-to of personal errands, opening
	// hours, jobs or travel: 推荐几部, 值得买吗, 好吃吗, 哪个学校好, 好就业吗,
	// 景气吗, 怎么申请, 哪里能买, 怎么去, 几点开门, 招人吗, 要注意什么 (and see
	// judges).
	asksOpinion = regexp.MustCompile(`^(给我|帮我)?推荐|推荐(几|一|个|些|下)|有什么推荐|值不值|值得\p{Han}{0,4}[吗么]|` +
		`好吃|好玩|好看|好用|便宜|实惠|靠谱|结实|划算|` +
		`(好|难)(就业|找工作|考|学)[吗么]?$|景气|有前途|有前景|前景(好|怎么样|如何)|(赚钱|挣钱)[吗么]|` +
		`哪(个|家|所|款|里)\p{Han}{0,4}好[吗呢啊呀]?[？?]?$|哪(个|家|所|款|里|儿)\p{Han}{0,8}最(好|适合|值得|划算|便宜|方便|正宗|强)|` +
		`(怎么|如何|怎样)(申请|办理|报名|注册)|(哪里|哪儿|在哪)(能|可以)?买|` +
		`(怎么|怎样)(去|走|坐车|交|缴|报销)(最方便|比较好|最快)?[？?]?$|` +
		`(怎么|怎样)(保存|做|吃|用|养|涨粉)[？?]?$|` +
		`几点(开门|关门|上班|下班|营业|开始|结束|发车)|营业时间|(上班|营业|开门|招人|招工|招聘)[吗么]|待遇|` +
		`坐(什么|哪路|几路|啥)(车|公交|地铁|火车)|注意(什么|哪些)|注意事项`)
	// asksNow matches a question about the present moment: the articles'
	// news is of their day, not of the asker's.
	asksNow = regexp.MustCompile(`今天|明天|今晚|今早|周末|这周|本周|最近|眼下`)
)

// outOfScope reports whether an offline answer should refuse question as
// one news articles do not answer: an opinion or errand always, a question
// about the present moment when the passages match it only weakly.
func outOfScope(question string, weak bool) bool {
	q := plainQuestion(question)
	return asksOpinion.MatchString(q) || judges(q) || weak && asksNow.MatchString(q)
}

// notJudged are the words whose A不A form asks a fact, not a judgement:
// 是不是, 能不能, 会不会, 要不要, 可不可以, 对不对, 行不行, 有没有.
const notJudged = "是有能会要可对行"

// judges reports whether q asks a judgement in the A不A form, of one
// character or two: 冷不冷, 高不高, 好吃不好吃.
func judges(q string) bool {
	r := []rune(q)
	for i := 1; i+1 < len(r); i++ {
		if r[i] != '不' {
			continue
		}
		if r[i-1] == r[i+1] && !strings.ContainsRune(notJudged, r[i-1]) {
			return true
		}
		if i >= 2 && i+2 < len(r) && r[i-2] == r[i+1] && r[i-1] == r[i+2] && !strings.ContainsRune(notJudged, r[i-2]) {
			return true
		}
	}
	return false
}

// outOfScopeText says why such a question is refused, in its language.
func outOfScopeText(question string) string {
	return inLanguageOf(question, "文章里没有能回答这个问题的内容：这些文章是新闻报道，不提供评价、推荐、办事指南或眼下的实时情况。",
		"The articles do not answer this: they are news reports, with no reviews, recommendations, how-to guides or live information.")
}

var (
	// asksHowTo matches a question that asks how to do something, and the
	// doing: 平遥牛肉怎么腌, 抖音怎么开直播才能火.
	asksHowTo = regexp.MustCompile(`(怎么|怎样|如何)(\p{Han}{1,4}?)(才\p{Han}{0,4})?$`)
	// asksExists matches a question that asks whether something is there,
	// and the thing: 运城有机场吗, 大同有没有地铁.
	asksExists = regexp.MustCompile(`有没有(\p{Han}{2,8})$|有(\p{Han}{2,8}?)(吗|没有)$`)
	// asksWhich matches a question that asks which things of a kind there
	// are, and the kind: 山西的特产有哪些, 山西有哪些特产.
	asksWhich = regexp.MustCompile(`有哪些(\p{Han}{2,8})$|的(\p{Han}{2,6})(都|主要)?有哪些$`)
)

// unknownAsked is the refusal of a question that asks how to do, or which
// there are of, something no passage mentions at all (腌, 特产), or whether
// there is something with a word no passage holds (机场, 信用卡优惠活动): the
// articles cannot tell. A list question (哪些) is often a paraphrase of one
// the articles answer, so only a wholly unknown thing refuses it. df is the
// number of passages holding a term. It is "" for any other question.
func unknownAsked(question string, df func(string) int) string {
	q := strings.TrimRight(plainQuestion(question), "?？!！。 啊呀呢")
	// 是怎么干活的 asks the manner of what was done, which news reports;
	// 怎么样 asks how something is.
	if m := asksHowTo.FindStringSubmatch(q); m != nil && !strings.HasSuffix(m[2], "的") && !strings.HasPrefix(m[2], "样") && unmentioned(m[2], df) {
		return "抱歉，文章中没有讲到怎么" + m[2] + "。"
	}
	thing, unknown := "", false
	if m := asksExists.FindStringSubmatch(q); m != nil {
		thing = m[1] + m[2]
		unknown = hasUnknownWord(thing, df)
	} else if m := asksWhich.FindStringSubmatch(q); m != nil {
		thing = m[1] + m[2]
		unknown = unmentioned(thing, df)
	}
	// 获奖 is stated apart (荣获…优秀奖): a prize asked for is no unknown.
	if unknown && !strings.ContainsAny(thing, "获得拿奖") {
		return "抱歉，文章中没有提到“" + thing + "”。"
	}
	return ""
}

// unmentioned reports whether no passage holds any word of phrase: none of
// its bigrams and numbers, or, for one character, the character.
func unmentioned(phrase string, df func(string) int) bool {
	terms := splitTerms(fold(phrase))
	for _, t := range terms {
		if (t.kind != unigram || len(terms) == 1) && df(t.text) > 0 {
			return false
		}
	}
	return len(terms) > 0
}

// hasUnknownWord reports whether a word of phrase is in no passage: a
// number, or a bigram that is no seam between two words passages hold
// (信用卡 of 信用卡优惠活动, 985 of 985大学, 馆 of 科技馆).
func hasUnknownWord(phrase string, df func(string) int) bool {
	for _, t := range queryTerms(phrase) {
		first, _ := utf8.DecodeRuneInString(t.text)
		lone := isCJK(first) && utf8.RuneCountInString(t.text) == 1
		if !lone && df(t.text) == 0 && !isSeam(t, df) {
			return true
		}
	}
	return false
}
