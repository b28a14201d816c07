package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/embedding"
	"github.com/qabot/qabot/rag/eval"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/seeds"
)

// item is one question of a development set, whatever its format.
type item struct {
	set, id, question, kind, lang string
	answerable                    bool
	// groups are the answer strings: every group must be in the answer,
	// any string of a group will do (RGB's rule; one group of keywords for
	// the sets about the seeds).
	groups [][]string
	// positive reports whether a passage is evidence for the question.
	positive func(doc, text string) bool
	// sourced reports whether a passage's article is a source of the
	// answer, the articles whose sentences may count as answers.
	sourced func(doc string) bool
}

// strings are all the answer strings of the item.
func (it item) strings() []string {
	var out []string
	for _, g := range it.groups {
		out = append(out, g...)
	}
	return out
}

// correct reports whether an answer holds every group (citation markers
// removed, text normalised as the shared scorers do).
func (it item) correct(answer string) bool {
	t := normalise(citations.ReplaceAllString(answer, ""))
	for _, g := range it.groups {
		if !slices.ContainsFunc(g, func(s string) bool { return strings.Contains(t, normalise(s)) }) {
			return false
		}
	}
	return len(it.groups) > 0
}

// holdsAny reports whether text holds one of the answer strings.
func (it item) holdsAny(text string) bool {
	t := normalise(text)
	return slices.ContainsFunc(it.strings(), func(s string) bool { return strings.Contains(t, normalise(s)) })
}

var (
	citations  = regexp.MustCompile(`\[\d+\]`)
	digitComma = regexp.MustCompile(`(\d),(\d{3})`)
)

// normalise is the shared scorers' form of a text: NFKC, lower case, no
// whitespace, no digit-group commas.
func normalise(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	for {
		t := digitComma.ReplaceAllString(s, "$1$2")
		if t == s {
			return s
		}
		s = t
	}
}

// stripSpace is s without whitespace.
func stripSpace(s string) string { return strings.Join(strings.Fields(s), "") }

// seedSets reads the question sets about the seeds from the repository.
func seedSets(repo string) ([]item, error) {
	var out []item
	for name, file := range map[string]string{"v1": "questions.jsonl", "v2": "questions-v2.jsonl", "v3": "questions-v3.jsonl"} {
		f, err := os.Open(filepath.Join(repo, "rag/eval/testdata", file))
		if err != nil {
			return nil, err
		}
		qs, err := eval.ReadSet(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, q := range qs {
			it := item{set: name, id: q.ID, question: q.Question, kind: q.Kind, lang: q.Lang, answerable: q.Source != nil}
			if q.Source != nil {
				src, evidence := *q.Source, q.Evidence
				it.groups = [][]string{q.AnswerKeywords}
				it.sourced = func(doc string) bool { return doc == src }
				it.positive = func(doc, text string) bool {
					return doc == src && slices.ContainsFunc(evidence, func(e string) bool { return strings.Contains(stripSpace(text), stripSpace(e)) })
				}
			}
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b item) int { return strings.Compare(a.set+a.id, b.set+b.id) })
	return out, nil
}

// rgbSet reads rgb-dev from the shared folder.
func rgbSet(dir string) ([]item, error) {
	var out []item
	err := eachJSON(filepath.Join(dir, "questions.jsonl"), func(raw []byte) error {
		var q struct {
			ID, Question  string
			Answers       []string
			AnswerGroups  [][]string `json:"answer_groups"`
			Answerable    bool
			PositiveFiles []string `json:"positive_files"`
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			return err
		}
		files := q.PositiveFiles
		in := func(doc string) bool { return slices.Contains(files, doc) }
		out = append(out, item{set: "rgb-dev", id: q.ID, question: q.Question, kind: "news", lang: "zh", answerable: q.Answerable,
			groups: q.AnswerGroups, sourced: func(string) bool { return true }, positive: func(doc, _ string) bool { return in(doc) }})
		return nil
	})
	return out, err
}

// crudSet reads crud-qa-dev from the shared folder.
func crudSet(dir string) ([]item, error) {
	var out []item
	err := eachJSON(filepath.Join(dir, "questions.jsonl"), func(raw []byte) error {
		var q struct {
			ID, Question, Origin string
			Answers              []string
			SourceFiles          []string `json:"source_files"`
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			return err
		}
		files := q.SourceFiles
		in := func(doc string) bool { return slices.Contains(files, doc) }
		out = append(out, item{set: "crud-qa-dev", id: q.ID, question: q.Question, kind: q.Origin, lang: "zh", answerable: true,
			groups: [][]string{q.Answers}, sourced: in, positive: func(doc, _ string) bool { return in(doc) }})
		return nil
	})
	return out, err
}

// eachJSON calls fn with each non-blank line of a JSON-lines file.
func eachJSON(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			if err := fn([]byte(line)); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return sc.Err()
}

// The collections the sets are asked of: the seeds, RGB's passages, and
// the crud-news archive with the seeds.
const (
	seedsCollection   = "seeds"
	rgbCollection     = "rgb"
	archiveCollection = "archive"
)

// openCollection opens a collection of the data dir, ingesting it first
// from corpus when it has no index yet or one built otherwise.
func openCollection(ctx context.Context, dataDir, name string, corpus document.Corpus) (*index.Store, error) {
	return openWith(ctx, dataDir, name, corpus, embedding.NewLocalEmbedder(0))
}

// openWith is openCollection with the embedder emb.
func openWith(ctx context.Context, dataDir, name string, corpus document.Corpus, emb embedding.Embedder) (*index.Store, error) {
	dir := index.CollectionDir(dataDir, name)
	ch := document.Chunker{Size: 300, Overlap: 60}
	s, err := index.Open(ctx, dir, emb, ch)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, index.ErrNoStore) && !errors.Is(err, index.ErrIncompatible) {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "devsets: indexing %s into %s…\n", corpus.Name, dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if _, err := index.Ingest(ctx, index.IngestOptions{Dir: dir, Corpus: corpus, Embedder: emb, Chunker: ch}); err != nil {
		return nil, err
	}
	return index.Open(ctx, dir, emb, ch)
}

// seedsCorpus is the embedded seeds.
func seedsCorpus() document.Corpus { return document.Corpus{Name: "seeds (embedded)", FS: seeds.FS} }

// folderCorpus is the articles of a folder.
func folderCorpus(dir string) document.Corpus {
	return document.Corpus{Name: dir, FS: document.FolderFS(dir)}
}

// archiveFolder is the crud-news archive unpacked into dir, with the
// seeds, by the shared make_archive.py (once; it marks the folder done).
func archiveFolder(shared, dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, ".done")); err == nil {
		return dir, nil
	}
	script := filepath.Join(shared, "eval/crud-qa-dev/make_archive.py")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("the crud-news archive needs %s: %w", script, err)
	}
	fmt.Fprintf(os.Stderr, "devsets: unpacking crud-news into %s…\n", dir)
	cmd := exec.Command("python3", script, dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return dir, cmd.Run()
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
