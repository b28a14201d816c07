package document

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/qabot/qabot/rag/ragtest"
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
			a, err := ParseArticle(t.Context(), tt.name, tt.raw)
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
	if _, err := ParseArticle(t.Context(), "scan.pdf", textPDF()); !errors.Is(err, ErrNoTextLayer) {
		t.Errorf("a PDF without text: %v", err)
	}
	for _, name := range []string{"broken.pdf", "broken.docx"} {
		if _, err := ParseArticle(t.Context(), name, []byte("not really")); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// docx builds a Word document with a title, a creation date and paragraphs.
func docx(t *testing.T, title, created string, paras ...string) []byte {
	return docxBy(t, title, "", created, paras...)
}

// docxBy builds a Word document with a title, an author, a creation date
// and paragraphs.
func docxBy(t *testing.T, title, author, created string, paras ...string) []byte {
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
	write("docProps/core.xml", `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>`+title+`</dc:title><dc:creator>`+author+`</dc:creator><dcterms:created>`+created+`</dcterms:created></cp:coreProperties>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfRun is a line of a test PDF, in a font size; cjk lines are set in a
// Chinese font (Adobe's STSong-Light, which PDF readers know by name).
type pdfRun struct {
	size float64
	text string
	cjk  bool
}

// textPDF builds a one-page PDF that shows lines in 12-point Helvetica
// (none: a page with no text, like a scan).
func textPDF(lines ...string) []byte {
	runs := make([]pdfRun, len(lines))
	for i, l := range lines {
		runs[i] = pdfRun{size: 12, text: l}
	}
	return layoutPDF("", runs)
}

// layoutPDF builds a one-page PDF of runs, top to bottom, a line each at
// 1.4 times its size, with info as its document information dictionary
// ("" for none).
func layoutPDF(info string, runs []pdfRun) []byte {
	var content strings.Builder
	y := 760.0
	for _, r := range runs {
		y -= 1.4 * r.size
		font, text := "F1", "("+r.text+")"
		if r.cjk {
			font, text = "F2", "<"+ucs2Hex(r.text)+">"
		}
		fmt.Fprintf(&content, "BT /%s %g Tf 1 0 0 1 72 %g Tm %s Tj ET\n", font, r.size, y, text)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [7 0 R] >>",
		"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 8 0 R >>",
		"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
	}
	trailer := ""
	if info != "" {
		objects = append(objects, info)
		trailer = fmt.Sprintf(" /Info %d 0 R", len(objects))
	}
	return ragtest.RawPDF(objects, trailer)
}

// ucs2Hex is text in UCS-2, big-endian, as hex digits.
func ucs2Hex(text string) string {
	var b strings.Builder
	for _, r := range text {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// A PDF's title line, set larger, stays apart from the date line under it,
// the hard-wrapped lines of a paragraph are joined without spaces, and the
// document information, when there is one, names the title, publisher and
// date.
func TestPDFLayoutAndMetadata(t *testing.T) {
	runs := []pdfRun{
		{size: 20, text: "太钢硅钢工程开工", cjk: true},
		{size: 12, text: "2026年4月10日", cjk: true},
		{size: 12, text: "4月10日，太钢集团年产16万吨高端冷轧取向硅钢项目", cjk: true},
		{size: 12, text: "在太原开工建设，总投资40亿元，预计明年投产。", cjk: true},
		{size: 12, text: "项目负责人表示，将加快建设进度。", cjk: true},
	}
	info := "<< /Title <FEFF" + ucs2Hex("太钢硅钢工程开工") + "> /Author <FEFF" + ucs2Hex("山西日报") + "> /CreationDate (D:20260410083000+08'00') >>"
	for _, tt := range []struct {
		name                 string
		info                 string
		title, date, publish string
	}{
		{"with document information", info, "太钢硅钢工程开工", "2026-04-10", "山西日报"},
		{"without", "", "太钢硅钢工程开工", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArticle(t.Context(), "news.pdf", layoutPDF(tt.info, runs))
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title || a.Date != tt.date || a.Source != tt.publish {
				t.Errorf("title %q, date %q, publisher %q; want %q, %q, %q", a.Title, a.Date, a.Source, tt.title, tt.date, tt.publish)
			}
			paras := strings.Split(a.Text, "\n")
			want := []string{"太钢硅钢工程开工", "2026年4月10日", "4月10日，太钢集团年产16万吨高端冷轧取向硅钢项目在太原开工建设，总投资40亿元，预计明年投产。", "项目负责人表示，将加快建设进度。"}
			if diff := cmp.Diff(want, paras); diff != "" {
				t.Errorf("paragraphs (-want +got):\n%s", diff)
			}
		})
	}
}

// A Word document's author is its publisher.
func TestDocxAuthor(t *testing.T) {
	a, err := ParseArticle(t.Context(), "r.docx", docxBy(t, "山西创新报告", "山西日报", "2023-05-04T10:00:00Z", "实验室主任张军表示要加强创新。"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != "山西日报" || a.Title != "山西创新报告" || a.Date != "2023-05-04" {
		t.Errorf("publisher %q, title %q, date %q", a.Source, a.Title, a.Date)
	}
}
