package question

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the dictionary from gse's")

// gseVersion is the version of github.com/go-ego/gse whose Chinese
// dictionary (jieba's, with part-of-speech tags) zh.dict is made from.
const gseVersion = "v0.80.3"

// TestDictionaryFromGse checks zh.dict against the dictionary of gse in the
// module cache (go mod download github.com/go-ego/gse@v0.80.3), and with
// -update writes it. Without gse in the cache it says so and skips.
func TestDictionaryFromGse(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "github.com", "go-ego", "gse@"+gseVersion, "data", "dict", "zh", "s_1.txt")
	f, err := os.Open(src)
	if err != nil {
		t.Skipf("gse's dictionary is not in the module cache (go mod download github.com/go-ego/gse@%s): %v", gseVersion, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		word, tag := fields[0], fields[2]
		freq, err := strconv.ParseFloat(fields[1], 64)
		if err != nil || !keepInDictionary(word, int(freq), tag) {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s\t%d\t%s", strings.ToLower(word), int(freq), tag))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	lines = dedupeWords(lines)
	total := 0
	for _, l := range lines {
		f := strings.Split(l, "\t")[1]
		n, _ := strconv.Atoi(f)
		total += n
	}
	// The first line holds the total frequency; a space sorts first.
	want := fmt.Sprintf(" \t%d\t-\n", total) + strings.Join(lines, "\n") + "\n"
	if want == dictionary {
		return
	}
	if !*update {
		t.Fatalf("zh.dict is out of date with gse %s's dictionary (%d words, want %d): go test ./rag/question -run DictionaryFromGse -update",
			gseVersion, strings.Count(dictionary, "\n"), len(lines))
	}
	if err := os.WriteFile("zh.dict", []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
}

// keepInDictionary says which words of gse's dictionary zh.dict keeps: every
// character, the words seen ten times or more, and every name of a place,
// an organisation or another proper noun, however rare; no word longer
// than maxWordRunes.
func keepInDictionary(word string, freq int, tag string) bool {
	n := len([]rune(word))
	if n > maxWordRunes {
		return false
	}
	return n == 1 || freq >= 10 || tag == "ns" || tag == "nt" || tag == "nz"
}

// dedupeWords keeps the first line of each word in sorted lines.
func dedupeWords(lines []string) []string {
	out := lines[:0]
	last := ""
	for _, l := range lines {
		w, _, _ := strings.Cut(l, "\t")
		if w == last {
			continue
		}
		last = w
		out = append(out, l)
	}
	return out
}
