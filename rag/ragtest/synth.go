package ragtest

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

// Distractors builds n synthetic articles from sentences: each article is
// 55-79 of them in random order (about 13 passages of 300
// characters), with numbers and place names changed, in
// paragraphs of two to four sentences. Sentences that contain one of
// exclude (compared without whitespace) are left out, so that the
// distractors resemble the real articles without holding their answers.
// The same arguments give the same articles. Names are d0000000.txt ….
func Distractors(sentences []string, n int, seed uint64, exclude []string) map[string]string {
	var pool []string
	for _, s := range sentences {
		if len([]rune(s)) >= 8 && !containsAny(stripSpace(s), exclude) {
			pool = append(pool, s)
		}
	}
	out := make(map[string]string, n)
	if len(pool) == 0 {
		return out
	}
	for i := 0; i < n; i++ {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		var b strings.Builder
		title := []rune(pool[rng.IntN(len(pool))])
		b.WriteString(string(title[:min(len(title), 18)]))
		b.WriteString("\n")
		count := 55 + rng.IntN(25)
		for k := 0; k < count; k++ {
			b.WriteString(vary(pool[rng.IntN(len(pool))], rng))
			if k%3 == 2 {
				b.WriteString("\n")
			}
		}
		out[fmt.Sprintf("d%07d.txt", i)] = b.String()
	}
	return out
}

var (
	digits  = regexp.MustCompile(`\d+`)
	places  = []string{"太原", "大同", "长治", "晋中", "运城", "忻州", "吕梁", "临汾", "阳泉", "晋城", "朔州", "平遥", "介休", "孝义"}
	placeRe = regexp.MustCompile(strings.Join(places, "|"))
)

// vary changes the numbers and place names of a sentence.
func vary(s string, rng *rand.Rand) string {
	s = digits.ReplaceAllStringFunc(s, func(d string) string {
		if len(d) == 4 && (d[0] == '1' || d[0] == '2') {
			return strconv.Itoa(2000 + rng.IntN(26)) // a year stays a year
		}
		return strconv.Itoa(1 + rng.IntN(999))
	})
	return placeRe.ReplaceAllStringFunc(s, func(string) string { return places[rng.IntN(len(places))] })
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if sub = stripSpace(sub); sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func stripSpace(s string) string { return strings.Join(strings.Fields(s), "") }
