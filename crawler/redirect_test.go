package crawler_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stet/stet/crawler"
)

func TestRedirectLoop(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"self", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }},
		{"ping-pong", func(w http.ResponseWriter, r *http.Request) {
			to := map[string]string{"/a": "/b", "/b": "/a"}[r.URL.Path]
			http.Redirect(w, r, to, http.StatusMovedPermanently)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, hits := serve(t, tt.handler)
			resp, err := fetch(t, newClient(t, crawler.Options{}), ts.URL+"/a")
			wantFailure(t, resp, err, crawler.ClassError, "redirect loop at "+ts.URL+"/a", crawler.ErrRedirectLoop)
			if n := hits.Load(); n > 4 {
				t.Errorf("server saw %d requests, want the loop caught within 4", n)
			}
		})
	}
}

// chain redirects /1 → /2 → ... and answers 200 at /{end}.
func chain(end int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if n >= end {
			fmt.Fprint(w, "<p>the article</p>")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
	}
}

func TestRedirectCap(t *testing.T) {
	ts, hits := serve(t, chain(1000))
	resp, err := fetch(t, newClient(t, crawler.Options{MaxRedirects: 3}), ts.URL+"/1")
	wantFailure(t, resp, err, crawler.ClassError, "stopped after 3 redirects", crawler.ErrTooManyRedirects)
	if got, want := hits.Load(), int32(4); got != want {
		t.Errorf("server saw %d requests, want %d", got, want)
	}
	if len(resp.Redirects) != 4 {
		t.Errorf("recorded %d redirects, want 4", len(resp.Redirects))
	}

	ts, _ = serve(t, chain(4))
	resp, err = fetch(t, newClient(t, crawler.Options{MaxRedirects: 3}), ts.URL+"/1")
	wantClass(t, resp, err, crawler.ClassOK, "")
	if resp.FinalURL != ts.URL+"/4" || resp.Permanent {
		t.Errorf("FinalURL, Permanent = %s, %v; want %s/4, false", resp.FinalURL, resp.Permanent, ts.URL)
	}
}

func TestPermanentRedirect(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/older", http.StatusMovedPermanently))
	mux.Handle("/older", http.RedirectHandler("/new", http.StatusPermanentRedirect))
	mux.Handle("/temp", http.RedirectHandler("/new", http.StatusFound))
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<p>moved</p>") })
	ts, _ := serve(t, mux.ServeHTTP)
	c := newClient(t, crawler.Options{})

	resp, err := fetch(t, c, ts.URL+"/old")
	wantClass(t, resp, err, crawler.ClassOK, "")
	want := []crawler.Redirect{
		{From: ts.URL + "/old", To: ts.URL + "/older", Status: 301},
		{From: ts.URL + "/older", To: ts.URL + "/new", Status: 308},
	}
	if diff := cmp.Diff(want, resp.Redirects); diff != "" {
		t.Errorf("Redirects (-want +got):\n%s", diff)
	}
	if !resp.Permanent || resp.FinalURL != ts.URL+"/new" || string(resp.Body) != "<p>moved</p>" {
		t.Errorf("Permanent, FinalURL, Body = %v, %s, %q", resp.Permanent, resp.FinalURL, resp.Body)
	}

	resp, err = fetch(t, c, ts.URL+"/temp")
	wantClass(t, resp, err, crawler.ClassOK, "")
	if resp.Permanent {
		t.Error("a 302 chain is reported Permanent")
	}
}

func TestRedirectToHome(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/2024/deleted-story", http.RedirectHandler("/", http.StatusMovedPermanently))
	mux.Handle("/section", http.RedirectHandler("/section/", http.StatusMovedPermanently))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<title>Front page</title>") })
	ts, _ := serve(t, mux.ServeHTTP)
	c := newClient(t, crawler.Options{})

	resp, err := fetch(t, c, ts.URL+"/2024/deleted-story")
	wantClass(t, resp, err, crawler.ClassGone, "redirected to home page")
	if resp.Status != 200 || resp.Body == nil {
		t.Errorf("Status, Body = %d, %q; want the home page kept", resp.Status, resp.Body)
	}
	for _, path := range []string{"/", "/section"} { // home itself; a redirect elsewhere
		resp, err = fetch(t, c, ts.URL+path)
		wantClass(t, resp, err, crawler.ClassOK, "")
	}
}

func TestUnsupportedScheme(t *testing.T) {
	c := newClient(t, crawler.Options{})
	for _, u := range []string{"file:///etc/passwd", "ftp://example.com/a", "gopher://example.com/", "javascript:alert(1)"} {
		resp, err := fetch(t, c, u)
		wantFailure(t, resp, err, crawler.ClassError, "unsupported URL scheme", crawler.ErrUnsupportedScheme)
	}
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	resp, err := fetch(t, c, ts.URL)
	wantFailure(t, resp, err, crawler.ClassError, `redirect to unsupported scheme "file" refused`, crawler.ErrUnsupportedScheme)
}

// TestCookieBounce covers sites that set a cookie and redirect back to the
// same URL: the revisit is not a loop.
func TestCookieBounce(t *testing.T) {
	ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("seen"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
			return
		}
		fmt.Fprint(w, "<p>article</p>")
	})
	c := newClient(t, crawler.Options{})
	resp, err := fetch(t, c, ts.URL+"/a")
	wantClass(t, resp, err, crawler.ClassOK, "")
	resp, err = fetch(t, c, ts.URL+"/a")
	wantClass(t, resp, err, crawler.ClassOK, "")
	if got := hits.Load(); got != 4 {
		t.Errorf("server saw %d requests, want 4: cookies must not outlive a fetch", got)
	}
}
