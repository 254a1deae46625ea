package newsroom_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/internal/newsroom"
)

func TestFeedsParseWithAbsoluteLinks(t *testing.T) {
	n, srv := newServer(t)
	tests := []struct {
		path        string
		contentType string
		items       int
	}{
		{"/feeds/world.rss", "application/rss+xml", 4},
		{"/feeds/china.atom", "application/atom+xml", 2},
	}
	if got, want := len(n.Feeds()), len(tests); got != want {
		t.Fatalf("Feeds() = %v, want %d feeds", n.Feeds(), want)
	}
	for i, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := n.Feeds()[i]; got != tt.path {
				t.Errorf("Feeds()[%d] = %q, want %q", i, got, tt.path)
			}
			resp, body := get(t, srv, tt.path)
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.contentType)
			}
			items := parseFeed(t, tt.path, body)
			if got := len(items); got != tt.items {
				t.Fatalf("%d items, want %d", got, tt.items)
			}
			for _, it := range items {
				if !strings.HasPrefix(it.Link, srv.URL+"/") {
					t.Errorf("item link %q is not absolute on %s", it.Link, srv.URL)
				}
				p := fetchPage(t, srv, strings.TrimPrefix(it.Link, srv.URL))
				if p.status != http.StatusOK || p.h1 != it.Title {
					t.Errorf("item %q: page status %d, h1 %q", it.Title, p.status, p.h1)
				}
			}
		})
	}
}

func TestFeedConditionalGET(t *testing.T) {
	_, srv := newServer(t)
	for _, path := range []string{"/feeds/world.rss", "/feeds/china.atom"} {
		first, _ := get(t, srv, path)
		tag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if !strings.HasPrefix(tag, `"`) || lastMod == "" {
			t.Fatalf("%s: ETag %q (want strong), Last-Modified %q", path, tag, lastMod)
		}
		tests := []struct {
			name   string
			header []string
			want   int
		}{
			{"matching etag", []string{"If-None-Match", tag}, http.StatusNotModified},
			{"etag in a list", []string{"If-None-Match", `"x", ` + tag}, http.StatusNotModified},
			{"other etag", []string{"If-None-Match", `"stale"`}, http.StatusOK},
			{"same last-modified", []string{"If-Modified-Since", lastMod}, http.StatusNotModified},
			{"older last-modified", []string{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}, http.StatusOK},
			{"etag wins over date", []string{"If-None-Match", `"stale"`, "If-Modified-Since", lastMod}, http.StatusOK},
		}
		for _, tt := range tests {
			resp, body := get(t, srv, path, tt.header...)
			if resp.StatusCode != tt.want {
				t.Errorf("%s, %s: status %d, want %d", path, tt.name, resp.StatusCode, tt.want)
			}
			if resp.StatusCode == http.StatusNotModified && len(body) != 0 {
				t.Errorf("%s, %s: 304 with a %d-byte body", path, tt.name, len(body))
			}
		}
	}
}

// TestFeedChangesOnlyWithListing checks that text edits leave the feeds
// alone, while a title change gives a new ETag and a later Last-Modified.
func TestFeedChangesOnlyWithListing(t *testing.T) {
	n, srv := newServer(t)
	validators := func(path string) (string, time.Time) {
		resp, _ := get(t, srv, path)
		lm, err := http.ParseTime(resp.Header.Get("Last-Modified"))
		if err != nil {
			t.Fatalf("%s: Last-Modified: %v", path, err)
		}
		return resp.Header.Get("ETag"), lm
	}
	worldTag, worldLM := validators("/feeds/world.rss")
	chinaTag, _ := validators("/feeds/china.atom")
	var step newsroom.Step
	for step.Name != "title changed" { // figures in pages and PDFs, a quote: text-only edits
		if tag, _ := validators("/feeds/world.rss"); tag != worldTag {
			t.Fatalf("world.rss ETag changed after text-only edits up to %q: %s -> %s", step.Name, worldTag, tag)
		}
		var ok bool
		if step, ok = n.Advance(); !ok {
			t.Fatal("no step named \"title changed\"")
		}
	}
	tag, lm := validators("/feeds/world.rss")
	if tag == worldTag {
		t.Errorf("world.rss ETag %s unchanged after a title change", tag)
	}
	if !lm.After(worldLM) {
		t.Errorf("world.rss Last-Modified %v not after %v", lm, worldLM)
	}
	if resp, _ := get(t, srv, "/feeds/world.rss", "If-None-Match", worldTag); resp.StatusCode != http.StatusOK {
		t.Errorf("old ETag: status %d, want 200", resp.StatusCode)
	}
	if resp, _ := get(t, srv, "/feeds/world.rss", "If-Modified-Since", worldLM.Format(http.TimeFormat)); resp.StatusCode != http.StatusOK {
		t.Errorf("old Last-Modified: status %d, want 200", resp.StatusCode)
	}
	if tag, _ := validators("/feeds/china.atom"); tag != chinaTag {
		t.Errorf("china.atom ETag changed though no Chinese title did: %s -> %s", chinaTag, tag)
	}
}

func TestFeedLinksFollowHost(t *testing.T) {
	_, srv := newServer(t)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/feeds/world.rss", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "news.example:8080"
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range parseFeed(t, "/feeds/world.rss", body) {
		if !strings.HasPrefix(it.Link, "http://news.example:8080/") {
			t.Errorf("link %q does not use the request's host", it.Link)
		}
	}
	plainResp, plain := get(t, srv, "/feeds/world.rss")
	if resp.Header.Get("ETag") == plainResp.Header.Get("ETag") || bytes.Equal(body, plain) {
		t.Errorf("feed for another host has the same bytes or ETag")
	}
}
