//go:build stetdebug

package extract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func nodePath(n *html.Node) string {
	var parts []string
	for x := n; x != nil && x.Type == html.ElementNode; x = x.Parent {
		s := x.Data
		if id := attr(x, "id"); id != "" {
			s += "#" + id
		}
		if c := attr(x, "class"); c != "" {
			s += "." + strings.ReplaceAll(strings.TrimSpace(c), " ", ".")
		}
		parts = append(parts, s)
	}
	if len(parts) > 4 {
		parts = parts[:4]
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " > ")
}

func TestDebugPage(t *testing.T) {
	f := os.Getenv("PAGE")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := Decode(b, "")
	root, _ := html.Parse(strings.NewReader(text))
	var snipNode *html.Node
	if snip := os.Getenv("SNIP"); snip != "" {
		walk(root, func(n *html.Node, _ int) bool {
			if n.Type == html.ElementNode && droppedTags[n.DataAtom] {
				return false
			}
			if n.Type == html.TextNode && strings.Contains(collapse(n.Data), collapse(snip)) && snipNode == nil {
				snipNode = n
				for x := n.Parent; x != nil && x.Type == html.ElementNode; x = x.Parent {
					fmt.Printf("  anc %s furn=%d cw=%.0f\n", x.Data+"#"+attr(x, "id")+"."+attr(x, "class"), classify(x), classWeight(x))
				}
			}
			return true
		})
	}
	if snipNode == nil {
		fmt.Println("SNIP NOTFOUND")
	}
	clean(root, true)
	if snipNode != nil {
		x := snipNode
		for ; x.Parent != nil; x = x.Parent {
		}
		if x != root {
			fmt.Println("SNIP REMOVED under", nodePath(x))
		}
	}
	st := measure(root)
	top := scoreTree(root, st)
	var cands []*html.Node
	for n, in := range st {
		if in.scored {
			cands = append(cands, n)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return st[cands[i]].score > st[cands[j]].score })
	for i, c := range cands {
		if i > 12 {
			break
		}
		in := st[c]
		fmt.Printf("%.1f text=%d link=%d %s\n", in.score, in.text, in.link, nodePath(c))
	}
	fmt.Println("TOP", nodePath(top))
	if snipNode != nil && top != nil {
		anc := map[*html.Node]int{}
		d := 0
		for x := top; x != nil; x = x.Parent {
			anc[x] = d
			d++
		}
		for x := snipNode; x != nil; x = x.Parent {
			if up, ok := anc[x]; ok {
				xi := st[x]
				ti := st[top]
				if xi != nil && ti != nil {
					fmt.Printf("LCA up=%d lcatext=%d lcalink=%d lcaprose=%d toptext=%d topprose=%d %s\n", up, xi.text, xi.link, xi.prose, ti.text, ti.prose, nodePath(x))
				}
				break
			}
		}
	}
	top2 := expand(promote(top, st), st)
	fmt.Println("EXPANDED", nodePath(top2))
	for _, p := range siblings(top2, st) {
		fmt.Println("PART", nodePath(p))
		for x := snipNode; x != nil; x = x.Parent {
			if x == p {
				fmt.Println("SNIP IN PART")
			}
		}
	}
}

func BenchmarkCorpus(b *testing.B) {
	files, _ := filepath.Glob("/work/shared/corpus/trafilatura-eval/pages/*.html")
	var pages [][]byte
	for _, f := range files {
		p, _ := os.ReadFile(f)
		pages = append(pages, p)
	}
	for b.Loop() {
		for _, p := range pages {
			HTML(bytes.NewReader(p), Options{})
		}
	}
}
