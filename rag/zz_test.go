package rag
import ("testing";"fmt";"github.com/qabot/qabot/rag/question")
func TestZZ(t *testing.T){ s:=openSeeds(t)
 for _,x:=range []string{"劳动者港湾开了几个","华远陆港的海外仓建在哪","晋中第一个国家工业互联网标识解析二级节点建在哪","全国搞县域医共体试点的省份有几个","段局长打算培育多少个龙头企业"} {
 q:=question.ParseIn(x,s); for _,w:=range q.Words{fmt.Printf("%s/%s/%d ",w.Text,w.Tag,w.Role)}; fmt.Println(); fmt.Printf("  asks=%v focus=%q subj=%q counted=%q attr=%v\n", q.Asks, q.Focus, q.Subject(), q.Counted, q.Attribute()) }
}
