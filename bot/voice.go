package bot

import (
	"context"
	"fmt"
	"mime"
	"time"

	"github.com/go-telegram/bot/models"
)

// Voice and audio questions are transcribed by the Transcriber, then
// answered as text, with the transcript quoted above the answer. They are
// bounded in duration (MaxVoiceSeconds) and size (maxVoiceBytes), said in
// the reply when over; they count against the same allowlist and rate as
// text. Files come through getFile only.

// Transcriber turns speech into text.
type Transcriber interface {
	Transcribe(ctx context.Context, name string, audio []byte) (string, error)
}

// maxVoiceBytes bounds a voice or audio question's file.
const maxVoiceBytes = 5 << 20

// spoken is the sound file of a voice or audio message.
type spoken struct {
	id, name string
	seconds  int
	size     int64
}

// spokenOf is the sound of msg, a voice or an audio message.
func spokenOf(msg *models.Message) spoken {
	if v := msg.Voice; v != nil {
		return spoken{id: v.FileID, name: "voice.ogg", seconds: v.Duration, size: v.FileSize}
	}
	a := msg.Audio
	name := a.FileName
	if name == "" {
		name = "audio.mp3"
		if exts, _ := mime.ExtensionsByType(a.MimeType); len(exts) > 0 {
			name = "audio" + exts[0]
		}
	}
	return spoken{id: a.FileID, name: name, seconds: a.Duration, size: a.FileSize}
}

// queueVoice checks a voice question and queues it: transcribed in the
// chat's turn, then answered.
func (b *Bot) queueVoice(msg *models.Message, lang string) {
	zh := lang == "zh"
	s := spokenOf(msg)
	switch {
	case b.cfg.Transcriber == nil:
		b.reply(msg, pick(zh, "这里没有启用语音提问，请用文字提问。", "Voice questions are not enabled here; please type your question."), nil)
		return
	case s.seconds > b.cfg.MaxVoiceSeconds:
		b.reply(msg, fmt.Sprintf(pick(zh, "语音太长（%d 秒），请控制在 %d 秒以内，或用文字提问。", "That recording is too long (%d s); please keep it under %d s, or type your question."), s.seconds, b.cfg.MaxVoiceSeconds), nil)
		return
	case s.size > maxVoiceBytes:
		b.reply(msg, fmt.Sprintf(pick(zh, "语音文件太大（超过 %d MB），请用文字提问。", "That recording is too large (over %d MB); please type your question."), maxVoiceBytes>>20), nil)
		return
	}
	if b.admit(msg, lang) {
		b.enqueue(msg, lang, func() { b.answerVoice(msg, s, lang) })
	}
}

// answerVoice transcribes s, quotes the transcript, and answers it.
func (b *Bot) answerVoice(msg *models.Message, s spoken, lang string) {
	to := placeOf(msg)
	defer b.recoverPanic("voice", to)
	ctx, cancel := context.WithTimeout(b.workCtx, 3*time.Minute)
	defer cancel()
	replyTo := 0
	if msg.Chat.Type != models.ChatTypePrivate {
		replyTo = msg.ID
	}
	audio, err := b.downloadFile(ctx, s.id, s.name, maxVoiceBytes)
	text := ""
	if err == nil {
		text, err = b.cfg.Transcriber.Transcribe(ctx, s.name, audio)
	}
	if err != nil {
		b.log.Warn("telegram: a voice question could not be transcribed", "chat", to.chat, "error", redactToken(err, b.cfg.Token))
		b.send(ctx, to, replyTo, pick(lang == "zh", "抱歉，语音没能转成文字，请稍后再试，或用文字提问。", "Sorry, the recording could not be turned into text; please try again later, or type your question."), nil)
		return
	}
	b.send(ctx, to, replyTo, "🎤 <i>"+escape(text)+"</i>", nil)
	b.ask(msg, text)
}
