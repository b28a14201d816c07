package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	for _, set := range []string{"../../rag/eval/testdata/questions-v2.jsonl", "../../rag/eval/testdata/questions-v3.jsonl"} {
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

// A Weaviate that is not there is named, with the setting to check: ingest
// fails, and questions are answered from the vectors in the data dir.
func TestWeaviateDown(t *testing.T) {
	data := setup(t)
	if r := qabot(t, data, "", "ingest"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	useWeaviate(t, "http://127.0.0.1:1", "default") // nothing listens on port 1
	const why = "cannot connect to Weaviate at http://127.0.0.1:1: start it, or check weaviate.url"
	if r := qabot(t, data, "", "ingest"); r.code != exitError || !strings.Contains(r.stderr, why) {
		t.Errorf("ingest: exit %d %q", r.code, r.stderr)
	}
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 || !strings.Contains(r.stdout, "400米") || !strings.Contains(r.stderr, why) || !strings.Contains(r.stderr, "answering from the vectors in the data dir") {
		t.Errorf("ask: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	t.Setenv("QABOT_WEAVIATE_URL", "")
	if r := qabot(t, data, "", "ask", "问题"); r.code != exitError || !strings.Contains(r.stderr, "needs weaviate.url") {
		t.Errorf("no URL: exit %d %q", r.code, r.stderr)
	}
}

// weaviateNode is a Weaviate server the test started.
type weaviateNode struct {
	name, url string
	gossip    int
	cmd       *exec.Cmd
}

// freePorts returns n ports nothing listens on, the raft one (the last)
// followed by a free port too (Weaviate on localhost puts its RPC there).
func freePorts(t *testing.T, n int) []int {
	var out []int
	for len(out) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if len(out) == n-1 { // the raft port: port+1 must be free as well
			l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+1))
			if err != nil {
				continue
			}
			l2.Close()
		}
		out = append(out, port)
	}
	return out
}

// startNode starts a Weaviate node of a cluster whose raft members are
// join (name:raft port), joining the gossip of seed when it is not 0.
func startNode(t *testing.T, bin, name string, ports []int, join string, seed int) *weaviateNode {
	httpPort, grpc, gossip, data, prof, raft := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", fmt.Sprint(httpPort), "--scheme", "http")
	cmd.Env = append(os.Environ(), "PERSISTENCE_DATA_PATH="+t.TempDir(), "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true",
		"DEFAULT_VECTORIZER_MODULE=none", "ENABLE_TOKENIZER_GSE_CH=true", "RAFT_TIMEOUTS_MULTIPLIER=1", "DISABLE_TELEMETRY=true",
		"LOG_LEVEL=warning", "CLUSTER_HOSTNAME="+name, fmt.Sprintf("GRPC_PORT=%d", grpc), fmt.Sprintf("CLUSTER_GOSSIP_BIND_PORT=%d", gossip),
		fmt.Sprintf("CLUSTER_DATA_BIND_PORT=%d", data), fmt.Sprintf("RAFT_PORT=%d", raft), fmt.Sprintf("RAFT_INTERNAL_RPC_PORT=%d", raft+1),
		fmt.Sprintf("GO_PROFILING_PORT=%d", prof), "CLUSTER_ADVERTISE_ADDR=127.0.0.1", "CLUSTER_BIND_ADDR=127.0.0.1",
		"CLUSTER_IN_LOCALHOST=true", "RAFT_JOIN="+join, fmt.Sprintf("RAFT_BOOTSTRAP_EXPECT=%d", strings.Count(join, ",")+1))
	if seed != 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("CLUSTER_JOIN=127.0.0.1:%d", seed))
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &weaviateNode{name: name, url: fmt.Sprintf("http://127.0.0.1:%d", httpPort), gossip: gossip, cmd: cmd}
	t.Cleanup(n.kill)
	return n
}

func (n *weaviateNode) kill() {
	if n.cmd.Process != nil {
		n.cmd.Process.Kill()
		n.cmd.Wait()
	}
}

// waitReady waits until every node says it is ready, at most a minute.
func waitReady(t *testing.T, nodes ...*weaviateNode) {
	deadline := time.Now().Add(time.Minute)
	for _, n := range nodes {
		if !waitOK(n.url+"/v1/.well-known/ready", deadline) {
			t.Fatalf("%s is not ready after a minute", n.name)
		}
	}
}

// waitOK waits until url answers 200, and reports whether it did before
// deadline.
func waitOK(url string, deadline time.Time) bool {
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Three Weaviate nodes with replication factor 3 each hold every
// passage; with one killed, Weaviate itself keeps answering (two of three
// keep its Raft quorum), and qabot has no need to fall back to the vectors
// in its data dir. (With two nodes, one gone loses the quorum; that
// fallback is TestWeaviateDown's.)
func TestWeaviateThreeNodes(t *testing.T) {
	weaviateURL(t)
	bin := os.Getenv("WEAVIATE_TEST_BIN")
	if bin == "" {
		t.Skip("no weaviate-server to start a cluster with: set WEAVIATE_TEST_BIN (.ci/run builds one)")
	}
	ports := [][]int{freePorts(t, 6), freePorts(t, 6), freePorts(t, 6)}
	join := fmt.Sprintf("a:%d,b:%d,c:%d", ports[0][5], ports[1][5], ports[2][5])
	a := startNode(t, bin, "a", ports[0], join, 0)
	for i := 0; ; i++ { // the others join a's gossip, which takes a few seconds to open
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", a.gossip)); err == nil {
			c.Close()
			break
		}
		if i > 300 {
			t.Fatal("node a's gossip port never opened")
		}
		time.Sleep(200 * time.Millisecond)
	}
	b := startNode(t, bin, "b", ports[1], join, a.gossip)
	c := startNode(t, bin, "c", ports[2], join, a.gossip)
	waitReady(t, a, b, c)

	data := setup(t)
	useWeaviate(t, a.url, "trio")
	t.Setenv("QABOT_WEAVIATE_REPLICATION_FACTOR", "3")
	t.Setenv("QABOT_WEAVIATE_CONSISTENCY_LEVEL", "ALL")
	if r := qabot(t, data, "", "ingest"); r.code != 0 || !strings.Contains(r.stderr, "weaviate: 5 articles written") {
		t.Fatalf("ingest into the cluster: exit %d %s", r.code, r.stderr)
	}
	for _, n := range []*weaviateNode{b, c} {
		t.Setenv("QABOT_WEAVIATE_URL", n.url)
		if r := qabot(t, data, "", "doctor"); !strings.Contains(r.stdout, "with 61 passages") {
			t.Errorf("node %s does not hold the passages:\n%s", n.name, r.stdout)
		}
	}
	t.Setenv("QABOT_WEAVIATE_URL", a.url)
	t.Setenv("QABOT_WEAVIATE_CONSISTENCY_LEVEL", "QUORUM")
	c.kill()
	// If c led the Raft cluster, a and b elect another leader first.
	began := time.Now()
	if !waitOK(a.url+"/v1/schema/Qabot_trio", began.Add(time.Minute)) {
		t.Fatal("the two nodes left do not serve the schema after a minute")
	}
	t.Logf("the cluster served the schema again %s after node c was killed", time.Since(began).Round(time.Millisecond))
	r := qabot(t, data, "", "ask", "晋能光伏的TOPCon电池生产线有多长?")
	if r.code != 0 || !strings.Contains(r.stdout, "400米") || !strings.Contains(r.stdout, "[1]") {
		t.Errorf("with node c gone: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "answering from the vectors in the data dir") {
		t.Errorf("with two of three nodes up, Weaviate should answer itself: %s", r.stderr)
	}
}
