package rag

import (
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

func TestOutOfScope(t *testing.T) {
	tests := []struct {
		q    string
		weak bool
		want bool
	}{
		{"给我推荐几家晋中的饭店", false, true},
		{"晋能光伏的组件值得入手吗", false, true},
		{"平遥的牛肉好吃吗", false, true},
		{"晋中哪所中学好", false, true},
		{"太原的夏天熱不熱", false, true}, // Traditional
		{"怎么办理山西的营业执照", false, true},
		{"晋能光伏的组件在哪儿能买到", false, true},
		{"从太原到晋中开发区怎么走", false, true},
		{"晋中数字文化产业园几点关门", false, true},
		{"恒达钢结构招人吗", false, true},
		{"晋中的工厂还招工吗", false, true},
		{"从太原去晋中坐什么车", false, true},
		{"去泰国出差要注意什么", false, true},
		{"长治的夏天热不热", false, true},
		{"太原的面好吃不好吃", false, true},
		{"学新材料专业好找工作吗", false, true}, // prospects
		{"光伏行业现在还景气吗", false, true},
		{"搞跨境电商赚钱吗", false, true},
		{"晋中哪个区最适合买房", false, true}, // a superlative of worth
		{"山西哪个大学的计算机专业最好", false, true},
		{"平遥牛肉哪家最正宗", false, true},
		{"晋中是不是全省第二", false, false}, // 是不是 asks a fact
		{"这个实验室能不能建成", false, false},
		{"晋中要怎么走专精特新之路", false, false}, // a path of policy, not of travel
		{"晋中明天下雨吗", true, true},
		// A question about the present moment that the passages match
		// well is no question of live news.
		{"晋中明天下雨吗", false, false},
		// 推荐 as a noun, 好 in a name, and plain facts are in scope.
		{"三晋英才推荐由谁来做", false, false},
		{"晋中的产业发展势头怎么样", false, false},
		{"晋能光伏的生产线有多长", false, false},
		{"哪家银行是新材料产业合作银行", false, false},
		{"王福西说研发成果有什么样的前景", false, false}, // 前景 reported, not judged
		{"高等教育百亿工程由谁来抓", false, false},
		{"哪个省实验室最早获批", false, false}, // a superlative of fact
	}
	for _, tt := range tests {
		if got := outOfScope(tt.q, tt.weak); got != tt.want {
			t.Errorf("outOfScope(%q, weak=%v) = %v, want %v", tt.q, tt.weak, got, tt.want)
		}
	}
}

// Offline, an opinion question that shares words with the articles is
// refused with the reason; with a model, the model reads the passages.
func TestOpinionRefusedOffline(t *testing.T) {
	const q = "天脊集团的化肥好用吗"
	ans, err := seedAnswerer(t).Ask(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Refused || !strings.Contains(ans.Text, "新闻报道") || len(ans.Sources) != 0 {
		t.Errorf("offline: %+v", ans)
	}
	a, model := llmAnswerer(t, func(openai.ChatCompletionRequest) string { return refusalZH })
	if ans, err = a.Ask(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	if len(model.Chats()) != 1 || !ans.Refused || ans.Mode != ModeLLM {
		t.Errorf("with a model: %d requests, %+v", len(model.Chats()), ans)
	}
}

// Offline, a question that asks how to do, whether there is, or which there are of something
// no passage mentions is refused; one whose thing the passages mention is
// not.
func TestUnknownAsked(t *testing.T) {
	s := openSeeds(t)
	for q, want := range map[string]string{
		"平遥牛肉怎么腌？":             "抱歉，文章中没有讲到怎么腌。",
		"抖音怎么开直播才能火":           "抱歉，文章中没有讲到怎么开直播。",
		"运城有机场吗":               "抱歉，文章中没有提到“机场”。",
		"大同有没有地铁":              "抱歉，文章中没有提到“地铁”。",
		"晋中有没有科技馆":             "抱歉，文章中没有提到“科技馆”。", // 馆 is in no passage, though 科技 is
		"晋能光伏有没有智能化生产线":        "",                 // 化生 is the seam of 智能化 and 生产线
		"山西经纬化纤机械股份有限公司的前身是什么": "",                 // the 么 of 什么 is no 吗
		"晋中有哪些高科技公司":           "",                 // a list may be a paraphrase: only a wholly unknown kind refuses it
		"山西的特产有哪些":             "抱歉，文章中没有提到“特产”。",
		"晋中有哪些新兴产业":            "",
		"新质生产力怎么培育":            "",
		"天脊集团的食堂怎么样":           "", // how it is, not how to do it
		"恒达钢结构以前是咋干活的":         "", // 是…的 asks how something was done
		"晋中有国家级开发区吗":           "",
		"王福西工作室有没有获奖":          "", // stated as 荣获…优秀奖
		"省级重点实验室和创新平台一共有五十八家吗": "", // 58家 is a number the passages hold
	} {
		if got := unknownAsked(q, s.df); got != want {
			t.Errorf("unknownAsked(%q) = %q, want %q", q, got, want)
		}
	}
	a := seedAnswerer(t)
	ans, err := a.Ask(t.Context(), "运城有机场吗")
	if err != nil || !ans.Refused || len(ans.Sources) != 0 {
		t.Errorf("运城有机场吗: %v %+v", err, ans)
	}
}
