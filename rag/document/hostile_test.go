package document

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qabot/qabot/rag/ragtest"
)

// Hostile documents, built small by the test, fail with a reason, or are
// read within their budget: never an unbounded run, text or memory.
func TestHostileDocuments(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want string // matches the error; "" when a bounded read is fine
	}{
		// 300 entries all named word/document.xml: the part is read once.
		{"copies.docx", docxEntries(t, 300, "word/document.xml", 64<<10), ""},
		// One part of 12 MB of text, from a small archive.
		{"deep.docx", docxEntries(t, 1, "word/document.xml", 12<<20), "10 MB"},
		// More entries than any Word document has.
		{"many.docx", docxEntries(t, maxZipEntries+1, "word/media/x.bin", 0), "zip entries"},
		// A page whose compressed content stream shows 16 MB of text.
		{"bomb.pdf", ragtest.FlatePDF(16 << 20), "10 MB|MiB of memory"},
		// Breadcrumb trails, each naming other pages: furniture all.
		{"crumbs.txt", crumbLines(4 << 20), "empty"},
		// Nothing but line ends.
		{"blank.txt", []byte(strings.Repeat("\n", 4<<20)), "empty"},
		// Latin text hard-wrapped, each line continuing the one before.
		{"wrapped.txt", []byte(strings.Repeat("a line of words, wrapped at forty letters and\n", (4<<20)/47)), ""},
		// A page whose content stream unpacks to 300 MB: the reader runs
		// out of the memory it is given (corpus.pdf_memory_mb).
		{"ops.pdf", ragtest.OpsPDF(300 << 20), "192 MiB of memory"},
		// A page tree whose root lists itself as a kid.
		{"loop.pdf", ragtest.RawPDF([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
		}, ""), "PDF"},
		// A page tree that claims two thousand million pages.
		{"count.pdf", ragtest.RawPDF([]string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>",
			"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
		}, ""), "PDF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Article
			var err error
			start := time.Now()
			peak := ragtest.PeakHeap(func() { a, err = ParseArticle(t.Context(), tt.name, tt.raw) })
			if took := time.Since(start); took > DocumentTimeout {
				t.Errorf("took %s, beyond the budget of %s", took, DocumentTimeout)
			}
			// PDFium's memory is bounded by its sandbox (pdfMemoryPages),
			// reserved at once and mostly never made resident. A Word
			// document unpacks up to the text budget.
			input := len(tt.raw)
			if strings.HasSuffix(tt.name, ".docx") {
				input = MaxArticleBytes
			}
			if !strings.HasSuffix(tt.name, ".pdf") && peak > maxHeapPerByte*uint64(input) {
				t.Errorf("a peak of %d MB of heap for %d MB of input", peak>>20, input>>20)
			}
			t.Logf("peak heap %d MB", peak>>20)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("a bounded read failed: %v", err)
			case tt.want == "" && len(a.Text) > MaxArticleBytes:
				t.Errorf("%d bytes of text, beyond the %d of the budget", len(a.Text), MaxArticleBytes)
			case tt.want != "" && (err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error())):
				t.Errorf("error %v, want one that says %q", err, tt.want)
			}
		})
	}
}

// A document read past its deadline stops, and says the deadline was the
// reason, whichever reader holds it.
func TestDocumentDeadline(t *testing.T) {
	for name, raw := range map[string][]byte{
		"long.pdf":   ragtest.FlatePDF(8 << 20),
		"long.docx":  docxEntries(t, 1, "word/document.xml", 8<<20),
		"deep.html":  deepPage(1 << 20),
		"crumbs.txt": crumbLines(4 << 20),
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := ParseArticle(ctx, name, raw)
			if !errors.Is(err, context.DeadlineExceeded) && (err == nil || !strings.Contains(err.Error(), "took longer")) {
				t.Errorf("error %v, want the deadline", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("stopped %s after the deadline", took)
			}
		})
	}
}

// maxHeapPerByte bounds the heap that reading a document takes at its
// peak, per byte of the document.
const maxHeapPerByte = 30

// crumbLines is size bytes of breadcrumb trails, each naming other pages.
func crumbLines(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "首页 > 栏目%d > 正文%d\n栏目%d\n", i, i, i)
	}
	return b.Bytes()
}

// deepPage is a page of size bytes of trees 500 elements deep.
func deepPage(size int) []byte {
	tree := strings.Repeat("<div><p>", 250) + "深" + strings.Repeat("</p></div>", 250)
	return []byte("<html><body>" + strings.Repeat(tree, size/len(tree)) + "</body></html>")
}

// docxEntries is a Word archive of n entries of one name, each a paragraph
// of size bytes of text (stored compressed, so the archive is small).
func docxEntries(t *testing.T, n int, name string, size int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	body := `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` +
		strings.Repeat("创新", size/6) + `</w:t></w:r></w:p></w:body></w:document>`
	for range n {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
