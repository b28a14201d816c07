package reply

import (
	"strings"
	"testing"
	"unicode"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/index/indextest"
	"github.com/qabot/qabot/rag/question"
)

// Every reason to refuse is worded in both languages, each in its own
// script (but for the names they quote), naming what the passages lack when it is
// known; no wording names the operator's settings.
func TestRefusalWordsEveryReason(t *testing.T) {
	year := question.Constraint{Kind: question.Year, Text: "2019", Shown: "2019年度"}
	for _, tt := range []struct {
		r      rag.Refusal
		zh, en string // what each wording must hold
	}{
		{rag.Refusal{Reason: rag.NothingRelevant}, "没有找到", "do not contain"},
		{rag.Refusal{Reason: rag.ModelRefused}, "没有找到", "do not contain"},
		{rag.Refusal{Reason: rag.MissingConstraint, Missing: year}, "都没有提到“2019年度”", `mentions "2019年度"`},
		{rag.Refusal{Reason: rag.NotStated, Asked: question.Number}, "没有给出问题所问的数字", "do not give the figure asked"},
		{rag.Refusal{Reason: rag.NotStated, Asked: question.Date, Missing: year}, "没有给出“2019年度”的时间", `the date for "2019年度"`},
		{rag.Refusal{Reason: rag.OtherLanguage, ArticlesLang: "zh"}, "换用文章的语言", "please ask in Chinese"},
		{rag.Refusal{Reason: rag.FollowUp}, "请把问题说完整", "ask the whole question"},
	} {
		zh, en := Refusal(tt.r, "zh"), Refusal(tt.r, "en")
		if !strings.Contains(zh, tt.zh) || !strings.Contains(en, tt.en) {
			t.Errorf("%+v: %q / %q, want %q / %q", tt.r, zh, en, tt.zh, tt.en)
		}
		quoted := strings.NewReplacer(tt.r.Missing.Shown, "", rag.LanguageName(tt.r.ArticlesLang), "") // names of the articles' words
		if !strings.ContainsFunc(zh, han) || strings.ContainsFunc(quoted.Replace(en), han) {
			t.Errorf("%+v: %q / %q: each in the script of its language", tt.r, zh, en)
		}
		if strings.Contains(zh+en, "llm.") {
			t.Errorf("%+v: the operator's settings in a user's reply: %q / %q", tt.r, zh, en)
		}
	}
}

func han(r rune) bool { return unicode.Is(unicode.Han, r) }

// Text is the answer's own text when it answers, and the refusal worded in
// the language asked for when it does not.
func TestText(t *testing.T) {
	answered := rag.Answer{Lang: "zh", Text: "全长400米[1]"}
	if got := Text(answered, "en"); got != answered.Text {
		t.Errorf("an answer: %q", got)
	}
	refused := rag.Answer{Lang: "zh", Refusal: rag.Refusal{Reason: rag.FollowUp}}
	if zh, en := Text(refused, "zh"), Text(refused, "en"); zh != Refusal(refused.Refusal, "zh") || en != Refusal(refused.Refusal, "en") {
		t.Errorf("a refusal: %q / %q", zh, en)
	}
}

// An offline question in another language than the articles comes back
// from rag as data; worded in the asker's language, it names the articles'.
func TestDeferredQuestionWorded(t *testing.T) {
	a := &rag.Answerer{Store: indextest.Seeds(t), TopK: 5, MinRelevance: 0.08}
	ans, err := a.Ask(t.Context(), "How long is the TOPCon cell production line?")
	if err != nil {
		t.Fatal(err)
	}
	if got := Text(ans, ans.Lang); ans.Text != "" || !ans.Deferred() || !strings.Contains(got, "please ask in Chinese") {
		t.Errorf("text %q, deferred %v, worded %q", ans.Text, ans.Deferred(), got)
	}
}

// The heading of an answer's passages says whether they are its sources or
// only related; the note says how the citations were found.
func TestSourcesLabelAndCitationNote(t *testing.T) {
	cited, related, after := rag.Answer{}, rag.Answer{Related: true}, rag.Answer{CitedAfter: true}
	if SourcesLabel(cited, "zh") != "来源" || SourcesLabel(related, "zh") != "相关段落" || SourcesLabel(related, "en") != "Related passages" {
		t.Error("sources label")
	}
	if CitationNote(cited, "en") != "" || !strings.Contains(CitationNote(after, "en"), "added by matching") || !strings.Contains(CitationNote(related, "zh"), "仅供参考") {
		t.Error("citation note")
	}
}
