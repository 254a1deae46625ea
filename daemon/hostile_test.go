package daemon_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
)

// TestHostileServers: every hostile answer ends in a recorded capture with
// the right class and reason, and nothing else is stored: no version, no
// change. The daemon-level twin of the crawler's own hostile tests.
func TestHostileServers(t *testing.T) {
	gzipBomb := func() []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(bytes.Repeat([]byte("<p>aaaaaaaa</p>"), 1<<16)) // ~1 MiB inflated, a few KiB on the wire
		zw.Close()
		return b.Bytes()
	}()
	cases := []struct {
		name, class, reason string
		serve               func(w http.ResponseWriter, r *http.Request)
	}{
		{"endless body", "too_large", "larger than", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<html><body><p>"))
			for r.Context().Err() == nil {
				if _, err := w.Write(bytes.Repeat([]byte("a"), 32<<10)); err != nil {
					return
				}
			}
		}},
		{"gzip bomb", "too_large", "larger than", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipBomb)
		}},
		{"never answers", "error", "timeout", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{"headers then stall", "error", "timeout", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			w.Write([]byte("<html><body><p>first words"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
		{"redirect loop", "error", "redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}},
		{"service unavailable", "error", "503", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}},
		{"bot challenge", "blocked", "", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("cf-mitigated", "challenge")
			http.Error(w, "<title>Just a moment...</title>", http.StatusForbidden)
		}},
		{"binary garbage", "error", "not a text document", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte{0, 1, 2, 3, 0xff, 0xfe, 0, 0})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			s.set("/a", tc.serve)
			c := newChecker(t, "", func(cfg *config.Config) { // tight limits so each case ends quickly
				cfg.Fetch.Timeout, cfg.Fetch.MaxBody, cfg.Fetch.MaxRedirects = config.Duration(time.Second), 256<<10, 5
			})
			r := c.check(s.URL + "/a")
			if r.Status != daemon.StatusError {
				t.Fatalf("status = %q (%s), want error", r.Status, r.Reason)
			}
			if string(r.Class) != tc.class || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("class %q reason %q, want %q containing %q", r.Class, r.Reason, tc.class, tc.reason)
			}
			caps, err := c.st.Captures(t.Context(), 0, r.PageID, 10)
			if err != nil || len(caps) != 1 || caps[0].Class != tc.class || caps[0].BodyHash != "" && tc.class == "too_large" {
				t.Errorf("captures = %+v, %v; want one %s capture", caps, err, tc.class)
			}
			if tc.class == "blocked" && caps[0].BodyHash == "" {
				t.Error("the first blocked answer keeps no body: the evidence of what the site answered is lost")
			}
			if versions, changes, _ := c.counts(); versions != 0 || len(changes) != 0 {
				t.Errorf("stored %d versions, %v changes from a hostile answer", versions, changes)
			}
			if err := c.st.IntegrityCheck(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestBrokenFeedIsRecordedNotFatal: a feed that is not XML is a failed
// capture of its source; no page is invented and the daemon goes on.
func TestBrokenFeedIsRecordedNotFatal(t *testing.T) {
	s := newSite(t)
	s.set("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</ti`)
	})
	path := dbPath(t)
	cfg := testConfig(t, path, fmt.Sprintf("\n[[feed]]\nurl = %q\nschedule = \"@every 1h\"\n", s.URL+"/feed"))
	st := openStore(t, path)
	run := startDaemon(t, cfg, st)
	res := waitResult(t, "the feed's first fetch", run.results, func(r daemon.Result) bool { return r.URL == s.URL+"/feed" })
	if res.Status != daemon.StatusError || !strings.Contains(res.Reason, "parse feed") {
		t.Errorf("feed result = %q %q, want an error naming the parse", res.Status, res.Reason)
	}
	run.stop()
	srcs, err := st.Sources(t.Context())
	if err != nil || len(srcs) != 1 || srcs[0].LastClass != "error" || srcs[0].ConsecutiveFailures != 1 {
		t.Errorf("source after a broken feed = %+v, %v", srcs, err)
	}
	if pages, _ := st.Pages(t.Context(), 0); len(pages) != 0 {
		t.Errorf("a broken feed created %d pages", len(pages))
	}
}

// TestRobotsOverride: robots.txt is honoured by default, and a [[page]]
// with robots = false is fetched anyway.
func TestRobotsOverride(t *testing.T) {
	s := newSite(t)
	s.set("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nDisallow: /\n") })
	s.set("/a", article("Story", paras...))
	s.set("/b", article("Other story", paras...))
	path := dbPath(t)
	extra := fmt.Sprintf("\n[[page]]\nurl = %q\nschedule = \"@every 1h\"\n\n[[page]]\nurl = %q\nschedule = \"@every 1h\"\nrobots = false\n",
		s.URL+"/a", s.URL+"/b")
	cfg := testConfig(t, path, extra)
	cfg.Fetch.Robots = true
	st := openStore(t, path)
	run := startDaemon(t, cfg, st)
	got := map[string]daemon.Result{}
	waitResult(t, "both pages checked", run.results, func(r daemon.Result) bool {
		got[r.URL] = r
		return len(got) == 2
	})
	if r := got[s.URL+"/a"]; r.Class != "blocked" || !strings.Contains(r.Reason, "robots") {
		t.Errorf("/a: class %q reason %q, want blocked by robots.txt", r.Class, r.Reason)
	}
	if r := got[s.URL+"/b"]; r.Status != daemon.StatusNew {
		t.Errorf("/b with robots = false: status %q (%s), want new", r.Status, r.Reason)
	}
}
