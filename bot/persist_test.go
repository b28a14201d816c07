package bot

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/qabot/qabot/rag"
)

// Records older than the retention are gone when the state file is opened
// again; newer ones stay.
func TestStateRetention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	d, err := openState(path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	d.put(chatsBucket, 1, chatRecord{Turns: []rag.Turn{{Question: "旧的"}}, At: time.Now().Add(-2 * time.Hour)})
	d.put(chatsBucket, 2, chatRecord{Turns: []rag.Turn{{Question: "新的"}}, At: time.Now()})
	d.close()
	if d, err = openState(path, time.Hour); err != nil {
		t.Fatal(err)
	}
	defer d.close()
	kept := map[int64]string{}
	each(d, chatsBucket, func(chat int64, rec chatRecord) { kept[chat] = rec.Turns[0].Question })
	if len(kept) != 1 || kept[2] != "新的" {
		t.Errorf("kept %v, want only chat 2's", kept)
	}
}
