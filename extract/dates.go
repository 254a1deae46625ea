package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
)

var (
	publishedKeys = []string{"article:published_time", "og:published_time", "og:article:published_time",
		"datepublished", "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created",
		"dc.date", "dcterms.date", "pubdate", "publishdate", "publish-date", "publish_date",
		"published_time", "article.published", "sailthru.date", "parsely-pub-date",
		"citation_publication_date", "date", "article_date_original", "cxenseparse:recs:publishtime"}
	modifiedKeys = []string{"article:modified_time", "og:updated_time", "og:article:modified_time",
		"datemodified", "dc.date.modified", "dcterms.modified", "last-modified", "lastmod",
		"article.updated", "modified_time"}
)

// dates returns the publication and modification times, zero when unknown.
// Machine-readable sources come first; visible text is the last resort and
// is searched outside page chrome, so a live clock in the header is not
// taken for the publication date.
func dates(root *html.Node, doc *metaNodes, pm pageMeta) (published, modified time.Time) {
	published = firstDate(pm.ld.Published, pm.first(publishedKeys...),
		itempropDate(doc.published), timeElement(doc))
	modified = firstDate(pm.ld.Modified, pm.first(modifiedKeys...), itempropDate(doc.modified))
	if published.IsZero() {
		published = textDate(root)
	}
	return published, modified
}

func firstDate(vs ...string) time.Time {
	for _, v := range vs {
		if t := parseDate(v); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// itempropDate is the date of an [itemprop=datePublished] (or
// dateModified) element n: its datetime or content attribute, or its text.
func itempropDate(n *html.Node) string {
	for _, a := range [...]string{"datetime", "content"} {
		if v, ok := lookupAttr(n, a); ok && v != "" {
			return v
		}
	}
	return nodeText(n)
}

// timeElement is the datetime of the article's <time> element: one marked
// pubdate, else the first inside an <article>.
func timeElement(doc *metaNodes) string {
	for _, n := range [...]*html.Node{doc.pubdate, doc.artTime} {
		if v, ok := lookupAttr(n, "datetime"); ok {
			return v
		}
	}
	return ""
}

// dateLayouts are tried in order on machine-readable dates.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00",
	"2006-01-02T15:04", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05 -0700 MST", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02", "20060102", "20060102150405",
	time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC, "Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700", "January 2, 2006", "2 January 2006",
}

// parseDate reads a date in any of dateLayouts or the visible-text forms;
// dates without a zone are taken as UTC, so the result never depends on the
// machine's zone.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return textDateIn(s)
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil && plausible(t) {
			return t.UTC()
		}
	}
	return textDateIn(s)
}

func plausible(t time.Time) bool { return t.Year() >= 1990 && t.Year() <= 2100 }

var (
	cjkDateRe = regexp.MustCompile(`((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2})[:：](\d\d)(?:[:：](\d\d))?)?`)
	isoDateRe = regexp.MustCompile(`\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d\d)(?::(\d\d))?)?`)
	engDateRe = regexp.MustCompile(`(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b`)
	dmyDateRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d\d)\b`)
)

// monthNeedles are words every match of engDateRe and dmyDateRe holds.
var monthNeedles = newNeedles("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

var months = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// textDateIn finds the first date written for people in s: "2024年01月23日
// 10:30", "2024-01-23 10:30", "January 23, 2024", "23 January 2024".
func textDateIn(s string) time.Time {
	if !hasYear(s) {
		return time.Time{} // every pattern needs a year; most text has none
	}
	if strings.Contains(s, "年") {
		if m := cjkDateRe.FindStringSubmatch(s); m != nil {
			return mkDate(m[1], m[2], m[3], m[4], m[5], m[6])
		}
	}
	if m := isoDateRe.FindStringSubmatch(s); m != nil {
		return mkDate(m[1], m[2], m[3], m[4], m[5], m[6])
	}
	if !monthNeedles.in(s) {
		return time.Time{} // the remaining patterns need a month's name
	}
	if m := engDateRe.FindStringSubmatch(s); m != nil {
		return mkDate(m[3], strconv.Itoa(int(months[strings.ToLower(m[1])])), m[2], "", "", "")
	}
	if m := dmyDateRe.FindStringSubmatch(s); m != nil {
		return mkDate(m[3], strconv.Itoa(int(months[strings.ToLower(m[2])])), m[1], "", "", "")
	}
	return time.Time{}
}

// hasYear reports four digits starting with 19 or 20 in s.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			run = 0
			continue
		}
		run++
		if run >= 4 && (s[i-3:i-1] == "19" || s[i-3:i-1] == "20") {
			return true
		}
	}
	return false
}

func mkDate(y, mo, d, h, mi, sec string) time.Time {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	if n(mo) < 1 || n(mo) > 12 || n(d) < 1 || n(d) > 31 || n(h) > 23 || n(mi) > 59 || n(sec) > 59 {
		return time.Time{}
	}
	t := time.Date(n(y), time.Month(n(mo)), n(d), n(h), n(mi), n(sec), 0, time.UTC)
	if t.Day() != n(d) || !plausible(t) {
		return time.Time{}
	}
	return t
}

// textDate searches the visible text outside page chrome for a date.
func textDate(root *html.Node) time.Time {
	var found time.Time
	walk(root, func(n *html.Node, _ int) bool {
		if !found.IsZero() {
			return false
		}
		if n.Type == html.ElementNode && (droppedTags[n.DataAtom] || classify(n) != notFurniture) {
			return false
		}
		if n.Type == html.TextNode && len(n.Data) >= 8 {
			found = textDateIn(n.Data)
		}
		return true
	})
	return found
}
