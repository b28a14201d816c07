// Package config loads qabot's settings from a YAML file, QABOT_*
// environment variables and command-line flags (flags win over the
// environment, which wins over the file) into a typed, validated Config.
// It is the only package that imports viper.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is qabot's effective configuration.
type Config struct {
	// File is the config file read, if any (not a setting).
	File    string `mapstructure:"-" yaml:"-"`
	DataDir string `mapstructure:"data_dir" yaml:"data_dir"`
	// Collection names the index in DataDir that commands use; a Telegram
	// bot serves one collection.
	Collection string    `mapstructure:"collection" yaml:"collection"`
	Corpus     Corpus    `mapstructure:"corpus" yaml:"corpus"`
	Chunk      Chunk     `mapstructure:"chunk" yaml:"chunk"`
	Embedding  Embedding `mapstructure:"embedding" yaml:"embedding"`
	LLM        LLM       `mapstructure:"llm" yaml:"llm"`
	Telegram   Telegram  `mapstructure:"telegram" yaml:"telegram"`
	Retrieval  Retrieval `mapstructure:"retrieval" yaml:"retrieval"`
	Store      Store     `mapstructure:"store" yaml:"store"`
	Weaviate   Weaviate  `mapstructure:"weaviate" yaml:"weaviate"`
	Fetch      Fetch     `mapstructure:"fetch" yaml:"fetch"`
	// Transcription is the speech-to-text server for Telegram voice
	// questions; no BaseURL means voice is not enabled.
	Transcription Transcription `mapstructure:"transcription" yaml:"transcription"`
	Serve         Serve         `mapstructure:"serve" yaml:"serve"`
}

// Store selects where a collection's vectors live: "local" (in memory,
// from the data dir; the default) or "weaviate".
type Store struct {
	Backend string `mapstructure:"backend" yaml:"backend"`
}

// Weaviate is the server of the weaviate store backend.
type Weaviate struct {
	URL    string `mapstructure:"url" yaml:"url"`
	APIKey string `mapstructure:"api_key" yaml:"api_key"`
	// ConsistencyLevel is that of writes: ONE, QUORUM or ALL.
	ConsistencyLevel string `mapstructure:"consistency_level" yaml:"consistency_level"`
	// ReplicationFactor is given to the classes qabot creates.
	ReplicationFactor int           `mapstructure:"replication_factor" yaml:"replication_factor"`
	Timeout           time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// Serve configures qabot serve, the HTTP API.
type Serve struct {
	// Listen is the address served; without APIKeys it must be loopback.
	Listen string `mapstructure:"listen" yaml:"listen"`
	// APIKeys are the keys clients present (Authorization: Bearer KEY).
	APIKeys []string `mapstructure:"api_keys" yaml:"api_keys"`
	// Concurrency bounds the questions answered at once; RatePerMinute the
	// questions of one key (or address) a minute.
	Concurrency   int `mapstructure:"concurrency" yaml:"concurrency"`
	RatePerMinute int `mapstructure:"rate_per_minute" yaml:"rate_per_minute"`
}

// Transcription is an OpenAI-compatible /v1/audio/transcriptions server
// (whisper.cpp's server, faster-whisper-server, vLLM, OpenAI).
type Transcription struct {
	BaseURL string        `mapstructure:"base_url" yaml:"base_url"`
	Model   string        `mapstructure:"model" yaml:"model"`
	APIKey  string        `mapstructure:"api_key" yaml:"api_key"`
	Timeout time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// Fetch configures the fetching of web pages.
type Fetch struct {
	// Allow lists the hosts, addresses and ranges (10.0.0.0/8) on local or
	// private networks that pages may be fetched from; none by default.
	Allow []string `mapstructure:"allow" yaml:"allow"`
}

// Corpus says where the articles are; an empty Dir means the embedded seeds.
type Corpus struct {
	Dir string `mapstructure:"dir" yaml:"dir"`
	// PDFMemoryMB caps the memory of the sandbox that reads a PDF.
	PDFMemoryMB int `mapstructure:"pdf_memory_mb" yaml:"pdf_memory_mb"`
}

// Chunk sets passage size and overlap, in runes.
type Chunk struct {
	Size    int `mapstructure:"size" yaml:"size"`
	Overlap int `mapstructure:"overlap" yaml:"overlap"`
}

// Embedding selects the embedder: "local" (default, offline) or "openai"
// (any OpenAI-compatible /v1/embeddings server).
type Embedding struct {
	Provider string        `mapstructure:"provider" yaml:"provider"`
	BaseURL  string        `mapstructure:"base_url" yaml:"base_url"`
	Model    string        `mapstructure:"model" yaml:"model"`
	APIKey   string        `mapstructure:"api_key" yaml:"api_key"`
	Timeout  time.Duration `mapstructure:"timeout" yaml:"timeout"`
}

// LLM is the OpenAI-compatible chat model; no BaseURL means extractive answers.
type LLM struct {
	BaseURL     string        `mapstructure:"base_url" yaml:"base_url"`
	Model       string        `mapstructure:"model" yaml:"model"`
	APIKey      string        `mapstructure:"api_key" yaml:"api_key"`
	Timeout     time.Duration `mapstructure:"timeout" yaml:"timeout"`
	Temperature float64       `mapstructure:"temperature" yaml:"temperature"`
	MaxTokens   int           `mapstructure:"max_tokens" yaml:"max_tokens"`
	// ContextTokens is the model's context window, in tokens: prompts are
	// fitted to it, with room for max_tokens. 0: ask the server (Ollama,
	// llama.cpp, vLLM say), else 4096.
	ContextTokens int `mapstructure:"context_tokens" yaml:"context_tokens"`
	// Retries bounds how often a request refused with 429 or 5xx, or that
	// could not connect, is tried again.
	Retries int `mapstructure:"retries" yaml:"retries"`
	// DisableThinking turns off "thinking" of Qwen3-style models served by
	// vLLM or llama.cpp (chat_template_kwargs); OpenAI rejects it.
	DisableThinking bool `mapstructure:"disable_thinking" yaml:"disable_thinking"`
	// Passages is how many passages the model is given (at least
	// retrieval.top_k): it reads them all, and the answer is more often
	// among 8 than among 5.
	Passages int `mapstructure:"passages" yaml:"passages"`
}

// Telegram configures the bot.
type Telegram struct {
	Token        string  `mapstructure:"token" yaml:"token"`
	APIURL       string  `mapstructure:"api_url" yaml:"api_url"`
	AllowedUsers []int64 `mapstructure:"allowed_users" yaml:"allowed_users"`
	AllowedChats []int64 `mapstructure:"allowed_chats" yaml:"allowed_chats"`
	// Admins may add articles to the bot's collection (documents, URLs)
	// and remove them (/forget).
	Admins []int64 `mapstructure:"admins" yaml:"admins"`
	// Collections are the collections of the data dir that chats may
	// switch to with /kb, beside the bot's own (collection).
	Collections []string `mapstructure:"collections" yaml:"collections"`
	// WebhookURL switches from long polling to a webhook: the public HTTPS
	// URL Telegram posts updates to; the bot listens on Listen.
	WebhookURL    string `mapstructure:"webhook_url" yaml:"webhook_url"`
	Listen        string `mapstructure:"listen" yaml:"listen"`
	WebhookSecret string `mapstructure:"webhook_secret" yaml:"webhook_secret"`
	// RatePerMinute is how many questions one user may ask per minute.
	RatePerMinute int `mapstructure:"rate_per_minute" yaml:"rate_per_minute"`
	// MaxQuestionRunes is the longest question accepted.
	MaxQuestionRunes int `mapstructure:"max_question_runes" yaml:"max_question_runes"`
	// Concurrency bounds how many questions are answered at once.
	Concurrency int `mapstructure:"concurrency" yaml:"concurrency"`
	// HistoryTTL is how long conversations, source buttons and rate limits
	// are kept in the bot's state file across restarts.
	HistoryTTL time.Duration `mapstructure:"history_ttl" yaml:"history_ttl"`
	// MetricsListen, when set, serves Prometheus metrics on this address
	// (/metrics).
	MetricsListen string `mapstructure:"metrics_listen" yaml:"metrics_listen"`
}

// Retrieval tunes the search.
type Retrieval struct {
	TopK         int     `mapstructure:"top_k" yaml:"top_k"`
	MinRelevance float64 `mapstructure:"min_relevance" yaml:"min_relevance"`
	// MinSimilarity is the dense (cosine) floor for a neural embedder.
	MinSimilarity float64 `mapstructure:"min_similarity" yaml:"min_similarity"`
}

// Default is the configuration with nothing set: the embedded seeds, the
// local embedder, extractive answers. It is the one place defaults live;
// viper's defaults, the list of known keys and the bot's settings derive
// from it.
func Default() Config {
	return Config{
		Collection: "default",
		Corpus:     Corpus{PDFMemoryMB: 192},
		Chunk:      Chunk{Size: 300, Overlap: 60},
		Embedding:  Embedding{Provider: "local", Timeout: 30 * time.Second},
		LLM:        LLM{Timeout: 60 * time.Second, Temperature: 0.2, MaxTokens: 1024, Retries: 2, Passages: 8},
		Telegram: Telegram{APIURL: "https://api.telegram.org", AllowedUsers: []int64{}, AllowedChats: []int64{}, Admins: []int64{}, Collections: []string{},
			Listen: ":8443", RatePerMinute: 10, MaxQuestionRunes: 1000, Concurrency: 8, HistoryTTL: 7 * 24 * time.Hour},
		Retrieval:     Retrieval{TopK: 5, MinRelevance: 0.08, MinSimilarity: 0.5},
		Store:         Store{Backend: "local"},
		Weaviate:      Weaviate{ConsistencyLevel: "QUORUM", ReplicationFactor: 1, Timeout: 30 * time.Second},
		Fetch:         Fetch{Allow: []string{}},
		Transcription: Transcription{Model: "whisper-1", Timeout: 60 * time.Second},
		Serve:         Serve{Listen: "127.0.0.1:8080", APIKeys: []string{}, Concurrency: 8, RatePerMinute: 60},
	}
}

// defaults lists every key (as in the YAML file: llm.base_url) with its
// default, from Default. Every key must be known to viper: its Unmarshal
// ignores keys that are set only in the environment otherwise.
func defaults() map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			tag := v.Type().Field(i).Tag.Get("mapstructure")
			if tag == "-" {
				continue
			}
			key := prefix + tag
			if f := v.Field(i); f.Kind() == reflect.Struct {
				walk(key+".", f)
			} else {
				out[key] = f.Interface()
			}
		}
	}
	walk("", reflect.ValueOf(Default()))
	return out
}

// checkKeys fails on a key that is not one of known, naming the closest
// known one: a misspelt key would otherwise be ignored in silence. name
// turns a key into what the user wrote (the env variable's name).
func checkKeys(keys []string, known map[string]any, where string, name func(string) string) error {
	for _, k := range keys {
		if _, ok := known[k]; ok || isSection(k, known) {
			continue
		}
		msg := fmt.Sprintf("%s: unknown setting %s", where, name(k))
		if near := Nearest(k, slices.Collect(maps.Keys(known))); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", name(near))
		}
		return errors.New(msg)
	}
	return nil
}

// isSection reports whether k names a section of known keys (llm), which a
// YAML file may set to nothing.
func isSection(k string, known map[string]any) bool {
	for key := range known {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// Nearest is the name among names closest to k in edit distance, when it
// is within three edits; else "".
func Nearest(k string, names []string) string {
	best, bestDist := "", 4
	for _, name := range names {
		if d := levenshtein.ComputeDistance(k, name); d < bestDist || d == bestDist && name < best {
			best, bestDist = name, d
		}
	}
	return best
}

// envName is the environment variable of a key: QABOT_LLM_BASE_URL.
func envName(key string) string {
	return "QABOT_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// envKeys are the keys of the QABOT_* variables in the environment, as
// keys (QABOT_LLM_MODLE → llm_modle is matched against llm.model's
// variable name).
func envKeys(known map[string]any) []string {
	byEnv := map[string]string{}
	for k := range known {
		byEnv[envName(k)] = k
	}
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "QABOT_") {
			continue
		}
		if k, ok := byEnv[name]; ok {
			out = append(out, k)
		} else {
			out = append(out, strings.ToLower(strings.TrimPrefix(name, "QABOT_")))
		}
	}
	sort.Strings(out)
	return out
}

// FlagKeys maps command-line flag names to config keys.
var FlagKeys = map[string]string{
	"data-dir":   "data_dir",
	"collection": "collection",
	"corpus":     "corpus.dir",
	"top-k":      "retrieval.top_k",
}

// DefaultFiles are the config files read when no --config is given, the
// first that exists: ./qabot.yaml, then qabot/config.yaml in the user's
// config dir ($XDG_CONFIG_HOME, ~/.config).
func DefaultFiles() []string {
	files := []string{"qabot.yaml"}
	if dir, err := os.UserConfigDir(); err == nil {
		files = append(files, filepath.Join(dir, "qabot", "config.yaml"))
	}
	return files
}

// Load reads the config file (file, else the first of DefaultFiles that
// exists), the QABOT_* environment and the flags of fs that are named in
// FlagKeys and were set.
func Load(file string, flags *pflag.FlagSet) (Config, error) {
	if file == "" {
		for _, f := range DefaultFiles() {
			if info, err := os.Stat(f); err == nil && info.Mode().IsRegular() {
				file = f
				break
			}
		}
	}
	v := viper.New()
	for k, d := range defaults() {
		if dur, ok := d.(time.Duration); ok {
			d = dur.String()
		}
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("QABOT")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	known := defaults()
	if err := checkKeys(envKeys(known), known, "environment", func(k string) string {
		if _, ok := known[k]; ok {
			return envName(k)
		}
		return "QABOT_" + strings.ToUpper(k)
	}); err != nil {
		return Config{}, err
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return Config{}, fmt.Errorf("config file %s does not exist", file)
			}
			return Config{}, fmt.Errorf("config file %s: %w", file, err)
		}
		onlyFile := viper.New()
		onlyFile.SetConfigFile(file)
		onlyFile.SetConfigType("yaml")
		if err := onlyFile.ReadInConfig(); err == nil {
			if err := checkKeys(onlyFile.AllKeys(), known, "config file "+file, func(k string) string { return k }); err != nil {
				return Config{}, err
			}
		}
	}
	if flags != nil {
		for name, key := range FlagKeys {
			if f := flags.Lookup(name); f != nil && f.Changed {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, err
				}
			}
		}
	}
	var c Config
	err := v.Unmarshal(&c, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(
		durationHook,
		commaListHook,
	)))
	if err != nil {
		return Config{}, readable(err)
	}
	// A secret pasted with a space or a newline around it still works, and
	// is not sent, escaped, in request URLs.
	for _, s := range c.secrets() {
		*s = strings.TrimSpace(*s)
	}
	for i, k := range c.Serve.APIKeys {
		c.Serve.APIKeys[i] = strings.TrimSpace(k)
	}
	if c.DataDir == "" {
		c.DataDir = defaultDataDir()
	}
	c.File = file
	return c, c.Validate()
}

// durationHook reads a duration such as 30s or 2m, saying what is wrong
// with one that is not.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to != reflect.TypeOf(time.Duration(0)) {
		return data, nil
	}
	text := strings.TrimSpace(data.(string))
	d, err := time.ParseDuration(text)
	if err == nil {
		return d, nil
	}
	if _, isNumber := strconv.ParseFloat(text, 64); isNumber == nil {
		return nil, fmt.Errorf("%q needs a unit, e.g. %ss", text, text)
	}
	return nil, fmt.Errorf("%q is not a duration such as 30s, 1m30s or 2m", text)
}

// readable words a decoding error as "key: what is wrong", without the
// decoder's framing.
func readable(err error) error {
	var de *mapstructure.DecodeError
	if !errors.As(err, &de) {
		return fmt.Errorf("config: %w", err)
	}
	cause := de.Unwrap()
	var pe *mapstructure.ParseError
	if errors.As(cause, &pe) {
		cause = fmt.Errorf("%q is not a valid %s", fmt.Sprint(pe.Value), pe.Expected.Type())
	}
	return fmt.Errorf("%s: %w", de.Name(), cause)
}

// commaListHook splits a comma-separated string (as environment variables
// give lists, e.g. QABOT_TELEGRAM_ALLOWED_USERS=1,2) for any slice field.
func commaListHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	var out []string
	for _, s := range strings.Split(data.(string), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func defaultDataDir() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "qabot")
	}
	return filepath.Join(os.TempDir(), "qabot")
}

// Validate reports the first setting that cannot work, naming the key.
func (c Config) Validate() error {
	switch {
	case c.Store.Backend != "local" && c.Store.Backend != "weaviate":
		return fmt.Errorf("store.backend must be local or weaviate, got %q", c.Store.Backend)
	case c.Store.Backend == "weaviate" && !isHTTPURL(c.Weaviate.URL):
		return fmt.Errorf("store.backend weaviate needs weaviate.url, an http(s) URL such as http://127.0.0.1:8080, got %q", RedactURL(c.Weaviate.URL))
	case !slices.Contains([]string{"ONE", "QUORUM", "ALL"}, c.Weaviate.ConsistencyLevel):
		return fmt.Errorf("weaviate.consistency_level must be ONE, QUORUM or ALL, got %q", c.Weaviate.ConsistencyLevel)
	case c.Weaviate.ReplicationFactor < 1:
		return fmt.Errorf("weaviate.replication_factor must be at least 1, got %d", c.Weaviate.ReplicationFactor)
	case c.Corpus.PDFMemoryMB < 16 || c.Corpus.PDFMemoryMB > 4096:
		return fmt.Errorf("corpus.pdf_memory_mb must be between 16 and 4096, got %d", c.Corpus.PDFMemoryMB)
	case c.Chunk.Size < 20 || c.Chunk.Size > 10000:
		return fmt.Errorf("chunk.size must be between 20 and 10000 runes, got %d", c.Chunk.Size)
	case c.Chunk.Overlap < 0 || c.Chunk.Overlap >= c.Chunk.Size:
		return fmt.Errorf("chunk.overlap must be at least 0 and less than chunk.size (%d), got %d", c.Chunk.Size, c.Chunk.Overlap)
	case c.Transcription.BaseURL != "" && !isHTTPURL(c.Transcription.BaseURL):
		return fmt.Errorf("transcription.base_url must be an http(s) URL such as http://127.0.0.1:8000/v1, got %q", RedactURL(c.Transcription.BaseURL))
	case c.Transcription.Timeout <= 0:
		return fmt.Errorf("transcription.timeout must be a positive duration such as 60s, got %s", c.Transcription.Timeout)
	case c.LLM.Passages < 1 || c.LLM.Passages > 50:
		return fmt.Errorf("llm.passages must be between 1 and 50, got %d", c.LLM.Passages)
	case c.Retrieval.TopK < 1 || c.Retrieval.TopK > 50:
		return fmt.Errorf("retrieval.top_k must be between 1 and 50, got %d", c.Retrieval.TopK)
	case c.Retrieval.MinRelevance < 0 || c.Retrieval.MinRelevance > 1:
		return fmt.Errorf("retrieval.min_relevance must be between 0 and 1, got %g", c.Retrieval.MinRelevance)
	case c.LLM.Timeout <= 0:
		return fmt.Errorf("llm.timeout must be a positive duration such as 30s, got %s", c.LLM.Timeout)
	case c.LLM.BaseURL != "" && c.LLM.Model == "":
		return errors.New("llm.model must be set when llm.base_url is (e.g. qwen2.5:7b for Ollama, gpt-4o-mini for OpenAI)")
	case c.LLM.BaseURL != "" && !isHTTPURL(c.LLM.BaseURL):
		return fmt.Errorf("llm.base_url must be an http(s) URL such as http://localhost:11434/v1, got %q", RedactURL(c.LLM.BaseURL))
	case c.Serve.Concurrency < 1 || c.Serve.RatePerMinute < 1:
		return fmt.Errorf("serve.concurrency and serve.rate_per_minute must be at least 1, got %d and %d", c.Serve.Concurrency, c.Serve.RatePerMinute)
	case slices.ContainsFunc(c.Serve.APIKeys, func(k string) bool { return len(k) < 16 }):
		return errors.New("serve.api_keys: each key must be at least 16 characters (e.g. openssl rand -hex 24)")
	case c.LLM.ContextTokens != 0 && c.LLM.ContextTokens < 512:
		return fmt.Errorf("llm.context_tokens must be 0 (ask the server) or at least 512, got %d", c.LLM.ContextTokens)
	case c.LLM.MaxTokens < 1 || c.LLM.Retries < 0 || c.LLM.Retries > 10:
		return fmt.Errorf("llm.max_tokens must be positive and llm.retries between 0 and 10, got %d and %d", c.LLM.MaxTokens, c.LLM.Retries)
	case c.Embedding.Provider != "local" && c.Embedding.Provider != "openai":
		return fmt.Errorf("embedding.provider must be local or openai, got %q", c.Embedding.Provider)
	case c.Embedding.Provider == "openai" && (!isHTTPURL(c.Embedding.BaseURL) || c.Embedding.Model == ""):
		return errors.New("embedding.provider openai needs embedding.base_url (an http(s) URL ending in /v1) and embedding.model")
	case c.Embedding.Timeout <= 0:
		return fmt.Errorf("embedding.timeout must be a positive duration such as 30s, got %s", c.Embedding.Timeout)
	case c.Telegram.WebhookURL != "" && !strings.HasPrefix(c.Telegram.WebhookURL, "https://"):
		return fmt.Errorf("telegram.webhook_url must be an https:// URL, got %q", c.Telegram.WebhookURL)
	case c.Telegram.RatePerMinute < 1 || c.Telegram.MaxQuestionRunes < 1 || c.Telegram.Concurrency < 1:
		return errors.New("telegram.rate_per_minute, telegram.max_question_runes and telegram.concurrency must be positive")
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// secretParam matches query parameter names that carry credentials.
var secretParam = regexp.MustCompile(`(?i)key|token|secret|pass|auth|sig|credential`)

// RedactURL hides the credentials a URL may carry: the password of
// user:pass@ and the values of query parameters such as api_key or token.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil && u.RawQuery == "" {
		return s
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if secretParam.MatchString(name) {
				q.Set(name, "redacted")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// secrets are the settings that hold credentials.
func (c *Config) secrets() []*string {
	return []*string{&c.LLM.APIKey, &c.Embedding.APIKey, &c.Telegram.Token, &c.Telegram.WebhookSecret, &c.Weaviate.APIKey, &c.Transcription.APIKey}
}

// Redact takes secret out of s, replacing it with "[redacted]", in every
// form a message can carry it: as it is, and escaped in a URL's path or
// query (a token pasted with a space shows as ABC%20 in a request URL).
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	for _, form := range []string{secret, url.PathEscape(secret), url.QueryEscape(secret)} {
		s = strings.ReplaceAll(s, form, "[redacted]")
	}
	return s
}

// Redacted returns a copy with every secret replaced by "[redacted]", safe
// to print or log.
func (c Config) Redacted() Config {
	for _, s := range c.secrets() {
		if *s != "" {
			*s = "[redacted]"
		}
	}
	keys := make([]string, len(c.Serve.APIKeys))
	for i := range keys {
		keys[i] = "[redacted]"
	}
	c.Serve.APIKeys = keys
	for _, u := range []*string{&c.LLM.BaseURL, &c.Embedding.BaseURL, &c.Telegram.APIURL, &c.Telegram.WebhookURL, &c.Weaviate.URL, &c.Transcription.BaseURL} {
		*u = RedactURL(*u)
	}
	c.Telegram.AllowedUsers = append([]int64(nil), c.Telegram.AllowedUsers...)
	c.Telegram.AllowedChats = append([]int64(nil), c.Telegram.AllowedChats...)
	c.Telegram.Admins = append([]int64(nil), c.Telegram.Admins...)
	return c
}
