package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// apiIDs fetches /api/changes with query and returns the change ids.
func apiIDs(t *testing.T, h http.Handler, query string) []int64 {
	t.Helper()
	res := get(t, h, "/api/changes"+query)
	if res.status != http.StatusOK {
		t.Fatalf("status = %d; body: %s", res.status, res.body)
	}
	var out struct {
		Changes []struct {
			ID int64 `json:"id"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatal(err)
	}
	ids := []int64{}
	for _, c := range out.Changes {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestAPIChangesFields(t *testing.T) {
	f := seed(t)
	res := get(t, quietHandler(f.st, &bytes.Buffer{}), "/api/changes")
	if res.status != http.StatusOK {
		t.Fatalf("status = %d", res.status)
	}
	if got := res.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	var page struct {
		Changes []map[string]any `json:"changes"`
		Next    *string          `json:"next"`
	}
	if err := json.Unmarshal([]byte(res.body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 3 || page.Next != nil {
		t.Fatalf("body = %s, want {\"changes\": [3 objects], \"next\": null}", res.body)
	}
	out := map[string][]map[string]any{"changes": page.Changes}
	// The fields of `stet changes -json`, which scripts rely on, and what
	// the API adds: whether the diff was cut, its sizes, and links.
	wantKeys := []string{"blocks", "blocks_bytes", "classes", "detected_at", "diff", "diff_bytes", "full_url", "html_url", "id",
		"kind", "new_version", "old_version", "reverts_to", "summary", "suppressed", "title", "truncated", "url", "versions"}
	for _, c := range out["changes"] {
		var keys []string
		for k := range c {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("keys = %v, want %v", keys, wantKeys)
		}
	}
	// Newest first: the restoration has no old version, the removal no new one.
	res0, rem, chg := out["changes"][0], out["changes"][1], out["changes"][2]
	if res0["old_version"] != nil || res0["new_version"] != float64(f.hostileV) || res0["kind"] != "restored" {
		t.Errorf("restored change = %v", res0)
	}
	if rem["new_version"] != nil || rem["old_version"] != float64(f.hostileV) || rem["title"] != xssScript || rem["url"] != xssURL {
		t.Errorf("removed change = %v", rem)
	}
	if chg["id"] != float64(f.changed) || chg["summary"] != "1 paragraph changed" || !strings.Contains(chg["diff"].(string), "{+steps down amid+}") {
		t.Errorf("changed change = %v", chg)
	}
	if chg["truncated"] != false || chg["diff_bytes"] != float64(208) || chg["full_url"] != "/api/changes/"+id(f.changed) ||
		chg["html_url"] != "/changes/"+id(f.changed) {
		t.Errorf("changed change: truncated %v, diff_bytes %v, full_url %v, html_url %v", chg["truncated"], chg["diff_bytes"],
			chg["full_url"], chg["html_url"])
	}
	ts, _ := chg["detected_at"].(string)
	if at, err := time.Parse(time.RFC3339, ts); err != nil || time.Since(at) < 59*time.Minute || !strings.HasSuffix(ts, "Z") {
		t.Errorf("detected_at = %q (%v), want RFC 3339 in UTC about an hour ago", ts, err)
	}
	mustNotContain(t, "json", res.body, "<script>") // escaped as \u003c
}

func TestAPIChangesFilters(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{f.res, f.removed, f.changed}},
		{"?kind=removed", []int64{f.removed}},
		{"?since=24h", []int64{f.changed}},
		{"?since=4d", []int64{f.res, f.removed, f.changed}},
		{"?since=50h&kind=restored", []int64{f.res}},
		{"?before=" + id(f.removed), []int64{f.changed}},
		{"?url=" + url.QueryEscape("http://news.test/a"), []int64{f.changed}},
		{"?url=" + url.QueryEscape(xssURL), []int64{f.res, f.removed}},
		{"?url=" + url.QueryEscape(xssURL) + "&kind=restored", []int64{f.res}},
		{"?url=http://untracked.test/", []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := apiIDs(t, h, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAPIChangesPaging(t *testing.T) {
	st, ids := manyChanges(t, 60)
	h := quietHandler(st, &bytes.Buffer{})
	first := apiIDs(t, h, "")
	if len(first) != 50 || first[0] != ids[59] {
		t.Fatalf("first page: %d ids starting %v", len(first), first[:1])
	}
	second := apiIDs(t, h, "?before="+id(first[49]))
	if want := []int64{ids[9], ids[8], ids[7], ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}; !slices.Equal(second, want) {
		t.Errorf("second page = %v, want %v", second, want)
	}
}

func TestAPIBadRequest(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	tests := []struct{ query, param string }{
		{"?kind=<b>", "kind"}, {"?kind=edited", "kind"}, {"?since=soon", "since"}, {"?since=99999d", "since"},
		{"?before=0", "before"}, {"?before=-3", "before"}, {"?class=bogus", "class"}, {"?class=Number", "class"},
		{"?class=<b>", "class"}, {"?kind=changed&class=numbers", "class"}, {"?all=yes", "all"}, {"?all=2", "all"},
		{"?all=true", "all"},
	}
	for _, tt := range tests {
		res := get(t, h, "/api/changes"+tt.query)
		var body struct{ Error string }
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			t.Fatalf("%s: %v in %q", tt.query, err, res.body)
		}
		if res.status != http.StatusBadRequest || !strings.HasPrefix(body.Error, "bad request: "+tt.param+" must be") {
			t.Errorf("%s = %d %q, want 400 with a message about %s", tt.query, res.status, res.body, tt.param)
		}
		if res.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type = %q", tt.query, res.header.Get("Content-Type"))
		}
		mustNotContain(t, tt.query, res.body, "<b>")
	}
}

func TestHealthz(t *testing.T) {
	f := seed(t)
	res := get(t, quietHandler(f.st, &bytes.Buffer{}), "/healthz")
	if res.status != http.StatusOK || res.body != "ok" {
		t.Errorf("healthz = %d %q, want 200 \"ok\"", res.status, res.body)
	}
}
