package rag

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/index/indextest"
)

func TestCitations(t *testing.T) {
	tests := []struct {
		in    string
		want  string
		cited []int // passage numbers, in order of first citation
	}{
		{"答案是400米[1]。", "答案是400米[1]。", []int{1}},
		{"先[3]，后[1]，再[3]。", "先[1]，后[2]，再[1]。", []int{3, 1}},
		{"两处[1,2]和[2, 3]。", "两处[1][2]和[2][3]。", []int{1, 2, 3}},
		{"连写[2][1]。", "连写[1][2]。", []int{2, 1}},
		{"全角【2】和［1］和〔3〕。", "全角[1]和[2]和[3]。", []int{2, 1, 3}},
		{"顿号[1、3]与范围[2-4]。", "顿号[1][2]与范围[3][2][4]。", []int{1, 3, 2, 4}},
		{"Styles [citation:2], [source 1] and [来源3].", "Styles [1], [2] and [3].", []int{2, 1, 3}},
		{"不存在的[9]和[0]被删去[2]。", "不存在的和被删去[1]。", []int{2}},
		{"部分有效[2, 9]。", "部分有效[1]。", []int{2}},
		{"年份[2023]与数组[a]不是引用。", "年份[2023]与数组[a]不是引用。", nil},
		{"没有引用。", "没有引用。", nil},
		{"未闭合[2", "未闭合[2", nil},
	}
	passages := make([]Source, 4)
	for i := range passages {
		passages[i] = Source{N: i + 1, Doc: fmt.Sprintf("p%d", i+1)}
	}
	for _, tt := range tests {
		c := newCitations(len(passages))
		got := c.write(tt.in) + c.flush()
		if got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if diff := cmp.Diff(tt.cited, c.order); diff != "" {
			t.Errorf("%q: cited (-want +got):\n%s", tt.in, diff)
		}
		for i, s := range c.cited(passages) {
			if s.N != i+1 || s.Doc != fmt.Sprintf("p%d", tt.cited[i]) {
				t.Errorf("%q: source %d is %+v", tt.in, i, s)
			}
		}
	}
}

// FuzzCitations checks that streaming in any pieces gives the whole-text
// result, and that the answer cites exactly the sources listed.
func FuzzCitations(f *testing.F) {
	for _, seed := range []string{"a[1]b[2,3]c", "【2】［1］[9]", "[citation:1", "x[1-3][2]y", "[1、2、3、4、5]", "[[5]1]"} {
		f.Add(seed, uint8(3))
	}
	f.Fuzz(func(t *testing.T, text string, step uint8) {
		if !utf8.ValidString(text) {
			t.Skip("stream pieces are JSON strings, always valid UTF-8")
		}
		const passages = 4
		whole := newCitations(passages)
		want := whole.write(text) + whole.flush()
		streamed := newCitations(passages)
		var got strings.Builder
		runes := []rune(text)
		n := int(step%7) + 1
		for i := 0; i < len(runes); i += n {
			got.WriteString(streamed.write(string(runes[i:min(i+n, len(runes))])))
		}
		got.WriteString(streamed.flush())
		if got.String() != want {
			t.Fatalf("streamed in pieces of %d:\n got %q\nwant %q", n, got.String(), want)
		}
		seen := map[int]bool{}
		for i, p := range whole.order {
			if p < 1 || p > passages || seen[p] {
				t.Fatalf("cited passages %v: bad entry %d", whole.order, p)
			}
			seen[p] = true
			if !strings.Contains(want, fmt.Sprintf("[%d]", i+1)) {
				t.Fatalf("%q does not cite [%d], though it is listed", want, i+1)
			}
		}
	})
}

// A sentence whose figures or names its cited passage does not hold is
// unsupported, however many of its other words the passage shares; a
// sentence quoted from the passage it cites never is.
func TestSupportChecksFiguresAndNames(t *testing.T) {
	s := indextest.Seeds(t)
	line := Source{Text: "走进工厂的智能制造生产车间，全长400米的生产线上，生产人员屈指可数，取而代之的是灵活穿梭的AGV机器人。"}
	for claim, want := range map[string]bool{
		"生产线全长一万米[1]。":                               true,
		"生产线全长9999米[1]。":                             true,
		"生产线全长4000米[1]。":                             true,
		"The admin password is hunter2[1].":          true,
		"车间里是来自德国的AGV机器人[1]。":                        true,
		"生产线全长400米，生产人员屈指可数[1]。":                     false,
		"车间里灵活穿梭的是AGV机器人，生产人员屈指可数[1]。":               false,
		"The production line is 400 metres long[1].": false,
	} {
		got := checkSupport(s, claim, []Source{line})
		if (len(got) > 0) != want {
			t.Errorf("%q: unsupported %q, want flagged %v", claim, got, want)
		}
	}
	quoted := 0
	for _, c := range s.Chunks() {
		for _, sent := range document.Sentences(c.Text) {
			if got := checkSupport(s, sent+"[1]", []Source{{Text: c.Text}}); len(got) > 0 {
				t.Errorf("a sentence quoted from its passage is flagged: %q", got)
			}
			quoted++
		}
	}
	if quoted < 100 {
		t.Fatalf("only %d sentences quoted", quoted)
	}
}
