package document

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
)

// Besides plain text and Markdown, articles may be HTML pages (main text
// extracted as a reader view does, with the page's title, date and site
// name), Word documents (.docx) and PDFs with a text layer. Every reader
// runs under one budget: DocumentTimeout, honoured between pages and zip
// entries; at most MaxArticleBytes of text; maxPDFPages pages and
// maxZipEntries zip entries. A document that blows it fails alone, with the
// reason.

// ArticleFormats are the extensions of the files ingest reads.
var ArticleFormats = map[string]bool{".txt": true, ".md": true, ".markdown": true, ".html": true, ".htm": true, ".docx": true, ".pdf": true}

// ErrNoTextLayer is a PDF whose pages hold no text, e.g. a scan.
var ErrNoTextLayer = errors.New("PDF has no text layer (a scan?): run OCR on it first, e.g. ocrmypdf IN.pdf OUT.pdf")

// ErrTooMuchText is a document whose text, once extracted, is larger than
// one article may be: often a compressed bomb.
var ErrTooMuchText = errors.New("its text is larger than the 10 MB limit for one article (a compressed bomb?)")

// DocumentTimeout bounds the reading of one document file.
const DocumentTimeout = time.Minute

// maxZipEntries is the most entries a Word document may have.
const maxZipEntries = 10000

// ExtractText turns a file of another format than text into text, with
// what the document says of its title, date and publisher. Text files come
// back as they are.
func ExtractText(ctx context.Context, name string, raw []byte) ([]byte, metadata, error) {
	ctx, cancel := context.WithTimeout(ctx, DocumentTimeout)
	defer cancel()
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm":
		return htmlText(ctx, raw)
	case ".docx":
		return docxText(ctx, raw)
	case ".pdf":
		return pdfText(ctx, raw)
	}
	return raw, metadata{}, nil
}

// budgetError words err for a document whose reading ran out of time.
func budgetError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("reading it took longer than %s, the limit for one document", DocumentTimeout)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return err
}

// textBudget collects a document's text up to MaxArticleBytes.
type textBudget struct{ strings.Builder }

// Write adds p, or fails with ErrTooMuchText when it would pass the limit.
func (t *textBudget) Write(p []byte) (int, error) {
	if t.Len()+len(p) > MaxArticleBytes {
		return 0, ErrTooMuchText
	}
	return t.Builder.Write(p)
}

// writeLine adds a non-empty line and a newline.
func (t *textBudget) writeLine(line string) error {
	if line == "" {
		return nil
	}
	_, err := t.Write([]byte(line + "\n"))
	return err
}

// htmlText extracts an HTML page's main text (navigation, scripts, comments
// and sidebars dropped) with readability, and its title, publication date
// and site name from the page's metadata. Readability takes no context, so
// it runs apart and is left to finish alone when ctx is done first: the
// caller is not held (a page of deep trees can take many seconds).
func htmlText(ctx context.Context, raw []byte) ([]byte, metadata, error) {
	type page struct {
		text []byte
		m    metadata
		err  error
	}
	done := make(chan page, 1)
	go func() {
		text, m, err := readPage(raw)
		done <- page{text, m, err}
	}()
	select {
	case p := <-done:
		return p.text, p.m, p.err
	case <-ctx.Done():
		return nil, metadata{}, budgetError(ctx, ctx.Err())
	}
}

// readPage is htmlText's work.
func readPage(raw []byte) ([]byte, metadata, error) {
	art, err := readability.FromReader(bytes.NewReader(raw), nil)
	if err != nil {
		return nil, metadata{}, fmt.Errorf("not a readable HTML page: %w", err)
	}
	var text textBudget
	if art.Node != nil {
		if err := art.RenderText(&text); err != nil {
			return nil, metadata{}, err
		}
	}
	m := metadata{headline: strings.TrimSpace(art.Title()), source: strings.TrimSpace(art.SiteName())}
	if m.source != "" { // "晋能光伏新产线投产 - 山西新闻网": the site is named apart
		for _, sep := range []string{" - ", " | ", "_", "－", "—"} {
			m.headline = strings.TrimSpace(strings.TrimSuffix(m.headline, sep+m.source))
		}
	}
	if t, err := art.PublishedTime(); err == nil {
		m.date = t.Format("2006-01-02")
	}
	return []byte(text.String()), m, nil
}

// docxText reads the paragraphs of a Word document (word/document.xml), one
// per line, and its title, author and creation date (docProps/core.xml).
// Each part is read once, however often the archive lists it.
func docxText(ctx context.Context, raw []byte) ([]byte, metadata, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, metadata{}, fmt.Errorf("not a Word document (.docx): %w", err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, metadata{}, fmt.Errorf("not a Word document: %d zip entries, more than %d", len(zr.File), maxZipEntries)
	}
	var text textBudget
	var m metadata
	read := map[string]bool{}
	for _, f := range zr.File {
		if read[f.Name] {
			continue
		}
		switch f.Name {
		case "word/document.xml":
			err = readXML(ctx, f, func(d *xml.Decoder) error { return docxParagraphs(ctx, d, &text) })
		case "docProps/core.xml":
			err = readXML(ctx, f, func(d *xml.Decoder) error { return docxCore(d, &m) })
		default:
			continue
		}
		read[f.Name] = true
		if err != nil {
			return nil, metadata{}, fmt.Errorf("read %s: %w", f.Name, budgetError(ctx, err))
		}
	}
	return []byte(text.String()), m, nil
}

func readXML(ctx context.Context, f *zip.File, read func(*xml.Decoder) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return read(xml.NewDecoder(&budgetReader{ctx: ctx, r: rc, left: MaxArticleBytes}))
}

// budgetReader reads r until ctx is done or r holds more than left bytes,
// when it fails with ctx's error or ErrTooMuchText.
type budgetReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
	over bool
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.over {
		return 0, ErrTooMuchText
	}
	n, err := b.r.Read(p[:min(int64(len(p)), b.left+1)])
	if int64(n) > b.left { // one byte more than the budget: return what fits
		n, err, b.over = int(b.left), nil, true
	}
	b.left -= int64(n)
	return n, err
}

// docxParagraphs writes the text runs (w:t) of each paragraph (w:p) on a
// line of its own; tabs and breaks become spaces and newlines.
func docxParagraphs(ctx context.Context, d *xml.Decoder, w io.Writer) error {
	inText := false
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var out string
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				out = " "
			case "br":
				out = "\n"
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				out = "\n"
			}
		case xml.CharData:
			if inText {
				out = string(t)
			}
		}
		if _, err := io.WriteString(w, out); err != nil {
			return err
		}
	}
}

// docxCore reads the title, author and creation date of a Word document.
func docxCore(d *xml.Decoder, m *metadata) error {
	var core struct {
		Title   string `xml:"title"`
		Creator string `xml:"creator"`
		Created string `xml:"created"`
	}
	if err := d.Decode(&core); err != nil {
		return err
	}
	m.headline = strings.TrimSpace(core.Title)
	m.source = strings.TrimSpace(core.Creator)
	if len(core.Created) >= 10 {
		m.date = core.Created[:10]
	}
	return nil
}
