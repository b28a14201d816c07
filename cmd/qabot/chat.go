package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"

	"github.com/qabot/qabot/cmd/qabot/internal/api"
	"github.com/qabot/qabot/rag"
	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/reply"
)

// chatHelp is the chat's help, in the interface's language.
func chatHelp(zh bool) string {
	return pick(zh, `提问关于文章的问题即可。命令：
  /sources    上一个回答的来源（标题和引文）
  /sources N  第 N 个来源的完整段落
  /reset      忘记对话（追问会参考之前的对话）
  /help       显示帮助
  /quit       退出（或 Ctrl-D）`, `Ask a question about the articles. Commands:
  /sources    the sources of the last answer (title and quoted sentence)
  /sources N  source N's whole passage
  /reset      forget the conversation (follow-up questions refer to it)
  /help       this text
  /quit       leave (or Ctrl-D)`)
}

// interfaceChinese reports whether the terminal's locale is Chinese, for
// the chat's prompts and messages (answers follow the question).
func interfaceChinese() bool {
	zh, _ := localeSet()
	return zh
}

// localeSet reports whether the locale (LC_ALL, LC_MESSAGES, LANG) is
// Chinese, and whether one is set at all (C and POSIX do not count).
func localeSet() (zh, set bool) {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(name); v != "" && v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.") {
			return strings.HasPrefix(strings.ToLower(v), "zh"), true
		}
	}
	return false, false
}

// maxChatTurns is how many past turns follow-up questions can refer to.
const maxChatTurns = 6

func (a *app) chatCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Ask questions interactively, with line editing and history",
		Long: `Ask questions interactively, with line editing and history. With a model configured,
follow-up questions ("那它的前身呢?") refer to the conversation. Prompts and messages are in
Chinese when LANG (or LC_ALL, LC_MESSAGES) is a Chinese locale, else in English.

` + chatHelp(false),
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.warm = true
			ctx := cmd.Context()
			s, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			ans := a.answerer(s)
			zh := interfaceChinese()
			rl, err := readline.NewEx(&readline.Config{
				Prompt:          pick(zh, "问> ", "Q> "),
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
			fmt.Fprintf(a.stdout, pick(zh, "qabot：%d 篇文章，%d 个段落。请输入问题，/help 查看帮助，/quit 退出。\n", "qabot: %d articles, %d passages. Type a question, /help or /quit.\n"), len(s.Manifest.Articles), s.Count())
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
					fmt.Fprintln(a.stdout, chatHelp(zh))
					continue
				case line == "/sources" || strings.HasPrefix(line, "/sources "):
					printChatSources(a.stdout, last, strings.TrimSpace(strings.TrimPrefix(line, "/sources")), zh)
					continue
				case line == "/reset":
					history, last = nil, rag.Answer{}
					fmt.Fprintln(a.stdout, pick(zh, "好的，已忘记之前的对话。", "Conversation forgotten."))
					continue
				case strings.HasPrefix(line, "/"):
					fmt.Fprintf(a.stdout, pick(zh, "没有这个命令：%s\n%s\n", "unknown command %s\n%s\n"), line, chatHelp(zh))
					continue
				}
				res, err := a.answerToTerminal(ctx, ans, rag.Request{Question: line, History: history})
				var ue usageError
				if errors.As(err, &ue) {
					fmt.Fprintln(a.stdout, pick(zh, "请用文字提问。", "Please ask about the articles in words."))
					continue
				}
				if err != nil {
					return err
				}
				last = res
				history = append(history, rag.Turn{Question: res.Question, Answer: reply.Text(res, res.Lang)})
				history = history[max(0, len(history)-maxChatTurns):]
				fmt.Fprintln(a.stdout)
			}
		},
	}
	return cmd
}

// printChatSources answers /sources: each source of the last answer on
// one line, title and quoted sentence; with arg N, source N's passage in
// full.
func printChatSources(w io.Writer, r rag.Answer, arg string, zh bool) {
	if len(r.Sources) == 0 {
		fmt.Fprintln(w, pick(zh, "还没有来源：请先提问。", "No sources yet: ask a question first."))
		return
	}
	if arg != "" {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(r.Sources) {
			fmt.Fprintf(w, pick(zh, "没有第 %s 个来源：共有 %d 个。\n", "There is no source %s: there are %d.\n"), arg, len(r.Sources))
			return
		}
		s := r.Sources[n-1]
		fmt.Fprintf(w, "%s\n%s\n", api.SourceLabel(s), s.Text)
		return
	}
	for _, s := range r.Sources {
		quote := s.Quote
		if quote == "" {
			quote = firstOf(document.Sentences(s.Text))
		}
		fmt.Fprintf(w, "%s  “%s”\n", api.SourceLabel(s), quote)
	}
	fmt.Fprintln(w, pick(zh, "（/sources N 查看第 N 个来源的完整段落）", "(/sources N shows source N's whole passage)"))
}

func firstOf(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return items[0]
}

func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && readline.IsTerminal(int(f.Fd()))
}
