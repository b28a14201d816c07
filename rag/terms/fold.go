// Package terms turns text into the terms qabot matches: text folded so
// that the forms a user types and the forms an article uses meet, cut into
// CJK character n-grams and words.
//
// Folding: full-width letters and digits become ASCII, Traditional
// characters Simplified (OpenCC t2s), Latin letters lower case, and numbers
// Arabic (七月六号 → 7月6日, 两千万 → 2000万, 第十四个五年 → 十四五). Text is
// always shown as written; only its terms are folded.
package terms

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

// Script folds widths and Traditional characters: the light fold that a
// neural embedder gets.
func Script(s string) string {
	s = width.Fold.String(s)
	if !hasTraditional(s) {
		return s
	}
	conv, err := t2s()
	if err != nil {
		return s
	}
	out, err := conv.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// Fold is the full fold used for terms: Script, lower case, and numbers in
// one form. Answering a question folds the same passages and sentences at
// several steps, so the folds of recent texts are kept.
func Fold(s string) string {
	if len(s) > maxCachedFold {
		return fold(s)
	}
	folds.Lock()
	f, ok := folds.m[s]
	folds.Unlock()
	if ok {
		return f
	}
	f = fold(s)
	folds.Lock()
	if len(folds.m) >= foldsKept {
		clear(folds.m)
	}
	folds.m[strings.Clone(s)] = f // s may live in a mapped file
	folds.Unlock()
	return f
}

// folds keeps up to foldsKept folded texts of up to maxCachedFold bytes.
var folds = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

const (
	foldsKept     = 4096
	maxCachedFold = 8 << 10
)

func fold(s string) string {
	s = strings.ToLower(Script(s))
	if !strings.ContainsAny(s, chineseNumerals+"号第,，") {
		return s
	}
	// Each pattern runs only where its fixed part occurs: folding is most
	// of the cost of indexing.
	if strings.Contains(s, "个五年") {
		s = planName.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.Atoi(arabic(planName.FindStringSubmatch(m)[1]))
			return "十" + string([]rune("零一二三四五六七八九")[n%10]) + "五"
		})
	}
	if strings.Contains(s, "百分之") {
		s = percent.ReplaceAllStringFunc(s, func(m string) string {
			return arabic(percent.FindStringSubmatch(m)[1]) + "%"
		})
	}
	s = arabicNumbers(s)
	if strings.Contains(s, "号") {
		s = dayHao.ReplaceAllString(s, "${1}日")
	}
	if strings.Contains(s, ",") {
		s = thousands.ReplaceAllString(s, "$1$2")
	}
	return s
}

var (
	t2sOnce sync.Once
	t2sConv *opencc.OpenCC
	t2sErr  error
)

// t2s is the OpenCC Traditional-to-Simplified converter, loaded once.
func t2s() (*opencc.OpenCC, error) {
	t2sOnce.Do(func() { t2sConv, t2sErr = opencc.New("t2s") })
	return t2sConv, t2sErr
}

// hasTraditional reports whether s holds a character that OpenCC turns into
// another one, so that simplified text skips the (slower) conversion.
func hasTraditional(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && isTraditional(r) {
			return true
		}
	}
	return false
}

var (
	traditionalOnce sync.Once
	traditionalSet  map[rune]bool
)

func isTraditional(r rune) bool {
	traditionalOnce.Do(func() {
		traditionalSet = make(map[rune]bool, utf8.RuneCountInString(traditionalRunes))
		for _, t := range traditionalRunes {
			traditionalSet[t] = true
		}
	})
	return traditionalSet[r]
}

const chineseNumerals = "零〇一二两三四五六七八九十百千"

var (
	// planName is a five-year plan written out: 第十四个五年规划 → 十四五规划.
	planName  = regexp.MustCompile(`第?(十[一二三四五六七八九]|1\d)个五年`)
	dayHao    = regexp.MustCompile(`(\d+月\d+)号`)
	thousands = regexp.MustCompile(`(\d),(\d{3})\b`)
	percent   = regexp.MustCompile(`百分之([零〇一二两三四五六七八九十百千]+|\d+)`)
)

// numberUnits are characters that make a lone numeral a number (七月, 六号,
// 两个); a lone numeral before anything else is part of a word (六新, 三晋).
const numberUnits = "个月日号年万亿元名家项吨米人次倍届座所位期批条种类岁天周台件户亩千百十%"

// arabicNumbers writes the numbers of s (runs of Chinese numerals) in
// Arabic digits.
func arabicNumbers(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !strings.ContainsRune(chineseNumerals, r) {
			i += size
			continue
		}
		start, count := i, 0
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if !strings.ContainsRune(chineseNumerals, r) {
				break
			}
			i += size
			count++
		}
		next, _ := utf8.DecodeRuneInString(s[i:])
		if count == 1 && !strings.ContainsRune(numberUnits, next) {
			continue
		}
		if count == 2 && !strings.ContainsAny(s[start:i], "十百千零〇") {
			continue // 唯一一个, 五六个: two digits that are no number
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:start])
		b.WriteString(arabic(s[start:i]))
		last = i
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

var digitValue = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// arabic writes a run of Chinese numerals in Arabic digits: 十六 → 16,
// 四百一十 → 410, 二〇二二 → 2022. The plan shorthand 十四五 stays.
func arabic(run string) string {
	runes := []rune(run)
	if len(runes) == 3 && runes[0] == '十' && runes[2] == '五' && runes[1] != '五' {
		return run
	}
	if run[0] >= '0' && run[0] <= '9' {
		return run
	}
	if !strings.ContainsAny(run, "十百千") {
		var b strings.Builder
		for _, r := range runes {
			b.WriteString(strconv.Itoa(digitValue[r]))
		}
		return b.String()
	}
	total, digit := 0, 0
	for _, r := range runes {
		switch r {
		case '十', '百', '千':
			unit := map[rune]int{'十': 10, '百': 100, '千': 1000}[r]
			if digit == 0 {
				digit = 1 // 十六: one ten
			}
			total += digit * unit
			digit = 0
		default:
			digit = digitValue[r]
		}
	}
	return strconv.Itoa(total + digit)
}
