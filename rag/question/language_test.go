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
				if table == "cue" || table == "surname" || table == "unitcue" { // the rows of these tables read answers, not questions
					asker := Question{Asks: map[string]Type{"surname": Person}[r.value]}
					switch table {
					case "cue":
						asker.Asks = typeNames[r.value]
					case "unitcue":
						asker.Asks, asker.Unit = Number, r.value
					}
					if !r.in(terms.Fold(r.example)) || !asker.States(r.example) {
						t.Errorf("line %d: example %q states no %s", r.line, r.example, r.value)
					}
					if table != "surname" && r.in(terms.Fold(r.counter)) || asker.States(r.counter) {
						t.Errorf("line %d: counter-example %q states a %s", r.line, r.counter, r.value)
					}
					return
				}
				ex := Parse(r.example)
				if table == "measure" { // the unit of a question, however it came to be read
					ex.applied[r] = true
				}
				if !shows(r, ex) || !ex.applied[r] { // shows first: placesuffix and acronym rows apply as the constraints are read
					t.Errorf("line %d: example %q: applied %v, read as %s", r.line, r.example, ex.applied[r], describe(ex))
				}
				if c := Parse(r.counter); shows(r, c) && (c.applied[r] || table == "measure") {
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
	case "head":
		return q.Asks == typeNames[r.value]
	case "measure":
		return q.Unit == r.phrase
	case "followup":
		return q.FollowUp
	case "refers":
		return q.Article
	case "placesuffix":
		return slices.ContainsFunc(q.Constraints(), func(c Constraint) bool { return c.Kind == Name && len(c.Also) > 0 })
	case "acronym":
		form := terms.Fold(strings.Split(r.value, "|")[0])
		return slices.ContainsFunc(q.Constraints(), func(c Constraint) bool { return slices.Contains(c.Also, form) })
	case "notname":
		return !slices.ContainsFunc(q.Names(), func(w Word) bool { return w.Text == r.phrase })
	}
	return true // filler and function: applied is the effect
}

func describe(q Question) string {
	var b strings.Builder
	b.WriteString("asks " + q.Asks.String() + ", unit " + q.Unit + ", focus " + q.Focus + ", words")
	for _, w := range q.Words {
		b.WriteString(" " + w.Text + "/" + w.Tag)
	}
	return b.String()
}

// Every table of language.tsv is one the parser reads.
func TestLanguageTables(t *testing.T) {
	known := []string{"written", "asks", "function", "filler", "measure", "followup", "cue", "refers", "surname", "notname", "head", "placesuffix", "acronym", "unitcue"}
	for table := range rows {
		if !slices.Contains(known, table) {
			t.Errorf("language.tsv has a table %q that nothing reads", table)
		}
	}
}
