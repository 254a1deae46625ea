package newsroom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strings"
	"time"
)

// feedState remembers when a feed's content last changed, for Last-Modified.
type feedState struct {
	digest  string    // hash of the feed rendered for a fixed host
	lastMod time.Time // whole seconds, strictly increasing per change
}

// refreshFeeds bumps Last-Modified of every feed whose content changed. The
// new time is at least a second after the old one, so a client that fetched
// within the same second still sees the change through If-Modified-Since.
func (n *Newsroom) refreshFeeds(now time.Time) {
	for path, fs := range n.feeds {
		d := etag(n.renderFeed(path, "newsroom.invalid"))
		if d == fs.digest {
			continue
		}
		fs.digest = d
		t := now.UTC().Truncate(time.Second)
		if !fs.lastMod.IsZero() && !t.After(fs.lastMod) {
			t = fs.lastMod.Add(time.Second)
		}
		fs.lastMod = t
	}
}

// etag is a strong validator: a hash of the exact bytes served.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// serveFeed answers a feed request, honouring If-None-Match and, when that
// is absent, If-Modified-Since (RFC 9110 section 13.2.2).
func (n *Newsroom) serveFeed(r *http.Request, path string) *response {
	body := n.renderFeed(path, r.Host)
	fs := n.feeds[path]
	h := http.Header{}
	h.Set("ETag", etag(body))
	h.Set("Last-Modified", fs.lastMod.Format(http.TimeFormat))
	h.Set("Cache-Control", "max-age=0, must-revalidate")
	if notModified(r, h.Get("ETag"), fs.lastMod) {
		return &response{status: http.StatusNotModified, header: h}
	}
	if strings.HasSuffix(path, ".atom") {
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	}
	return &response{status: http.StatusOK, header: h, body: body}
}

func notModified(r *http.Request, tag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for c := range strings.SplitSeq(inm, ",") {
			c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
			if c == "*" || c == tag {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !lastMod.After(ims)
}

// renderFeed renders a feed with absolute links on host. Its bytes depend
// only on host and the script's state, never on churn.
func (n *Newsroom) renderFeed(path, host string) []byte {
	base := "http://" + host
	items := n.listedIn(path)
	var doc any
	if path == feedChina {
		doc = atomDoc(base, path, items)
	} else {
		doc = rssDoc(base, path, items)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		// Only reachable with invalid UTF-8 in the fixed content tables.
		panic("newsroom: encode feed " + path + ": " + err.Error())
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Category    string  `xml:"category"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func rssDoc(base, path string, items []*article) rss {
	ch := rssChannel{
		Title:       "Newsroom - World",
		Link:        base + "/",
		Description: "Latest English news from Newsroom",
		Language:    "en",
	}
	for i, a := range items {
		if i == 0 {
			ch.LastBuildDate = a.Published.Format(time.RFC1123Z)
		}
		ch.Items = append(ch.Items, rssItem{
			Title:       a.Title,
			Link:        base + a.Path,
			GUID:        rssGUID{IsPermaLink: "true", Value: base + a.Path},
			PubDate:     a.Published.Format(time.RFC1123Z),
			Category:    a.Section,
			Description: a.description(),
		})
	}
	return rss{Version: "2.0", Channel: ch}
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Summary   string   `xml:"summary"`
}

func atomDoc(base, path string, items []*article) atomFeed {
	f := atomFeed{
		Title:  "Newsroom 中文网 - 中国",
		ID:     base + path,
		Links:  []atomLink{{Rel: "self", Href: base + path}, {Rel: "alternate", Href: base + "/"}},
		Author: atomAuthor{Name: "新华社"},
	}
	for i, a := range items {
		if i == 0 {
			f.Updated = a.Published.Format(time.RFC3339)
		}
		f.Entries = append(f.Entries, atomEntry{
			Title:     a.Title,
			ID:        base + a.Path,
			Link:      atomLink{Rel: "alternate", Href: base + a.Path},
			Published: a.Published.Format(time.RFC3339),
			Updated:   a.Published.Format(time.RFC3339),
			Summary:   a.description(),
		})
	}
	return f
}
