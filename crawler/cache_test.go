package crawler_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stet/stet/crawler"
)

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 02 Jan 2006 15:04:05 GMT"
	var gotINM, gotIMS string
	ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		gotINM, gotIMS = r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if gotINM == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		fmt.Fprint(w, "<p>first version</p>")
	})
	c := newClient(t, crawler.Options{})

	first, err := fetch(t, c, ts.URL)
	wantClass(t, first, err, crawler.ClassOK, "")
	if first.ETag != etag || first.LastModified != lastMod {
		t.Fatalf("ETag, LastModified = %q, %q; want %q, %q", first.ETag, first.LastModified, etag, lastMod)
	}

	second, err := c.Fetch(t.Context(), crawler.Request{URL: ts.URL, ETag: first.ETag, LastModified: first.LastModified})
	wantClass(t, second, err, crawler.ClassNotModified, "")
	if gotINM != etag || gotIMS != lastMod {
		t.Errorf("sent If-None-Match, If-Modified-Since = %q, %q", gotINM, gotIMS)
	}
	if second.RequestHeader.Get("If-None-Match") != etag {
		t.Errorf("RequestHeader lacks If-None-Match: %v", second.RequestHeader)
	}
	if second.Body != nil || second.Status != 304 {
		t.Errorf("Body, Status = %q, %d; want nil, 304", second.Body, second.Status)
	}
	if second.ETag != etag || second.LastModified != lastMod {
		t.Errorf("304 lost the validators: %q, %q", second.ETag, second.LastModified)
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2", hits.Load())
	}
}
