package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qabot/qabot/rag/terms"
)

// Article is one cleaned article of the corpus.
type Article struct {
	Name   string // file name, e.g. "000_3b24b94d7914fc5e.txt"
	Title  string // headline, or a fallback taken from the first sentence
	Date   string // publication date as YYYY-MM-DD, when the text states one
	Source string // publisher, when the text states one
	Text   string // cleaned text: paragraphs separated by "\n"
	Hash   string // SHA-256 of the raw file, hex
	// Reporters are the names of the article's bylines (记者 张凯鹏), which
	// are not part of its text.
	Reporters string
	// Encoding names the encoding the text was converted from (GB18030,
	// Big5, UTF-16); "" for UTF-8 and for documents of other formats.
	Encoding string
}

// Errors returned by ParseArticle for input that is not an article.
var (
	ErrEmpty    = errors.New("file is empty")
	ErrNotUTF8  = errors.New("file is not text in an encoding qabot recognises (UTF-8, UTF-16 with a byte order mark, GB18030/GBK, Big5): convert it to UTF-8, e.g. iconv -f ENCODING -t UTF-8")
	ErrBinary   = errors.New("file looks binary, not text")
	ErrTooLarge = errors.New("file is larger than the 10 MB limit for one article")
)

// MaxArticleBytes is the largest article file accepted.
const MaxArticleBytes = 10 << 20

// ParseArticle validates and cleans the raw bytes of one article file: it
// reads documents of other formats (see extractText) under their budget,
// converts text in other encodings to UTF-8 (see decodeText), drops page
// furniture (breadcrumbs, comment counters, photo credits, bylines), joins
// lines that were hard-wrapped mid-sentence, and finds the title, date and
// source. The text is otherwise kept verbatim.
func ParseArticle(ctx context.Context, name string, raw []byte) (Article, error) {
	if len(raw) > MaxArticleBytes {
		return Article{}, ErrTooLarge
	}
	sum := hashHex(raw)
	raw, stated, err := ExtractText(ctx, name, raw)
	if err != nil {
		return Article{}, err
	}
	raw, encoding, err := decodeText(raw)
	if err != nil {
		return Article{}, err
	}
	if controlShare(raw) > 0.01 {
		return Article{}, ErrBinary
	}
	lines, err := cleanLines(ctx, string(raw))
	if err != nil {
		return Article{}, err
	}
	meta := findMetadata(lines)
	meta = stated.or(meta)
	paras := joinWrapped(lines)
	if len(paras) == 0 {
		return Article{}, ErrEmpty
	}
	a := Article{
		Name:      name,
		Date:      meta.date,
		Source:    meta.source,
		Text:      strings.Join(paras, "\n"),
		Hash:      sum,
		Encoding:  encoding,
		Reporters: meta.reporters,
	}
	a.Title = strings.TrimSpace(strings.TrimLeft(findTitle(paras, meta.headline), "#"))
	return a, nil
}

// hashHex is the SHA-256 of raw, in hex: an article's identity.
func hashHex(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// controlShare is the share of runes that are control characters other than
// ordinary whitespace.
func controlShare(raw []byte) float64 {
	var n, bad int
	for _, r := range string(raw) {
		n++
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			bad++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(bad) / float64(n)
}

// line is one non-blank line of the raw text after furniture removal.
type line struct {
	// reporters are the names of a byline removed from this line or
	// standing for it: (记者沈佳 李林霞), 记者 张凯鹏.
	reporters []string
	text      string
	// afterFurniture is set when a photo credit was removed right before
	// this line: a picture may split a sentence in two.
	afterFurniture bool
	// metadata is set for a "发布日期 ... 来源 ..." line; it is not article text.
	metadata bool
}

var (
	spaceRun       = regexp.MustCompile(`[ \t\x{00a0}\x{3000}]+`)
	breadcrumbLine = regexp.MustCompile(`^(当前位置|您的位置|你的位置|您现在的位置|现在位置)\s*[:：]|(>>|»|›|＞＞).*(>>|»|›|＞＞)|首页\s*(>|»|›|＞)`)
	counterLine    = regexp.MustCompile(`^(评论|点赞|收藏|分享|转发|阅读|浏览)\s*[(（]?\s*\d*\s*[)）]?$|^(分享到|打印本页|关闭窗口|返回顶部|上一篇|下一篇|扫一扫|字号)[:：]?|^【?\s*字体\s*[:：]`)
	photoCredit    = regexp.MustCompile(`^[^。！？!?]{0,60}\s(记者|通讯员|摄影|图)?\s*[\p{Han}·]{2,4}\s*摄(影)?\s*[)）]?$`)
	bylineLine     = regexp.MustCompile(`^(本报)?(记者|通讯员|作者|文|编辑|责任编辑|图|摄影)\s*[:：/]?\s*[\p{Han}·]{2,4}(\s+[\p{Han}·]{2,4})*$`)
	dateLabel      = regexp.MustCompile(`(发布日期|发布时间|发表日期|日期|时间|Published|Date)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})`)
	sourceLabel    = regexp.MustCompile(`(来源|出处|Source)\s*[:：]\s*([^\s)）]+)`)
	// trailingByline is the reporters' names in brackets at the end of a
	// paragraph: (记者沈佳 李林霞), (李林霞 杨彧 沈佳).
	trailingByline = regexp.MustCompile(`\s*[(（]\s*((记者|通讯员)\s*[\p{Han}·]{2,4}(\s+[\p{Han}·]{2,4})*|[\p{Han}·]{2,4}(\s+[\p{Han}·]{2,4})+)\s*[)）]$`)
	metadataLine   = regexp.MustCompile(`^[(（]?\s*(发布日期|发布时间|发表日期|来源|出处|Published|Source)\s*[:：]`)
)

// maxFurnitureRunes is the longest line that may be page furniture (a
// breadcrumb trail, a photo credit, a byline, a share counter).
const maxFurnitureRunes = 100

// cleanLines splits raw text into trimmed, space-normalised lines and
// removes page furniture. It takes time and memory linear in raw (runs of blank lines are kept as
// one), and stops with ctx's error when ctx is done.
func cleanLines(ctx context.Context, raw string) ([]line, error) {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\r", "\n")
	crumbs := map[string]bool{}
	var out []line
	removed := false
	n := 0
	for s := range strings.SplitSeq(raw, "\n") {
		if n++; n%checkEvery == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s = strings.TrimSpace(spaceRun.ReplaceAllString(s, " "))
		s = strings.TrimFunc(s, unicode.IsSpace)
		if strings.ContainsFunc(s, unprintable) { // an escape sequence, a direction override: never article text
			s = strings.Map(func(r rune) rune {
				if unprintable(r) {
					return -1
				}
				return r
			}, s)
		}
		var reporters []string
		if m := trailingByline.FindStringSubmatch(s); m != nil {
			reporters = bylineNames(m[1])
			s = strings.TrimSpace(s[:len(s)-len(m[0])])
		}
		if s == "" {
			if len(reporters) > 0 || len(out) == 0 || out[len(out)-1].text != "" || len(out[len(out)-1].reporters) > 0 {
				out = append(out, line{reporters: reporters, metadata: true})
			}
			continue
		}
		// Page furniture is short; paragraphs skip the patterns.
		n := utf8.RuneCountInString(s)
		if n <= maxFurnitureRunes && breadcrumbLine.MatchString(s) {
			for _, seg := range breadcrumbSegments(s) {
				crumbs[seg] = true
			}
			continue
		}
		if n <= maxFurnitureRunes && photoCredit.MatchString(s) {
			removed = true
			continue
		}
		if n <= maxFurnitureRunes && bylineLine.MatchString(s) {
			out = append(out, line{reporters: bylineNames(s), metadata: true})
			continue
		}
		if n <= maxFurnitureRunes && counterLine.MatchString(s) || crumbs[s] {
			continue
		}
		out = append(out, line{text: s, afterFurniture: removed, metadata: n < 80 && metadataLine.MatchString(s), reporters: reporters})
		removed = false
	}
	return out, nil
}

// checkEvery is how many lines are cleaned between looks at the deadline.
const checkEvery = 1024

// bylineNames are the names of a byline: 记者 张凯鹏 → 张凯鹏; 记者沈佳 李林霞 →
// 沈佳, 李林霞.
func bylineNames(byline string) []string {
	var out []string
	for _, f := range strings.Fields(bylineRole.ReplaceAllString(byline, " ")) {
		if utf8.RuneCountInString(f) >= 2 {
			out = append(out, f)
		}
	}
	return out
}

// bylineRole matches the role words of a byline.
var bylineRole = regexp.MustCompile(`本报|记者|通讯员|作者|责任编辑|编辑|摄影|[文图:：/]`)

var crumbSeparator = regexp.MustCompile(`\s*(>>|»|›|＞＞|>|＞)\s*`)

func breadcrumbSegments(s string) []string {
	if i := strings.IndexAny(s, ":："); i >= 0 && i < 20 {
		s = s[i+1:]
	}
	var segs []string
	for _, seg := range crumbSeparator.Split(s, -1) {
		if seg = strings.TrimSpace(seg); seg != "" {
			segs = append(segs, seg)
		}
	}
	return segs
}

type metadata struct {
	date, source string
	headline     string // the heading-like line right before the first metadata line
	reporters    string // the names of the bylines, 、-separated
}

// or is m with what it leaves empty taken from other.
func (m metadata) or(other metadata) metadata {
	for _, f := range []struct{ v, o *string }{{&m.date, &other.date}, {&m.source, &other.source}, {&m.headline, &other.headline}, {&m.reporters, &other.reporters}} {
		if *f.v == "" {
			*f.v = *f.o
		}
	}
	return m
}

// findMetadata reads the date and source from labelled lines such as
// "发布日期:2023-07-09 来源:山西日报" or "(来源:《求是》杂志)".
func findMetadata(lines []line) metadata {
	var m metadata
	var sources, reporters []string
	seen := map[string]bool{}
	for i, l := range lines {
		for _, r := range l.reporters {
			if !seen["r"+r] {
				seen["r"+r] = true
				reporters = append(reporters, r)
			}
		}
		if m.date == "" {
			if d := dateLabel.FindStringSubmatch(l.text); d != nil {
				month, _ := strconv.Atoi(d[3])
				day, _ := strconv.Atoi(d[4])
				m.date = fmt.Sprintf("%s-%02d-%02d", d[2], month, day)
			}
		}
		if !l.metadata && !strings.HasPrefix(l.text, "(") && !strings.HasPrefix(l.text, "（") {
			continue
		}
		if s := sourceLabel.FindStringSubmatch(l.text); s != nil && !seen["s"+s[2]] {
			seen["s"+s[2]] = true
			sources = append(sources, s[2])
		}
		if l.metadata && l.text != "" && m.headline == "" {
			k := i - 1
			for k >= 0 && lines[k].text == "" { // a byline between
				k--
			}
			if k >= 0 && isHeading(lines[k].text) {
				m.headline = lines[k].text
			}
		}
	}
	m.source = strings.Join(sources, "、")
	m.reporters = strings.Join(reporters, "、")
	return m
}

// sentenceEnders end a sentence; closers may follow them in the same sentence.
const (
	sentenceEnders = "。！？；…!?;"
	closers        = "”’」』）)】\"'》"
)

// EndsSentence reports whether s ends with sentence-final punctuation,
// possibly followed by closing quotes or brackets.
func EndsSentence(s string) bool {
	s = strings.TrimRight(s, closers)
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(sentenceEnders, r) || r == '.'
}

// isHeading reports whether s looks like a headline: short, and not ending
// like a sentence.
func isHeading(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 60 && !EndsSentence(s)
}

// joinWrapped turns lines into paragraphs. A document whose lines mostly stop
// at one width was hard-wrapped: a full-width line that does not end a
// sentence continues on the next line. In any document, a line cut off by
// removed furniture (a photo credit inside a sentence) continues too.
func joinWrapped(lines []line) []string {
	width := wrapWidth(lines)
	var paras []string
	var cur strings.Builder
	prev := ""
	for _, l := range lines {
		if l.metadata {
			continue
		}
		continues := false
		if cur.Len() > 0 {
			n := utf8.RuneCountInString(prev)
			full := width > 0 && n >= width*3/4
			continues = !EndsSentence(prev) && (full || l.afterFurniture && n > 12)
		}
		if !continues && cur.Len() > 0 {
			paras = append(paras, cur.String())
			cur.Reset()
		}
		if continues && needsSpace(prev, l.text) {
			cur.WriteByte(' ')
		}
		cur.WriteString(l.text)
		prev = l.text
	}
	if cur.Len() > 0 {
		paras = append(paras, cur.String())
	}
	return paras
}

// wrapWidth returns the width in runes at which the text was hard-wrapped,
// or 0 when it was not: the 90th-percentile line length, when it is short
// and most lines are close to it.
func wrapWidth(lines []line) int {
	if len(lines) < 8 {
		return 0
	}
	lengths := make([]int, 0, len(lines))
	for _, l := range lines {
		if l.text != "" {
			lengths = append(lengths, utf8.RuneCountInString(l.text))
		}
	}
	if len(lengths) < 8 {
		return 0
	}
	sort.Ints(lengths)
	width := lengths[len(lengths)*9/10]
	if width > 120 {
		return 0
	}
	near := 0
	for _, n := range lengths {
		if n >= width*3/4 && n <= width+2 {
			near++
		}
	}
	if near*2 < len(lengths) {
		return 0
	}
	return width
}

// needsSpace reports whether joining line a and the next line b needs a
// space: only before a word of a space-separated script that follows a
// word, or follows Latin punctuation in a line that is not mostly Chinese.
func needsSpace(a, b string) bool {
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if !terms.IsWordRune(rb) {
		return false
	}
	return terms.IsWordRune(ra) || strings.ContainsRune(",.;:!?", ra) && terms.Language(a) != "zh"
}

// findTitle picks the headline: the line before the date/source line, else a
// heading followed by a "——" subtitle, else the first heading among the
// first lines, else the start of the first sentence.
func findTitle(paras []string, headline string) string {
	if headline != "" {
		return headline
	}
	for i := 0; i+1 < len(paras); i++ {
		if isHeading(paras[i]) && strings.HasPrefix(paras[i+1], "——") && !strings.HasPrefix(paras[i], "——") {
			return paras[i]
		}
	}
	for _, p := range paras[:min(3, len(paras))] {
		if isHeading(p) && utf8.RuneCountInString(p) <= 40 {
			return p
		}
	}
	return clauseTitle(firstSentence(paras[0]))
}

// maxTitleRunes bounds a title made from an article's first sentence.
const maxTitleRunes = 40

// clauseTitle makes a title of a first sentence: its first clause, or its
// second when the first is a short lead-in such as 连日来 or 近日; cut, with
// "…", only when that clause is too long itself.
func clauseTitle(sentence string) string {
	clauses := strings.FieldsFunc(sentence, func(r rune) bool { return strings.ContainsRune("，,：:；;", r) })
	if len(clauses) == 0 {
		return ""
	}
	title := clauses[0]
	if utf8.RuneCountInString(title) < 5 && len(clauses) > 1 {
		title = clauses[1]
	}
	if r := []rune(strings.TrimSpace(title)); len(r) > maxTitleRunes {
		return string(r[:maxTitleRunes]) + "…"
	}
	return strings.TrimSpace(title)
}

func firstSentence(s string) string {
	for i, r := range s {
		if strings.ContainsRune(sentenceEnders, r) {
			return s[:i]
		}
	}
	return s
}
