package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "QABOT_") {
			t.Setenv(strings.SplitN(kv, "=", 2)[0], "")
		}
	}
}

func TestDefaults(t *testing.T) {
	clearEnv(t)
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedding.Provider != "local" || c.Retrieval.TopK != 5 || c.Chunk.Size != 300 || c.LLM.BaseURL != "" || c.DataDir == "" {
		t.Errorf("defaults: %+v", c)
	}
}

// Keys set only in the environment must reach the Config (viper's
// Unmarshal ignores env-only keys unless every key has a default).
func TestEnvOnly(t *testing.T) {
	clearEnv(t)
	env := map[string]string{
		"QABOT_DATA_DIR": "/tmp/x", "QABOT_CORPUS_DIR": "/articles", "QABOT_LLM_BASE_URL": "http://localhost:11434/v1",
		"QABOT_LLM_MODEL": "qwen3", "QABOT_LLM_API_KEY": "k", "QABOT_LLM_TIMEOUT": "45s", "QABOT_EMBEDDING_PROVIDER": "openai",
		"QABOT_EMBEDDING_MODEL": "bge-m3", "QABOT_EMBEDDING_BASE_URL": "http://localhost:11434/v1", "QABOT_TELEGRAM_TOKEN": "t", "QABOT_TELEGRAM_API_URL": "http://127.0.0.1:8081",
		"QABOT_TELEGRAM_ALLOWED_USERS": "1, 2", "QABOT_RETRIEVAL_TOP_K": "8", "QABOT_CHUNK_SIZE": "400", "QABOT_CHUNK_OVERLAP": "40",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/tmp/x" || c.Corpus.Dir != "/articles" || c.LLM.BaseURL != "http://localhost:11434/v1" || c.LLM.Model != "qwen3" ||
		c.LLM.APIKey != "k" || c.LLM.Timeout != 45*time.Second || c.Embedding.Provider != "openai" || c.Embedding.Model != "bge-m3" ||
		c.Telegram.Token != "t" || c.Telegram.APIURL != "http://127.0.0.1:8081" || len(c.Telegram.AllowedUsers) != 2 ||
		c.Telegram.AllowedUsers[1] != 2 || c.Retrieval.TopK != 8 || c.Chunk.Size != 400 || c.Chunk.Overlap != 40 {
		t.Errorf("env-only config not applied: %+v", c)
	}
}

func TestPrecedence(t *testing.T) {
	clearEnv(t)
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte("retrieval:\n  top_k: 3\ndata_dir: /from/file\ncorpus:\n  dir: /file/corpus\n"), 0o644)
	t.Setenv("QABOT_RETRIEVAL_TOP_K", "4")
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Int("top-k", 5, "")
	fs.String("data-dir", "", "")
	fs.Parse([]string{"--top-k", "9"})
	c, err := Load(file, fs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retrieval.TopK != 9 || c.DataDir != "/from/file" || c.Corpus.Dir != "/file/corpus" {
		t.Errorf("flag > env > file broken: %+v", c)
	}
	c, _ = Load(file, nil)
	if c.Retrieval.TopK != 4 {
		t.Errorf("env does not win over file: %d", c.Retrieval.TopK)
	}
}

func TestInvalid(t *testing.T) {
	tests := map[string]string{
		"QABOT_CHUNK_SIZE":               "5",
		"QABOT_RETRIEVAL_TOP_K":          "0",
		"QABOT_LLM_TIMEOUT":              "-1s",
		"QABOT_EMBEDDING_PROVIDER":       "magic",
		"QABOT_RETRIEVAL_MIN_RELEVANCE":  "2",
		"QABOT_LLM_BASE_URL":             "localhost:11434",
		"QABOT_LLM_MAX_TOKENS":           "0",
		"QABOT_EMBEDDING_TIMEOUT":        "0s",
		"QABOT_TELEGRAM_WEBHOOK_URL":     "http://example.org/hook",
		"QABOT_TELEGRAM_RATE_PER_MINUTE": "0",
	}
	for k, v := range tests {
		t.Run(k, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(k, v)
			t.Setenv("QABOT_LLM_MODEL", "m") // so that llm.base_url is judged on its own
			_, err := Load("", nil)
			key := strings.ToLower(strings.Replace(strings.TrimPrefix(k, "QABOT_"), "_", ".", 1))
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("err = %v, want one naming %s", err, key)
			}
		})
	}
	clearEnv(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("retrieval: [\n"), 0o644)
	if _, err := Load(bad, nil); err == nil {
		t.Error("malformed YAML accepted")
	}
	t.Setenv("QABOT_LLM_BASE_URL", "http://localhost:11434/v1")
	if _, err := Load("", nil); err == nil || !strings.Contains(err.Error(), "llm.model") {
		t.Errorf("llm.base_url without llm.model: %v", err)
	}
	clearEnv(t)
	t.Setenv("QABOT_EMBEDDING_PROVIDER", "openai")
	if _, err := Load("", nil); err == nil || !strings.Contains(err.Error(), "embedding.base_url") {
		t.Errorf("embedding.provider openai without a base URL: %v", err)
	}
}

func TestRedacted(t *testing.T) {
	c := Config{LLM: LLM{APIKey: "sk-1"}, Embedding: Embedding{APIKey: "sk-2"}, Telegram: Telegram{Token: "123:abc", WebhookSecret: "s3"}}
	r := c.Redacted()
	if r.LLM.APIKey == "sk-1" || r.Embedding.APIKey == "sk-2" || r.Telegram.Token == "123:abc" || r.Telegram.WebhookSecret == "s3" {
		t.Errorf("secrets left: %+v", r)
	}
	if c.LLM.APIKey != "sk-1" {
		t.Error("Redacted changed the original")
	}
	c.LLM.BaseURL = "https://bob:hunter2@llm.example.org/v1?api_key=sk-3&api-version=2024-06-01"
	c.Embedding.BaseURL = "http://10.0.0.5:8000/v1?token=t0k"
	r = c.Redacted()
	for _, secret := range []string{"hunter2", "sk-3", "t0k"} {
		if strings.Contains(r.LLM.BaseURL+r.Embedding.BaseURL, secret) {
			t.Errorf("%q left in %s %s", secret, r.LLM.BaseURL, r.Embedding.BaseURL)
		}
	}
	if !strings.Contains(r.LLM.BaseURL, "bob:xxxxx@llm.example.org/v1") || !strings.Contains(r.LLM.BaseURL, "api-version=2024-06-01") {
		t.Errorf("redacted too much: %s", r.LLM.BaseURL)
	}
	if (Config{}).Redacted().LLM.APIKey != "" {
		t.Error("an unset key should stay empty")
	}
}

// Config mistakes get one line that names the key and the fix.
func TestConfigErrorsReadable(t *testing.T) {
	dir, files := t.TempDir(), 0
	file := func(yaml string) string {
		files++
		f := filepath.Join(dir, fmt.Sprintf("c%d.yaml", files))
		os.WriteFile(f, []byte(yaml), 0o644)
		return f
	}
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"duration without unit", "", map[string]string{"QABOT_LLM_TIMEOUT": "5"}, `llm.timeout: "5" needs a unit, e.g. 5s`},
		{"not a duration", "", map[string]string{"QABOT_LLM_TIMEOUT": "soon"}, `llm.timeout: "soon" is not a duration such as 30s, 1m30s or 2m`},
		{"not a number", "", map[string]string{"QABOT_RETRIEVAL_TOP_K": "abc"}, `retrieval.top_k: "abc" is not a valid int`},
		{"misspelt env", "", map[string]string{"QABOT_LLM_MODLE": "x"}, `environment: unknown setting QABOT_LLM_MODLE (did you mean QABOT_LLM_MODEL?)`},
		{"misspelt key", file("llm:\n  modle: x\n"), nil, `unknown setting llm.modle (did you mean llm.model?)`},
		{"key without underscore", file("retrieval:\n  topk: 3\n"), nil, `unknown setting retrieval.topk (did you mean retrieval.top_k?)`},
		{"misspelt section", file("telegarm:\n  token: x\n"), nil, `unknown setting telegarm.token (did you mean telegram.token?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := Load(tt.file, nil)
			if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("got %v\nwant …%s", err, tt.want)
			}
		})
	}
}

// With no --config, ./qabot.yaml is read, else the user's config dir's
// qabot/config.yaml; Config.File says which.
func TestDefaultConfigFile(t *testing.T) {
	cwd, home := t.TempDir(), t.TempDir()
	t.Chdir(cwd)
	t.Setenv("XDG_CONFIG_HOME", home)
	os.MkdirAll(filepath.Join(home, "qabot"), 0o755)
	os.WriteFile(filepath.Join(home, "qabot", "config.yaml"), []byte("retrieval:\n  top_k: 4\n"), 0o644)
	c, err := Load("", nil)
	if err != nil || c.Retrieval.TopK != 4 || c.File != filepath.Join(home, "qabot", "config.yaml") {
		t.Errorf("user config: %v %d %q", err, c.Retrieval.TopK, c.File)
	}
	os.WriteFile(filepath.Join(cwd, "qabot.yaml"), []byte("retrieval:\n  top_k: 3\n"), 0o644)
	c, err = Load("", nil)
	if err != nil || c.Retrieval.TopK != 3 || c.File != "qabot.yaml" {
		t.Errorf("./qabot.yaml: %v %d %q", err, c.Retrieval.TopK, c.File)
	}
}

// Every setting has its default in Default, and loading nothing gives it.
func TestDefaultsInOnePlace(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.DataDir = c.DataDir
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Load with nothing set differs from Default (-want +got):\n%s", diff)
	}
	if n := len(defaults()); n != 53 {
		t.Errorf("%d keys; a new field needs a mapstructure tag", n)
	}
}

// A secret pasted with spaces or a newline around it is trimmed, and one
// that holds a character a URL escapes is redacted in its escaped forms.
func TestSecretsTrimmedAndRedacted(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("QABOT_TELEGRAM_TOKEN", " 123456:ABCdef \n")
	t.Setenv("QABOT_LLM_API_KEY", "sk-key\t")
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "123456:ABCdef" || c.LLM.APIKey != "sk-key" {
		t.Errorf("not trimmed: %q %q", c.Telegram.Token, c.LLM.APIKey)
	}
	const secret = "12:A b/c+d"
	for _, msg := range []string{
		"Post https://api.telegram.org/bot12:A b/c+d/getMe: refused",
		"Post https://api.telegram.org/bot12:A%20b%2Fc+d/getMe: refused",
		"Get https://x/v1?key=12%3AA+b%2Fc%2Bd: refused",
	} {
		if got := Redact(msg, secret); strings.Contains(got, "A b") || strings.Contains(got, "A%20b") || strings.Contains(got, "A+b") || !strings.Contains(got, "[redacted]") {
			t.Errorf("%q → %q", msg, got)
		}
	}
	if got := Redact("nothing secret", ""); got != "nothing secret" {
		t.Errorf("an empty secret: %q", got)
	}
}
