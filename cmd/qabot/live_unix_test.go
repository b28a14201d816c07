//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qabot/qabot/cmd/qabot/internal/api"
	"github.com/qabot/qabot/rag"
)

// qabot serve answers from the index a qabot ingest in another process
// makes while it runs, within seconds: new articles are found, removed
// ones no longer quoted.
func TestServeSeesAnotherProcessIngest(t *testing.T) {
	data := setup(t)
	corpus := ingested(t, data)
	addr := freeAddress(t)
	t.Setenv("QABOT_SERVE_LISTEN", addr)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	startServe(ctx, t, addr)
	ask := func(q string) api.AnswerJSON {
		resp, err := http.Post("http://"+addr+"/v1/ask", "application/json", strings.NewReader(`{"question":"`+q+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans api.AnswerJSON
		if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
			t.Fatal(err)
		}
		return ans
	}
	if ans := ask("新能源汽车销量怎么样?"); !strings.Contains(ans.Answer, "销量增长很快") {
		t.Fatalf("before the ingest: %+v", ans)
	}

	os.Remove(filepath.Join(corpus, "cars.txt"))
	os.WriteFile(filepath.Join(corpus, "farm.txt"), []byte("小麦丰收的报道\n今年小麦亩产达到六百公斤。农民收入增加。"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", corpus)
	cmd.Env = append(os.Environ(), "RUN_AS_QABOT=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process's ingest: %v %s", err, out)
	}
	ingested := time.Now()
	for !strings.Contains(ask("小麦亩产多少?").Answer, "六百公斤") {
		if time.Since(ingested) > 15*time.Second {
			t.Fatal("the new article is not found 15 s after the ingest")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("seen %s after the ingest", time.Since(ingested).Round(time.Millisecond))
	if ans := ask("新能源汽车销量怎么样?"); strings.Contains(ans.Answer, "销量增长很快") {
		t.Errorf("a removed article is still quoted: %+v", ans)
	}
}

// The bot's answerer, as qabot telegram makes it, answers from the index
// that a qabot ingest in another process makes while the bot runs.
func TestBotSeesAnotherProcessIngest(t *testing.T) {
	setup(t)
	_, live, _ := testLibrary(t)
	const q = "今年全省小麦平均亩产多少公斤？"
	ask := func() string {
		ans, err := live.Answer(t.Context(), rag.Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		return ans.Text
	}
	if strings.Contains(ask(), "450公斤") {
		t.Fatal("the seeds know about wheat")
	}
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "wheat.txt"), []byte("小麦丰收\n今年全省小麦平均亩产达到450公斤，比去年增加12公斤。"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "ingest", corpus)
	cmd.Env = append(os.Environ(), "RUN_AS_QABOT=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process's ingest: %v %s", err, out)
	}
	for ingested := time.Now(); !strings.Contains(ask(), "450公斤"); time.Sleep(100 * time.Millisecond) {
		if time.Since(ingested) > 15*time.Second {
			t.Fatal("the new article is not found 15 s after the ingest")
		}
	}
}
