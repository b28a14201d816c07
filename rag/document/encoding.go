package document

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"github.com/qabot/qabot/rag/terms"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// Chinese text files come in more encodings than UTF-8: GBK and GB18030 from
// Windows in mainland China, Big5 from Taiwan and Hong Kong, and UTF-16 from
// Notepad's "Unicode". They are converted, and the article says from what.

// chineseEncodings are the legacy encodings converted, by the charset name
// the detector gives them.
var chineseEncodings = map[string]encoding.Encoding{
	"GB18030": simplifiedchinese.GB18030, // GB18030 reads GBK and GB2312 too
	"Big5":    traditionalchinese.Big5,
}

// decodeText returns raw as UTF-8 without a byte order mark, and the name of
// the encoding it was converted from ("" when it was UTF-8). UTF-16 is
// recognised by its byte order mark, or without one by the zero bytes of
// Latin text; other text that is not UTF-8 is converted when the ICU
// detector (github.com/gogs/chardet) takes it for GB18030 or Big5 and the
// result is Chinese. Anything else is ErrNotUTF8; text with zero bytes that
// is not UTF-16 is ErrBinary.
func decodeText(raw []byte) ([]byte, string, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if order, ok := utf16Order(raw); ok {
		text, err := unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Bytes(bytes.TrimPrefix(bytes.TrimPrefix(raw, []byte{0xff, 0xfe}), []byte{0xfe, 0xff}))
		if err != nil || !utf8.Valid(text) {
			return nil, "", ErrNotUTF8
		}
		return text, "UTF-16", nil
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, "", ErrBinary
	}
	if utf8.Valid(raw) {
		return raw, "", nil
	}
	guesses, _ := chardet.NewTextDetector().DetectAll(raw)
	// The most confident guess wins; on a tie (a short text that reads
	// in both), GB18030, the more common.
	sort.SliceStable(guesses, func(i, j int) bool {
		if guesses[i].Confidence != guesses[j].Confidence {
			return guesses[i].Confidence > guesses[j].Confidence
		}
		return guesses[i].Charset == "GB18030" && guesses[j].Charset != "GB18030"
	})
	for _, g := range guesses {
		enc, ok := chineseEncodings[g.Charset]
		if !ok {
			continue
		}
		text, err := enc.NewDecoder().Bytes(raw)
		if err == nil && !bytes.ContainsRune(text, utf8.RuneError) && terms.HanShare(string(text)) >= 0.5 {
			return text, g.Charset, nil
		}
	}
	return nil, "", ErrNotUTF8
}

// utf16Order reports whether raw is UTF-16 text, and its byte order: it
// starts with a byte order mark, or every other byte of its start is zero,
// as in text of Latin letters and digits.
func utf16Order(raw []byte) (unicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(raw, []byte{0xff, 0xfe}):
		return unicode.LittleEndian, true
	case bytes.HasPrefix(raw, []byte{0xfe, 0xff}):
		return unicode.BigEndian, true
	}
	head := raw[:min(len(raw), 512)]
	if len(head) < 4 {
		return unicode.BigEndian, false
	}
	zeros := [2]int{}
	for i, c := range head {
		if c == 0 {
			zeros[i%2]++
		}
	}
	if max(zeros[0], zeros[1])*2 < len(head)*9/10 || min(zeros[0], zeros[1]) != 0 {
		return unicode.BigEndian, false
	}
	if zeros[1] > 0 { // "a\x00b\x00": the high byte second
		return unicode.LittleEndian, true
	}
	return unicode.BigEndian, true
}
