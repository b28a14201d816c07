package index

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/qabot/qabot/rag/index/segment"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/seeds"
)

// countingEmbedder counts the texts it embeds and can fail after a number of calls.
type countingEmbedder struct {
	embedding.Embedder
	texts   atomic.Int64
	calls   atomic.Int64
	failAt  int64         // fail the call with this number (1-based); 0 never
	onCall  func(n int64) // called before each call
	failErr error
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	n := c.calls.Add(1)
	if c.onCall != nil {
		c.onCall(n)
	}
	if c.failAt != 0 && n >= c.failAt {
		return nil, c.failErr
	}
	c.texts.Add(int64(len(texts)))
	return c.Embedder.Embed(ctx, texts)
}

func writeCorpus(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if text == "" {
			os.Remove(path)
			continue
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func article(topic string) string {
	return fmt.Sprintf("%s的报道\n%s是本文的主题。记者介绍了%s的最新进展，相关部门表示将继续推进。", topic, topic, topic)
}

type fixture struct {
	data, corpus string
	emb          *countingEmbedder
	chunker      document.Chunker
}

func newFixture(t *testing.T) *fixture {
	return &fixture{
		data: t.TempDir(), corpus: t.TempDir(),
		emb:     &countingEmbedder{Embedder: embedding.NewLocalEmbedder(64)},
		chunker: document.Chunker{Size: 60, Overlap: 10},
	}
}

func (f *fixture) ingest(t *testing.T) (IngestReport, error) {
	t.Helper()
	return Ingest(context.Background(), IngestOptions{
		Dir: f.data, Corpus: document.Corpus{Name: f.corpus, FS: document.FolderFS(f.corpus)}, Embedder: f.emb, Chunker: f.chunker, BatchSize: 2,
	})
}

func (f *fixture) open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), f.data, f.emb, f.chunker)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bestBM25 is the article of the passage BM25 scores highest for query.
func bestBM25(s *Store, query string) string {
	lex := s.LexicalScores(question.Parse(query).Terms)
	best, doc := 0.0, ""
	for _, pos := range lex.Touched {
		if lex.Passage[pos] > best {
			best, doc = lex.Passage[pos], s.Passage(pos).Doc
		}
	}
	return doc
}

func articleNames(s *Store) []string {
	var names []string
	for n := range s.Manifest.Articles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func TestIngestIncremental(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁"), "c.md": article("农业")})
	rep, err := f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a.txt", "b.txt", "c.md"}, rep.Added); diff != "" {
		t.Errorf("added (-want +got)\n%s", diff)
	}
	firstEmbedded := f.emb.texts.Load()
	if int(firstEmbedded) != rep.Chunks || rep.Embedded != rep.Chunks {
		t.Errorf("embedded %d texts for %d chunks", firstEmbedded, rep.Chunks)
	}

	// Nothing changed: nothing is embedded and no new generation appears.
	rep, err = f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unchanged) != 3 || rep.Embedded != 0 || f.emb.texts.Load() != firstEmbedded || rep.Changed() {
		t.Errorf("re-ingest of an unchanged corpus: %+v, %d texts embedded in all", rep, f.emb.texts.Load())
	}

	// Change one, delete one, add one.
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏组件"), "b.txt": "", "d.txt": article("交通")})
	before := f.emb.texts.Load()
	rep, err = f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{"added": rep.Added, "updated": rep.Updated, "removed": rep.Removed, "unchanged": rep.Unchanged}
	want := map[string][]string{"added": {"d.txt"}, "updated": {"a.txt"}, "removed": {"b.txt"}, "unchanged": {"c.md"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got)\n%s", diff)
	}
	s := f.open(t)
	if diff := cmp.Diff([]string{"a.txt", "c.md", "d.txt"}, articleNames(s)); diff != "" {
		t.Errorf("articles (-want +got)\n%s", diff)
	}
	embeddedNow := int(f.emb.texts.Load() - before)
	if embeddedNow != s.Manifest.Articles["a.txt"].Chunks+s.Manifest.Articles["d.txt"].Chunks {
		t.Errorf("embedded %d texts; only the changed and the new article should be", embeddedNow)
	}
	for _, c := range s.Chunks() {
		if c.Doc == "b.txt" || strings.Contains(c.Text, "钢铁") {
			t.Errorf("deleted article still in the store: %s", c.ID())
		}
	}
	if doc := bestBM25(s, "光伏组件"); doc != "a.txt" {
		t.Errorf("BM25 after update finds %q first, want a.txt", doc)
	}
}

func TestIngestSettingsChangeReindexes(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fixture)
	}{
		{"embedder", func(f *fixture) { f.emb = &countingEmbedder{Embedder: embedding.NewLocalEmbedder(32)} }},
		{"chunking", func(f *fixture) { f.chunker = document.Chunker{Size: 80, Overlap: 0} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁")})
			if _, err := f.ingest(t); err != nil {
				t.Fatal(err)
			}
			tt.change(f)
			before := f.emb.texts.Load()
			if _, err := Open(context.Background(), f.data, f.emb, f.chunker); !errors.Is(err, ErrIncompatible) {
				t.Fatalf("open with other settings: %v, want ErrIncompatible", err)
			}
			rep, err := f.ingest(t)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rebuilt == "" || rep.Embedded != rep.Chunks || int(f.emb.texts.Load()-before) != rep.Chunks {
				t.Errorf("want a full re-index: %+v", rep)
			}
			f.open(t)
		})
	}
}

func TestIngestBadFiles(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{
		"good.txt":   article("光伏"),
		"empty.txt":  " \n",
		"bin.txt":    "PK\x03\x04\x00\x00\x00",
		"gbk.txt":    "\xd6\xd0\xce\xc4\xce\xc4\xd5\xc2\xa1\xa3",
		"latin1.txt": "Le caf\xe9 cr\xe8me de la gare, \xe0 c\xf4t\xe9 du mus\xe9e, \xe9tait tr\xe8s fr\xe9quent\xe9.",
		"image.png":  "\x89PNG",
	})
	if err := os.Symlink(filepath.Join(f.corpus, "missing"), filepath.Join(f.corpus, "broken.txt")); err != nil {
		t.Fatal(err)
	}
	rep, err := f.ingest(t)
	if err != nil {
		t.Fatalf("%v %+v", err, rep)
	}
	reasons := map[string]error{}
	for _, fe := range rep.Failed {
		reasons[fe.Name] = fe.Err
	}
	for name, want := range map[string]error{"empty.txt": document.ErrEmpty, "bin.txt": document.ErrBinary, "latin1.txt": document.ErrNotUTF8, "broken.txt": os.ErrNotExist} {
		if !errors.Is(reasons[name], want) {
			t.Errorf("%s: error %v, want %v", name, reasons[name], want)
		}
	}
	if diff := cmp.Diff([]string{"gbk.txt", "good.txt"}, rep.Added); diff != "" {
		t.Errorf("added (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"gbk.txt (GB18030)"}, rep.Converted); diff != "" {
		t.Errorf("converted (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"image.png"}, rep.Skipped); diff != "" {
		t.Errorf("skipped (-want +got)\n%s", diff)
	}

	// A file that breaks later keeps its indexed version: nothing is lost.
	writeCorpus(t, f.corpus, map[string]string{"good.txt": "\x00\x01binary now"})
	rep, err = f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.open(t).Manifest.Articles["good.txt"]; !ok {
		t.Errorf("good.txt was dropped after it became unreadable: %+v", rep)
	}
}

// Opening a store stops as soon as its context is cancelled (Ctrl-C while
// a large store loads).
func TestOpenCancelled(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, f.data, f.emb, f.chunker); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: %v", err)
	}
}

// An ingest that has to wait for another one says so, once, and goes on
// when the other finishes.
func TestIngestWaitsForAnother(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏")})
	os.MkdirAll(f.data, 0o755)
	unlock, err := lockCollection(context.Background(), f.data, nil)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := Ingest(context.Background(), IngestOptions{Dir: f.data, Corpus: document.Corpus{Name: f.corpus, FS: os.DirFS(f.corpus)},
			Embedder: f.emb, Chunker: f.chunker, Waiting: func() { close(waited) }})
		done <- err
	}()
	<-waited // called after a second of waiting; closing twice would panic
	select {
	case err := <-done:
		t.Fatalf("ingest finished while another held the lock: %v", err)
	default:
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestIngestEmptyFolderKeepsStore(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	writeCorpus(t, f.corpus, map[string]string{"a.txt": ""})
	if _, err := f.ingest(t); !errors.Is(err, document.ErrNoArticles) {
		t.Fatalf("err = %v, want ErrNoArticles", err)
	}
	if len(f.open(t).Manifest.Articles) != 1 {
		t.Error("a failed ingest changed the store")
	}
}

func TestIngestFailureKeepsOldStore(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("新材料"), "c.txt": article("交通"), "d.txt": article("医疗")})
	f.emb.failAt = f.emb.calls.Load() + 2
	f.emb.failErr = errors.New("model server went away")
	if _, err := f.ingest(t); err == nil || !strings.Contains(err.Error(), "model server went away") {
		t.Fatalf("err = %v, want the embedder's error", err)
	}
	s := f.open(t)
	if diff := cmp.Diff([]string{"a.txt", "b.txt"}, articleNames(s)); diff != "" {
		t.Errorf("store after a failed ingest (-want +got)\n%s", diff)
	}
	for _, c := range s.Chunks() {
		if strings.Contains(c.Text, "新材料") {
			t.Error("half-done ingest is visible")
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(f.data, "*.tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left behind: %v", tmps)
	}
}

// TestIngestKilled kills a real ingest process mid-way (SIGKILL, so no
// cleanup runs) and checks that the store still answers from the complete
// old generation, and that the next ingest succeeds.
func TestIngestKilled(t *testing.T) {
	if os.Getenv("QABOT_KILL_HELPER") != "" {
		return
	}
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	var files = map[string]string{}
	for i := 0; i < 20; i++ {
		files[fmt.Sprintf("n%02d.txt", i)] = article(fmt.Sprintf("新主题%d", i))
	}
	writeCorpus(t, f.corpus, files)

	cmd := exec.Command(os.Args[0], "-test.run=^TestIngestKilledHelper$")
	cmd.Env = append(os.Environ(), "QABOT_KILL_HELPER=1", "QABOT_KILL_DATA="+f.data, "QABOT_KILL_CORPUS="+f.corpus)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, err := out.Read(buf); err != nil || !strings.Contains(string(buf[:n]), "embedding") {
		t.Fatalf("helper did not start embedding: %q %v", buf[:n], err)
	}
	cmd.Process.Kill()
	cmd.Wait()

	s := f.open(t)
	if diff := cmp.Diff([]string{"a.txt", "b.txt"}, articleNames(s)); diff != "" {
		t.Errorf("store after a killed ingest (-want +got)\n%s", diff)
	}
	rep, err := f.ingest(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 20 || len(f.open(t).Manifest.Articles) != 22 {
		t.Errorf("ingest after the kill: %+v", rep)
	}
	if tmps, _ := filepath.Glob(filepath.Join(f.data, "*.tmp")); len(tmps) != 0 {
		t.Errorf("stale temporary files left: %v", tmps)
	}
}

// TestIngestKilledHelper is the process TestIngestKilled kills: it ingests
// with an embedder that announces the second batch and then hangs.
func TestIngestKilledHelper(t *testing.T) {
	if os.Getenv("QABOT_KILL_HELPER") == "" {
		t.Skip("helper process for TestIngestKilled")
	}
	emb := &countingEmbedder{Embedder: embedding.NewLocalEmbedder(64), onCall: func(n int64) {
		if n == 2 {
			fmt.Println("embedding")
			os.Stdout.Sync()
			select {}
		}
	}}
	dir := os.Getenv("QABOT_KILL_CORPUS")
	Ingest(context.Background(), IngestOptions{Dir: os.Getenv("QABOT_KILL_DATA"), Corpus: document.Corpus{Name: dir, FS: os.DirFS(dir)},
		Embedder: emb, Chunker: document.Chunker{Size: 60, Overlap: 10}, BatchSize: 2})
}

// Readers that open the store while ingests replace it always see one
// complete generation.
func TestConcurrentReadersDuringIngest(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 100)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := Open(context.Background(), f.data, f.emb, f.chunker)
				if err != nil {
					errs <- err
					return
				}
				n := len(s.Manifest.Articles)
				if n != 2 && n != 3 {
					errs <- fmt.Errorf("reader saw %d articles", n)
				}
				q := question.Parse("光伏")
				s.LexicalScores(q.Terms)
				vec, err := s.QueryVector(context.Background(), q)
				if err == nil {
					_, err = s.DenseSearch(context.Background(), q.Folded, vec, 2)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < 8; i++ {
		extra := ""
		if i%2 == 0 {
			extra = article(fmt.Sprintf("第%d版", i))
		}
		writeCorpus(t, f.corpus, map[string]string{"c.txt": extra})
		if _, err := f.ingest(t); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ms, _ := filepath.Glob(filepath.Join(f.data, manifestPrefix+"*")); len(ms) > 2 {
		t.Errorf("old manifests are not pruned: %d left", len(ms))
	}
	if segs, _ := filepath.Glob(filepath.Join(f.data, segmentPrefix+"*")); len(segs) > maxSegments+2 {
		t.Errorf("old segments are not pruned: %d left", len(segs))
	}
}

func TestOpenCorruptStore(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, data string)
		want   error
	}{
		{"no store", func(t *testing.T, data string) { os.Remove(filepath.Join(data, currentFile)) }, ErrNoStore},
		{"garbage manifest", func(t *testing.T, data string) {
			writeCorpus(t, data, map[string]string{liveManifest(t, data): "{not json"})
		}, ErrCorrupt},
		{"CURRENT names a bad path", func(t *testing.T, data string) {
			writeCorpus(t, data, map[string]string{currentFile: "../../etc"})
		}, ErrCorrupt},
		{"segment truncated", func(t *testing.T, data string) {
			files, _ := filepath.Glob(filepath.Join(data, segmentPrefix+"*"))
			for _, f := range files {
				os.Truncate(f, 100)
			}
		}, ErrCorrupt},
		{"segment deleted", func(t *testing.T, data string) {
			files, _ := filepath.Glob(filepath.Join(data, segmentPrefix+"*"))
			for _, f := range files {
				os.Remove(f)
			}
		}, ErrCorrupt},
		{"segment is garbage", func(t *testing.T, data string) {
			files, _ := filepath.Glob(filepath.Join(data, segmentPrefix+"*"))
			for _, f := range files {
				os.WriteFile(f, []byte(strings.Repeat("x", 4000)), 0o600)
			}
		}, ErrCorrupt},
		{"CURRENT is a directory", func(t *testing.T, data string) {
			os.Remove(filepath.Join(data, currentFile))
			os.Mkdir(filepath.Join(data, currentFile), 0o700)
		}, ErrCorrupt},
		{"manifest says fewer passages than stored", func(t *testing.T, data string) {
			name := liveManifest(t, data)
			m, err := readManifest(filepath.Join(data, name))
			if err != nil {
				t.Fatal(err)
			}
			a := m.Articles["a.txt"]
			a.First++
			m.Articles["a.txt"] = a
			writeManifest(filepath.Join(data, name), m)
		}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏")})
			if _, err := f.ingest(t); err != nil {
				t.Fatal(err)
			}
			tt.break_(t, f.data)
			if _, err := Open(context.Background(), f.data, f.emb, f.chunker); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// Ingest repairs it from the articles.
			if _, err := f.ingest(t); err != nil {
				t.Fatal(err)
			}
			f.open(t)
		})
	}
}

func liveManifest(t *testing.T, data string) string {
	name, err := currentManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// BenchmarkIngestSeeds indexes the five seed articles into a new store:
// cleaning, chunking, local embedding and chromem-go's file per passage.
func BenchmarkIngestSeeds(b *testing.B) {
	emb, ch := embedding.NewLocalEmbedder(0), document.Chunker{Size: 300, Overlap: 60}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if _, err := Ingest(context.Background(), IngestOptions{Dir: dir, Corpus: document.Corpus{Name: "seeds", FS: seeds.FS}, Embedder: emb, Chunker: ch}); err != nil {
			b.Fatal(err)
		}
	}
}

// chromem-go's persistent files were named by 4 bytes of SHA-256 of the
// ID, so these two passages shared one file; the store no longer keeps a
// file per passage, and both stay answerable.
func TestCollidingIDs(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a017786.txt": article("光伏组件"), "a057288.txt": article("特种钢材")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	s := f.open(t)
	for q, doc := range map[string]string{"光伏组件": "a017786.txt", "特种钢材": "a057288.txt"} {
		if got := bestBM25(s, q); got != doc {
			t.Errorf("%s: BM25 finds %q first, want %s", q, got, doc)
		}
		vec, err := s.QueryVector(context.Background(), question.Parse(q))
		if err != nil {
			t.Fatal(err)
		}
		dense, err := s.DenseSearch(context.Background(), q, vec, 1)
		if err != nil || len(dense) != 1 || s.Passage(dense[0].Pos).Doc != doc {
			t.Errorf("%s: dense search %v %+v, want %s", q, err, dense, doc)
		}
	}
}

// A large store's vectors are searched by a scan of the mapped vectors,
// a share of the segments on each core, and, once the store is warm, by
// chromem-go collections; both find what comparing the question with
// every live vector finds, and no passage that is not live.
func TestVectorSearchMatchesFullScan(t *testing.T) {
	const n, dim = 3 * minShard, 16
	rng := rand.New(rand.NewPCG(3, 4))
	s := &Store{embedder: embedding.NewLocalEmbedder(dim), live: make([]bool, n), first: map[string]int{}, Manifest: Manifest{Articles: map[string]Indexed{}}}
	for pos := 0; pos < n; pos += 10 {
		s.first[fmt.Sprintf("a%d.txt", pos/10)] = pos
		s.Manifest.Articles[fmt.Sprintf("a%d.txt", pos/10)] = Indexed{Chunks: 10}
	}
	for k := range 3 { // three segments
		sg := &segment.Segment{Dim: dim, Chunks: make([]document.Chunk, n/3)}
		for i := range sg.Chunks {
			v := make([]float32, dim)
			for d := range v {
				v[d] = rng.Float32() - 0.5
			}
			sg.Vectors = append(sg.Vectors, embedding.Normalize(v)...)
			pos := k*n/3 + i
			sg.Chunks[i] = document.Chunk{Doc: fmt.Sprintf("a%d.txt", pos/10), Index: pos % 10}
		}
		s.segs, s.base, s.chunks = append(s.segs, sg), append(s.base, k*n/3), append(s.chunks, sg.Chunks...)
	}
	for i := range s.live {
		s.live[i] = i%5 != 0 // every fifth passage is dead
		if s.live[i] {
			s.nLive++
		}
	}
	ctx := context.Background()
	for q := range 5 {
		vec := s.Vector(q * 97)
		var all []Scored
		for pos := range s.chunks {
			if s.live[pos] {
				all = append(all, Scored{pos, embedding.Dot(s.Vector(pos), vec)})
			}
		}
		sortScored(all)
		if diff := cmp.Diff(all[:20], s.scanVectors(vec, 20)); diff != "" {
			t.Errorf("query %d: the parallel scan differs from a full sort (-sort +scan):\n%s", q, diff)
		}
		if got, err := s.DenseSearch(ctx, "", vec, 20); err != nil || !cmp.Equal(all[:20], got) {
			t.Errorf("query %d: dense search before the local index %v %v", q, err, got)
		}
	}
	if s.local.Load() != nil {
		t.Fatal("questions built the local index; only Warm should")
	}
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	x := s.local.Load()
	if x == nil {
		t.Fatal("Warm built no local index")
	}
	if got := len(x.shards); got < 2 && runtime.GOMAXPROCS(0) >= 2 {
		t.Fatalf("%d passages in %d collection(s), want one per core", s.nLive, got)
	}
	for q := range 5 {
		vec := s.Vector(q * 89)
		got, err := x.Search(ctx, "", vec, 20)
		if err != nil {
			t.Fatal(err)
		}
		var want []PassageRef
		for _, h := range s.scanVectors(vec, 20) {
			want = append(want, PassageRef{Doc: s.chunks[h.Pos].Doc, Index: s.chunks[h.Pos].Index})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("query %d: sharded search differs from a full scan (-scan +sharded):\n%s", q, diff)
		}
	}
}

// A warm store's dense search answers from the in-memory index what the
// scan answered before; a store over its limit stays with the scan.
func TestWarmStoreFindsTheSame(t *testing.T) {
	f := newFixture(t)
	writeCorpus(t, f.corpus, map[string]string{"a.txt": article("光伏"), "b.txt": article("钢铁"), "c.txt": article("农业")})
	if _, err := f.ingest(t); err != nil {
		t.Fatal(err)
	}
	s := f.open(t)
	ctx := context.Background()
	vec, err := s.QueryVector(ctx, question.Parse("光伏"))
	if err != nil {
		t.Fatal(err)
	}
	cold, err := s.DenseSearch(ctx, "光伏", vec, 3)
	if err != nil || len(cold) != 3 || s.Passage(cold[0].Pos).Doc != "a.txt" {
		t.Fatalf("dense search, cold: %v %+v", err, cold)
	}
	s.warmLimit = s.nLive - 1
	if err := s.Warm(ctx); err != nil || s.local.Load() != nil {
		t.Fatalf("Warm built chromem-go's index of %d passages, over its limit of %d: %v", s.nLive, s.warmLimit, err)
	}
	s.warmLimit = s.nLive
	if err := s.Warm(ctx); err != nil || s.local.Load() == nil {
		t.Fatalf("warm: %v", err)
	}
	warm, err := s.DenseSearch(ctx, "光伏", vec, 3)
	if err != nil || !cmp.Equal(cold, warm) {
		t.Errorf("dense search, warm: %v %+v, cold %+v", err, warm, cold)
	}
}

// An ingest writes a segment whenever SegmentPassages passages are
// pending, so that it holds no more than that at a time; every passage is
// still found, progress counts the files, and compaction later merges the
// small segments alone, leaving full ones as they are.
func TestIngestStreamsSegments(t *testing.T) {
	f := newFixture(t)
	files := map[string]string{}
	topics := []string{"光伏", "钢铁", "农业", "煤炭", "旅游", "教育", "医疗", "交通", "水利", "文物"}
	for i, topic := range topics {
		files[fmt.Sprintf("%02d.txt", i)] = article(topic)
	}
	writeCorpus(t, f.corpus, files)
	const size = 4
	var calls, lastDone, lastTotal int
	ingest := func() IngestReport {
		t.Helper()
		rep, err := Ingest(context.Background(), IngestOptions{
			Dir: f.data, Corpus: document.Corpus{Name: f.corpus, FS: document.FolderFS(f.corpus)}, Embedder: f.emb, Chunker: f.chunker,
			SegmentPassages: size, Progress: func(done, total int) { calls, lastDone, lastTotal = calls+1, done, total },
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := ingest()
	if calls != len(topics) || lastDone != len(topics) || lastTotal != len(topics) {
		t.Errorf("progress: %d calls, last %d of %d; want one per file", calls, lastDone, lastTotal)
	}
	s := f.open(t)
	perArticle := s.Manifest.Articles["00.txt"].Chunks
	segs := liveSegments(s.Manifest)
	if len(segs) < 3 {
		t.Fatalf("%d passages in %d segments; want segments of about %d", rep.Chunks, len(segs), size)
	}
	for i, sg := range segs {
		if sg.Chunks >= size+perArticle || i < len(segs)-1 && sg.Chunks < size {
			t.Errorf("segment %s holds %d passages; want %d to %d", sg.Name, sg.Chunks, size, size+perArticle-1)
		}
	}
	for i, topic := range topics {
		if doc := bestBM25(s, topic); doc != fmt.Sprintf("%02d.txt", i) {
			t.Errorf("%s: BM25 finds %q first", topic, doc)
		}
	}
	// Change one article after another: each change is a small segment
	// and leaves dead passages behind, until compaction rewrites the small
	// and the mostly dead segments.
	before := map[string]bool{}
	for _, sg := range segs {
		before[sg.Name] = true
	}
	changed := 0
	for ; changed < len(topics) && !rep.Compacted; changed++ {
		writeCorpus(t, f.corpus, map[string]string{fmt.Sprintf("%02d.txt", changed): article(topics[changed] + "第二版")})
		if rep = ingest(); rep.Embedded != perArticle {
			t.Fatalf("change %d: %d passages embedded, want %d", changed, rep.Embedded, perArticle)
		}
	}
	if !rep.Compacted {
		t.Fatal("no compaction after many changes")
	}
	s = f.open(t)
	for _, sg := range liveSegments(s.Manifest) {
		if !before[sg.Name] && sg.Chunks >= size+perArticle {
			t.Errorf("compaction wrote segment %s of %d passages; want fewer than %d", sg.Name, sg.Chunks, size+perArticle)
		}
	}
	for i, topic := range topics {
		if i < changed {
			topic += "第二版"
		}
		if doc := bestBM25(s, topic); doc != fmt.Sprintf("%02d.txt", i) {
			t.Errorf("after compaction, %s: BM25 finds %q first", topic, doc)
		}
	}
}

// Compaction rewrites the small segments and the mostly dead ones, and
// leaves the full, live ones as they are.
func TestToCompact(t *testing.T) {
	m := Manifest{
		Segments: []SegmentInfo{{Name: "full", Chunks: 100}, {Name: "dead", Chunks: 100}, {Name: "small1", Chunks: 10}, {Name: "small2", Chunks: 5}, {Name: "gone", Chunks: 50}},
		Articles: map[string]Indexed{
			"a": {Segment: "full", Chunks: 80}, "b": {Segment: "full", Chunks: 20},
			"c": {Segment: "dead", Chunks: 40},
			"d": {Segment: "small1", Chunks: 10}, "e": {Segment: "small2", Chunks: 5},
		},
	}
	got := toCompact(m, 100)
	if diff := cmp.Diff(map[string]bool{"dead": true, "small1": true, "small2": true}, got); diff != "" {
		t.Errorf("toCompact (-want +got)\n%s", diff)
	}
	if !needsCompaction(m, 100) {
		t.Error("a collection with 110 of 265 stored passages dead needs compaction")
	}
}
