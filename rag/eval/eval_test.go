package eval

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/qabot/qabot/rag"
)

func TestEvaluateAndSummarise(t *testing.T) {
	doc := "a.txt"
	qs, err := ReadSet(strings.NewReader(`{"id":"1","question":"q1","source":"a.txt","evidence":["四 五"],"answer_keywords":["五"],"lang":"zh"}

{"id":"2","question":"q2","source":"a.txt","evidence":["九"],"answer_keywords":["九"],"lang":"zh"}
{"id":"3","question":"q3","source":null,"evidence":[],"answer_keywords":[],"lang":"en"}
{"id":"4","question":"q4","source":null,"evidence":[],"answer_keywords":[],"lang":"en"}
`))
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]rag.Answer{
		"q1": {Text: "是五", Retrieved: []rag.Source{{Doc: "b.txt", Text: "四五"}, {Doc: doc, Text: "三四\n五六"}}},
		"q2": {Refusal: rag.Refusal{Reason: rag.NothingRelevant}},
		"q3": {Refusal: rag.Refusal{Reason: rag.NothingRelevant}},
		"q4": {Text: "made up"},
	}
	res, err := Evaluate(context.Background(), qs, func(_ context.Context, q string) (rag.Answer, error) { return answers[q], nil })
	if err != nil {
		t.Fatal(err)
	}
	m := Summarise(res, 5, nil)
	want := Metrics{Answerable: 2, Unanswerable: 2, HitAt1: 0, HitAtK: 0.5, K: 5, MRR: 0.25, RefusalRate: 0.5,
		FalseRefusals: 1, FalseRefusalRate: 0.5, KeywordRecall: 0.5, RefusedUnanswered: 1}
	if m != want {
		t.Errorf("metrics\n got %+v\nwant %+v", m, want)
	}
	zh := Summarise(res, 5, func(r Result) bool { return r.Lang == "zh" })
	if zh.Answerable != 2 || zh.Unanswerable != 0 || math.IsNaN(zh.RefusalRate) {
		t.Errorf("zh metrics: %+v", zh)
	}
	if _, err := ReadSet(strings.NewReader("{bad")); err == nil {
		t.Error("want an error for a malformed line")
	}
}
