package question

import (
	"slices"
	"strings"
	"testing"

	"github.com/qabot/qabot/rag/terms"
)

// Every row of language.tsv is checked on its own: its example shows what
// the row does, and its counter-example, a near miss, does not.
func TestLanguageRows(t *testing.T) {
	for table, rs := range rows {
		for _, r := range rs {
			t.Run(table+"/"+r.phrase, func(t *testing.T) {
				if table == "anaphor" { // the rows of this table read articles, not questions
					if !r.in(r.example) || len(Anaphors(r.example)) == 0 || r.in(r.counter) {
						t.Errorf("line %d: example %q or counter-example %q", r.line, r.example, r.counter)
					}
					return
				}
				if table == "cue" { // the rows of this table read answers, not questions
					kind := typeNames[r.value]
					if !r.in(terms.Fold(r.example)) || !States(r.example, kind) {
						t.Errorf("line %d: example %q holds no %s", r.line, r.example, r.value)
					}
					if r.in(terms.Fold(r.counter)) {
						t.Errorf("line %d: counter-example %q holds a %s", r.line, r.counter, r.value)
					}
					return
				}
				ex := Parse(r.example)
				if table == "measure" { // the unit of a question, however it came to be read
					ex.applied[r] = true
				}
				if !ex.applied[r] || !shows(r, ex) {
					t.Errorf("line %d: example %q: applied %v, read as %s", r.line, r.example, ex.applied[r], describe(ex))
				}
				if c := Parse(r.counter); (c.applied[r] || table == "measure") && shows(r, c) {
					t.Errorf("line %d: counter-example %q: read as %s", r.line, r.counter, describe(c))
				}
			})
		}
	}
}

// shows reports whether q shows what row r does.
func shows(r *row, q Question) bool {
	switch r.table {
	case "written":
		return strings.Contains(q.Plain, r.value)
	case "asks":
		kind, unit, _ := strings.Cut(r.value, "/")
		return q.Asks == typeNames[kind] && (unit == "" || q.Unit == unit)
	case "measure":
		return q.Unit == r.phrase
	case "scope":
		return q.Scope == Scope(r.value)
	case "followup":
		return q.FollowUp
	case "notname":
		return !slices.ContainsFunc(q.Names(), func(w Word) bool { return w.Text == r.phrase })
	case "title":
		return q.Asks == Person && len(q.Titles) > 0
	case "refers":
		return q.Article
	case "suffix": // the attribute is a noun and the suffix, read as one word
		f := []rune(q.Focus)
		return len(f) >= 3 && r.in(string(f[len(f)-1:]))
	case "factverb":
		return q.Scope == InScope
	case "countword":
		return q.Counted != ""
	}
	return true // filler and function: applied is the effect
}

func describe(q Question) string {
	var b strings.Builder
	b.WriteString("asks " + q.Asks.String() + ", unit " + q.Unit + ", focus " + q.Focus + ", counted " + q.Counted + ", scope " + string(q.Scope) + ", words")
	for _, w := range q.Words {
		b.WriteString(" " + w.Text + "/" + w.Tag)
	}
	return b.String()
}

// Every table of language.tsv is one the parser reads.
func TestLanguageTables(t *testing.T) {
	known := []string{"written", "asks", "function", "filler", "measure", "scope", "followup", "notname", "title", "cue", "refers", "anaphor", "countword", "suffix", "factverb"}
	for table := range rows {
		if !slices.Contains(known, table) {
			t.Errorf("language.tsv has a table %q that nothing reads", table)
		}
	}
}
