package rag

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/ledongthuc/pdf"
)

// Besides plain text and Markdown, articles may be HTML pages (main text
// extracted as a reader view does, with the page's title, date and site
// name), Word documents (.docx) and PDFs with a text layer.

// articleFormats are the extensions of the files ingest reads.
var articleFormats = map[string]bool{".txt": true, ".md": true, ".markdown": true, ".html": true, ".htm": true, ".docx": true, ".pdf": true}

// ErrNoTextLayer is a PDF whose pages hold no text, e.g. a scan.
var ErrNoTextLayer = errors.New("PDF has no text layer (a scan?): run OCR on it first, e.g. ocrmypdf IN.pdf OUT.pdf")

// extractText turns a file of another format than text into text, with
// what the document says of its title, date and publisher. Text files come
// back as they are.
func extractText(name string, raw []byte) ([]byte, metadata, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm":
		return htmlText(raw)
	case ".docx":
		return docxText(raw)
	case ".pdf":
		return pdfText(raw)
	}
	return raw, metadata{}, nil
}

// htmlText extracts an HTML page's main text (navigation, scripts, comments
// and sidebars dropped) with readability, and its title, publication date
// and site name from the page's metadata.
func htmlText(raw []byte) ([]byte, metadata, error) {
	art, err := readability.FromReader(bytes.NewReader(raw), nil)
	if err != nil {
		return nil, metadata{}, fmt.Errorf("not a readable HTML page: %w", err)
	}
	var text bytes.Buffer
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
	return text.Bytes(), m, nil
}

// docxText reads the paragraphs of a Word document (word/document.xml), one
// per line, and its title and creation date (docProps/core.xml).
func docxText(raw []byte) ([]byte, metadata, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, metadata{}, fmt.Errorf("not a Word document (.docx): %w", err)
	}
	var text bytes.Buffer
	var m metadata
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			err = readXML(f, func(d *xml.Decoder) error { return docxParagraphs(d, &text) })
		case "docProps/core.xml":
			err = readXML(f, func(d *xml.Decoder) error { return docxCore(d, &m) })
		}
		if err != nil {
			return nil, metadata{}, fmt.Errorf("read %s: %w", f.Name, err)
		}
	}
	return text.Bytes(), m, nil
}

func readXML(f *zip.File, read func(*xml.Decoder) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return read(xml.NewDecoder(io.LimitReader(rc, MaxArticleBytes)))
}

// docxParagraphs writes the text runs (w:t) of each paragraph (w:p) on a
// line of its own; tabs and breaks become spaces and newlines.
func docxParagraphs(d *xml.Decoder, w *bytes.Buffer) error {
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				w.WriteByte(' ')
			case "br":
				w.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				w.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				w.Write(t)
			}
		}
	}
}

// docxCore reads the title and creation date of a Word document.
func docxCore(d *xml.Decoder, m *metadata) error {
	var core struct {
		Title   string `xml:"title"`
		Created string `xml:"created"`
	}
	if err := d.Decode(&core); err != nil {
		return err
	}
	m.headline = strings.TrimSpace(core.Title)
	if len(core.Created) >= 10 {
		m.date = core.Created[:10]
	}
	return nil
}

// pdfText reads the text layer of a PDF, page by page.
func pdfText(raw []byte) (text []byte, m metadata, err error) {
	defer func() { // the PDF reader panics on some damaged files
		if r := recover(); r != nil {
			err = fmt.Errorf("not a readable PDF: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, metadata{}, fmt.Errorf("not a readable PDF: %w", err)
	}
	var out bytes.Buffer
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			return nil, metadata{}, fmt.Errorf("page %d: %w", i, err)
		}
		for _, row := range rows {
			for _, word := range row.Content {
				out.WriteString(word.S)
			}
			out.WriteByte('\n')
		}
	}
	if len(bytes.TrimSpace(out.Bytes())) == 0 {
		return nil, metadata{}, ErrNoTextLayer
	}
	return out.Bytes(), metadata{}, nil
}
