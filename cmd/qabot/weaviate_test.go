package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// weaviateURL is the Weaviate server the integration tests use
// (WEAVIATE_TEST_URL; .ci/run starts one); they are skipped without it.
func weaviateURL(t *testing.T) string {
	u := os.Getenv("WEAVIATE_TEST_URL")
	if u == "" {
		t.Skip("no Weaviate to test against: set WEAVIATE_TEST_URL (.ci/run starts one)")
	}
	return u
}

// useWeaviate points the config at Weaviate, for a collection of its own.
func useWeaviate(t *testing.T, url, collection string) {
	t.Setenv("QABOT_STORE_BACKEND", "weaviate")
	t.Setenv("QABOT_WEAVIATE_URL", url)
	t.Setenv("QABOT_COLLECTION", collection)
}

// With store.backend weaviate, ingest writes the passages to Weaviate,
// incrementally, and ask, eval and doctor work the same, with answers of
// the same shape and as good as the local store's.
func TestWeaviateBackend(t *testing.T) {
	url := weaviateURL(t)
	data := setup(t)
	corpus := t.TempDir()
	for _, name := range []string{"000_3b24b94d7914fc5e.txt", "001_139d6f125a4d7ad2.txt", "002_550f0afd9971f0c6.txt", "003_211cf0985dc8e986.txt", "004_ec705541eabdb3bd.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "seeds", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(corpus, name), raw, 0o644)
	}
	collection := "it" + strings.ReplaceAll(filepath.Base(data), "-", "")
	useWeaviate(t, url, collection)
	r := qabot(t, data, "", "ingest", corpus)
	if r.code != 0 || !strings.Contains(r.stderr, "weaviate: 5 articles written") {
		t.Fatalf("ingest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = qabot(t, data, "", "ask", "--json", "晋能光伏的TOPCon电池生产线有多长?")
	var got answerJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err, r.stdout, r.stderr)
	}
	if got.Refused || !strings.Contains(got.Answer, "400米") || len(got.Sources) == 0 || got.Sources[0].Doc != "000_3b24b94d7914fc5e.txt" {
		t.Errorf("answer: %+v", got)
	}
	if r := qabot(t, data, "", "doctor"); !strings.Contains(r.stdout, "with 61 passages") {
		t.Errorf("doctor:\n%s", r.stdout)
	}

	// Changing one article writes that one again, and nothing else.
	path := filepath.Join(corpus, "003_211cf0985dc8e986.txt")
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, append(raw, []byte("\n晋中市新增一家省级重点实验室。")...), 0o644)
	r = qabot(t, data, "", "ingest")
	if r.code != 0 || !strings.Contains(r.stderr, "weaviate: 1 articles written, 0 removed") {
		t.Errorf("re-ingest: exit %d\n%s", r.code, r.stderr)
	}
	os.Remove(path)
	r = qabot(t, data, "", "ingest")
	if r.code != 0 || !strings.Contains(r.stderr, "0 articles written, 1 removed") {
		t.Errorf("removal: exit %d\n%s", r.code, r.stderr)
	}

	os.WriteFile(path, raw, 0o644)
	if r := qabot(t, data, "", "ingest"); r.code != 0 || !strings.Contains(r.stderr, "1 articles written") {
		t.Errorf("restore: exit %d\n%s", r.code, r.stderr)
	}

	// As good as the local store on the development questions.
	for _, set := range []string{"../../rag/testdata/eval/own-dev.jsonl", "../../../shared/eval/questions-v2.jsonl"} {
		if _, err := os.Stat(set); err != nil {
			continue
		}
		hit := func(backend string) float64 {
			t.Setenv("QABOT_STORE_BACKEND", backend)
			r := qabot(t, data, "", "eval", "--json", set)
			var res struct {
				Metrics map[string]struct {
					HitAtK float64 `json:"hit_at_k"`
				} `json:"metrics"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("%s eval: %v\n%s", backend, err, r.stderr)
			}
			return res.Metrics["zh"].HitAtK
		}
		local, remote := hit("local"), hit("weaviate")
		t.Logf("%s: hit@5 local %.2f, weaviate %.2f", filepath.Base(set), local, remote)
		if remote < local-0.03 {
			t.Errorf("%s: hit@5 with weaviate %.2f, local %.2f", set, remote, local)
		}
	}
}

// A Weaviate that is not there is named, with the setting to check.
func TestWeaviateDown(t *testing.T) {
	data := setup(t)
	useWeaviate(t, "http://127.0.0.1:1", "down") // nothing listens on port 1
	r := qabot(t, data, "", "ask", "问题")
	if r.code != exitError || !strings.Contains(r.stderr, "cannot connect to Weaviate at http://127.0.0.1:1: start it, or check weaviate.url") {
		t.Errorf("exit %d %q", r.code, r.stderr)
	}
	t.Setenv("QABOT_WEAVIATE_URL", "")
	if r := qabot(t, data, "", "ask", "问题"); r.code != exitError || !strings.Contains(r.stderr, "needs weaviate.url") {
		t.Errorf("no URL: exit %d %q", r.code, r.stderr)
	}
}
