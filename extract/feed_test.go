package extract

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const rssFeed = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title> Gazette  news </title><link>https://news.example/</link>
<item><title>Bridge approved</title><link>https://news.example/a/1</link><guid isPermaLink="false">id-1</guid>
<pubDate>Tue, 23 Jan 2024 10:30:00 +0100</pubDate></item>
<item><title>Relative link, no guid</title><link>/a/2</link></item>
<item><title>No link at all</title><description>skipped</description></item>
</channel></rss>`

const atomFeed = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><link href="https://atom.example/" rel="alternate"/>
<entry><title>First</title><id>tag:atom.example,2024:1</id><link href="https://atom.example/posts/1" rel="alternate"/>
<published>2024-01-23T10:30:00Z</published><updated>2024-01-24T08:00:00Z</updated></entry>
</feed>`

const jsonFeed = `{"version":"https://jsonfeed.org/version/1.1","title":"JSON news","home_page_url":"https://json.example/",
"items":[{"id":"j1","url":"https://json.example/p/1","title":"Hello","date_published":"2024-01-23T10:30:00Z"},
{"id":"j2","title":"no url"}]}`

func TestFeed(t *testing.T) {
	feedURL, _ := url.Parse("https://news.example/feeds/rss.xml")
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0"><channel><title>新华网新闻</title><link>http://www.xinhua.example/</link>
<item><title>长江大桥今日通车</title><link>http://www.xinhua.example/2024/01/23/c_1.htm</link></item>
</channel></rss>`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		feed      string
		base      *url.URL
		wantTitle string
		wantItems []Item
	}{
		{"rss", rssFeed, feedURL, "Gazette news", []Item{
			{GUID: "id-1", URL: "https://news.example/a/1", Title: "Bridge approved", Published: time.Date(2024, 1, 23, 9, 30, 0, 0, time.UTC)},
			{GUID: "https://news.example/a/2", URL: "https://news.example/a/2", Title: "Relative link, no guid"},
		}},
		{"atom", atomFeed, nil, "Atom news", []Item{
			{GUID: "tag:atom.example,2024:1", URL: "https://atom.example/posts/1", Title: "First",
				Published: time.Date(2024, 1, 23, 10, 30, 0, 0, time.UTC), Updated: time.Date(2024, 1, 24, 8, 0, 0, 0, time.UTC)},
		}},
		{"json feed", jsonFeed, nil, "JSON news", []Item{
			{GUID: "j1", URL: "https://json.example/p/1", Title: "Hello", Published: time.Date(2024, 1, 23, 10, 30, 0, 0, time.UTC)},
		}},
		{"gbk rss", gbk, nil, "新华网新闻", []Item{
			{GUID: "http://www.xinhua.example/2024/01/23/c_1.htm", URL: "http://www.xinhua.example/2024/01/23/c_1.htm", Title: "长江大桥今日通车"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := Feed(strings.NewReader(tt.feed), Options{BaseURL: tt.base})
			if err != nil {
				t.Fatal(err)
			}
			if ch.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", ch.Title, tt.wantTitle)
			}
			if len(ch.Items) != len(tt.wantItems) {
				t.Fatalf("got %d items %+v, want %d", len(ch.Items), ch.Items, len(tt.wantItems))
			}
			for i, want := range tt.wantItems {
				if got := ch.Items[i]; got != want {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

func TestFeedRelativeToFeedURL(t *testing.T) {
	// No channel link: relative item links resolve against the feed's URL.
	const f = `<rss version="2.0"><channel><title>t</title><item><link>posts/7</link></item></channel></rss>`
	base, _ := url.Parse("https://blog.example/feed/index.xml")
	ch, err := Feed(strings.NewReader(f), Options{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Items) != 1 || ch.Items[0].URL != "https://blog.example/feed/posts/7" {
		t.Errorf("items = %+v", ch.Items)
	}
}

func TestFeedErrors(t *testing.T) {
	for name, f := range map[string]string{
		"broken xml": `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><link>a</item></channel>`,
		"not a feed": `<html><body>hello</body></html>`,
		"empty":      ``,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Feed(strings.NewReader(f), Options{})
			if err == nil || !strings.Contains(err.Error(), "parse feed: ") {
				t.Errorf("err = %v, want a parse feed error", err)
			}
		})
	}
	if _, err := Feed(bytes.NewReader(make([]byte, MaxInputBytes+1)), Options{}); err != ErrTooLarge {
		t.Errorf("oversized feed: err = %v, want ErrTooLarge", err)
	}
}
