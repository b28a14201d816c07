package ragtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// RawPDF writes objects (numbered from 1, the first the catalog) as a PDF
// with a cross-reference table; trailer is added to the trailer dictionary.
func RawPDF(objects []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, trailer, xref)
	return b.Bytes()
}

// FlatePDF is a small PDF of one compressed content stream that shows
// about size bytes of text: a page of it, in lines of their own, shown by as
// many pages as it takes (they all point at the one stream). A
// decompression bomb when size is large.
func FlatePDF(size int) []byte {
	var content bytes.Buffer
	for y := 40; y < 760; y += 12 {
		fmt.Fprintf(&content, "BT /F1 4 Tf 1 0 0 1 20 %d Tm (%s) Tj ET\n", y, strings.Repeat("Innovation ", 90))
	}
	perPage := 60 * 990
	pages := max(1, size/perPage)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(content.Bytes())
	zw.Close()
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", i+5)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	for range pages {
		objects = append(objects, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>")
	}
	return RawPDF(objects, "")
}

// OpsPDF is a small PDF of one page whose compressed content stream is
// size bytes of drawing operators: a decompression bomb for the reader's
// memory rather than its text budget.
func OpsPDF(size int) []byte {
	const op = "q 1 0 0 1 0 0 cm Q\n"
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	chunk := []byte(strings.Repeat(op, 1<<16))
	for n := 0; n < size; n += len(chunk) {
		zw.Write(chunk)
	}
	zw.Close()
	return RawPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	}, "")
}
