package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/ragtest"
)

// ollama is a real Ollama server (OLLAMA_TEST_BIN; .ci/run builds one) on
// loopback, serving a tiny model written by the test: random weights, so
// its answers are noise, but the protocol, the context window and the
// failures are Ollama's own.
type ollama struct {
	bin, host, log string
	cmd            *exec.Cmd
}

// startOllama starts the server with the models tiny (num_ctx 1024),
// long (an answer that does not end) and broken (a file that cannot be
// loaded); the tests are skipped without a binary.
func startOllama(t *testing.T) *ollama {
	bin := os.Getenv("OLLAMA_TEST_BIN")
	if bin == "" {
		t.Skip("no Ollama to test against: set OLLAMA_TEST_BIN (.ci/run builds one)")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &ollama{bin: bin, host: l.Addr().String(), log: filepath.Join(dir, "serve.log")}
	l.Close()
	logFile, err := os.Create(o.log)
	if err != nil {
		t.Fatal(err)
	}
	o.cmd = exec.Command(bin, "serve")
	o.cmd.Env = append(os.Environ(), "OLLAMA_HOST="+o.host, "OLLAMA_MODELS="+filepath.Join(dir, "models"), "HOME="+dir)
	o.cmd.Stdout, o.cmd.Stderr = logFile, logFile
	if err := o.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		o.cmd.Process.Kill()
		o.cmd.Wait()
		logFile.Close()
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + o.host + "/"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ollama serve did not start:\n%s", o.serverLog())
		}
	}
	model := filepath.Join(dir, "tiny.gguf")
	if err := ragtest.WriteTinyModel(model); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(model)
	os.WriteFile(filepath.Join(dir, "broken.gguf"), raw[:len(raw)/2], 0o644)
	template := `TEMPLATE """{{ range .Messages }}<|{{ .Role }}|>{{ .Content }}
{{ end }}<|assistant|>"""` + "\nPARAMETER temperature 0\nPARAMETER seed 1\n"
	o.create(t, dir, "tiny", "FROM ./tiny.gguf\n"+template+"PARAMETER num_ctx 1024\nPARAMETER num_predict 24\n")
	o.create(t, dir, "long", "FROM ./tiny.gguf\n"+template+"PARAMETER num_ctx 1024\nPARAMETER num_predict 1000000\n")
	o.create(t, dir, "broken", "FROM ./broken.gguf\n"+template)
	return o
}

// create makes a model from a Modelfile, with the ollama CLI.
func (o *ollama) create(t *testing.T, dir, name, modelfile string) {
	path := filepath.Join(dir, name+".Modelfile")
	os.WriteFile(path, []byte(modelfile), 0o644)
	cmd := exec.Command(o.bin, "create", name, "-f", path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+o.host, "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ollama create %s: %v\n%s", name, err, out)
	}
}

func (o *ollama) url() string { return "http://" + o.host + "/v1" }

func (o *ollama) serverLog() string {
	raw, _ := os.ReadFile(o.log)
	return string(raw)
}

// useOllama points llm at the server's model, as a user would: no window
// set, so that qabot learns it from the server.
func useOllama(t *testing.T, o *ollama, model string) {
	t.Setenv("QABOT_LLM_BASE_URL", o.url())
	t.Setenv("QABOT_LLM_MODEL", model)
	t.Setenv("QABOT_LLM_TIMEOUT", "60s")
}

// askJSON asks one question with --json.
func askJSON(t *testing.T, data, q string) (answerJSON, result) {
	r := qabot(t, data, "", "ask", "--json", q)
	var got answerJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %q %q", err, r.stdout, r.stderr)
	}
	return got, r
}

// qabot against a real Ollama: streamed and whole answers, the rewrite of
// a follow-up, embeddings, doctor, model names with and without :latest,
// an unknown model and one that cannot load; prompts fitted to the model's
// small window are never cut by the server.
func TestOllama(t *testing.T) {
	o := startOllama(t)
	data := setup(t)

	t.Run("a streamed answer, its prompt fitted to num_ctx", func(t *testing.T) {
		useOllama(t, o, "tiny")
		got, r := askJSON(t, data, "晋能光伏的TOPCon电池生产线有多长?")
		if got.Mode != rag.ModeLLM || got.Notice != "" || len(got.Sources) == 0 || r.code != 0 {
			t.Errorf("answer: %+v\n%s", got, r.stderr)
		}
		if log := o.serverLog(); strings.Contains(log, "truncating input prompt") {
			t.Errorf("the server cut a prompt qabot fitted to its window:\n%s", log)
		}
	})

	t.Run("the same prompt unfitted is cut by the server", func(t *testing.T) {
		// What the test above guards against: Ollama cuts silently.
		big := strings.Repeat("晋能光伏的生产线全长四百米。", 200)
		body, _ := json.Marshal(map[string]any{"model": "tiny", "messages": []map[string]string{{"role": "user", "content": big}}})
		resp, err := http.Post(o.url()+"/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Usage struct {
				PromptTokens int `json:"prompt_tokens"`
			} `json:"usage"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || out.Usage.PromptTokens > 1024 || !strings.Contains(o.serverLog(), "truncating input prompt") {
			t.Errorf("HTTP %d, %d prompt tokens; the server log does not show the cut", resp.StatusCode, out.Usage.PromptTokens)
		}
	})

	t.Run("a follow-up is rewritten by a whole answer", func(t *testing.T) {
		useOllama(t, o, "tiny")
		_, live, _ := testLibrary(t)
		before := strings.Count(o.serverLog(), `"/v1/chat/completions"`)
		ans, err := live.Answer(t.Context(), rag.Request{Question: "那它有多长？", History: []rag.Turn{{Question: "晋能光伏的生产线在哪里？", Answer: "在晋中[1]。"}}})
		// The tiny model's rewrite is noise, which the articles may not
		// answer: what counts is that the rewrite was asked and answered.
		if err != nil || ans.ModelError != nil || strings.Count(o.serverLog(), `"/v1/chat/completions"`) == before {
			t.Errorf("follow-up: %+v, %v", ans, err)
		}
	})

	t.Run("doctor names the window and where it came from", func(t *testing.T) {
		useOllama(t, o, "tiny")
		r := qabot(t, data, "", "doctor")
		if !strings.Contains(r.stdout, "context window 1024 tokens (Ollama /api/show: num_ctx of the model)") || strings.Contains(r.stdout, "does not list") {
			t.Errorf("doctor:\n%s%s", r.stdout, r.stderr)
		}
	})

	t.Run("the model named with :latest", func(t *testing.T) {
		useOllama(t, o, "tiny:latest")
		if got, r := askJSON(t, data, "晋能光伏的TOPCon电池生产线有多长?"); got.Mode != rag.ModeLLM || got.Notice != "" {
			t.Errorf("answer: %+v\n%s", got, r.stderr)
		}
	})

	t.Run("an unknown model", func(t *testing.T) {
		useOllama(t, o, "no-such-model")
		got, _ := askJSON(t, data, "晋能光伏的TOPCon电池生产线有多长?")
		if got.Mode != rag.ModeExtractive || !strings.Contains(got.Notice, "HTTP 404") || !strings.Contains(got.Notice, "llm.model") || !strings.Contains(got.Answer, "400米") {
			t.Errorf("answer: %+v", got)
		}
		if r := qabot(t, data, "", "doctor"); r.code == 0 || !strings.Contains(r.stdout, "llm.model") {
			t.Errorf("doctor:\n%s", r.stdout)
		}
	})

	t.Run("a model that cannot load", func(t *testing.T) {
		useOllama(t, o, "broken")
		got, _ := askJSON(t, data, "晋能光伏的TOPCon电池生产线有多长?")
		if got.Mode != rag.ModeExtractive || !strings.Contains(got.Notice, "HTTP 500") || !strings.Contains(got.Answer, "400米") {
			t.Errorf("answer: %+v", got)
		}
	})

	t.Run("embeddings", func(t *testing.T) {
		useOllama(t, o, "tiny")
		t.Setenv("QABOT_EMBEDDING_PROVIDER", "openai")
		t.Setenv("QABOT_EMBEDDING_BASE_URL", o.url())
		t.Setenv("QABOT_EMBEDDING_MODEL", "tiny")
		t.Setenv("QABOT_COLLECTION", "ollama-vectors")
		corpus := t.TempDir()
		os.WriteFile(filepath.Join(corpus, "cars.txt"), []byte("新能源汽车的报道\n新能源汽车销量增长很快。工厂扩大了产能。"), 0o644)
		if r := qabot(t, data, "", "ingest", corpus); r.code != 0 {
			t.Fatalf("ingest with Ollama's embeddings: %s", r.stderr)
		}
		if r := qabot(t, data, "", "doctor"); !strings.Contains(r.stdout, "openai:tiny@"+o.url()+", 64 dims") {
			t.Errorf("doctor:\n%s", r.stdout)
		}
	})
}

// firstWrite calls do once, at the first write, then discards.
type firstWrite struct {
	once sync.Once
	do   func()
	buf  bytes.Buffer
	mu   sync.Mutex
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(f.do)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}

// A server that goes away mid-answer: the fragment is marked as broken
// off, and the answer extracted from the articles follows.
func TestOllamaGoneMidStream(t *testing.T) {
	o := startOllama(t)
	setup(t)
	useOllama(t, o, "long")
	out := &firstWrite{do: func() { o.cmd.Process.Kill() }}
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"ask", "晋能光伏的TOPCon电池生产线有多长?"}, strings.NewReader(""), out, &stderr)
	text := out.buf.String()
	if code != 0 || !strings.Contains(text, "以上内容不完整") || !strings.Contains(text, "400米") {
		t.Errorf("exit %d\n%s\n%s", code, text, stderr.String())
	}
}
