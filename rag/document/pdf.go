package document

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/responses"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// PDFs are read by PDFium, the PDF library of Chrome, compiled to
// WebAssembly and run in-process by wazero (github.com/klippa-app/go-pdfium):
// pure Go, with no file system, a memory cap, and an instance that is killed
// at the document's deadline. A malformed or hostile PDF (a page tree that
// loops, a page count of two billion, a compressed bomb) fails alone.

// PDFMemoryMiB caps the memory of one PDFium instance, in MiB (at least
// 16). The default keeps the whole process under 400 MB while a PDF bomb
// is read and refused. Set it before the first PDF is read (the
// corpus.pdf_memory_mb setting).
var PDFMemoryMiB = 192

// pdfMemoryPages is PDFMemoryMiB in 64 KiB pages, as wazero counts them.
func pdfMemoryPages() uint32 { return uint32(max(PDFMemoryMiB, 16)) << 4 }

// maxPDFPages is the most pages a PDF may have.
const maxPDFPages = 2000

// maxPDFChars is the most characters a PDF may show: those of 10 MB of
// Chinese text (a 2,000-page book holds about 3 million). Counting them
// costs about a microsecond each, so a bomb is told in seconds.
const maxPDFChars = MaxArticleBytes / 3

var pdfium_ struct {
	once sync.Once
	pool pdfium.Pool
	err  error
}

// pdfPool is the process's PDFium pool, made on first use. Compiling the
// module takes about three seconds; the compiled code is cached on disk
// (pdfCacheDir), which brings later starts down to a tenth of a second.
func pdfPool() (pdfium.Pool, error) {
	pdfium_.once.Do(func() {
		rc := wazero.NewRuntimeConfig().
			WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithCloseOnContextDone(true).
			WithMemoryLimitPages(pdfMemoryPages())
		if dir := pdfCacheDir(); dir != "" {
			if cache, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
		pdfium_.pool, pdfium_.err = webassembly.Init(webassembly.Config{
			Context: experimental.WithMemoryAllocator(context.Background(), pdfMemory),
			MaxIdle: 1, MaxTotal: 4,
			FSConfig:      wazero.NewFSConfig(), // no files: the document comes as bytes
			RuntimeConfig: rc, Stdout: io.Discard, Stderr: io.Discard,
		})
	})
	return pdfium_.pool, pdfium_.err
}

// pdfCacheDir is where the compiled PDFium module is kept: the user's cache
// folder, or QABOT_PDFIUM_CACHE when set ("off": nowhere).
func pdfCacheDir() string {
	if dir, ok := os.LookupEnv("QABOT_PDFIUM_CACHE"); ok {
		if dir == "off" {
			return ""
		}
		return dir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "qabot", "pdfium")
}

// pdfText reads the text layer of a PDF, page by page, one paragraph a line,
// with the title, author and creation date of its document information.
func pdfText(ctx context.Context, raw []byte) (text []byte, m metadata, err error) {
	pool, err := pdfPool()
	if err != nil {
		return nil, m, fmt.Errorf("start the PDF reader: %w", err)
	}
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		return nil, m, budgetError(ctx, fmt.Errorf("start the PDF reader: %w", err))
	}
	killed := context.AfterFunc(ctx, func() { inst.Kill() })
	broken := false
	defer func() {
		switch {
		case !killed(): // the deadline came, and Kill ended the instance
		case broken:
			inst.Kill()
		default:
			inst.Close()
		}
	}()
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &raw})
	if err != nil {
		if errors.Is(err, pdfiumerrors.ErrPassword) {
			return nil, m, errors.New("the PDF is protected by a password: save a copy without one")
		}
		return nil, m, budgetError(ctx, fmt.Errorf("not a readable PDF: %w", err))
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return nil, m, budgetError(ctx, fmt.Errorf("not a readable PDF: %w", err))
	}
	if count.PageCount > maxPDFPages {
		return nil, m, fmt.Errorf("the PDF has %d pages, more than the %d one article may have", count.PageCount, maxPDFPages)
	}
	meta := func(tag string) string {
		v, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: tag})
		if err != nil {
			return ""
		}
		return strings.TrimSpace(v.Value)
	}
	m = metadata{headline: meta("Title"), source: meta("Author"), date: pdfDate(meta("CreationDate"))}
	var out textBudget
	var lay pdfLayout
	// Every page's characters are counted before any is read out: what
	// reading out costs grows with them, and a bomb is told by its count.
	chars := 0
	for i := 0; i < count.PageCount; i++ {
		n, err := pdfPage(ctx, inst, doc.Document, i, func(page requests.Page) (int, error) {
			textPage, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: page})
			if err != nil {
				return 0, err
			}
			defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: textPage.TextPage})
			n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: textPage.TextPage})
			return n.Count, err
		})
		if err != nil {
			broken = isTrap(err)
			return nil, m, err
		}
		if chars += n; chars > maxPDFChars {
			return nil, m, ErrTooMuchText
		}
	}
	for i := 0; i < count.PageCount; i++ {
		rects, err := pdfPage(ctx, inst, doc.Document, i, func(page requests.Page) ([]*responses.GetPageTextStructuredRect, error) {
			text, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{
				Page: page, Mode: requests.GetPageTextStructuredModeRects, CollectFontInformation: true,
			})
			if err != nil {
				return nil, err
			}
			return text.Rects, nil
		})
		if err != nil {
			broken = isTrap(err)
			return nil, m, err
		}
		for _, p := range lay.page(rects) {
			if err := out.writeLine(p); err != nil {
				return nil, m, err
			}
		}
	}
	if err := out.writeLine(lay.flush()); err != nil {
		return nil, m, err
	}
	if len(strings.TrimSpace(out.String())) == 0 {
		return nil, m, ErrNoTextLayer
	}
	return []byte(out.String()), m, nil
}

// pdfDate turns a PDF date (D:20260410120000+08'00') into YYYY-MM-DD.
func pdfDate(s string) string {
	s = strings.TrimPrefix(s, "D:")
	if len(s) < 8 || strings.Trim(s[:8], "0123456789") != "" {
		return ""
	}
	return s[:4] + "-" + s[4:6] + "-" + s[6:8]
}

// pdfLine is one line of a PDF page: its text and where it stands.
type pdfLine struct {
	text string
	// y is the middle of its glyphs' boxes, in points from the page's foot.
	// The boxes are those of the glyphs' ink, so y is only roughly the same
	// for lines of one size; the font size tells the line spacing.
	y    float64
	size float64 // the largest font size on it
	// short is set for a line that stops well short of the page's right
	// margin: the last line of a paragraph.
	short bool
}

// pdfLayout joins the lines of PDF pages into paragraphs: a line continues
// the one above in the same font size at the usual spacing; a change of
// size (a title above its date), a wider gap, or a line above that stops
// short of the margin starts a paragraph. Lines of digits alone (page
// numbers) are dropped.
type pdfLayout struct {
	para     strings.Builder
	last     *pdfLine
	paraSize float64
}

// page adds the text rects of one page and returns the paragraphs it ended.
func (l *pdfLayout) page(rects []*responses.GetPageTextStructuredRect) []string {
	var done []string
	for _, line := range pdfLines(rects) {
		if strings.Trim(line.text, "0123456789 -–—/") == "" {
			continue
		}
		if l.last != nil && l.breaksBefore(line) {
			done = append(done, l.flush())
		}
		if l.para.Len() > 0 && needsSpace(l.para.String(), line.text) {
			l.para.WriteByte(' ')
		}
		if l.para.Len() == 0 {
			l.paraSize = line.size
		}
		l.para.WriteString(line.text)
		l.last = &line
	}
	return done
}

// breaksBefore reports whether line starts a new paragraph after l.last.
func (l *pdfLayout) breaksBefore(line pdfLine) bool {
	prev := *l.last
	if math.Abs(line.size-l.paraSize) > 0.15*max(line.size, l.paraSize) {
		return true
	}
	newPage := line.y > prev.y // the next page starts at its head
	if !newPage && prev.y-line.y > 1.8*max(line.size, prev.size) {
		return true // more than the usual spacing: a blank line between
	}
	return prev.short
}

// flush returns the paragraph being built, and starts another.
func (l *pdfLayout) flush() string {
	p := l.para.String()
	l.para.Reset()
	return p
}

// pdfLines groups a page's text rects into lines, top to bottom: rects whose
// middles are within half a font size share a line. A line is short when
// its right end stops more than two font sizes before the page's widest.
func pdfLines(rects []*responses.GetPageTextStructuredRect) []pdfLine {
	var lines []pdfLine
	var rights []float64
	for _, r := range rects {
		text := strings.TrimRight(r.Text, "\r\n")
		if strings.TrimSpace(text) == "" {
			continue
		}
		y := (r.PointPosition.Top + r.PointPosition.Bottom) / 2
		size := math.Abs(r.PointPosition.Top - r.PointPosition.Bottom)
		if r.FontInformation != nil && r.FontInformation.Size > 0 {
			size = r.FontInformation.Size
		}
		right := max(r.PointPosition.Left, r.PointPosition.Right)
		if n := len(lines); n > 0 && math.Abs(lines[n-1].y-y) < 0.5*max(size, lines[n-1].size) {
			lines[n-1].text += text
			lines[n-1].size = max(size, lines[n-1].size)
			rights[n-1] = max(rights[n-1], right)
			continue
		}
		lines = append(lines, pdfLine{text: text, y: y, size: size})
		rights = append(rights, right)
	}
	margin := 0.0
	for i := range lines {
		lines[i].text = strings.TrimSpace(lines[i].text)
		margin = max(margin, rights[i])
	}
	for i := range lines {
		lines[i].short = rights[i] < margin-2*lines[i].size
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].y > lines[j].y })
	return lines
}

// pdfPage loads page i for read, within ctx; its errors say which page,
// and that the sandbox ran out of memory when it trapped.
func pdfPage[T any](ctx context.Context, inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int, read func(requests.Page) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, budgetError(ctx, err)
	}
	page, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: i})
	if err == nil {
		defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: page.Page})
		var out T
		if out, err = read(requests.Page{ByReference: &page.Page}); err == nil {
			return out, nil
		}
	}
	if strings.Contains(err.Error(), "wasm error") {
		return zero, budgetError(ctx, &trapError{fmt.Errorf("page %d stopped the PDF reader: it ran out of its %d MiB of memory (a compressed bomb?) or the file is damaged", i+1, pdfMemoryPages()>>4)})
	}
	return zero, budgetError(ctx, fmt.Errorf("not a readable PDF: page %d: %w", i+1, err))
}

// trapError is a failure that trapped the PDF reader's sandbox: its memory
// is spent or corrupt, and it is not used again.
type trapError struct{ error }

func (e *trapError) Unwrap() error { return e.error }

func isTrap(err error) bool {
	var t *trapError
	return errors.As(err, &t)
}
