package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag/eval"
)

func (a *app) evalCommand() *cobra.Command {
	var asJSON, baseline bool
	cmd := &cobra.Command{
		Use:   "eval FILE",
		Short: "Score retrieval, refusals and answers on a JSONL question set",
		Long: `Ask every question of FILE (one JSON object per line: id, question, source, evidence,
answer_keywords, kind, lang) and report hit@1, hit@k, MRR, refusal rate, false-refusal rate
and answer-keyword recall, overall, per language and per kind. --baseline adds the hit@1 and
hit@k of the naive baseline (fixed 300-character chunks of the raw files, BM25 over bigrams,
no refusal) on the same collection.` + exitCodesHelp,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.warm = true
			f, err := os.Open(args[0])
			if err != nil {
				return usageError{err}
			}
			defer f.Close()
			qs, err := eval.ReadSet(f)
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			s, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			results, err := eval.Evaluate(cmd.Context(), qs, a.answerer(s).Ask)
			if err != nil {
				return err
			}
			k := a.cfg.Retrieval.TopK
			report, order := summarise(results, k)
			var base map[string]eval.Metrics
			if baseline {
				naive, err := eval.NewNaiveBaseline(cmd.Context(), corpusAt(s.Manifest.Corpus))
				if err != nil {
					return err
				}
				naiveResults, err := eval.Evaluate(cmd.Context(), qs, naive.Ask)
				if err != nil {
					return err
				}
				base, _ = summarise(naiveResults, 5)
			}
			if asJSON {
				out := map[string]any{"metrics": report, "results": results}
				if base != nil {
					out["baseline"] = base
				}
				return json.NewEncoder(a.stdout).Encode(out)
			}
			printMetrics(a.stdout, report, base, order)
			printMisses(a.stdout, results, k)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print metrics and per-question results as JSON")
	cmd.Flags().BoolVar(&baseline, "baseline", false, "add the naive baseline's hit@1 and hit@k")
	return cmd
}

// summarise is the metrics of results overall, per language and per kind,
// and the order to print them in.
func summarise(results []eval.Result, k int) (map[string]eval.Metrics, []string) {
	report := map[string]eval.Metrics{
		"all": eval.Summarise(results, k, nil),
		"zh":  eval.Summarise(results, k, func(r eval.Result) bool { return r.Lang == "zh" }),
		"en":  eval.Summarise(results, k, func(r eval.Result) bool { return r.Lang == "en" }),
	}
	order := []string{"all", "zh", "en"}
	for _, kind := range kinds(results) {
		report["kind:"+kind] = eval.Summarise(results, k, func(r eval.Result) bool { return r.Kind == kind })
		order = append(order, "kind:"+kind)
	}
	return report, order
}

// kinds lists the question kinds of results, in order of first appearance.
func kinds(results []eval.Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range results {
		if r.Kind != "" && !seen[r.Kind] {
			seen[r.Kind] = true
			out = append(out, r.Kind)
		}
	}
	return out
}

// printMetrics writes the report as a table, with the baseline's hit@1
// and hit@k beside ours when base is set.
func printMetrics(w io.Writer, report, base map[string]eval.Metrics, order []string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "set\tanswerable\thit@1\thit@k\tMRR\tkeyword recall\tfalse refusals\tunanswerable\trefusal rate\tdeferred\t"
	if base != nil {
		head += "naive hit@1\tnaive hit@5\t"
	}
	fmt.Fprintln(tw, head)
	for _, name := range order {
		m := report[name]
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%d (%.2f)\t%d\t%.2f\t%d\t", name, m.Answerable, m.HitAt1, m.HitAtK, m.MRR,
			m.KeywordRecall, m.FalseRefusals, m.FalseRefusalRate, m.Unanswerable, m.RefusalRate, m.Deferred)
		if base != nil {
			fmt.Fprintf(tw, "%.2f\t%.2f\t", base[name].HitAt1, base[name].HitAtK)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "k = %d\n", report["all"].K)
}

// printMisses lists the questions that did not come out right.
func printMisses(w io.Writer, results []eval.Result, k int) {
	for _, r := range results {
		var why string
		switch {
		case !r.Answerable && !r.Refused:
			why = "answered an unanswerable question"
		case r.Answerable && r.Deferred:
			why = "deferred: needs a model"
		case r.Answerable && r.Refused:
			why = "refused an answerable question"
		case r.Answerable && (r.Rank == 0 || r.Rank > k):
			why = "evidence not retrieved"
		case r.Answerable && !r.KeywordHit:
			why = "answer lacks the keywords"
		case r.Answerable && r.Rank > 1:
			why = fmt.Sprintf("evidence at rank %d", r.Rank)
		default:
			continue
		}
		fmt.Fprintf(w, "  %s (%s, %s): %s\n", r.ID, r.Kind, r.Lang, why)
	}
}
