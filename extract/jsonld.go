package extract

import (
	"encoding/json"
	"strings"
)

// ldArticle is what the page's JSON-LD says about its article.
type ldArticle struct {
	Headline  string
	Author    string
	Published string
	Modified  string
	Body      string
	Lang      string
}

// articleTypes are the schema.org types whose fields describe the page's
// article (rather than, say, the publisher's Organization).
var articleTypes = wordSet("article", "newsarticle", "blogposting", "reportagenewsarticle",
	"analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
	"scholarlyarticle", "techarticle", "report", "webpage", "liveblogposting", "posting",
	"socialmediaposting", "discussionforumposting", "creativework", "medicalwebpage")

// jsonLD reads the first article-like object of the page's JSON-LD blocks.
// Broken JSON, common in CMS templates, is ignored.
func jsonLD(doc *metaNodes) ldArticle {
	var out ldArticle
	for _, n := range doc.ldJSON {
		var v any
		if json.Unmarshal([]byte(nodeText(n)), &v) != nil {
			continue
		}
		visitLD(v, &out, 0)
		if out.Headline != "" && out.Published != "" {
			break
		}
	}
	return out
}

// visitLD walks objects, arrays and @graph lists, filling empty fields of
// out from article-typed objects. Depth is bounded against hostile nesting.
func visitLD(v any, out *ldArticle, depth int) {
	if depth > 8 {
		return
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			visitLD(e, out, depth+1)
		}
	case map[string]any:
		if isArticleType(t["@type"]) {
			fillLD(t, out)
		}
		if g, ok := t["@graph"]; ok {
			visitLD(g, out, depth+1)
		}
		if m, ok := t["mainEntity"]; ok {
			visitLD(m, out, depth+1)
		}
	}
}

func isArticleType(t any) bool {
	switch v := t.(type) {
	case string:
		return articleTypes[strings.ToLower(v)]
	case []any:
		for _, e := range v {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func fillLD(m map[string]any, out *ldArticle) {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = collapse(v)
		}
	}
	set(&out.Headline, ldString(m["headline"]))
	set(&out.Author, ldName(m["author"], 0))
	set(&out.Published, ldString(m["datePublished"]))
	set(&out.Modified, ldString(m["dateModified"]))
	set(&out.Lang, ldString(m["inLanguage"]))
	if out.Body == "" {
		out.Body = strings.TrimSpace(ldString(m["articleBody"]))
	}
}

func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			return ldString(t[0])
		}
	}
	return ""
}

// ldName reads an author: a string, a Person with a name, or a list of
// those joined with ", ".
func ldName(v any, depth int) string {
	if depth > 4 {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		return ldString(t["name"])
	case []any:
		var names []string
		for _, e := range t {
			if n := collapse(ldName(e, depth+1)); n != "" {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}
