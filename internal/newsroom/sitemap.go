package newsroom

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"net/http"
	"time"
)

// The sitemaps follow sitemaps.org and Google's news extension: a sitemap
// index names a gzipped URL set of documents (with lastmod) and a news
// sitemap (with news:title and news:publication_date). Their bytes depend
// only on the host and the script's state.

const (
	sitemapXMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
	newsXMLNS    = "http://www.google.com/schemas/sitemap-news/0.9"
)

type sitemapIndexDoc struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	XMLNS    string       `xml:"xmlns,attr"`
	Sitemaps []sitemapRef `xml:"sitemap"`
}

type sitemapRef struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlSet struct {
	XMLName   xml.Name     `xml:"urlset"`
	XMLNS     string       `xml:"xmlns,attr"`
	XMLNSNews string       `xml:"xmlns:news,attr,omitempty"`
	URLs      []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string    `xml:"loc"`
	LastMod    string    `xml:"lastmod,omitempty"`
	ChangeFreq string    `xml:"changefreq,omitempty"`
	News       *newsItem `xml:"news:news"`
}

type newsItem struct {
	Name     string `xml:"news:publication>news:name"`
	Language string `xml:"news:publication>news:language"`
	Date     string `xml:"news:publication_date"`
	Title    string `xml:"news:title"`
}

// serveSitemap answers a request for one of the three sitemap files.
func (n *Newsroom) serveSitemap(r *http.Request, path string) *response {
	base := "http://" + r.Host
	switch path {
	case sitemapIndex:
		return staticResponse(r, "application/xml; charset=utf-8", n.renderSitemapIndex(base))
	case sitemapDocs:
		return staticResponse(r, "application/gzip", gzipped(encodeXML(n.docsURLSet(base))))
	default:
		return staticResponse(r, "application/xml; charset=utf-8", encodeXML(n.newsURLSet(base)))
	}
}

// renderSitemapIndex names both sitemaps, each with the newest date it lists.
func (n *Newsroom) renderSitemapIndex(base string) []byte {
	idx := sitemapIndexDoc{XMLNS: sitemapXMLNS}
	for _, path := range []string{sitemapDocs, sitemapNews} {
		ref := sitemapRef{Loc: base + path}
		if as := n.listedIn(path); len(as) > 0 {
			ref.LastMod = newest(as).Format(time.RFC3339)
		}
		idx.Sitemaps = append(idx.Sitemaps, ref)
	}
	return encodeXML(idx)
}

func newest(as []*article) time.Time {
	var t time.Time
	for _, a := range as {
		if m := a.modified(); m.After(t) {
			t = m
		}
	}
	return t
}

// docsURLSet lists the documents with their modification dates.
func (n *Newsroom) docsURLSet(base string) urlSet {
	set := urlSet{XMLNS: sitemapXMLNS}
	for _, a := range n.listedIn(sitemapDocs) {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + a.Path, LastMod: a.modified().Format(time.RFC3339), ChangeFreq: "monthly"})
	}
	return set
}

// newsURLSet lists the news articles with their titles and dates.
func (n *Newsroom) newsURLSet(base string) urlSet {
	set := urlSet{XMLNS: sitemapXMLNS, XMLNSNews: newsXMLNS}
	for _, a := range n.listedIn(sitemapNews) {
		set.URLs = append(set.URLs, sitemapURL{Loc: base + a.Path, News: &newsItem{
			Name: labelsFor(a.Lang).SiteName, Language: a.Lang, Date: a.Published.Format(time.RFC3339), Title: a.Title,
		}})
	}
	return set
}

// encodeXML encodes v, indented, after the XML declaration.
func encodeXML(v any) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		// Only reachable with invalid UTF-8 in the fixed content tables.
		panic("newsroom: encode xml: " + err.Error())
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// gzipped compresses b as a .gz file. The header carries no name and no
// time, so the same b always gives the same bytes.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic("newsroom: gzip level: " + err.Error()) // only for an invalid level
	}
	zw.Write(b) //nolint:errcheck // writes to a bytes.Buffer do not fail
	zw.Close()  //nolint:errcheck // as above
	return buf.Bytes()
}

// staticResponse serves a file the way a static file server does: a
// strong ETag of its bytes, honoured in If-None-Match.
func staticResponse(r *http.Request, contentType string, body []byte) *response {
	h := http.Header{}
	h.Set("ETag", etag(body))
	h.Set("Cache-Control", "max-age=0, must-revalidate")
	if r.Header.Get("If-None-Match") != "" && notModified(r, h.Get("ETag"), time.Time{}) {
		return &response{status: http.StatusNotModified, header: h}
	}
	h.Set("Content-Type", contentType)
	return &response{status: http.StatusOK, header: h, body: body}
}
