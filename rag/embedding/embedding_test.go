package embedding

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/llm"
	"github.com/qabot/qabot/rag/ragtest"
	"github.com/qabot/qabot/seeds"
)

func TestLocalEmbedder(t *testing.T) {
	e := NewLocalEmbedder(256)
	texts := []string{"晋能光伏的TOPCon电池生产线", "晋能光伏的TOPCon电池生产线", "天气预报说明天下雨", "", "？！"}
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs[:3] {
		if len(v) != 256 {
			t.Fatalf("vector %d has %d dims", i, len(v))
		}
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Errorf("vector %d is not normalised: |v|^2 = %f", i, norm)
		}
	}
	if Dot(vecs[0], vecs[1]) < 0.9999 {
		t.Error("same text, different vectors: not deterministic")
	}
	related, _ := e.Embed(context.Background(), []string{"TOPCon电池生产线有多长"})
	if Dot(vecs[0], related[0]) <= Dot(vecs[2], related[0]) {
		t.Error("a related text is not closer than an unrelated one")
	}
	if !IsZero(vecs[3]) || !IsZero(vecs[4]) {
		t.Error("text without terms should give a zero vector")
	}
	if e.ID() == NewLocalEmbedder(512).ID() {
		t.Error("embedders of different dimensions share an ID")
	}
}

func TestLocalEmbedderCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewLocalEmbedder(0).Embed(ctx, []string{"文本"}); err == nil {
		t.Fatal("want an error from a cancelled context")
	}
}

func BenchmarkLocalEmbed(b *testing.B) {
	loaded, err := document.LoadArticles(context.Background(), document.Corpus{Name: "seeds", FS: seeds.FS}, nil)
	if err != nil {
		b.Fatal(err)
	}
	arts := loaded.Articles
	texts := make([]string, len(arts))
	runes := 0
	for i, a := range arts {
		texts[i] = a.Text
		runes += document.RuneLen(a.Text)
	}
	e := NewLocalEmbedder(0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(runes*b.N)/b.Elapsed().Seconds(), "chars/s")
}

func TestOpenAIEmbedder(t *testing.T) {
	model := ragtest.NewModel(t, nil)
	cfg := llm.ModelConfig{BaseURL: model.URL, Model: "fake-embed", Timeout: 2 * time.Second}
	e, err := NewOpenAIEmbedder(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.Dim() != model.Dim || !strings.Contains(e.ID(), "fake-embed") {
		t.Errorf("dim %d id %q", e.Dim(), e.ID())
	}
	texts := make([]string, embedBatch+6)
	for i := range texts {
		texts[i] = fmt.Sprintf("第%d段文字", i)
	}
	vecs, err := e.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	for _, v := range vecs {
		var norm float64
		for _, x := range v {
			norm += float64(x * x)
		}
		if norm < 0.999 || norm > 1.001 {
			t.Fatalf("vector not normalised: |v|² = %f", norm)
		}
	}
	if n := len(model.Embeds()); n != 3 { // the probe and two batches
		t.Errorf("%d embedding requests, want 3", n)
	}
	if _, err := NewOpenAIEmbedder(t.Context(), llm.ModelConfig{BaseURL: model.URL + "/nope", Timeout: time.Second}); err == nil ||
		!strings.Contains(err.Error(), "embedding.base_url") {
		t.Errorf("wrong base URL: got %v", err)
	}
}

// Embedding inputs are cut to the model's window, when the server says it.
func TestFitTokens(t *testing.T) {
	long := strings.Repeat("生产线全长四百米。", 100)
	if got := fitTokens(long, 0); got != long {
		t.Error("no window: the text was cut")
	}
	got := fitTokens(long, 512)
	if n := llm.EstimateTokens(got); n > 512-8 || n < 400 || !strings.HasPrefix(long, got) {
		t.Errorf("cut to %d tokens", n)
	}
}

// Dot's four running sums add up to the sum of the products, whatever the
// length: a multiple of four or not.
func TestDotSumsEveryProduct(t *testing.T) {
	for n := range 11 {
		a, b := make([]float32, n), make([]float32, n)
		want := 0.0
		for i := range n {
			a[i], b[i] = float32(i+1), float32(2*i-3)
			want += float64(i+1) * float64(2*i-3)
		}
		if got := Dot(a, b); got != want {
			t.Errorf("length %d: Dot = %v, want %v", n, got, want)
		}
	}
}
