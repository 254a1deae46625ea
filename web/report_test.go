package web_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// Two texts a page flaps between, and a move.
const (
	ratesA = "Rates rose by 3 percent.\n\nThe board met on Monday."
	ratesB = "Rates rose by 4 percent.\n\nThe board met on Monday."
	moveA  = "Officials declined to comment.\n\nThe first point.\n\nThe second point."
	moveB  = "The first point.\n\nThe second point.\n\nOfficials declined to comment further."
)

// history is a page that changed a number, went back, started flapping,
// flapped once more (suppressed) and settled; a legacy change written with
// plain SQL as schema 3 left it; and a page whose paragraph moved.
type history struct {
	st                                            *storage.Store
	page, movePage                                storage.Page
	v                                             [6]int64 // v[1]..v[5]: ratesA, ratesB, ratesA, ratesB, ratesA
	at                                            [6]time.Time
	number, revert, flapping, suppressed, settled int64
	legacy, moved                                 int64
}

func seedHistory(t *testing.T) history {
	t.Helper()
	h := history{st: openStore(t)}
	ctx := t.Context()
	now := time.Now().Truncate(time.Second)
	src, err := h.st.EnsureSource(ctx, storage.KindFeed, "bank", "http://bank.test/rss", "@every 1m", now.Add(-96*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	err = h.st.Tx(ctx, func(tx *storage.Tx) error {
		for i := 1; i <= 5; i++ {
			h.at[i] = now.Add(time.Duration(i-7) * time.Hour)
		}
		h.page, h.v[1] = addPage(t, tx, src.ID, "http://bank.test/rates", "Rates", h.at[1], ratesA)
		h.v[2] = addVersion(t, tx, h.page, "Rates rise", h.at[2], ratesB)
		h.v[3] = addVersion(t, tx, h.page, "Rates rise", h.at[3], ratesA)
		h.v[4] = addVersion(t, tx, h.page, "Rates rise", h.at[4], ratesB)
		h.v[5] = addVersion(t, tx, h.page, "Rates rise", h.at[5], ratesA)
		change := func(c storage.Change) int64 {
			c.PageID, c.Title = h.page.ID, "Rates rise"
			return insertChange(t, tx, c)
		}
		h.number = change(storage.Change{Kind: storage.ChangeChanged, DetectedAt: h.at[2], OldVersionID: h.v[1], NewVersionID: h.v[2],
			Summary: "title changed; 1 paragraph changed", Blocks: blocksOf(t, ratesA, ratesB), Classes: []string{"number", "stealth", "title"}})
		h.revert = change(storage.Change{Kind: storage.ChangeChanged, DetectedAt: h.at[3], OldVersionID: h.v[2], NewVersionID: h.v[3],
			Summary: "back to version 1", Blocks: blocksOf(t, ratesB, ratesA), Classes: []string{"number", "reverted"}, RevertsTo: h.v[1]})
		h.flapping = change(storage.Change{Kind: storage.ChangeFlapping, DetectedAt: h.at[4], OldVersionID: h.v[3], NewVersionID: h.v[4],
			Summary: "flapping", Blocks: blocksOf(t, ratesA, ratesB), Classes: []string{"number", "reverted"}, RevertsTo: h.v[2],
			Versions: []int64{h.v[1], h.v[2]}})
		h.suppressed = change(storage.Change{Kind: storage.ChangeChanged, DetectedAt: h.at[5], OldVersionID: h.v[4], NewVersionID: h.v[5],
			Summary: "back to version 1", Blocks: blocksOf(t, ratesB, ratesA), Classes: []string{"number", "reverted"}, RevertsTo: h.v[1],
			Suppressed: true})
		h.settled = change(storage.Change{Kind: storage.ChangeSettled, DetectedAt: now.Add(-30 * time.Minute), OldVersionID: h.v[5],
			NewVersionID: h.v[5], Summary: "text unchanged", Blocks: blocksOf(t, ratesA, ratesA), Classes: []string{}})
		var mv int64
		h.movePage, mv = addPage(t, tx, src.ID, "http://bank.test/move", "Move", now.Add(-20*time.Minute), moveA)
		mv2 := addVersion(t, tx, h.movePage, "Move", now.Add(-10*time.Minute), moveB)
		h.moved = insertChange(t, tx, storage.Change{PageID: h.movePage.ID, Kind: storage.ChangeChanged, DetectedAt: now.Add(-10 * time.Minute),
			OldVersionID: mv, NewVersionID: mv2, Title: "Move", Summary: "1 paragraph moved", Blocks: blocksOf(t, moveA, moveB),
			Classes: []string{"moved", "wording"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.legacy = insertLegacy(t, h.st, h.page.ID, h.v[1], h.v[2], now.Add(-time.Minute))
	return h
}

// insertLegacy writes a change with plain SQL as schema 3 did: no blocks,
// classes, revert, suppression or versions, only the text diff.
func insertLegacy(t *testing.T, st *storage.Store, pageID, oldV, newV int64, at time.Time) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(t.Context(), `INSERT INTO changes (page_id, kind, detected_at, old_version_id, new_version_id,
		title, summary, diff) VALUES (?, 'changed', ?, ?, ?, 'Rates rise', 'legacy', ?)`, pageID,
		at.UTC().Format("2006-01-02T15:04:05.000Z"), oldV, newV, "--- a\n+++ b\n@@ ¶1 @@\n~ Rates rose by [-3-]{+4+} percent.\n")
	if err != nil {
		t.Fatal(err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// apiChanges fetches /api/changes with query and decodes each change.
func apiChanges(t *testing.T, h http.Handler, query string) map[int64]map[string]json.RawMessage {
	t.Helper()
	res := get(t, h, "/api/changes"+query)
	if res.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", query, res.status, res.body)
	}
	var out struct {
		Changes []map[string]json.RawMessage `json:"changes"`
	}
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]map[string]json.RawMessage{}
	for _, c := range out.Changes {
		var n int64
		if err := json.Unmarshal(c["id"], &n); err != nil {
			t.Fatal(err)
		}
		byID[n] = c
	}
	return byID
}

func TestAPIChangeReportFields(t *testing.T) {
	hs := seedHistory(t)
	got := apiChanges(t, quietHandler(hs.st, &bytes.Buffer{}), "?all=1")
	v := func(n int64) string { return id(n) }
	tests := []struct {
		name                                     string
		change                                   int64
		classes, revertsTo, suppressed, versions string
		blocks                                   bool // an object with "blocks", as stored
	}{
		{"number", hs.number, `["number","stealth","title"]`, "null", "false", "[]", true},
		{"revert", hs.revert, `["number","reverted"]`, v(hs.v[1]), "false", "[]", true},
		{"flapping", hs.flapping, `["number","reverted"]`, v(hs.v[2]), "false", "[" + v(hs.v[1]) + "," + v(hs.v[2]) + "]", true},
		{"suppressed", hs.suppressed, `["number","reverted"]`, v(hs.v[1]), "true", "[]", true},
		{"settled", hs.settled, `[]`, "null", "false", "[]", true},
		{"moved", hs.moved, `["moved","wording"]`, "null", "false", "[]", true},
		{"legacy row from plain SQL", hs.legacy, `[]`, "null", "false", "[]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := got[tt.change]
			if !ok {
				t.Fatalf("change %d not listed", tt.change)
			}
			for k, want := range map[string]string{"classes": tt.classes, "reverts_to": tt.revertsTo,
				"suppressed": tt.suppressed, "versions": tt.versions} {
				if string(c[k]) != want {
					t.Errorf("%s = %s, want %s", k, c[k], want)
				}
			}
			if !tt.blocks {
				if string(c["blocks"]) != "null" {
					t.Errorf("blocks = %s, want null", c["blocks"])
				}
				return
			}
			stored, err := hs.st.Change(t.Context(), tt.change)
			if err != nil {
				t.Fatal(err)
			}
			// The stored JSON passes through unchanged (HTML-escaped, as
			// the whole body is).
			var a, b any
			if err := json.Unmarshal(c["blocks"], &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(stored.Blocks, &b); err != nil {
				t.Fatal(err)
			}
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Errorf("blocks = %s, want %s", ja, jb)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAPIChangeBlocksShape checks that blocks is the stored diff itself,
// {"blocks":[…]} with the ops of diff's JSON, not a rendering of it.
func TestAPIChangeBlocksShape(t *testing.T) {
	hs := seedHistory(t)
	c := apiChanges(t, quietHandler(hs.st, &bytes.Buffer{}), "")[hs.moved]
	var r struct {
		Blocks []struct {
			Op       string `json:"op"`
			OldIndex int    `json:"old_index"`
			NewIndex int    `json:"new_index"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(c["blocks"], &r); err != nil {
		t.Fatalf("%v in %s", err, c["blocks"])
	}
	var moves int
	for _, b := range r.Blocks {
		if b.Op == "move" && b.OldIndex == 1 && b.NewIndex == 3 {
			moves++
		}
	}
	if moves != 1 {
		t.Errorf("blocks = %s, want one move from ¶1 to ¶3", c["blocks"])
	}
}

func TestAPIClassAndAllFilters(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{hs.legacy, hs.moved, hs.settled, hs.flapping, hs.revert, hs.number}},
		{"?all=0", []int64{hs.legacy, hs.moved, hs.settled, hs.flapping, hs.revert, hs.number}},
		{"?all=1", []int64{hs.legacy, hs.moved, hs.settled, hs.suppressed, hs.flapping, hs.revert, hs.number}},
		{"?class=reverted", []int64{hs.flapping, hs.revert}},
		{"?class=reverted&all=1", []int64{hs.suppressed, hs.flapping, hs.revert}},
		{"?class=number&kind=flapping", []int64{hs.flapping}},
		{"?class=moved", []int64{hs.moved}},
		{"?class=title", []int64{hs.number}},
		{"?class=quote", []int64{}},
		{"?kind=settled", []int64{hs.settled}},
		{"?kind=changed&all=1&url=http%3A%2F%2Fbank.test%2Frates", []int64{hs.legacy, hs.suppressed, hs.revert, hs.number}},
		{"?before=" + id(hs.flapping) + "&all=1", []int64{hs.revert, hs.number}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := apiIDs(t, h, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangePageLabels(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	seen := func(i int) string {
		return `(first seen <time datetime="` + hs.at[i].UTC().Format(time.RFC3339) + `">` +
			hs.at[i].UTC().Format("2006-01-02 15:04:05 UTC") + `</time>)`
	}
	vlink := func(i int) string { return `<a href="/versions/` + id(hs.v[i]) + `">` + id(hs.v[i]) + `</a>` }
	tests := []struct {
		name      string
		change    int64
		want, not []string
	}{
		{"classes and metadata", hs.number, []string{
			`<span class="class">number</span> <span class="class">stealth</span> <span class="class">title</span>`,
			`<tr><td>title</td><td><del>Rates</del></td><td><ins>Rates rise</ins></td></tr>`,
			`Rates rose by <del>3</del><ins>4</ins> percent.`,
		}, []string{"back to version", `class="suppressed"`, "flapping among"}},
		{"revert", hs.revert, []string{
			`<p class="note revert">back to version ` + vlink(1) + ` ` + seen(1) + `</p>`,
			`<span class="class">reverted</span>`,
			`Rates rose by <del>4</del><ins>3</ins> percent.`,
		}, []string{`class="suppressed"`, "<h2>Metadata</h2>"}},
		{"flapping", hs.flapping, []string{
			`<span class="badge flapping">flapping</span>`,
			`<p class="note flapping">flapping among versions ` + vlink(1) + `, ` + vlink(2) + `</p>`,
			`<p class="note revert">back to version ` + vlink(2) + ` ` + seen(2) + `</p>`,
		}, nil},
		{"suppressed", hs.suppressed, []string{`<span class="suppressed">suppressed: no webhook</span>`,
			`<p class="note revert">back to version ` + vlink(1)}, nil},
		{"settled", hs.settled, []string{`<span class="badge settled">settled</span>`,
			`<p class="note settled">settled on version ` + vlink(5) + `: the page has kept one text since it was flapping</p>`,
			`The text did not change.`}, []string{`class="diff"`}},
		{"move", hs.moved, []string{`<div class="move moved"><div class="label">moved ¶1 → ¶3</div><p>Officials declined to comment<ins> further</ins>.</p></div>`,
			`<span class="class">moved</span>`}, []string{`class="delete"`, `class="insert"`}},
		{"legacy", hs.legacy, []string{"<pre class=\"legacy\">--- a\n&#43;&#43;&#43; b\n@@ ¶1 @@\n~ Rates rose by [-3-]{&#43;4&#43;} percent.\n</pre>"},
			[]string{`class="class"`, "<del>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, h, "/changes/"+id(tt.change))
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			mustContain(t, tt.name, res.body, tt.want...)
			mustNotContain(t, tt.name, res.body, tt.not...)
		})
	}
}

func TestIndexLabelsAndSuppressed(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	link := `href="/changes/` + id(hs.suppressed) + `"`
	body := get(t, h, "/").body
	mustNotContain(t, "default list", body, link, "suppressed: no webhook")
	mustContain(t, "default list", body, `<span class="class">reverted</span>`, `<p class="note revert">back to version`,
		`<p class="note flapping">flapping among versions`, `<details><summary>diff</summary>`,
		`<div class="move moved"><div class="label">moved ¶1 → ¶3</div>`, "<pre class=\"legacy\">", `<a href="/?kind=flapping">flapping</a>`,
		`<option>reverted</option>`, `<input type="checkbox" name="all" value="1">`)

	body = get(t, h, "/?all=1&class=reverted").body
	mustContain(t, "all=1", body, link, `<span class="suppressed">suppressed: no webhook</span>`,
		`<option selected>reverted</option>`, `name="all" value="1" checked>`, `<a href="/?all=1&amp;class=reverted&amp;kind=settled">settled</a>`)
	mustNotContain(t, "class=reverted", body, `href="/changes/`+id(hs.number)+`"`)

	// A page's own history lists every change, suppressed ones marked.
	body = get(t, h, "/pages/"+id(hs.page.ID)).body
	mustContain(t, "page", body, link, `<span class="suppressed">suppressed: no webhook</span>`, `<span class="class">title</span>`)
}

// TestClassVocabulary keeps the classes ?class= accepts equal to the ones
// the configuration accepts for webhooks.
func TestClassVocabulary(t *testing.T) {
	got, want := slices.Clone(web.ClassVocabulary), slices.Clone(config.ChangeClasses)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("web accepts classes %v, config %v", got, want)
	}
}
