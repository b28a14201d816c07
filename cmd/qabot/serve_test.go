package main

import (
	"context"
	"io"
	"net"
	"net/http"
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
	var out, errOut strings.Builder
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut) }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errOut.String())
		}
	}
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
		t.Errorf("exit %d: %s", code, errOut.String())
	}
	if log := errOut.String(); !strings.Contains(log, "loopback only") || strings.Contains(log, secretKey) {
		t.Errorf("log: %s", log)
	}
}
