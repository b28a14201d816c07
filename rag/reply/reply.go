// Package reply words what rag returns, for the people who asked: why a
// question was refused, the heading of an answer's sources and how its
// citations were found. rag returns these outcomes as data (rag.Refusal,
// rag.Answer's flags); the front ends (the Telegram bot, the terminal,
// the HTTP API) word them with this package, in the language they choose
// for their user.
package reply

import (
	"fmt"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/question"
)

// Text is what the user is shown as the answer to ans, in lang ("zh" for
// Chinese, else English): its text, or, when it is refused, the refusal
// worded.
func Text(ans rag.Answer, lang string) string {
	if ans.Refused() {
		return Refusal(ans.Refusal, lang)
	}
	return ans.Text
}

// Refusal words r in lang: why the question is not answered, and, when it
// is known, what the passages lack.
func Refusal(r rag.Refusal, lang string) string {
	switch r.Reason {
	case rag.MissingConstraint:
		return pick(lang, "抱歉，找到的相关段落都没有提到“"+r.Missing.Shown+"”。",
			"Sorry, none of the related passages mentions \""+r.Missing.Shown+"\".")
	case rag.NotStated:
		what := map[question.Type][2]string{question.Number: {"数字", "figure"}, question.Date: {"时间", "date"}}[r.Asked]
		if r.Missing.Shown != "" {
			return pick(lang, "抱歉，找到的段落提到了相关内容，但没有给出“"+r.Missing.Shown+"”的"+what[0]+"。",
				"Sorry, the related passages do not give the "+what[1]+" for \""+r.Missing.Shown+"\".")
		}
		return pick(lang, "抱歉，找到的段落提到了相关内容，但没有给出问题所问的"+what[0]+"。",
			"Sorry, the related passages do not give the "+what[1]+" asked for.")
	case rag.OtherLanguage:
		name := rag.LanguageName(r.ArticlesLang)
		return pick(lang, "这些文章是用其他语言写的，目前只能回答用文章的语言提出的问题，请换用文章的语言提问。",
			fmt.Sprintf("The articles are in %s, and for now I can only answer questions asked in %s: please ask in %s.", name, name, name))
	case rag.FollowUp:
		return pick(lang, "我还不能理解追问（“它”“那”指的是什么），请把问题说完整，例如带上公司或人物的名字。",
			"I cannot tell yet what a follow-up question (\"it\", \"that\") refers to: please ask the whole question, naming the company or person.")
	}
	return pick(lang, rag.NothingFoundZH, rag.NothingFoundEN)
}

// SourcesLabel heads the list of the passages ans cites, in lang: its
// sources, or the passages a model's uncited answer was given, shown as
// related.
func SourcesLabel(ans rag.Answer, lang string) string {
	if ans.Related {
		return pick(lang, "相关段落", "Related passages")
	}
	return pick(lang, "来源", "Sources")
}

// CitationNote says, in lang, that the model cited nothing and how the
// sources of ans were found; "" when it cited them itself.
func CitationNote(ans rag.Answer, lang string) string {
	switch {
	case ans.CitedAfter:
		return pick(lang, "模型没有标注出处；以上引用是按句子与段落的匹配补上的。",
			"The model cited nothing; the citations were added by matching its sentences to the passages.")
	case ans.Related:
		return pick(lang, "模型没有标注出处，它的回答也与任何段落都不吻合；以下段落仅供参考。",
			"The model cited nothing, and its answer matches none of the passages; they are listed for reference only.")
	}
	return ""
}

// pick is zh for Chinese (lang "zh"), else en.
func pick(lang, zh, en string) string {
	if lang == "zh" {
		return zh
	}
	return en
}
