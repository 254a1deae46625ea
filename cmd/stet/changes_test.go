package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// Texts of the changesFixture: a number that flaps between 3 and 4, with page text
// that holds the marks of the text diff; a paragraph that moves.
const (
	ratesA = "Prices [-see note] rose by 3 {+x+} percent.\n\nThe board met on Monday."
	ratesB = "Prices [-see note] rose by 4 {+x+} percent.\n\nThe board met on Monday."
	moveA  = "Officials declined to comment.\n\nThe first point.\n\nThe second point."
	moveB  = "The first point.\n\nThe second point.\n\nOfficials declined to comment further."
)

// changesFixture is a database whose rates page changed a number (v1→v2), went
// back (v3, a revert), started flapping (v4), flapped again (v5,
// suppressed), was removed and restored, and settled; a legacy change was
// written with plain SQL; a second page had a paragraph moved.
type changesFixture struct {
	db                                            string
	url, moveURL                                  string
	v                                             [6]int64
	at                                            [6]time.Time
	number, revert, flapping, suppressed, removed int64
	restored, settled, legacy, moved              int64
}

func seedChanges(t *testing.T) changesFixture {
	t.Helper()
	f := changesFixture{db: filepath.Join(t.TempDir(), "stet.db"), url: "http://bank.test/rates", moveURL: "http://bank.test/move"}
	ctx := t.Context()
	st, err := storage.Open(ctx, f.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().Truncate(time.Second)
	src, err := st.EnsureSource(ctx, storage.KindFeed, "bank", "http://bank.test/rss", "@every 1m", now.Add(-96*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		p := seedPage(t, tx, src.ID, f.url, now.Add(-10*time.Hour))
		titles := []string{"", "Rates", "Rates rise", "Rates rise", "Rates rise", "Rates rise"}
		texts := []string{"", ratesA, ratesB, ratesA, ratesB, ratesA}
		for i := 1; i <= 5; i++ {
			f.at[i] = now.Add(time.Duration(i-10) * time.Hour)
			f.v[i] = seedVersion(t, tx, p, titles[i], texts[i], f.at[i])
		}
		ch := func(c storage.Change, old, new string) int64 {
			c.PageID, c.Title = p.ID, "Rates rise"
			if c.Kind == "" {
				c.Kind = storage.ChangeChanged
			}
			c.Blocks = blocksOf(t, old, new)
			c.Diff = "stored text, not shown when blocks exist"
			id, err := tx.InsertChange(c)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		f.number = ch(storage.Change{DetectedAt: f.at[2], OldVersionID: f.v[1], NewVersionID: f.v[2], Summary: "title changed; 1 paragraph changed",
			Classes: []string{"number", "stealth", "title"}}, ratesA, ratesB)
		f.revert = ch(storage.Change{DetectedAt: f.at[3], OldVersionID: f.v[2], NewVersionID: f.v[3], Summary: "back to version 1",
			Classes: []string{"number", "reverted"}, RevertsTo: f.v[1]}, ratesB, ratesA)
		f.flapping = ch(storage.Change{Kind: storage.ChangeFlapping, DetectedAt: f.at[4], OldVersionID: f.v[3], NewVersionID: f.v[4],
			Classes: []string{"number", "reverted"}, RevertsTo: f.v[2], Versions: []int64{f.v[1], f.v[2]}}, ratesA, ratesB)
		f.suppressed = ch(storage.Change{DetectedAt: f.at[5], OldVersionID: f.v[4], NewVersionID: f.v[5],
			Classes: []string{"number", "reverted"}, RevertsTo: f.v[1], Suppressed: true}, ratesB, ratesA)
		f.removed = ch(storage.Change{Kind: storage.ChangeRemoved, DetectedAt: now.Add(-4 * time.Hour), OldVersionID: f.v[5]}, ratesA, "")
		f.restored = ch(storage.Change{Kind: storage.ChangeRestored, DetectedAt: now.Add(-3 * time.Hour), OldVersionID: f.v[5],
			NewVersionID: f.v[5]}, ratesA, ratesA)
		f.settled = ch(storage.Change{Kind: storage.ChangeSettled, DetectedAt: now.Add(-2 * time.Hour), OldVersionID: f.v[5],
			NewVersionID: f.v[5]}, ratesA, ratesA)
		mp := seedPage(t, tx, src.ID, f.moveURL, now.Add(-time.Hour))
		m1 := seedVersion(t, tx, mp, "Move", moveA, now.Add(-time.Hour))
		m2 := seedVersion(t, tx, mp, "Move", moveB, now.Add(-30*time.Minute))
		c := storage.Change{PageID: mp.ID, Kind: storage.ChangeChanged, DetectedAt: now.Add(-30 * time.Minute), OldVersionID: m1,
			NewVersionID: m2, Title: "Move", Blocks: blocksOf(t, moveA, moveB), Classes: []string{"moved", "wording"}}
		f.moved, err = tx.InsertChange(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f.legacy = insertLegacy(t, f.db, f.v[1], f.v[2], now.Add(-time.Minute))
	return f
}

func seedPage(t *testing.T, tx *storage.Tx, sourceID int64, u string, at time.Time) storage.Page {
	t.Helper()
	p, _, err := tx.EnsurePage(sourceID, u, "", at, at, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func seedVersion(t *testing.T, tx *storage.Tx, p storage.Page, title, text string, at time.Time) int64 {
	t.Helper()
	cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: at, URL: p.URL, Status: 200, Class: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	vid, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: at, Title: title, Text: text,
		TextHash: strings.Repeat("ab", 30) + strconv.Itoa(len(text)) + title, Extractor: "generic/1"})
	if err != nil {
		t.Fatal(err)
	}
	return vid
}

// blocksOf is what the daemon stores of the comparison of old with new.
func blocksOf(t *testing.T, old, new string) []byte {
	t.Helper()
	b, err := json.Marshal(diff.Compare(old, new).Compact())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// insertLegacy writes a change with plain SQL as schema 3 did: only the
// text diff, blocks NULL.
func insertLegacy(t *testing.T, path string, oldV, newV int64, at time.Time) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.ExecContext(t.Context(), `INSERT INTO changes (page_id, kind, detected_at, old_version_id, new_version_id,
		title, summary, diff) SELECT page_id, 'changed', ?, ?, ?, 'Rates rise', 'legacy', ? FROM versions WHERE id = ?`,
		at.UTC().Format("2006-01-02T15:04:05.000Z"), oldV, newV, "--- a\n+++ b\n@@ ¶1 @@\n~ Prices rose by [-3-]{+4+}\n", oldV)
	if err != nil {
		t.Fatal(err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// changesJSON runs `stet changes -json` with args and decodes each line.
func changesJSON(t *testing.T, f changesFixture, args ...string) []map[string]json.RawMessage {
	t.Helper()
	code, out, stderr := run(t, append([]string{"changes", "-db", f.db, "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("changes %q: code %d: %s", args, code, stderr)
	}
	var chs []map[string]json.RawMessage
	for line := range strings.Lines(out) {
		var c map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%v in %q", err, line)
		}
		chs = append(chs, c)
	}
	return chs
}

func changeIDs(t *testing.T, chs []map[string]json.RawMessage) []int64 {
	t.Helper()
	out := []int64{}
	for _, c := range chs {
		n, err := strconv.ParseInt(string(c["id"]), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestChangesJSONFields(t *testing.T) {
	f := seedChanges(t)
	byID := map[int64]map[string]json.RawMessage{}
	for _, c := range changesJSON(t, f, "-all") {
		var n int64
		json.Unmarshal(c["id"], &n)
		byID[n] = c
	}
	v := func(i int) string { return strconv.FormatInt(f.v[i], 10) }
	tests := []struct {
		name                                     string
		change                                   int64
		classes, revertsTo, suppressed, versions string
		blocks                                   bool
	}{
		{"number", f.number, `["number","stealth","title"]`, "null", "false", "[]", true},
		{"revert", f.revert, `["number","reverted"]`, v(1), "false", "[]", true},
		{"flapping", f.flapping, `["number","reverted"]`, v(2), "false", "[" + v(1) + "," + v(2) + "]", true},
		{"suppressed", f.suppressed, `["number","reverted"]`, v(1), "true", "[]", true},
		{"removed", f.removed, `[]`, "null", "false", "[]", true},
		{"settled", f.settled, `[]`, "null", "false", "[]", true},
		{"legacy row from plain SQL", f.legacy, `[]`, "null", "false", "[]", false},
	}
	wantKeys := []string{"blocks", "classes", "detected_at", "diff", "id", "kind", "new_version", "old_version", "reverts_to",
		"summary", "suppressed", "title", "url", "versions"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := byID[tt.change]
			if c == nil {
				t.Fatalf("change %d not printed", tt.change)
			}
			var keys []string
			for k := range c {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("keys = %v, want %v", keys, wantKeys)
			}
			for k, want := range map[string]string{"classes": tt.classes, "reverts_to": tt.revertsTo,
				"suppressed": tt.suppressed, "versions": tt.versions} {
				if string(c[k]) != want {
					t.Errorf("%s = %s, want %s", k, c[k], want)
				}
			}
			var r diff.Result
			switch err := json.Unmarshal(c["blocks"], &r); {
			case !tt.blocks && string(c["blocks"]) != "null":
				t.Errorf("blocks = %s, want null", c["blocks"])
			case tt.blocks && (err != nil || len(r.Blocks) == 0):
				t.Errorf("blocks = %s (%v), want the stored diff", c["blocks"], err)
			}
		})
	}
	// The stored JSON is printed as it is: page text with marks and all.
	if b := string(byID[f.number]["blocks"]); !strings.Contains(b, `{"op":"equal","text":"Prices [-see note] rose by "}`) {
		t.Errorf("blocks = %s", b)
	}
}

func TestChangesClassAndAll(t *testing.T) {
	f := seedChanges(t)
	tests := []struct {
		args []string
		want []int64
	}{
		{nil, []int64{f.legacy, f.moved, f.settled, f.restored, f.removed, f.flapping, f.revert, f.number}},
		{[]string{"-all"}, []int64{f.legacy, f.moved, f.settled, f.restored, f.removed, f.suppressed, f.flapping, f.revert, f.number}},
		{[]string{"-class", "reverted"}, []int64{f.flapping, f.revert}},
		{[]string{"-class", "reverted", "-all"}, []int64{f.suppressed, f.flapping, f.revert}},
		{[]string{"-all", "-class=number", "-kind", "flapping"}, []int64{f.flapping}},
		{[]string{"-class", "title"}, []int64{f.number}},
		{[]string{"-class", "moved", "-url", "http://bank.test/move"}, []int64{f.moved}},
		{[]string{"-class", "quote"}, []int64{}},
		{[]string{"-kind", "settled"}, []int64{f.settled}},
		{[]string{"-all", "-limit", "2", "-class", "number"}, []int64{f.suppressed, f.flapping}},
		// More than a batch (changeBatch), read a batch at a time.
		{[]string{"-all", "-limit", "9"}, []int64{f.legacy, f.moved, f.settled, f.restored, f.removed, f.suppressed, f.flapping, f.revert, f.number}},
		{[]string{"-all", "-limit", "8"}, []int64{f.legacy, f.moved, f.settled, f.restored, f.removed, f.suppressed, f.flapping, f.revert}},
		{[]string{"-all", "-before", strconv.FormatInt(f.restored, 10)}, []int64{f.removed, f.suppressed, f.flapping, f.revert, f.number}},
		{[]string{"-before", strconv.FormatInt(f.restored, 10), "-limit", "1"}, []int64{f.removed}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if got := changeIDs(t, changesJSON(t, f, tt.args...)); !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangesFlagErrors(t *testing.T) {
	f := seedChanges(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-class", "bogus"}, `-class must be one of title, byline, published, modified, number, quote, added, removed, moved, wording, reverted, correction, stealth; got "bogus"`},
		{[]string{"-class", "Number"}, "-class must be one of"},
		{[]string{"-class"}, "-class"},
		{[]string{"-all=maybe"}, "-all"},
		{[]string{"-kind", "flapped"}, "-kind must be one of changed, removed, restored, flapping, settled"},
		// An explicit 0 or a negative value is not "everything".
		{[]string{"-limit", "0"}, "-limit must be between 1 and 10000 (leave it out for no bound); got 0"},
		{[]string{"-limit", "-5"}, "-limit must be between 1 and 10000"},
		{[]string{"-since", "0"}, "-since must be a positive duration such as 24h or 7d (leave it out for no bound); got 0"},
		{[]string{"-since", "0s"}, "-since must be a positive duration"},
		{[]string{"-since", "-1s"}, "-since must be a positive duration"},
		{[]string{"-since", "1000000h"}, "-since must be a positive duration"},
		{[]string{"-before", "0"}, "-before must be a positive change id; got 0"},
		{[]string{"-before", "-3"}, "-before must be a positive change id"},
		{[]string{"-before", "x"}, "-before"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, stderr := run(t, append([]string{"changes", "-db", f.db}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "usage: stet changes") || out != "" {
				t.Errorf("code %d, stdout %q, stderr %q; want 2 and %q", code, out, stderr, tt.want)
			}
		})
	}
}

func TestChangesText(t *testing.T) {
	f := seedChanges(t)
	local := func(i int) string { return f.at[i].Local().Format(timeLayout) }
	code, out, _ := run(t, "changes", "-db", f.db, "-all")
	if code != 0 {
		t.Fatalf("code %d", code)
	}
	reports := map[int64]string{}
	for _, r := range strings.Split(out, "\n\n") {
		head, _, _ := strings.Cut(strings.TrimPrefix(r, "#"), " ")
		if n, err := strconv.ParseInt(head, 10, 64); err == nil {
			reports[n] = r
		}
	}
	v := func(i int) string { return strconv.FormatInt(f.v[i], 10) }
	tests := []struct {
		name      string
		change    int64
		want, not []string
	}{
		{"from blocks, marks in page text escaped", f.number, []string{
			"    classes: number, stealth, title\n",
			"    title: \"Rates\" → \"Rates rise\"\n",
			"    --- version " + v(1) + ", " + f.at[1].UTC().Format(time.RFC3339) + "\n    +++ version " + v(2) + ", " + f.at[2].UTC().Format(time.RFC3339) + "\n",
			`    ~ Prices \[-see note] rose by [-3-]{+4+} \{+x\+} percent.`,
		}, []string{"stored text", "back to", "suppressed"}},
		{"revert", f.revert, []string{"    back to version " + v(1) + " (first seen " + local(1) + ")\n", "[-4-]{+3+}"}, []string{"suppressed"}},
		{"flapping", f.flapping, []string{"#" + strconv.FormatInt(f.flapping, 10) + " flapping  ",
			"    back to version " + v(2) + " (first seen " + local(2) + ")\n", "    flapping among versions " + v(1) + ", " + v(2) + "\n"}, nil},
		{"suppressed with -all", f.suppressed, []string{"    suppressed: no webhook\n", "    classes: number, reverted\n"}, nil},
		{"settled", f.settled, []string{"    settled on version " + v(5)}, []string{"---", "stored text"}},
		{"removed", f.removed, []string{"    +++ (removed)\n", "    - Prices [-see note] rose by 3 {+x+} percent.\n"}, []string{"stored text"}},
		{"move", f.moved, []string{"    @@ ¶1 → ¶3 moved @@\n", "    ~ Officials declined to comment{+ further+}."}, nil},
		{"legacy text as stored", f.legacy, []string{"    --- a\n    +++ b\n    @@ ¶1 @@\n    ~ Prices rose by [-3-]{+4+}"}, []string{"classes:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := reports[tt.change]
			if !ok {
				t.Fatalf("change %d not printed in:\n%s", tt.change, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(r, w) {
					t.Errorf("report lacks %q:\n%s", w, r)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r, w) {
					t.Errorf("report has %q:\n%s", w, r)
				}
			}
		})
	}
	if _, out, _ := run(t, "changes", "-db", f.db); strings.Contains(out, "suppressed") {
		t.Errorf("changes without -all shows a suppressed change:\n%s", out)
	}
}
