package rag

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Corpus is a set of article files: the embedded seeds or a folder.
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

// isArticleFile reports whether name has an extension qabot reads.
func isArticleFile(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".txt" || ext == ".md" || ext == ".markdown"
}

// LoadArticles reads and cleans every article of the corpus, in name order.
// Files that cannot be used are returned as FileErrors beside the articles;
// files of other types are listed in skipped. It fails only when the corpus
// cannot be walked or has no article files at all.
func LoadArticles(c Corpus) (articles []Article, failed []FileError, skipped []string, err error) {
	var names []string
	err = fs.WalkDir(c.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			failed = append(failed, FileError{p, err})
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
		case isArticleFile(p):
			names = append(names, p)
		default:
			skipped = append(skipped, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read corpus %s: %w", c.Name, err)
	}
	if len(names) == 0 && len(failed) == 0 {
		return nil, nil, skipped, fmt.Errorf("%s: %w", c.Name, ErrNoArticles)
	}
	sort.Strings(names)
	for _, name := range names {
		raw, err := readLimited(c.FS, name)
		if err == nil {
			var a Article
			if a, err = ParseArticle(name, raw); err == nil {
				articles = append(articles, a)
				continue
			}
		}
		failed = append(failed, FileError{name, err})
	}
	return articles, failed, skipped, nil
}

// readLimited reads a file, refusing files over MaxArticleBytes without
// reading them whole.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if info.Size() > MaxArticleBytes {
		return nil, ErrTooLarge
	}
	return fs.ReadFile(fsys, name)
}
