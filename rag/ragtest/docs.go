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

// FlatePDF is a one-page PDF, small, whose compressed content stream shows
// size bytes of text: a decompression bomb when size is large.
func FlatePDF(size int) []byte {
	line := "BT /F1 12 Tf 1 0 0 1 72 700 Tm (" + strings.Repeat("Innovation ", 9) + ") Tj ET\n"
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(strings.Repeat(line, size/len(line)+1)))
	zw.Close()
	return RawPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}, "")
}
