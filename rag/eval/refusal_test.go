package eval

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/reply"
	"github.com/qabot/qabot/rag/terms"
)

// quoted is what a refusal quotes of the question.
var quoted = regexp.MustCompile(`“([^”]*)”`)

// particles are the characters a quoted part of a question may not begin
// or end with: it would dangle.
const particles = "的了吗呢吧啊么和与及或是在有其之"

// brokenRefusal says what is wrong with refusal, the reply to question,
// as Chinese: "" when nothing is. A part of the question it quotes must be
// in the question, whole words of it, with no particle dangling at either
// end; and the refusal may double no character the question does not.
func brokenRefusal(asked, refusal string) string {
	q := question.Parse(asked)
	for _, m := range quoted.FindAllStringSubmatch(refusal, -1) {
		part := m[1]
		if part == "" {
			return "an empty quote"
		}
		if !strings.Contains(asked, part) {
			return "quotes " + part + ", which the question does not hold"
		}
		first, last := []rune(part)[0], []rune(part)[len([]rune(part))-1]
		if strings.ContainsRune(particles, first) || strings.ContainsRune(particles, last) {
			return "a particle dangles in " + part
		}
		if !dated(q, part) && !wholeWords(q, terms.Fold(part)) {
			return "cuts a word: " + part
		}
	}
	rs := []rune(refusal)
	for i := 1; i < len(rs); i++ {
		if rs[i] == rs[i-1] && unicode.Is(unicode.Han, rs[i]) && !strings.Contains(asked, string(rs[i-1:i+1])) {
			return "doubles " + string(rs[i])
		}
	}
	return ""
}

// dated reports whether part is a year, a date or an ordinal of q, which
// are read whole, by their digits, not cut into words.
func dated(q question.Question, part string) bool {
	for _, c := range q.Constraints() {
		if c.Kind != question.Name && c.Shown == part {
			return true
		}
	}
	return false
}

// wholeWords reports whether folded starts and ends where words of q do.
func wholeWords(q question.Question, folded string) bool {
	at := strings.Index(q.Folded, folded)
	if at < 0 {
		return false
	}
	starts, ends := false, false
	for _, w := range q.Words {
		starts = starts || w.Start == at
		ends = ends || w.End() == at+len(folded)
	}
	return starts && ends
}

// The checker rejects the broken refusals earlier builds gave and accepts
// well-formed ones.
func TestBrokenRefusal(t *testing.T) {
	for _, tt := range []struct {
		q, refusal string
		broken     bool
	}{
		{"2019年度绿源公司获得了什么奖？", "抱歉，找到的相关段落都没有提到“2019年度”。", false},
		{"北海市有多少家创新平台？", "抱歉，找到的相关段落都没有提到“北海市”。", false},
		{"那家店在哪里？", "抱歉，文章提到了那家店，但没有提到其店在在哪里。", true},
		{"那部电影的主演有谁？", "抱歉，文章提到了电影，但没有提到“的主演有”。", true},
		{"太谷饼年产量是多少?", "抱歉，找到的相关段落都没有提到“太谷饼年产”。", true},
		{"北海市有多少家创新平台？", "抱歉，找到的相关段落都没有提到“南海市”。", true},
		{"1987年后稷实验室在哪？", "抱歉，找到的相关段落都没有提到“1987年”。", false},
	} {
		if got := brokenRefusal(tt.q, tt.refusal); (got != "") != tt.broken {
			t.Errorf("%s → %s: broken %q, want broken=%v", tt.q, tt.refusal, got, tt.broken)
		}
	}
}

// Every development question in the repository, asked of the seeds as it
// is and with a year and a place the seeds never name put before it, is
// answered or refused in correct Chinese.
func TestRefusalsAreCorrectChinese(t *testing.T) {
	a := seedAnswerer(t)
	files, err := filepath.Glob("testdata/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no development sets: %v", err)
	}
	refusals := 0
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := ReadSet(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, eq := range qs {
			if eq.Lang != "zh" {
				continue
			}
			for _, text := range []string{eq.Question, "1987年" + eq.Question, "呼伦贝尔市" + eq.Question} {
				ans, err := a.Ask(t.Context(), text)
				if err != nil {
					t.Fatal(err)
				}
				if !ans.Refused() {
					continue
				}
				refusals++
				said := reply.Text(ans, "zh")
				if why := brokenRefusal(text, said); why != "" {
					t.Errorf("%s → %s: %s", text, said, why)
				}
			}
		}
	}
	if refusals < 50 {
		t.Errorf("only %d refusals: the test checks too little", refusals)
	}
	t.Logf("%d refusals checked", refusals)
}
