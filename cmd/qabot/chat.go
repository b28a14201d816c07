package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"

	"github.com/qabot/qabot/rag"
)

const chatHelp = `Ask a question about the articles. Commands:
  /sources  the passages behind the last answer, in full
  /reset    forget the conversation (follow-up questions refer to it)
  /help     this text
  /quit     leave (or Ctrl-D)`

// maxChatTurns is how many past turns follow-up questions can refer to.
const maxChatTurns = 6

func (a *app) chatCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Ask questions interactively, with line editing and history",
		Long: `Ask questions interactively, with line editing and history. With a model configured,
follow-up questions ("那它的前身呢?") refer to the conversation.

` + chatHelp,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			ans := a.answerer(s)
			rl, err := readline.NewEx(&readline.Config{
				Prompt:          "问> ",
				HistoryFile:     filepath.Join(a.cfg.DataDir, "chat_history"),
				Stdin:           io.NopCloser(a.stdin),
				Stdout:          a.stdout,
				Stderr:          a.stderr,
				InterruptPrompt: "^C",
				EOFPrompt:       "/quit",
				FuncIsTerminal:  func() bool { return isTerminal(a.stdin) && isTerminal(a.stdout) },
			})
			if err != nil {
				return fmt.Errorf("start line editor: %w", err)
			}
			defer rl.Close()
			fmt.Fprintf(a.stdout, "qabot: %d articles, %d passages. %s\n", len(s.Manifest.Articles), len(s.Chunks()), "Type a question, /help or /quit.")
			var last rag.Answer
			var history []rag.Turn
			for {
				line, err := rl.Readline()
				if errors.Is(err, readline.ErrInterrupt) {
					continue
				}
				if err != nil { // io.EOF: Ctrl-D or end of input
					return nil
				}
				line = strings.TrimSpace(line)
				switch {
				case line == "":
					continue
				case line == "/quit" || line == "/exit":
					return nil
				case line == "/help":
					fmt.Fprintln(a.stdout, chatHelp)
					continue
				case line == "/sources":
					printAllSources(a.stdout, last)
					continue
				case line == "/reset":
					history, last = nil, rag.Answer{}
					fmt.Fprintln(a.stdout, "Conversation forgotten.")
					continue
				case strings.HasPrefix(line, "/"):
					fmt.Fprintf(a.stdout, "unknown command %s\n%s\n", line, chatHelp)
					continue
				}
				res, err := a.answerToTerminal(ctx, ans, rag.Request{Question: line, History: history})
				var ue usageError
				if errors.As(err, &ue) {
					fmt.Fprintln(a.stdout, "Please ask about the articles in words.")
					continue
				}
				if err != nil {
					return err
				}
				last = res
				history = append(history, rag.Turn{Question: res.Question, Answer: res.Text})
				history = history[max(0, len(history)-maxChatTurns):]
				fmt.Fprintln(a.stdout)
			}
		},
	}
	return cmd
}

// printAllSources writes every retrieved passage of an answer in full.
func printAllSources(w io.Writer, r rag.Answer) {
	if len(r.Sources) == 0 {
		fmt.Fprintln(w, "No sources yet: ask a question first.")
		return
	}
	for _, s := range r.Sources {
		printSource(w, s, s.Text)
	}
}

func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}
