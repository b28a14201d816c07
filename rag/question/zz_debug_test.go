package question

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZDebug(t *testing.T) {
	f, _ := os.Open(os.Getenv("QSET"))
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e struct{ ID, Question, Kind string }
		json.Unmarshal(sc.Bytes(), &e)
		q := Parse(e.Question)
		var ws []string
		for _, w := range q.Words {
			ws = append(ws, fmt.Sprintf("%s/%s/%d", w.Text, w.Tag, w.Role))
		}
		var names []string
		for _, w := range q.Names() {
			names = append(names, w.Text)
		}
		for _, w := range q.Numbers() {
			names = append(names, "#"+w.Text)
		}
		fmt.Printf("%s %-12s %s\n   asks=%v unit=%q items=%d focus=%q titles=%v scope=%q fu=%v parts=%d names=%v\n   %s\n", e.ID, e.Kind, e.Question, q.Asks, q.Unit, q.Items, q.Focus, q.Titles, q.Scope, q.FollowUp, len(q.Parts), names, strings.Join(ws, " "))
	}
}
