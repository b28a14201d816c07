package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/go-cmp/cmp"

	"github.com/qabot/qabot/cmd/qabot/internal/api"
	"github.com/qabot/qabot/rag/eval"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/ragtest"
)

type result struct {
	code           int
	stdout, stderr string
}

// qabot runs the CLI in-process with a fresh environment and data dir.
func qabot(t *testing.T, dataDir, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func setup(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "QABOT_") {
			t.Setenv(strings.SplitN(kv, "=", 2)[0], "")
		}
	}
	dir := t.TempDir()
	t.Setenv("QABOT_DATA_DIR", dir)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config file
	for _, name := range []string{"LC_ALL", "LC_MESSAGES"} {
		t.Setenv(name, "")
	}
	t.Setenv("LANG", "en_US.UTF-8") // notices in English, whatever the question
	return dir
}

// Notices follow LANG, else the language of the question asked.
func TestNoticesLanguage(t *testing.T) {
	data := setup(t)
	t.Setenv("LANG", "")
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if !strings.Contains(r.stderr, "首次运行") {
		t.Errorf("a Chinese question without LANG: %q", r.stderr)
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	r = qabot(t, setup2(t), "", "ask", "How long is the line?")
	if !strings.Contains(r.stderr, "首次运行") {
		t.Errorf("LANG=zh_CN: %q", r.stderr)
	}
}

// Offline, a question in another language is declined in words for the
// asker; the operator, on stderr, is told the settings that would answer
// it, once.
func TestDeferredNamesSettingsToOperator(t *testing.T) {
	data := setup(t)
	r := qabot(t, data, "How long is the line?\nWho chairs Jinneng Solar?\n", "ask")
	if r.code != 0 || strings.Contains(r.stdout, "llm.") || !strings.Contains(r.stdout, "ask in Chinese") {
		t.Errorf("stdout: exit %d %q", r.code, r.stdout)
	}
	if strings.Count(r.stderr, "set llm.base_url and llm.model") != 1 {
		t.Errorf("stderr: %q", r.stderr)
	}
}

// setup2 is a second, empty data dir, keeping the environment as it is.
func setup2(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("QABOT_DATA_DIR", dir)
	return dir
}

func TestAskText(t *testing.T) {
	data := setup(t)
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"400米", "[1]", "来源:", "[1] 向「新」而行 以「质」致远\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "000_3b24b94d7914fc5e.txt") {
		t.Errorf("a hash-named file is shown beside the title:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "first run") {
		t.Errorf("first run does not say it is indexing: %q", r.stderr)
	}
	// Second run uses the store as it is.
	r = qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 || strings.Contains(r.stderr, "indexing") {
		t.Errorf("second run: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestAskJSONSchema(t *testing.T) {
	data := setup(t)
	r := qabot(t, data, "新材料产业要打造哪几个集群?\n\n\nWhich team won the Tour de France in 1999?\n", "ask", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %d:\n%s", len(lines), r.stdout)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"answer", "mode", "question", "refused", "sources"}, keys(first)); diff != "" {
		t.Errorf("answer keys (-want +got)\n%s", diff)
	}
	sources := first["sources"].([]any)
	if len(sources) == 0 || len(sources) > 5 {
		t.Fatalf("sources: %d", len(sources))
	}
	src := sources[0].(map[string]any)
	// 004 states its publisher and no date.
	if diff := cmp.Diff([]string{"chunk", "doc", "n", "publisher", "score", "text", "title"}, keys(src)); diff != "" {
		t.Errorf("source keys (-want +got)\n%s", diff)
	}
	for _, s := range sources {
		s := s.(map[string]any)
		if s["doc"] == "001_139d6f125a4d7ad2.txt" && (s["date"] != "2023-07-09" || s["publisher"] != "山西日报") {
			t.Errorf("001's source carries its date and publisher: %v", s)
		}
	}
	if first["mode"] != "extractive" || first["refused"] != false || src["n"].(float64) != 1 || !strings.HasSuffix(src["doc"].(string), ".txt") {
		t.Errorf("unexpected values: %v", first)
	}
	var second answerJSON
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if !second.Refused || second.Sources == nil || len(second.Sources) != 0 || !strings.Contains(lines[1], `"sources":[]`) {
		t.Errorf("unanswerable: %s", lines[1])
	}
}

// Every line of standard input gets its own answer or its own error, whatever
// comes before it: a line with no words, a line of 5 MB.
func TestAskLinesEachAnswered(t *testing.T) {
	data := setup(t)
	huge := strings.Repeat("生产线", 5<<20/9)
	stdin := "晋能光伏的TOPCon电池生产线有多长?\n---\n" + huge + "\n天脊集团董事长叫什么名字?"
	r := qabot(t, data, stdin, "ask", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != exitError || len(lines) != 4 {
		t.Fatalf("exit %d, %d lines; want exit %d and 4 lines\n%s\n%s", r.code, len(lines), exitError, r.stdout, r.stderr)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %.200s", err, l)
		}
		got = append(got, m)
	}
	if !strings.Contains(fmt.Sprint(got[0]["answer"]), "400米") || got[1]["error"] == nil || got[1]["question"] != "---" ||
		got[2]["error"] != nil || !strings.Contains(fmt.Sprint(got[3]["answer"]), "畅学华") {
		t.Errorf("answers: %.300v", got)
	}
	if !strings.Contains(r.stderr, "1 of 4 questions") {
		t.Errorf("stderr does not sum up: %q", r.stderr)
	}
	r = qabot(t, data, "---\n晋能光伏的TOPCon电池生产线有多长?", "ask")
	if r.code != exitError || !strings.Contains(r.stdout, "400米") || !strings.Contains(r.stderr, "line 1") {
		t.Errorf("text mode: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestAskUsageErrors(t *testing.T) {
	data := setup(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
	}{
		{"blank argument", "", []string{"ask", "   "}},
		{"no question on stdin", "\n\n", []string{"ask"}},
		{"punctuation only", "", []string{"ask", "？？"}},
		{"unknown flag", "", []string{"ask", "--nope", "x"}},
		{"top-k zero", "", []string{"--top-k", "0", "ask", "x"}},
		{"eval without file", "", []string{"eval"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := qabot(t, data, tt.stdin, tt.args...)
			if r.code != exitUsage || r.stderr == "" {
				t.Errorf("exit %d, stderr %q; want %d with a message", r.code, r.stderr, exitUsage)
			}
		})
	}
}

func TestIngestCommand(t *testing.T) {
	data := setup(t)
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "good.txt"), []byte("新能源汽车的报道\n新能源汽车销量增长很快。工厂扩大了产能。"), 0o644)
	os.WriteFile(filepath.Join(corpus, "bad.txt"), []byte("\x00\x01\x02"), 0o644)
	loop := ragtest.RawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"}, "")
	os.WriteFile(filepath.Join(corpus, "loop.pdf"), loop, 0o644)
	r := qabot(t, data, "", "ingest", corpus)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d: %s", r.code, exitPartial, r.stderr)
	}
	if !strings.Contains(r.stderr, "bad.txt") || !strings.Contains(r.stderr, "binary") || !strings.Contains(r.stderr, "loop.pdf: not a readable PDF") {
		t.Errorf("stderr does not name the bad files and why: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "1 added") {
		t.Errorf("summary: %q", r.stdout)
	}
	r = qabot(t, data, "", "ask", "--corpus", corpus, "新能源汽车销量怎么样?")
	if r.code != 0 || !strings.Contains(r.stdout, "销量增长很快") {
		t.Errorf("ask on the ingested corpus: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := qabot(t, data, "", "ingest", filepath.Join(corpus, "nope")); r.code != exitUsage {
		t.Errorf("missing folder: exit %d", r.code)
	}
	empty := t.TempDir()
	if r := qabot(t, data, "", "ingest", empty); r.code != exitError || !strings.Contains(r.stderr, "no articles") {
		t.Errorf("empty folder: exit %d %q", r.code, r.stderr)
	}
}

// File names and titles reach the terminal with their control characters
// escaped: an escape sequence does not recolour it, a line end does not
// forge a line of qabot's.
func TestControlCharactersEscaped(t *testing.T) {
	data := setup(t)
	corpus := t.TempDir()
	evil := "evil\x1b[31m\nqabot: all articles were deleted.txt"
	os.WriteFile(filepath.Join(corpus, evil), []byte("\x00\x01\x02"), 0o644)
	os.WriteFile(filepath.Join(corpus, "good.txt"), []byte("新能源\x1b[2J汽车的报道\n新能源汽车销量增长很快。"+strings.Repeat("工厂扩大了产能。", 20)), 0o644)
	r := qabot(t, data, "", "ingest", corpus)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d: %s", r.code, exitPartial, r.stderr)
	}
	ask := qabot(t, data, "", "ask", "新能源汽车销量怎么样?")
	for _, out := range []string{r.stdout, r.stderr, ask.stdout, ask.stderr} {
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\nqabot: all") {
			t.Errorf("a control character printed raw: %q", out)
		}
	}
	if !strings.Contains(r.stderr, `evil\x1b[31m\nqabot: all`) {
		t.Errorf("the file is not named, escaped: %q", r.stderr)
	}
	if !strings.Contains(ask.stdout, "汽车的报道") {
		t.Errorf("the title keeps its text: %q", ask.stdout)
	}
}

// ingestFarm ingests an article about wheat into collection of data.
func ingestFarm(t *testing.T, data, collection string) {
	t.Helper()
	farms := t.TempDir()
	os.WriteFile(filepath.Join(farms, "farm.txt"), []byte("小麦丰收的报道\n今年小麦亩产达到六百公斤。农民收入增加。"), 0o644)
	if r := qabot(t, data, "", "--collection", collection, "ingest", farms); r.code != 0 {
		t.Fatal(r.stderr)
	}
}

// A question asked of a named collection while its first ingest is under
// way waits for it and is answered from what it made.
func TestAskWaitsForFirstIngest(t *testing.T) {
	made := setup(t)
	ingestFarm(t, made, "ce")
	// Another process's first ingest of ce in data: its lock is held, its
	// index not there yet.
	data := t.TempDir()
	dir := index.CollectionDir(data, "ce")
	os.MkdirAll(dir, 0o700)
	lock := flock.New(filepath.Join(dir, "ingest.lock"))
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	asked := make(chan result, 1)
	go func() {
		asked <- qabot(t, data, "", "--data-dir", data, "--collection", "ce", "ask", "小麦亩产多少?")
	}()
	select {
	case r := <-asked:
		t.Fatalf("answered before the ingest ended: %d %s %s", r.code, r.stdout, r.stderr)
	case <-time.After(300 * time.Millisecond):
	}
	// The ingest ends: its index appears, its lock is let go.
	if err := os.CopyFS(dir+".made", os.DirFS(index.CollectionDir(made, "ce"))); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir + ".made")
	for _, e := range entries {
		if e.Name() != "ingest.lock" {
			if err := os.Rename(filepath.Join(dir+".made", e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	lock.Unlock()
	if r := <-asked; r.code != 0 || !strings.Contains(r.stdout, "六百公斤") {
		t.Errorf("after the ingest: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// The collection remembers its articles: after ingest DIR, a plain ask
// answers from DIR, and an ask naming another folder is refused rather than
// replacing the index. Two collections live side by side.
func TestCollections(t *testing.T) {
	data := setup(t)
	cars, farms := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(cars, "cars.txt"), []byte("新能源汽车的报道\n新能源汽车销量增长很快。工厂扩大了产能。"), 0o644)
	os.WriteFile(filepath.Join(farms, "farm.txt"), []byte("小麦丰收的报道\n今年小麦亩产达到六百公斤。农民收入增加。"), 0o644)
	if r := qabot(t, data, "", "ingest", cars); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := qabot(t, data, "", "ask", "新能源汽车销量怎么样?")
	if r.code != 0 || !strings.Contains(r.stdout, "销量增长很快") || strings.Contains(r.stderr, "indexing") {
		t.Errorf("plain ask after ingest DIR: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = qabot(t, data, "", "ask", "--corpus", farms, "小麦亩产多少?")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--collection") {
		t.Errorf("ask with another corpus: exit %d %q", r.code, r.stderr)
	}
	if r := qabot(t, data, "", "--collection", "farms", "ingest", farms); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = qabot(t, data, "", "--collection", "farms", "ask", "小麦亩产多少?")
	if r.code != 0 || !strings.Contains(r.stdout, "六百公斤") {
		t.Errorf("ask the second collection: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = qabot(t, data, "", "ask", "新能源汽车销量怎么样?")
	if !strings.Contains(r.stdout, "销量增长很快") {
		t.Errorf("the first collection changed: %q", r.stdout)
	}
	r = qabot(t, data, "", "collections")
	if r.code != 0 || !strings.Contains(r.stdout, "default *") || !strings.Contains(r.stdout, "farms") || !strings.Contains(r.stdout, farms) {
		t.Errorf("collections:\n%s%s", r.stdout, r.stderr)
	}
	// A plain ingest refreshes the collection from its own folder.
	os.WriteFile(filepath.Join(cars, "more.txt"), []byte("充电桩的报道\n充电桩数量翻了一番。"), 0o644)
	r = qabot(t, data, "", "ingest")
	if r.code != 0 || !strings.Contains(r.stdout, "1 added, 0 updated, 0 removed, 1 unchanged") {
		t.Errorf("plain ingest: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := qabot(t, data, "", "--collection", "../x", "ask", "q"); r.code != exitUsage {
		t.Errorf("bad collection name: exit %d", r.code)
	}
	// A misspelt collection is an error that names the closest, and
	// builds nothing.
	for _, cmd := range [][]string{{"ask", "小麦亩产多少?"}, {"chat"}, {"eval", "../../rag/eval/testdata/questions.jsonl"}} {
		r = qabot(t, data, "", append([]string{"--collection", "farmz"}, cmd...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, `collection "farmz" does not exist`) || !strings.Contains(r.stderr, "did you mean farms?") ||
			!strings.Contains(r.stderr, "ingest DIR creates it") {
			t.Errorf("%s on a misspelt collection: exit %d %q", cmd[0], r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "collections", "farmz")); err == nil {
		t.Error("a misspelt collection was created")
	}
}

func TestAskRebuildsCorruptStore(t *testing.T) {
	data := setup(t)
	if r := qabot(t, data, "", "ingest"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	os.WriteFile(filepath.Join(index.CollectionDir(data, index.DefaultCollection), "CURRENT"), []byte("manifest-garbage\n"), 0o644)
	r := qabot(t, data, "", "ask", "新材料产业的合作银行是哪家银行?")
	if r.code != 0 || !strings.Contains(r.stdout, "晋商银行") || !strings.Contains(r.stderr, "re-indexing") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	// In Chinese the notice names the corpus, then the reason.
	t.Setenv("LANG", "zh_CN.UTF-8")
	os.WriteFile(filepath.Join(index.CollectionDir(data, index.DefaultCollection), "CURRENT"), []byte("manifest-garbage\n"), 0o644)
	r = qabot(t, data, "", "ask", "新材料产业的合作银行是哪家银行?")
	if r.code != 0 || !strings.Contains(r.stderr, "正在重新建立") || strings.Contains(r.stderr, "%!") || !strings.Contains(r.stderr, "的索引…（") {
		t.Errorf("Chinese notice: exit %d\nstderr %s", r.code, r.stderr)
	}
}

// A manifest that counts fewer passages than its segment holds is found by
// doctor and repaired by ingest.
func TestDoctorAndIngestRepairMiscount(t *testing.T) {
	data := setup(t)
	if r := qabot(t, data, "", "ingest"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	dir := index.CollectionDir(data, index.DefaultCollection)
	current, _ := os.ReadFile(filepath.Join(dir, "CURRENT"))
	path := filepath.Join(dir, strings.TrimSpace(string(current)))
	raw, _ := os.ReadFile(path)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, a := range m["articles"].(map[string]any) {
		a.(map[string]any)["chunks"] = a.(map[string]any)["chunks"].(float64) - 1
		break
	}
	raw, _ = json.Marshal(m)
	os.WriteFile(path, raw, 0o644)
	if r := qabot(t, data, "", "doctor"); r.code != exitError || !strings.Contains(r.stdout+r.stderr, "holds more") {
		t.Errorf("doctor on a miscounted manifest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := qabot(t, data, "", "ingest"); r.code != 0 {
		t.Errorf("ingest did not repair: exit %d %s", r.code, r.stderr)
	}
	if r := qabot(t, data, "", "doctor"); r.code != 0 || !strings.Contains(r.stdout, "consistent") {
		t.Errorf("doctor after the repair: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestEvalCommand(t *testing.T) {
	data := setup(t)
	set := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(set, []byte(`{"id":"a","question":"新材料产业的合作银行是哪家银行?","source":"004_ec705541eabdb3bd.txt","evidence":["晋商银行"],"answer_keywords":["晋商银行"],"kind":"fact","lang":"zh"}
{"id":"b","question":"上海的人口有多少?","source":null,"evidence":[],"answer_keywords":[],"kind":"unanswerable","lang":"zh"}
`), 0o644)
	r := qabot(t, data, "", "eval", set)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "hit@1") || !strings.Contains(r.stdout, "1.00") {
		t.Errorf("report:\n%s", r.stdout)
	}
	if m := evalMetrics(t, data, set)["zh"]; m.HitAt1 != 1 || m.RefusalRate != 1 {
		t.Errorf("zh metrics: %+v", m)
	}
}

// evalMetrics runs eval --json on set and returns the metrics per language.
func evalMetrics(t *testing.T, data, set string) map[string]eval.Metrics {
	t.Helper()
	r := qabot(t, data, "", "eval", "--json", set)
	var rep struct {
		Metrics map[string]eval.Metrics `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err, r.stdout, r.stderr)
	}
	return rep.Metrics
}

func TestConfigPrecedenceAndRedaction(t *testing.T) {
	data := setup(t)
	file := filepath.Join(t.TempDir(), "qabot.yaml")
	os.WriteFile(file, []byte("retrieval:\n  top_k: 3\nllm:\n  api_key: sk-from-file-secret\nchunk:\n  size: 200\n"), 0o644)
	t.Setenv("QABOT_RETRIEVAL_TOP_K", "7")
	t.Setenv("QABOT_TELEGRAM_TOKEN", "123456:ABC-secret-token")
	t.Setenv("QABOT_TELEGRAM_ALLOWED_USERS", "11,22")
	t.Setenv("QABOT_LLM_BASE_URL", "http://bob:url-password-secret@127.0.0.1:1/v1?api_key=query-key-secret")
	t.Setenv("QABOT_LLM_MODEL", "m")
	r := qabot(t, data, "", "-v", "config", "--config", file)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"# from " + file, "top_k: 7", "size: 200", "- 11", "- 22", "[redacted]", "data_dir: " + data} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, secret := range []string{"sk-from-file-secret", "ABC-secret-token", "url-password-secret", "query-key-secret"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("secret %q printed", secret)
		}
	}
	r = qabot(t, data, "", "config", "--config", file, "--top-k", "2")
	if !strings.Contains(r.stdout, "top_k: 2") {
		t.Errorf("flag does not win over env:\n%s", r.stdout)
	}
	r = qabot(t, data, "", "config", "--config", filepath.Join(t.TempDir(), "missing.yaml"))
	if r.code != exitError || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("missing config file: exit %d %q", r.code, r.stderr)
	}
	t.Setenv("QABOT_CHUNK_OVERLAP", "500")
	r = qabot(t, data, "", "config")
	if r.code != exitError || !strings.Contains(r.stderr, "chunk.overlap") {
		t.Errorf("invalid value: exit %d %q", r.code, r.stderr)
	}
}

func TestChat(t *testing.T) {
	data := setup(t)
	t.Setenv("LANG", "en_US.UTF-8")
	in := "/help\n晋中的省级创新平台总共多少家?\n/sources\n/sources 1\n/sources 9\n/bogus\n/quit\n这行不会被读到\n"
	r := qabot(t, data, in, "chat")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"/sources N", "58", "[1]", "“", "(/sources N shows source N's whole passage)", "There is no source 9", "unknown command /bogus"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("chat output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "这行不会被读到") {
		t.Error("chat went on after /quit")
	}
	t.Setenv("LANG", "zh_CN.UTF-8")
	r = qabot(t, data, "/help\n/bogus\n", "chat")
	if !strings.Contains(r.stdout, "命令：") || !strings.Contains(r.stdout, "没有这个命令：/bogus") || strings.Contains(r.stdout, "Commands:") {
		t.Errorf("a Chinese locale gets a Chinese chat:\n%s", r.stdout)
	}
}

// qabot version names the build's commit, or says why it cannot (a test
// binary, like go run, records none).
func TestVersion(t *testing.T) {
	r := qabot(t, setup(t), "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "qabot ") || !strings.Contains(r.stdout, "go1.") ||
		!regexp.MustCompile(`\(commit [0-9a-f]{12}|no commit recorded: go run records none`).MatchString(r.stdout) {
		t.Errorf("exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	setup(t)
	r := qabot(t, "", "", "ask", "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Exit status") {
		t.Errorf("help: %d %s", r.code, r.stdout)
	}
}

var _ = context.Background

func TestUsageExitCodes(t *testing.T) {
	data := setup(t)
	for _, args := range [][]string{{"chat", "extra"}, {"config", "x"}, {"ingest", "a", "b"}, {"nosuchcommand"}} {
		if r := qabot(t, data, "", args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, r.code, exitUsage, r.stderr)
		}
	}
}

// qabot ingest URL fetches pages into the collection, cites them with their
// URL, and a plain ingest asks the server whether they changed.
func TestIngestURLs(t *testing.T) {
	data := setup(t)
	var mu sync.Mutex
	var conditional []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conditional = append(conditional, r.Header.Get("If-None-Match"))
		mu.Unlock()
		switch r.URL.Path {
		case "/news/farm.html":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><title>小麦丰收</title></head><body><nav>首页 | 新闻</nav><article><h1>小麦丰收</h1>
<p>今年全省小麦平均亩产达到450公斤，比去年增加12公斤，创历史新高。</p>
<p>农业部门表示，高标准农田建设和良种推广是增产的主要原因，明年将继续扩大推广面积。</p></article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	page := srv.URL + "/news/farm.html"
	r := qabot(t, data, "", "--collection", "web", "ingest", page)
	if r.code == 0 || !strings.Contains(r.stderr, "local or private network") || len(conditional) > 0 {
		t.Fatalf("a loopback page fetched without fetch.allow: exit %d\n%s", r.code, r.stderr)
	}
	t.Setenv("QABOT_FETCH_ALLOW", "127.0.0.1")
	r = qabot(t, data, "", "--collection", "web", "ingest", page, srv.URL+"/missing.html")
	if r.code != 0 || !strings.Contains(r.stderr, "1 fetched") || !strings.Contains(r.stderr, "cannot fetch "+srv.URL+"/missing.html: HTTP 404") {
		t.Fatalf("ingest URLs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = qabot(t, data, "", "--collection", "web", "ask", "--json", "今年小麦亩产多少")
	var got answerJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err, r.stdout, r.stderr)
	}
	if got.Refused || len(got.Sources) == 0 || got.Sources[0].URL != page || !strings.Contains(got.Answer, "450公斤") {
		t.Errorf("answer from the page: %+v", got)
	}
	r = qabot(t, data, "", "--collection", "web", "ingest")
	if r.code != 0 || !strings.Contains(r.stderr, "0 fetched, 1 unchanged") || !strings.Contains(r.stdout, "1 unchanged") {
		t.Errorf("refresh: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if last := conditional[len(conditional)-1]; last != `"v1"` {
		t.Errorf("the refresh did not ask whether the page changed (If-None-Match %q)", last)
	}
}

// A question asked while the first ingest of a folder runs waits for it and
// answers from the folder: it never indexes the seeds over the folder.
func TestAskDuringFirstIngest(t *testing.T) {
	data := setup(t)
	corpus := t.TempDir()
	for i := range 300 {
		text := fmt.Sprintf("第%d号报道\n新能源汽车工厂第%d条生产线投产，年产汽车%d万辆。工厂扩大了产能，销量增长很快。", i, i, i+1)
		os.WriteFile(filepath.Join(corpus, fmt.Sprintf("car%03d.txt", i)), []byte(text), 0o644)
	}
	ingested := make(chan result, 1)
	go func() { ingested <- qabot(t, data, "", "ingest", corpus) }()
	lock := flock.New(filepath.Join(data, "collections", index.DefaultCollection, "ingest.lock"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		ok, err := lock.TryLock() // an error: the collection's folder is not there yet
		if err == nil && !ok {
			break // the ingest holds the collection
		}
		if ok {
			lock.Unlock()
		}
		if time.Now().After(deadline) {
			t.Fatal("the ingest did not start")
		}
	}
	r := qabot(t, data, "", "ask", "新能源汽车销量怎么样?")
	if r.code != 0 || !strings.Contains(r.stdout, "新能源汽车工厂") {
		t.Errorf("ask during the ingest: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := <-ingested; r.code != 0 {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	m, err := index.ReadLiveManifest(filepath.Join(data, "collections", index.DefaultCollection))
	if err != nil || m.Corpus != corpus || len(m.Articles) != 300 {
		t.Errorf("the collection after both: %q, %d articles, %v", m.Corpus, len(m.Articles), err)
	}
}

// answerJSON is the object ask --json prints.
type answerJSON = api.AnswerJSON
