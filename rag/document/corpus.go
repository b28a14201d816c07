// Package document brings articles in: it reads a folder or an embedded
// collection of files (text, Markdown, HTML, DOCX, PDF), within a size and
// time budget per file, cleans each into an Article (hard wraps joined, page
// furniture dropped, title and date found), and cuts it into Chunks at
// sentence ends. Its text helpers (Sentences, RuneLen, IsPunct) serve every
// later stage.
package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Corpus is a set of article files: the embedded seeds or a folder (see
// FolderFS).
type Corpus struct {
	Name string // shown to users and kept in the manifest, e.g. "seeds (embedded)" or a path
	FS   fs.FS
}

// FileError is an article file that could not be used, and why.
type FileError struct {
	Name string
	Err  error
}

func (e FileError) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }

// ErrNoArticles means a corpus holds no .txt or .md files.
var ErrNoArticles = errors.New("no articles (.txt or .md files) found")

// FolderFS is the files of a folder, confined to it: a symbolic link that
// leads out of the folder is not followed (os.Root), so that a link to
// ~/.config/qabot/config.yaml in an ingested folder is refused, not
// indexed and quoted back.
type FolderFS string

// Open opens name in the folder.
func (dir FolderFS) Open(name string) (fs.File, error) {
	root, err := os.OpenRoot(string(dir))
	if err != nil {
		return nil, err
	}
	defer root.Close() // the files opened stay open
	f, err := root.FS().Open(name)
	if err != nil && strings.Contains(err.Error(), "escapes") {
		return dir.openLinked(name)
	}
	return f, err
}

// openLinked opens name, a link that os.Root takes to leave the folder: it
// does when it leads elsewhere, not when it is an absolute link back into
// the folder.
func (dir FolderFS) openLinked(name string) (fs.File, error) {
	top, err := filepath.EvalSymlinks(string(dir))
	if err != nil {
		return nil, err
	}
	target, err := filepath.EvalSymlinks(filepath.Join(string(dir), filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(top, target); err != nil || !filepath.IsLocal(rel) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrOutside}
	}
	return os.Open(target)
}

// ErrOutside is a symbolic link that leads out of the folder ingested.
var ErrOutside = errors.New("a symbolic link that leads out of the folder: not followed")

// IsArticleFile reports whether name has an extension qabot reads.
func IsArticleFile(name string) bool {
	return ArticleFormats[strings.ToLower(path.Ext(name))]
}

// Loaded is what LoadArticles found in a corpus.
type Loaded struct {
	Articles  []Article   // read and cleaned, in name order
	Unchanged []string    // files whose content hash matched the known one; not parsed again
	Failed    []FileError // files that could not be used, and why
	Skipped   []string    // files that are not articles
}

// LoadArticles reads and cleans the article files of the corpus, in name
// order, into memory (see EachArticle).
func LoadArticles(ctx context.Context, c Corpus, known map[string]string) (Loaded, error) {
	var arts []Article
	loaded, err := EachArticle(ctx, c, known, func(_, _ int, a *Article) error {
		if a != nil {
			arts = append(arts, *a)
		}
		return nil
	})
	loaded.Articles = arts
	return loaded, err
}

// EachArticle reads and cleans the article files of the corpus one at a
// time, in name order, and calls visit after each file with the number of
// files done, the number in all, and the article read (nil for a file
// unchanged or failed): only one article is held at a time. A file whose
// SHA-256 equals known[name] is listed as unchanged and not parsed. Only
// regular files are read (a FIFO or a device named *.txt is reported, not
// opened). It fails when the corpus cannot be walked, has no article files
// at all, visit fails, or ctx is done. The Loaded it returns lists no
// Articles.
func EachArticle(ctx context.Context, c Corpus, known map[string]string, visit func(done, total int, a *Article) error) (Loaded, error) {
	var out Loaded
	if c.FS == nil {
		return out, fmt.Errorf("%s: %w", c.Name, ErrNoArticles)
	}
	names, err := articleFiles(ctx, c, &out)
	if errors.Is(err, ErrNoArticles) {
		return out, err // with the files skipped
	}
	if err != nil {
		return Loaded{}, err
	}
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return Loaded{}, err
		}
		a, err := readArticle(ctx, c.FS, name, known)
		switch {
		case errors.Is(err, errUnchanged):
			out.Unchanged = append(out.Unchanged, name)
		case err != nil:
			out.Failed = append(out.Failed, FileError{name, err})
		}
		if err := visit(i+1, len(names), a); err != nil {
			return Loaded{}, err
		}
	}
	return out, nil
}

// errUnchanged is a file whose content hash is the one known.
var errUnchanged = errors.New("unchanged")

// readArticle reads and cleans the file name, or returns errUnchanged when
// its hash is known[name].
func readArticle(ctx context.Context, fsys fs.FS, name string, known map[string]string) (*Article, error) {
	raw, err := ReadLimited(fsys, name)
	if err != nil {
		return nil, err
	}
	if h, ok := known[name]; ok && h == hashHex(raw) {
		return nil, errUnchanged
	}
	a, err := ParseArticle(ctx, name, raw)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// articleFiles are the article files of the corpus, sorted; the files that
// are not articles and those that cannot be read go in out.
func articleFiles(ctx context.Context, c Corpus, out *Loaded) ([]string, error) {
	var names []string
	err := fs.WalkDir(c.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			out.Failed = append(out.Failed, FileError{p, err})
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
		case !IsArticleFile(p):
			out.Skipped = append(out.Skipped, p)
		case !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0:
			out.Failed = append(out.Failed, FileError{p, ErrNotRegular})
		default:
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read corpus %s: %w", c.Name, err)
	}
	if len(names) == 0 && len(out.Failed) == 0 {
		return nil, fmt.Errorf("%s: %w", c.Name, ErrNoArticles)
	}
	sort.Strings(names)
	return names, nil
}

// ErrNotRegular is an article path that is not a regular file (a FIFO, a
// device, a socket).
var ErrNotRegular = errors.New("not a regular file (a pipe or a device?)")

// ReadLimited reads a regular file, refusing files over MaxArticleBytes
// without reading them whole. The size is checked as the file is read,
// whatever stat says: /proc files have a size of 0.
func ReadLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if info.Size() > MaxArticleBytes {
		return nil, ErrTooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxArticleBytes+1))
	if err == nil && len(raw) > MaxArticleBytes {
		return nil, ErrTooLarge
	}
	return raw, err
}

// Printable is s with its control characters (an escape sequence, a line
// end) and its bidirectional overrides written as escapes (\x1b, \n,
// \u202e): a file name or a title printed to a terminal or a log then
// cannot move the cursor, recolour it, or forge a line.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unprintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unprintable(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unprintable reports whether r is a control character or a bidirectional
// override.
func unprintable(r rune) bool {
	return unicode.IsControl(r) || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
