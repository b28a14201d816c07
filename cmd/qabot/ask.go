package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag"
)

func (a *app) askCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ask [QUESTION]",
		Short: "Answer one question, or one question per line of standard input",
		Long: `Answer a question from the articles, citing passages as [n] and listing the sources.
With no QUESTION, read one question per line from standard input.
When the articles do not cover the question, say so instead of guessing.` + exitCodesHelp,
		Example: `  qabot ask "晋能光伏的TOPCon电池生产线有多长?"
  qabot ask --json < questions.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(args) > 0 {
				q := strings.TrimSpace(strings.Join(args, " "))
				if q == "" {
					return usageError{errors.New(`the question is empty; usage: qabot ask "QUESTION"`)}
				}
				return a.askQuestion(ctx, q, asJSON)
			}
			return a.askLines(ctx, a.stdin, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per question")
	return cmd
}

// askQuestion answers the question given on the command line.
func (a *app) askQuestion(ctx context.Context, q string, asJSON bool) error {
	s, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	return a.askOne(ctx, a.answerer(s), q, asJSON)
}

// askLines answers one question per non-blank line of r, opening the store
// only once the first question arrives.
func (a *app) askLines(ctx context.Context, r io.Reader, asJSON bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	var ans *rag.Answerer
	asked := 0
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		if ans == nil {
			s, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			ans = a.answerer(s)
		}
		if err := a.askOne(ctx, ans, q, asJSON); err != nil {
			return err
		}
		asked++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	if asked == 0 {
		return usageError{errors.New(`no question given; usage: qabot ask "QUESTION", or one question per line on standard input`)}
	}
	return nil
}

func (a *app) askOne(ctx context.Context, ans *rag.Answerer, q string, asJSON bool) error {
	res, err := ans.Ask(ctx, q)
	if errors.Is(err, rag.ErrEmptyQuestion) {
		return usageError{fmt.Errorf("%w: ask about the articles in words", err)}
	}
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(a.stdout).Encode(jsonAnswer(res))
	}
	printAnswer(a.stdout, res)
	return nil
}

// answerJSON is the `ask --json` schema documented in DESIGN.md.
type answerJSON struct {
	Question string       `json:"question"`
	Answer   string       `json:"answer"`
	Mode     string       `json:"mode"`
	Refused  bool         `json:"refused"`
	Sources  []sourceJSON `json:"sources"`
}

type sourceJSON struct {
	N     int     `json:"n"`
	Doc   string  `json:"doc"`
	Title string  `json:"title"`
	Chunk int     `json:"chunk"`
	Score float64 `json:"score"`
	Text  string  `json:"text"`
}

func jsonAnswer(r rag.Answer) answerJSON {
	out := answerJSON{Question: r.Question, Answer: r.Text, Mode: r.Mode, Refused: r.Refused, Sources: []sourceJSON{}}
	for _, s := range r.Sources {
		out.Sources = append(out.Sources, sourceJSON{N: s.N, Doc: s.Doc, Title: s.Title, Chunk: s.Chunk, Score: roundScore(s.Score), Text: s.Text})
	}
	return out
}

func roundScore(x float64) float64 { return float64(int(x*10000+0.5)) / 10000 }

// printAnswer writes the answer and the sources it cites.
func printAnswer(w io.Writer, r rag.Answer) {
	fmt.Fprintln(w, r.Text)
	cited := citedSources(r)
	if len(cited) == 0 {
		return
	}
	if rag.Language(r.Question) == "zh" {
		fmt.Fprintln(w, "\n来源:")
	} else {
		fmt.Fprintln(w, "\nSources:")
	}
	for _, s := range cited {
		printSource(w, s, s.Quote)
	}
}

// printSource writes one source: number, title, date and publisher, file,
// and the quoted passage.
func printSource(w io.Writer, s rag.Source, quote string) {
	meta := []string{}
	for _, m := range []string{s.Date, s.Publisher} {
		if m != "" {
			meta = append(meta, m)
		}
	}
	line := fmt.Sprintf("[%d] %s", s.N, s.Title)
	if len(meta) > 0 {
		line += " (" + strings.Join(meta, ", ") + ")"
	}
	fmt.Fprintf(w, "%s, %s\n    “%s”\n", line, s.Doc, quote)
}

// citedSources returns the sources the answer text cites, in order.
func citedSources(r rag.Answer) []rag.Source {
	var out []rag.Source
	for _, s := range r.Sources {
		if strings.Contains(r.Text, fmt.Sprintf("[%d]", s.N)) {
			out = append(out, s)
		}
	}
	return out
}
