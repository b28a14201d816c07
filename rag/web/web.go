// Package web adds articles to a collection beside its corpus: files a
// user uploads and pages fetched from the web, which the network policy
// keeps to public addresses. They live in the collection's added folder.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/qabot/qabot/rag/document"
	"github.com/qabot/qabot/rag/internal/atomicfile"
)

// Articles added to a collection one by one (web pages fetched by qabot
// ingest URL..., documents sent to the Telegram bot by its admins) live in
// the collection's "added" folder, beside an index of the pages' URLs and
// the validators their servers sent (ETag, Last-Modified), so that a later
// ingest asks each server only whether the page changed. The folder is
// ingested beside the collection's own articles, under "added/".

// addedFolder is the folder of a collection's added articles, and the prefix
// of their article names.
const addedFolder = "added"

// webIndexFile lists the fetched pages, in the added folder (a dot file,
// so that ingest does not take it for an article).
const webIndexFile = ".pages.json"

// WebPage is one fetched page.
type WebPage struct {
	URL          string    `json:"url"`
	File         string    `json:"file"` // in the added folder
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

// AddedDir is the added folder of the collection in dir.
func AddedDir(dir string) string { return filepath.Join(dir, addedFolder) }

// AddedName is the article name of a file of the added folder.
func AddedName(file string) string { return addedFolder + "/" + file }

// IsAdded reports whether an article name is that of an added file.
func IsAdded(name string) bool { return strings.HasPrefix(name, addedFolder+"/") }

// AddFile stores data as the file name in the added folder of the
// collection in dir (name is reduced to its base name), if it reads as an
// article within its budget; ingest indexes it.
func AddFile(ctx context.Context, dir, name string, data []byte) (string, error) {
	name = filepath.Base(filepath.Clean("/" + name))
	if name == "/" || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("%q is not a file name", name)
	}
	if !document.IsArticleFile(name) {
		return "", fmt.Errorf("%s: only .txt .md .html .docx .pdf files are articles", name)
	}
	if len(data) > document.MaxArticleBytes {
		return "", document.ErrTooLarge
	}
	if _, err := document.ParseArticle(ctx, name, data); err != nil {
		return "", fmt.Errorf("%s cannot be read: %w", name, err)
	}
	if err := os.MkdirAll(AddedDir(dir), 0o755); err != nil {
		return "", err
	}
	return name, atomicfile.Write(filepath.Join(AddedDir(dir), name), data)
}

// Forget removes an added article (a file of the added folder, or the page
// of a URL) from the collection in dir; ingest drops it from the index.
func Forget(dir, nameOrURL string) (string, error) {
	pages, err := webPages(dir)
	if err != nil {
		return "", err
	}
	file := filepath.Base(filepath.Clean("/" + strings.TrimPrefix(nameOrURL, addedFolder+"/")))
	kept := pages[:0]
	for _, p := range pages {
		if p.URL == nameOrURL {
			file = p.File
			continue
		}
		if p.File != file {
			kept = append(kept, p)
		}
	}
	if err := os.Remove(filepath.Join(AddedDir(dir), file)); err != nil {
		return "", fmt.Errorf("no added article %s", nameOrURL)
	}
	return file, saveWebPages(dir, kept)
}

// webPages reads the index of the collection's fetched pages (none when
// there is no added folder).
func webPages(dir string) ([]WebPage, error) {
	raw, err := os.ReadFile(filepath.Join(AddedDir(dir), webIndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var pages []WebPage
	if err := json.Unmarshal(raw, &pages); err != nil {
		return nil, fmt.Errorf("%s: %w", webIndexFile, err)
	}
	return pages, nil
}

func saveWebPages(dir string, pages []WebPage) error {
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	raw, err := json.MarshalIndent(pages, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(AddedDir(dir), webIndexFile), raw)
}

// PageURLs maps the article names of a collection's fetched pages to their
// URLs, for citations.
func PageURLs(dir string) map[string]string {
	pages, _ := webPages(dir)
	out := map[string]string{}
	for _, p := range pages {
		out[AddedName(p.File)] = p.URL
	}
	return out
}

// FetchReport says what a fetch did with each URL.
type FetchReport struct {
	Fetched, Unchanged []string
	Failed             []document.FileError // Name is the URL
}

// Fetcher fetches web pages politely: one request at a time, at least
// PerHost apart for one host, with conditional requests for pages fetched
// before.
type Fetcher struct {
	Client    *http.Client
	UserAgent string
	PerHost   time.Duration
	last      map[string]time.Time // host -> last request
}

// Fetch fetches urls (new ones are added to the collection in dir) and, with
// refresh, every page fetched before; pages that changed are rewritten.
func (f *Fetcher) Fetch(ctx context.Context, dir string, urls []string, refresh bool) (FetchReport, error) {
	var rep FetchReport
	pages, err := webPages(dir)
	if err != nil || len(urls) == 0 && (!refresh || len(pages) == 0) {
		return rep, err // nothing to fetch: the folder is not made
	}
	if err := os.MkdirAll(AddedDir(dir), 0o755); err != nil {
		return rep, err
	}
	byURL := map[string]int{}
	for i, p := range pages {
		byURL[p.URL] = i
	}
	todo := append([]string(nil), urls...)
	if refresh {
		for _, p := range pages {
			todo = append(todo, p.URL)
		}
	}
	seen := map[string]bool{}
	for _, u := range todo {
		if seen[u] {
			continue
		}
		seen[u] = true
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		var prev WebPage
		i, known := byURL[u]
		if known {
			prev = pages[i]
		}
		page, changed, err := f.fetch(ctx, u, prev, dir)
		switch {
		case err != nil:
			rep.Failed = append(rep.Failed, document.FileError{Name: u, Err: err})
			continue
		case !changed:
			rep.Unchanged = append(rep.Unchanged, u)
			continue
		}
		rep.Fetched = append(rep.Fetched, u)
		if known {
			pages[i] = page
		} else {
			byURL[u] = len(pages)
			pages = append(pages, page)
		}
	}
	return rep, saveWebPages(dir, pages)
}

// fetch gets one page; it reports changed false when the server says the
// page is as fetched before.
func (f *Fetcher) fetch(ctx context.Context, raw string, prev WebPage, dir string) (WebPage, bool, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return prev, false, fmt.Errorf("not an http(s) URL")
	}
	f.wait(ctx, u.Host)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return prev, false, err
	}
	req.Header.Set("User-Agent", f.UserAgent)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := f.Client.Do(req)
	switch {
	case errors.Is(err, ErrAddressNotAllowed):
		return prev, false, ErrAddressNotAllowed
	case err != nil && ctx.Err() != nil:
		return prev, false, ctx.Err()
	case err != nil:
		return prev, false, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && prev.File != "":
		return prev, false, nil
	case resp.StatusCode != http.StatusOK:
		return prev, false, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	ext, err := pageExtension(resp.Header.Get("Content-Type"), u.Path)
	if err != nil {
		return prev, false, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, document.MaxArticleBytes+1))
	if err != nil {
		return prev, false, err
	}
	if len(body) > document.MaxArticleBytes {
		return prev, false, document.ErrTooLarge
	}
	sum := sha256.Sum256([]byte(raw))
	page := WebPage{URL: raw, File: u.Hostname() + "-" + hex.EncodeToString(sum[:6]) + ext,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), Fetched: time.Now().UTC()}
	if err := atomicfile.Write(filepath.Join(AddedDir(dir), page.File), body); err != nil {
		return prev, false, err
	}
	return page, true, nil
}

// wait keeps requests to one host PerHost apart.
func (f *Fetcher) wait(ctx context.Context, host string) {
	if f.last == nil {
		f.last = map[string]time.Time{}
	}
	if d := time.Until(f.last[host].Add(f.PerHost)); d > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
	f.last[host] = time.Now()
}

// pageExtension is the file extension for a page's content type.
func pageExtension(contentType, urlPath string) (string, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/html", "application/xhtml+xml":
		return ".html", nil
	case "text/plain":
		return ".txt", nil
	case "text/markdown":
		return ".md", nil
	case "application/pdf":
		return ".pdf", nil
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx", nil
	}
	if ext := strings.ToLower(filepath.Ext(urlPath)); document.ArticleFormats[ext] {
		return ext, nil
	}
	return "", fmt.Errorf("content type %q is not an article format (HTML, text, PDF, Word)", mt)
}

// WithAdded is corpus with the collection's added articles (in dir's added
// folder) under "added/"; corpus alone when there are none.
func WithAdded(corpus document.Corpus, dir string) document.Corpus {
	if entries, _ := os.ReadDir(AddedDir(dir)); len(entries) == 0 {
		return corpus
	}
	return document.Corpus{Name: corpus.Name, FS: unionFS{base: corpus.FS, sub: document.FolderFS(AddedDir(dir)), at: addedFolder}}
}

// unionFS is base with sub mounted at the top-level folder at (which hides
// a folder of that name in base). base may be nil.
type unionFS struct {
	base fs.FS
	sub  fs.FS
	at   string
}

// route says which file system holds name, and its name there.
func (u unionFS) route(name string) (fs.FS, string) {
	if name == u.at {
		return u.sub, "."
	}
	if rest, ok := strings.CutPrefix(name, u.at+"/"); ok {
		return u.sub, rest
	}
	return u.base, name
}

func (u unionFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fsys, rest := u.route(name)
	if fsys == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return fsys.Open(rest)
}

func (u unionFS) Stat(name string) (fs.FileInfo, error) {
	if name == "." {
		return fs.Stat(u.sub, ".")
	}
	fsys, rest := u.route(name)
	if fsys == nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(fsys, rest)
}

func (u unionFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		fsys, rest := u.route(name)
		if fsys == nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
		}
		return fs.ReadDir(fsys, rest)
	}
	var out []fs.DirEntry
	if u.base != nil {
		entries, err := fs.ReadDir(u.base, ".")
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Name() != u.at {
				out = append(out, e)
			}
		}
	}
	info, err := fs.Stat(u.sub, ".")
	if err != nil {
		return nil, err
	}
	out = append(out, fs.FileInfoToDirEntry(namedInfo{info, u.at}))
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// namedInfo is a FileInfo under another name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }
