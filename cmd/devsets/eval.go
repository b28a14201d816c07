package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/eval"
	"github.com/qabot/qabot/rag/index"
	"github.com/qabot/qabot/rag/question"
	"github.com/qabot/qabot/rag/reply"
	"github.com/qabot/qabot/rag/search"
)

// set is the questions of a development set asked of one collection.
type set struct {
	name   string
	store  *index.Store
	corpus document.Corpus // the articles the store holds, for the naive baseline
	items  []item
}

// topK is the number of passages an answer draws on (retrieval.top_k).
const topK = 5

// loadSets reads the sets and opens their collections: the sets about the
// seeds, of the seeds alone; RGB's of its passages; and, with the
// archive, the sets about the seeds and CRUD-RAG's of the archive.
func loadSets(ctx context.Context, o options) ([]set, error) {
	repo, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	seedItems, err := seedSets(repo)
	if err != nil {
		return nil, fmt.Errorf("run devsets from the repository's top folder: %w", err)
	}
	seedStore, err := openCollection(ctx, o.data, seedsCollection, seedsCorpus())
	if err != nil {
		return nil, err
	}
	sets := []set{{name: "v1-v3 (seeds)", store: seedStore, corpus: seedsCorpus(), items: seedItems}}
	rgbDir := filepath.Join(o.shared, "eval/rgb-dev")
	if exists(rgbDir) {
		items, err := rgbSet(rgbDir)
		if err != nil {
			return nil, err
		}
		corpus := folderCorpus(filepath.Join(rgbDir, "corpus"))
		s, err := openCollection(ctx, o.data, rgbCollection, corpus)
		if err != nil {
			return nil, err
		}
		sets = append(sets, set{name: "rgb-dev", store: s, corpus: corpus, items: items})
	} else {
		fmt.Fprintf(os.Stderr, "devsets: no %s: rgb-dev left out\n", rgbDir)
	}
	if o.noArchive {
		return sets, nil
	}
	dir, err := archiveFolder(o.shared, o.archive)
	if err != nil {
		return nil, err
	}
	items, err := crudSet(filepath.Join(o.shared, "eval/crud-qa-dev"))
	if err != nil {
		return nil, err
	}
	corpus := folderCorpus(dir)
	s, err := openCollection(ctx, o.data, archiveCollection, corpus)
	if err != nil {
		return nil, err
	}
	return append(sets, set{name: "v1-v3 (archive)", store: s, corpus: corpus, items: seedItems},
		set{name: "crud-qa-dev", store: s, corpus: corpus, items: items}), nil
}

// tally is the figures of one set under one set of weights.
type tally struct {
	answerable, correct, falseRefusals int
	unanswerable, refused              int
	hit1, hit5                         int
	lengths                            []int
	misses                             []string
}

// clip is the start of an answer, for a line of misses.
func clip(s string) string {
	r := []rune(strings.ReplaceAll(s, "\n", " "))
	return string(r[:min(len(r), 150)])
}

func (t *tally) add(it item, ans rag.Answer) {
	if !it.answerable {
		t.unanswerable++
		if ans.Refused() {
			t.refused++
		} else {
			t.misses = append(t.misses, fmt.Sprintf("not refused %s %s | %s", it.id, it.question, clip(ans.Text)))
		}
		return
	}
	t.answerable++
	if ans.Refused() {
		t.falseRefusals++
		t.misses = append(t.misses, fmt.Sprintf("refused %s %s | %s", it.id, it.question, clip(reply.Text(ans, ans.Lang))))
		return
	}
	first := slices.IndexFunc(ans.Sources[:min(len(ans.Sources), topK)], func(s rag.Source) bool { return it.positive(s.Doc, s.Text) })
	if it.correct(ans.Text) {
		t.correct++
	} else {
		t.misses = append(t.misses, fmt.Sprintf("wrong %s %s | want %v | evidence at %d | %s", it.id, it.question, it.groups, first+1, clip(ans.Text)))
	}
	t.lengths = append(t.lengths, len([]rune(strings.TrimSpace(citations.ReplaceAllString(ans.Text, "")))))
	if first == 0 {
		t.hit1++
	}
	if first >= 0 {
		t.hit5++
	}
}

// median is the median answer length.
func (t *tally) median() int {
	if len(t.lengths) == 0 {
		return 0
	}
	l := slices.Sorted(slices.Values(t.lengths))
	return l[len(l)/2]
}

// asked reports whether devsets asks the item: questions in Chinese, the
// language of every collection here (others are deferred offline).
func asked(it item) bool { return it.lang == "zh" }

// answer asks every question of the sets, each with the weights weightsOf
// gives it, and tallies the answers by set.
func answer(ctx context.Context, sets []set, weightsOf func(it item) *rag.Weights) (map[string]*tally, error) {
	out := map[string]*tally{}
	for _, s := range sets {
		err := tallyInto(ctx, out, s, func(ctx context.Context, it item) (rag.Answer, error) {
			a := &rag.Answerer{Store: s.store, TopK: topK, MinRelevance: 0.08, Weights: weightsOf(it)}
			return a.Ask(ctx, it.question)
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tallyInto asks the questions of s with ask and tallies the answers in
// out, by row.
func tallyInto(ctx context.Context, out map[string]*tally, s set, ask func(context.Context, item) (rag.Answer, error)) error {
	for _, it := range s.items {
		if !asked(it) {
			continue
		}
		t := out[rowName(s, it)]
		if t == nil {
			t = &tally{}
			out[rowName(s, it)] = t
		}
		ans, err := ask(ctx, it)
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.name, it.id, err)
		}
		t.add(it, ans)
	}
	return nil
}

// rowName is the row of the figures an item counts in: its set and the
// collection asked.
func rowName(s set, it item) string {
	name := it.set + " (" + strings.TrimSuffix(strings.TrimPrefix(s.name, "v1-v3 ("), ")") + ")"
	if it.set == s.name {
		name = s.name
	}
	if byKind {
		name += ", " + it.kind
	}
	return name
}

// byKind makes the rows of figures a set's kinds of question (-kinds).
var byKind bool

// naiveTallies are the figures of the naive baseline (qabot eval
// --baseline's: 300-character chunks, BM25 over bigrams) on each set's
// articles, its top chunk taken for the answer.
func naiveTallies(ctx context.Context, sets []set) (map[string]*tally, error) {
	out := map[string]*tally{}
	baselines := map[string]*eval.NaiveBaseline{}
	for _, s := range sets {
		b := baselines[s.corpus.Name]
		if b == nil {
			var err error
			if b, err = eval.NewNaiveBaseline(ctx, s.corpus); err != nil {
				return nil, err
			}
			baselines[s.corpus.Name] = b
		}
		if err := tallyInto(ctx, out, s, func(ctx context.Context, it item) (rag.Answer, error) { return naiveAnswer(ctx, b, it.question) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// naiveAnswer is b's answer to question: its top chunk.
func naiveAnswer(ctx context.Context, b *eval.NaiveBaseline, question string) (rag.Answer, error) {
	ans, err := b.Ask(ctx, question)
	if len(ans.Retrieved) > 0 {
		ans.Text, ans.Sources = ans.Retrieved[0].Text, ans.Retrieved
	}
	return ans, err
}

// score prints the figures of the weights in rag/weights.tsv.
func score(ctx context.Context, sets []set, o options) error {
	t, err := answer(ctx, sets, func(item) *rag.Weights { return rag.DefaultWeights })
	if err != nil {
		return err
	}
	if o.misses {
		printMisses(t)
	}
	printTallies(sets, map[string]map[string]*tally{"weights.tsv": t}, []string{"weights.tsv"})
	return nil
}

// printMisses prints the questions answered wrongly, on stderr.
func printMisses(tallies map[string]*tally) {
	for name, t := range tallies {
		for _, m := range t.misses {
			fmt.Fprintln(os.Stderr, name+": "+m)
		}
	}
}

// printTallies prints one row per set and column of tallies.
func printTallies(sets []set, cols map[string]map[string]*tally, order []string) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "set\tweights\tcorrect\tfalse refusals\trefused (no answer)\thit@1\thit@5\tmedian answer")
	var rows []string
	for _, s := range sets {
		for _, it := range s.items {
			if name := rowName(s, it); asked(it) && !slices.Contains(rows, name) {
				rows = append(rows, name)
			}
		}
	}
	for _, name := range rows {
		for _, col := range order {
			t := cols[col][name]
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d/%d\t%d/%d\t%d/%d\t%d/%d\t%d chars\n", name, col, t.correct, t.answerable,
				t.falseRefusals, t.answerable, t.refused, t.unanswerable, t.hit1, t.answerable, t.hit5, t.answerable, t.median())
		}
	}
	tw.Flush()
}

// prepared is a question read, with its candidate passages.
type prepared struct {
	set   *set
	it    item
	q     question.Question
	cands []search.Candidate
}

// prepare reads every question of the sets asked and finds its
// candidates.
func prepare(ctx context.Context, sets []set) ([]prepared, error) {
	var out []prepared
	for i := range sets {
		s := &sets[i]
		for _, it := range s.items {
			if !asked(it) {
				continue
			}
			q := question.ParseIn(it.question, s.store)
			cands, err := search.Candidates(ctx, s.store, q)
			if err != nil {
				return nil, err
			}
			out = append(out, prepared{set: s, it: it, q: q, cands: cands})
		}
	}
	return out, nil
}

// rankGroups are the candidates of the questions keep admits, as groups
// for fitting.
func rankGroups(ps []prepared, keep func(item) bool) []group {
	var out []group
	for _, p := range ps {
		if !keep(p.it) || !p.it.answerable {
			continue
		}
		g := group{id: p.it.id}
		for _, c := range p.cands {
			g.features = append(g.features, c.Features[:])
			g.right = append(g.right, p.it.positive(c.Chunk.Doc, c.Chunk.Text))
		}
		out = append(out, g)
	}
	return out
}

// spanGroups are the sentences of the passages retrieved with w for the
// questions keep admits: right when they hold an answer and are of a
// source article.
func spanGroups(ps []prepared, w *rag.Weights, keep func(item) bool) []group {
	var out []group
	for _, p := range ps {
		if !keep(p.it) || !p.it.answerable {
			continue
		}
		hits := search.Rank(p.cands, w.Rank, topK)
		g := group{id: p.it.id}
		for _, sp := range rag.Spans(p.set.store, p.q, hits) {
			g.features = append(g.features, sp.Features[:])
			g.right = append(g.right, p.it.sourced(hits[sp.Hit].Chunk.Doc) && p.it.holdsAny(sp.Text))
		}
		out = append(out, g)
	}
	return out
}

// l2 is the penalty on the weights' size in fitting.
const l2 = 0.01

// fitWeights fits rank weights, then span weights on the passages those
// rank, then the least coverage of a stating sentence, on the questions
// keep admits.
func fitWeights(ps []prepared, keep func(item) bool) *rag.Weights {
	w := &rag.Weights{}
	copy(w.Rank[:], fitPairwise(rankGroups(ps, keep), search.NumRankFeatures, l2))
	copy(w.Span[:], fitPairwise(spanGroups(ps, w, keep), rag.NumSpanFeatures, l2))
	w.Stated = chooseStated(ps, w, keep)
	return w
}

// falseRefusalCost is how many questions without an answer a refusal must
// catch to be worth one false refusal, in choosing Weights.Stated.
const falseRefusalCost = 5

// chooseStated is the least coverage of a sentence stating the number or
// date asked (Weights.Stated) that refuses the most questions without an
// answer for the fewest false refusals, on the questions keep admits.
func chooseStated(ps []prepared, w *rag.Weights, keep func(item) bool) float64 {
	best, bestGain := 0.0, math.Inf(-1)
	for x := 0.0; x <= 0.7; x += 0.05 {
		trial := *w
		trial.Stated = x
		gain := 0.0
		for _, p := range ps {
			if !keep(p.it) || p.q.Asks != question.Number && p.q.Asks != question.Date {
				continue
			}
			hits := search.Rank(p.cands, trial.Rank, topK)
			a := &rag.Answerer{Store: p.set.store, TopK: topK, Weights: &trial}
			if len(hits) == 0 || a.OfflineRefusal(p.q, hits).Reason != rag.NotStated {
				continue
			}
			if p.it.answerable {
				gain -= falseRefusalCost
			} else {
				gain++
			}
		}
		if gain > bestGain {
			best, bestGain = x, gain
		}
	}
	return best
}

// fit fits the weights on all the questions and, for the cross-validated
// figures, on all but each fold in turn, and prints both.
func fit(ctx context.Context, sets []set, o options) error {
	ps, err := prepare(ctx, sets)
	if err != nil {
		return err
	}
	all := fitWeights(ps, func(item) bool { return true })
	if o.dump != "" {
		return dumpSpans(ctx, sets, all, o.dump)
	}
	if o.diag {
		diagnose(ps, all)
		fmt.Print(all.Format())
		return nil
	}
	folds := make([]*rag.Weights, o.folds)
	for f := range folds {
		folds[f] = fitWeights(ps, func(it item) bool { return fold(it.id, o.folds) != f })
	}
	fmt.Print(all.Format())
	dev, err := answer(ctx, sets, func(item) *rag.Weights { return all })
	if err != nil {
		return err
	}
	cv, err := answer(ctx, sets, func(it item) *rag.Weights { return folds[fold(it.id, o.folds)] })
	if err != nil {
		return err
	}
	if o.misses {
		printMisses(dev)
	}
	cvName := fmt.Sprintf("%d-fold CV", o.folds)
	cols, order := map[string]map[string]*tally{"fitted on all": dev, cvName: cv}, []string{"fitted on all", cvName}
	if o.naive {
		naive, err := naiveTallies(ctx, sets)
		if err != nil {
			return err
		}
		cols["naive top chunk"], order = naive, append(order, "naive top chunk")
	}
	printTallies(sets, cols, order)
	if !o.write {
		return nil
	}
	return writeWeights(all)
}

// writeWeights replaces rag/weights.tsv.
func writeWeights(w *rag.Weights) error {
	head := "# Weights of the features that rank passages (rank) and choose the sentences of an extractive answer (span).\n" +
		"# Written by go run ./cmd/devsets fit -write; see README, Measurements.\n"
	return os.WriteFile("rag/weights.tsv", []byte(head+w.Format()), 0o644)
}

// diagnose prints, per set, how often the candidates hold evidence at all
// and where the first evidence ranks with w.
func diagnose(ps []prepared, w *rag.Weights) {
	type count struct{ n, pooled, top1, top5, top20 int }
	counts := map[string]*count{}
	var names []string
	for _, p := range ps {
		if !p.it.answerable {
			continue
		}
		name := p.set.name + " " + p.it.set
		c := counts[name]
		if c == nil {
			c = &count{}
			counts[name] = c
			names = append(names, name)
		}
		c.n++
		if slices.ContainsFunc(p.cands, func(x search.Candidate) bool { return p.it.positive(x.Chunk.Doc, x.Chunk.Text) }) {
			c.pooled++
		}
		hits := search.Rank(p.cands, w.Rank, 20)
		r := slices.IndexFunc(hits, func(h search.Hit) bool { return p.it.positive(h.Chunk.Doc, h.Chunk.Text) })
		switch {
		case r == 0:
			c.top1++
			fallthrough
		case r >= 0 && r < 5:
			c.top5++
			fallthrough
		case r >= 0:
			c.top20++
		}
		if r < 0 || r >= 5 {
			fmt.Fprintf(os.Stderr, "miss %s %s %s rank %d\n", name, p.it.id, p.it.question, r+1)
		}
	}
	for _, name := range names {
		c := counts[name]
		fmt.Printf("%s: %d questions, evidence pooled %d, rank 1 %d, top 5 %d, top 20 %d\n", name, c.n, c.pooled, c.top1, c.top5, c.top20)
	}
}

// dumpSpans writes, for every question asked, the features of the best
// sentences of its passages with w: for studying refusals.
func dumpSpans(ctx context.Context, sets []set, w *rag.Weights, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, s := range sets {
		for _, it := range s.items {
			if !asked(it) {
				continue
			}
			q := question.ParseIn(it.question, s.store)
			hits, err := search.Search(ctx, s.store, q, topK, w.Rank)
			if err != nil {
				return err
			}
			spans := rag.Spans(s.store, q, hits)
			type row struct {
				Set, ID, Q, Kind string
				Answerable       bool
				Asks             string
				Constraints      int
				Temporal         int
				Eligible         []bool
				Relevance        []float64
				Spans            [][]float64
				Right            []bool
				Hit              []int
				Text             []string
			}
			r := row{Set: s.name, ID: it.id, Q: it.question, Kind: it.kind, Answerable: it.answerable, Asks: q.Asks.String(), Constraints: len(q.Constraints())}
			for _, h := range hits {
				r.Relevance = append(r.Relevance, h.Relevance)
				ok := true
				for _, c := range q.Constraints() {
					ok = ok && search.HoldsConstraint(s.store, h, c)
				}
				r.Eligible = append(r.Eligible, ok)
			}
			for _, c := range q.Constraints() {
				if c.Kind != question.Name {
					r.Temporal++
				}
			}
			for _, sp := range spans {
				r.Spans = append(r.Spans, append(sp.Features[:], rag.SpanScore(w, sp)))
				r.Hit = append(r.Hit, sp.Hit)
				r.Text = append(r.Text, sp.Text)
				r.Right = append(r.Right, it.answerable && it.sourced(hits[sp.Hit].Chunk.Doc) && it.holdsAny(sp.Text))
			}
			raw, _ := json.Marshal(r)
			f.Write(append(raw, '\n'))
		}
	}
	return nil
}
