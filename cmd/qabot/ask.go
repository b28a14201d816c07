package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/qabot/qabot/cmd/qabot/internal/api"
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
				a.question = q
				if q == "" {
					return usageError{errors.New(`the question is empty; usage: qabot ask "QUESTION"`)}
				}
				return a.askQuestion(ctx, q, asJSON)
			}
			if f, ok := a.stdin.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
				a.say(`从标准输入读取问题，每行一个；Ctrl-D 结束（或：qabot ask "问题"）`, `reading questions from standard input, one per line; Ctrl-D ends (or: qabot ask "QUESTION")`)
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

// maxLineBytes bounds the part of an input line that is kept as a
// question; questions are cut to rag.MaxQuestionRunes anyway.
const maxLineBytes = 64 << 10

// askLines answers one question per non-blank line of r, opening the store
// only once the first question arrives. A line that cannot be answered (no
// words in it, say) gets its own error, on stderr or as a JSON object with
// "error", and the next line is answered; the run fails at the end when
// any line failed. Lines of any length are read.
func (a *app) askLines(ctx context.Context, r io.Reader, asJSON bool) error {
	var ans *rag.Answerer
	asked, failed := 0, 0
	err := eachLine(r, func(n int, line string) error {
		q := strings.TrimSpace(line)
		if q == "" {
			return nil
		}
		if ans == nil {
			s, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			ans = a.answerer(s)
		}
		asked++
		err := a.askOne(ctx, ans, q, asJSON)
		if err == nil || ctx.Err() != nil {
			return err
		}
		failed++
		if asJSON {
			return json.NewEncoder(a.stdout).Encode(struct {
				Question string `json:"question"`
				Error    string `json:"error"`
			}{q, err.Error()})
		}
		fmt.Fprintf(a.stderr, "qabot: line %d: %v\n", n, err)
		return nil
	})
	switch {
	case err != nil:
		return err
	case asked == 0:
		return usageError{errors.New(`no question given; usage: qabot ask "QUESTION", or one question per line on standard input`)}
	case failed > 0:
		return fmt.Errorf("%d of %d questions could not be answered", failed, asked)
	}
	return nil
}

// eachLine calls fn with each line of r and its number, from 1, keeping the
// first maxLineBytes of longer lines; it stops at fn's first error.
func eachLine(r io.Reader, fn func(n int, line string) error) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		var line []byte
		for {
			part, isPrefix, err := br.ReadLine()
			if len(line) < maxLineBytes {
				line = append(line, part[:min(len(part), maxLineBytes-len(line))]...)
			}
			if err == io.EOF {
				if len(line) > 0 {
					return fn(n, strings.ToValidUTF8(string(line), ""))
				}
				return nil
			}
			if err != nil {
				return fmt.Errorf("read questions: %w", err)
			}
			if !isPrefix {
				break
			}
		}
		if err := fn(n, strings.ToValidUTF8(string(line), "")); err != nil {
			return err
		}
	}
}

func (a *app) askOne(ctx context.Context, ans *rag.Answerer, q string, asJSON bool) error {
	if asJSON {
		res, err := a.answer(ctx, ans, rag.Request{Question: q})
		if err != nil {
			return err
		}
		return json.NewEncoder(a.stdout).Encode(api.NewAnswerJSON(res))
	}
	_, err := a.answerToTerminal(ctx, ans, rag.Request{Question: q})
	return err
}

// answer answers req, making an empty question a usage error. The first
// question that needs a model gets a notice on stderr that names the
// settings: whoever runs the command is the operator.
func (a *app) answer(ctx context.Context, ans *rag.Answerer, req rag.Request) (rag.Answer, error) {
	res, err := ans.Answer(ctx, req)
	if errors.Is(err, rag.ErrEmptyQuestion) {
		return res, usageError{fmt.Errorf("%w: ask about the articles in words", err)}
	}
	if res.Deferred() && !a.hinted {
		a.hinted = true
		a.say("提示：跨语言提问和追问需要配置模型：设置 llm.base_url 和 llm.model（任何 OpenAI 兼容的服务，例如 Ollama）", "note: %s", rag.ModelHint)
	}
	return res, err
}

// answerToTerminal answers req, streaming a generated answer to stdout as
// it arrives, then lists the sources it cites. A notice (the model server
// failed) goes to stderr, before the extractive answer that replaces it.
func (a *app) answerToTerminal(ctx context.Context, ans *rag.Answerer, req rag.Request) (rag.Answer, error) {
	streamed := false
	req.OnText = func(s string) {
		streamed = true
		fmt.Fprint(a.stdout, s)
	}
	res, err := a.answer(ctx, ans, req)
	if err != nil {
		if streamed {
			fmt.Fprintln(a.stdout)
		}
		return res, err
	}
	if res.ModelError != nil {
		fmt.Fprintln(a.stderr, "qabot:", api.Notice(res))
	}
	fmt.Fprintln(a.stdout, api.Tail(res, streamed))
	return res, nil
}

func pick(zh bool, chinese, other string) string {
	if zh {
		return chinese
	}
	return other
}
