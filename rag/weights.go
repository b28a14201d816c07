package rag

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/qabot/qabot/rag/search"
)

// Weights weigh the features that rank passages and choose the sentences
// of an extractive answer. The defaults, in weights.tsv, were fitted on the
// development sets by cmd/devsets (see README, Measurements).
type Weights struct {
	Rank search.RankWeights
	Span [NumSpanFeatures]float64
	// Stated is the least share of a question's terms that a sentence
	// stating the number or date it asks for must hold: below it, offline,
	// the passages are taken not to give that number or date.
	Stated float64
}

//go:embed weights.tsv
var weightsTSV string

// DefaultWeights are the weights of weights.tsv.
var DefaultWeights = func() *Weights {
	w, err := ParseWeights(weightsTSV)
	if err != nil {
		panic("weights.tsv: " + err.Error())
	}
	return w
}()

// ParseWeights reads weights in the form of weights.tsv: lines of stage
// (rank, span or refuse), feature and weight, tab-separated; # starts a
// comment.
// Every feature must be given.
func ParseWeights(tsv string) (*Weights, error) {
	w := &Weights{}
	seen := map[string]bool{}
	for n, line := range strings.Split(tsv, "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: %d fields, want 3", n+1, len(f))
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		var slot *float64
		switch f[0] {
		case "rank":
			slot = feature(w.Rank[:], search.RankFeatureNames[:], f[1])
		case "span":
			slot = feature(w.Span[:], SpanFeatureNames[:], f[1])
		case "refuse":
			if f[1] == "stated" {
				slot = &w.Stated
			}
		}
		if slot == nil {
			return nil, fmt.Errorf("line %d: no feature %s %s", n+1, f[0], f[1])
		}
		*slot = v
		seen[f[0]+" "+f[1]] = true
	}
	for _, name := range search.RankFeatureNames {
		if !seen["rank "+name] {
			return nil, fmt.Errorf("no weight for rank %s", name)
		}
	}
	for _, name := range SpanFeatureNames {
		if !seen["span "+name] {
			return nil, fmt.Errorf("no weight for span %s", name)
		}
	}
	if !seen["refuse stated"] {
		return nil, fmt.Errorf("no weight for refuse stated")
	}
	return w, nil
}

// feature is the slot of weights named name, or nil.
func feature(weights []float64, names []string, name string) *float64 {
	for i, n := range names {
		if n == name {
			return &weights[i]
		}
	}
	return nil
}

// Format writes w in the form of weights.tsv.
func (w *Weights) Format() string {
	var b strings.Builder
	for i, name := range search.RankFeatureNames {
		fmt.Fprintf(&b, "rank\t%s\t%.4f\n", name, w.Rank[i])
	}
	for i, name := range SpanFeatureNames {
		fmt.Fprintf(&b, "span\t%s\t%.4f\n", name, w.Span[i])
	}
	fmt.Fprintf(&b, "refuse\tstated\t%.4f\n", w.Stated)
	return b.String()
}
