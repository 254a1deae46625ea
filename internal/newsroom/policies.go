package newsroom

import (
	"net/http"
	"strconv"
	"strings"
)

// The ministry's policy list is an HTML index without a feed, newest
// first, policyPerPage notices a page. Its pages link to each other the
// way CMS pagination does: "下一页" is a relative link to index_1.htm,
// index_2.htm and so on. The page around the list churns (clock, shuffled
// "most read" links, ads), so only a selector finds the notices.

const policyPerPage = 2

// Index is a page listing articles without a feed, with what a reader
// needs to follow it.
type Index struct {
	Path     string // the first page
	Links    string // CSS selector of the article links
	Follow   string // CSS selector of the link to the next page
	MaxPages int    // pages worth reading: all of them, and one to spare
}

// Indexes returns the index pages: the ministry's policy list.
func (n *Newsroom) Indexes() []Index {
	n.mu.Lock()
	defer n.mu.Unlock()
	return []Index{{Path: pathPolicies, Links: ".policy-list a", Follow: ".pagination a.next", MaxPages: n.policyPages() + 1}}
}

// policyPages is how many pages the policy list has now.
func (n *Newsroom) policyPages() int {
	return max(1, (len(n.listedIn(pathPolicies))+policyPerPage-1)/policyPerPage)
}

// policyPagePath is the path of page i (from 0) of the policy list.
func policyPagePath(i int) string {
	if i == 0 {
		return pathPolicies
	}
	return pathPolicies + "index_" + strconv.Itoa(i) + ".htm"
}

// policyPage returns which page of the policy list path is, or -1.
func (n *Newsroom) policyPage(path string) int {
	if path == pathPolicies {
		return 0
	}
	num, ok := strings.CutPrefix(path, pathPolicies+"index_")
	num, ok2 := strings.CutSuffix(num, ".htm")
	i, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || i < 1 || i >= n.policyPages() || strconv.Itoa(i) != num {
		return -1
	}
	return i
}

// renderPolicies renders page i of the policy list, with fresh churn.
func (n *Newsroom) renderPolicies(r *http.Request, i int) *response {
	items := n.listedIn(pathPolicies)
	p := n.newPage(r, langZH, policyPagePath(i))
	p.Title = "最新政策"
	p.Description = "国务院及各部门最新发布的政策文件。"
	p.SectionURL = pathPolicies
	for _, a := range items[min(len(items), i*policyPerPage):min(len(items), (i+1)*policyPerPage)] {
		p.Entries = append(p.Entries, entry{Title: a.Title, URL: a.Path, Date: a.Published.Format("2006-01-02")})
	}
	p.PageNo, p.PageCount = i+1, n.policyPages()
	if i > 0 {
		p.Prev = policyPagePath(i - 1)
	}
	if i+1 < p.PageCount {
		p.Next = "index_" + strconv.Itoa(i+1) + ".htm" // relative, as CMS pagination writes it
	}
	p.MostRead = n.shuffled(p.L.MoreStories, 5)
	return n.htmlResponse(http.StatusOK, "policies", p)
}
