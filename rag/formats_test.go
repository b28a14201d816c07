package rag

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// An HTML page, a Word document and a PDF are read as articles: their main
// text, without navigation or scripts, and the title and date the
// documents state.
func TestArticleFormats(t *testing.T) {
	page := `<!doctype html><html><head><title>晋能光伏新产线投产 - 山西新闻网</title>
<meta property="og:site_name" content="山西新闻网">
<meta property="article:published_time" content="2024-07-06T08:00:00+08:00">
<script>var tracking = "脚本里的字";</script></head>
<body><nav><a href="/">首页</a> <a href="/news">新闻中心</a> <a href="/about">关于我们</a></nav>
<article><h1>晋能光伏新产线投产</h1>
<p>走进晋能光伏技术有限责任公司TOPCon电池智能制造生产车间，全长400米的生产线上，生产人员屈指可数，取而代之的是灵活穿梭的AGV机器人。</p>
<p>该公司党支部书记、董事长张洁表示，未来将从技术创新、产业链协同、绿色制造、国际化布局等多维度系统推进高质量发展。</p>
<p>同时，通过强化安全治理、提质增效等举措，持续优化制造能力建设，主动适应政策与市场变化，在全球能源转型中彰显中国制造业升级的实力与担当。</p>
</article><!-- 评论区 --><footer>版权所有 © 山西新闻网</footer></body></html>`
	tests := []struct {
		name      string
		raw       []byte
		title     string
		date      string
		want      []string
		forbidden []string
	}{
		{"page.html", []byte(page), "晋能光伏新产线投产", "2024-07-06", []string{"全长400米的生产线上", "董事长张洁表示"}, []string{"脚本里的字", "关于我们", "版权所有"}},
		{"report.docx", docx(t, "山西创新报告", "2023-05-04T10:00:00Z", "第一段：山西建设智慧交通实验室。", "第二段：实验室主任张军表示要加强创新。"), "山西创新报告", "2023-05-04",
			[]string{"山西建设智慧交通实验室。", "实验室主任张军表示要加强创新。"}, []string{"<w:t>"}},
		{"paper.pdf", textPDF("Shanxi opened a 400 metre TOPCon cell line.", "The chairman is Zhang Jie."), "", "", []string{"400 metre TOPCon", "Zhang Jie"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArticle(tt.name, tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if tt.title != "" && a.Title != tt.title || a.Date != tt.date {
				t.Errorf("title %q date %q, want %q %q", a.Title, a.Date, tt.title, tt.date)
			}
			flat := strings.Join(strings.Fields(a.Text), " ")
			for _, w := range tt.want {
				if !strings.Contains(flat, w) {
					t.Errorf("text lacks %q:\n%s", w, a.Text)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(a.Text, f) {
					t.Errorf("text keeps %q:\n%s", f, a.Text)
				}
			}
		})
	}
	if _, err := ParseArticle("scan.pdf", textPDF()); !errors.Is(err, ErrNoTextLayer) {
		t.Errorf("a PDF without text: %v", err)
	}
	for _, name := range []string{"broken.pdf", "broken.docx"} {
		if _, err := ParseArticle(name, []byte("not really")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// docx builds a Word document with a title, a creation date and paragraphs.
func docx(t *testing.T, title, created string, paras ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	var body strings.Builder
	for _, p := range paras {
		half := len([]rune(p)) / 2
		fmt.Fprintf(&body, `<w:p><w:r><w:t>%s</w:t></w:r><w:r><w:t>%s</w:t></w:r></w:p>`, string([]rune(p)[:half]), string([]rune(p)[half:]))
	}
	write("word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body.String()+`</w:body></w:document>`)
	write("docProps/core.xml", `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>`+title+`</dc:title><dcterms:created>`+created+`</dcterms:created></cp:coreProperties>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// textPDF builds a one-page PDF that shows lines in Helvetica (none: a page
// with no text, like a scan).
func textPDF(lines ...string) []byte {
	var content strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&content, "BT /F1 12 Tf 72 %d Td (%s) Tj ET\n", 720-20*i, l)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
