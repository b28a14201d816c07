package document

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

// A file whose size stat gives as 0, as /proc's do, is read no further
// than the budget.
func TestReadLimitedIgnoresStatSize(t *testing.T) {
	fsys := fstest.MapFS{"endless.txt": &fstest.MapFile{}}
	endless := endlessFS{fsys}
	if _, err := ReadLimited(endless, "endless.txt"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

// endlessFS opens its files as of size 0 but without end, as
// /proc/self/pagemap is.
type endlessFS struct{ fstest.MapFS }

func (e endlessFS) Open(name string) (fs.File, error) {
	f, err := e.MapFS.Open(name)
	return endless{f}, err
}

type endless struct{ fs.File }

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }
