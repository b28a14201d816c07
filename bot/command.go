package bot

import (
	"html"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// commandForOtherBot is parseCommand's result for "/cmd@OtherBot".
const commandForOtherBot = "\x00other"

// parseCommand finds the first bot command in msg, wherever it is in the
// text, and returns its name (lower case, without "/" and "@username") and
// the text after it. Entity offsets count UTF-16 code units, so the text is
// sliced as UTF-16 (go-telegram/bot's MatchTypeCommand slices bytes, which
// breaks after any non-ASCII text). A command addressed to another bot
// gives commandForOtherBot.
func parseCommand(msg *models.Message, username string) (name, arg string) {
	text := msg.Text
	units := utf16.Encode([]rune(text))
	for _, e := range msg.Entities {
		if e.Type != models.MessageEntityTypeBotCommand || e.Offset < 0 || e.Length < 2 || e.Offset+e.Length > len(units) {
			continue
		}
		cmd := string(utf16.Decode(units[e.Offset : e.Offset+e.Length]))
		rest := string(utf16.Decode(units[e.Offset+e.Length:]))
		return commandName(cmd, username), strings.TrimSpace(rest)
	}
	if strings.HasPrefix(text, "/") { // no entities: a client or test that omits them
		cmd, rest, _ := strings.Cut(text, " ")
		return commandName(cmd, username), strings.TrimSpace(rest)
	}
	return "", ""
}

// commandName turns "/Ask@MyBot" into "ask", or commandForOtherBot when
// the suffix names another bot.
func commandName(cmd, username string) string {
	name, target, addressed := strings.Cut(strings.TrimPrefix(cmd, "/"), "@")
	if addressed && !strings.EqualFold(target, username) {
		return commandForOtherBot
	}
	return strings.ToLower(name)
}

func escape(s string) string { return html.EscapeString(s) }
