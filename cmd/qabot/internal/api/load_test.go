package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/ragtest"
)

// BenchmarkServeLoad: 50 clients ask 20 questions each, at once, over HTTP,
// answered from the seeds by an instant fake model, 8 at a time. Every
// question gets its own answer, once. It reports the 99th percentile of a
// client's wait (latency-p99-ms), the same for the same load put to the
// answerer directly, 8 at a time, without HTTP (bare-p99-ms), the
// difference (added-p99-ms: the goal is under 50 ms), and the heap after
// the run against before (heap-growth-MB).
func BenchmarkServeLoad(b *testing.B) {
	model := ragtest.NewModel(b, func(req openai.ChatCompletionRequest) string {
		user := req.Messages[len(req.Messages)-1].Content
		return "答：" + user[strings.LastIndex(user, "<question>"):] + "[1]"
	})
	a := seedAnswerer(b, model)
	srv := httptest.NewServer(New(Options{Collections: func() ([]string, error) { return []string{"default"}, nil }, Default: "default",
		Open: func(context.Context, string) (Answerer, error) { return a, nil }, Concurrency: 8, RatePerMinute: 100000, MaxQuestionRunes: 2000}).Handler())
	defer srv.Close()
	overHTTP := func(q string) (string, error) {
		resp, raw := post(b, srv.URL+"/v1/ask", "", fmt.Sprintf(`{"question":%q}`, q))
		var got AnswerJSON
		if err := json.Unmarshal(raw, &got); err != nil || resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("HTTP %d %s", resp.StatusCode, raw)
		}
		return got.Answer, nil
	}
	slots := make(chan struct{}, 8)
	direct := func(q string) (string, error) {
		slots <- struct{}{}
		defer func() { <-slots }()
		ans, err := a.Answer(context.Background(), rag.Request{Question: q})
		return ans.Text, err
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var served, bare []time.Duration
	for range b.N {
		served = append(served, load(b, overHTTP)...)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	for range b.N {
		bare = append(bare, load(b, direct)...)
	}
	b.ReportMetric(p99(served), "latency-p99-ms")
	b.ReportMetric(p99(bare), "bare-p99-ms")
	b.ReportMetric(p99(served)-p99(bare), "added-p99-ms")
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/(1<<20), "heap-growth-MB")
}

// load has 50 clients ask 20 distinct questions each through ask, at once,
// checks that each got its own answer, and returns how long each waited.
func load(b *testing.B, ask func(string) (string, error)) []time.Duration {
	const clients, each = 50, 20
	questions := []string{"晋能光伏的TOPCon电池生产线有多长", "新材料产业要打造哪几个集群", "创新平台有多少家", "天脊集团是做什么的"}
	var mu sync.Mutex
	var waits []time.Duration
	answered := map[string]bool{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				q := fmt.Sprintf("%s？（第%d位第%d问）", questions[(c+i)%len(questions)], c, i)
				start := time.Now()
				text, err := ask(q)
				took := time.Since(start)
				mu.Lock()
				if err != nil || !strings.Contains(text, q[len(q)-20:]) || answered[q] {
					b.Errorf("%q: answer %q, %v, answered before %v", q, text, err, answered[q])
				}
				answered[q] = true
				waits = append(waits, took)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(answered) != clients*each {
		b.Fatalf("%d questions answered, want %d", len(answered), clients*each)
	}
	return waits
}

// p99 is the 99th percentile of d, in milliseconds.
func p99(d []time.Duration) float64 {
	slices.Sort(d)
	return float64(d[len(d)*99/100].Microseconds()) / 1000
}
