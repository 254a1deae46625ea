package daemon

import (
	"github.com/stet/stet/config"
	"github.com/stet/stet/extract"
)

// feedLinks is what a feed's items mean for tracking: the items whose
// links are absolute http(s) URLs, normalised (config.NormalizeURL, the one
// normaliser) and each kept once, at most max of them in feed order. A
// feed is untrusted: javascript:, file:, data:, mailto: or relative garbage
// is never tracked, only counted.
type feedLinks struct {
	items    []extract.Item // kept, with URL normalised
	rejected int            // links that are not absolute http(s) URLs
	sample   string         // the first rejected link, cut to 100 bytes, for the log
	excess   int            // valid links past max
	repeats  int            // links listed more than once
}

func readFeedLinks(items []extract.Item, max int) feedLinks {
	var fl feedLinks
	seen := make(map[string]bool, min(len(items), max))
	for _, it := range items {
		u, err := config.NormalizeURL(it.URL)
		switch {
		case err != nil:
			if fl.rejected == 0 {
				fl.sample = cut(it.URL, 100)
			}
			fl.rejected++
		case seen[config.URLKey(u)]:
			fl.repeats++
		case len(fl.items) == max:
			fl.excess++
		default:
			seen[config.URLKey(u)] = true
			it.URL = u
			fl.items = append(fl.items, it)
		}
	}
	return fl
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 { // do not split a UTF-8 sequence
		n--
	}
	return s[:n] + "…"
}
