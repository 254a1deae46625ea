package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// gcFixture is a store holding captures written from a script (gcScript).
type gcFixture struct {
	path  string
	st    *storage.Store
	src   storage.Source
	pages map[string]storage.Page
	ids   []int64  // capture ids, in script order
	toks  []string // the script's tokens
	at    time.Time
}

// newGCFixture writes one capture per token of script, a minute apart
// from t0, in chain order. A token is "PAGE:KIND" (pages are created as
// they first appear) or "feed:KIND" for the source's own fetch. Kinds:
//
//	V  200 with a new body (stored) and a version made from it
//	o  200 with the body of the page's last version, no version
//	x  200 with a body of its own, stored (keep_bodies = "all"), no version
//	n  304
//	E  an error without a response
//	G  404
//	C  304, and a settled change detected right after it
//	L  a feed read whose body differs from the last one
//	l  a feed read with the same body as the last one
func newGCFixture(t *testing.T, script string) *gcFixture {
	t.Helper()
	f := &gcFixture{path: filepath.Join(t.TempDir(), "stet.db"), pages: map[string]storage.Page{}, at: t0}
	f.st = mustOpen(t, f.path)
	var err error
	if f.src, err = f.st.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0); err != nil {
		t.Fatal(err)
	}
	f.add(t, script)
	return f
}

// add writes more captures, a minute after the last.
func (f *gcFixture) add(t *testing.T, script string) {
	t.Helper()
	err := f.st.Tx(t.Context(), func(tx *storage.Tx) error {
		for tok := range strings.FieldsSeq(script) {
			name, kind, _ := strings.Cut(tok, ":")
			id, err := f.write(tx, name, kind)
			if err != nil {
				return fmt.Errorf("%s: %w", tok, err)
			}
			f.ids, f.toks = append(f.ids, id), append(f.toks, tok)
			f.at = f.at.Add(time.Minute)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *gcFixture) write(tx *storage.Tx, name, kind string) (int64, error) {
	c := storage.Capture{FetchedAt: f.at, SourceID: f.src.ID, Status: 200, Class: "ok",
		Header:        http.Header{"Content-Type": {"text/html"}, "Date": {f.at.Format(http.TimeFormat)}},
		RequestHeader: http.Header{"User-Agent": {"stet-test"}}}
	if name == "feed" {
		c.URL = f.src.URL
		body := "<rss>same</rss>"
		if kind == "L" {
			body = fmt.Sprintf("<rss>%d</rss>", len(f.ids))
		}
		c.BodyHash = storage.HashBody([]byte(body))
		return tx.InsertCapture(c)
	}
	p, ok := f.pages[name]
	if !ok {
		var err error
		if p, _, err = tx.EnsurePage(f.src.ID, "http://news.test/"+name, name, f.at, f.at, f.at); err != nil {
			return 0, err
		}
		f.pages[name] = p
	}
	c.PageID, c.URL, c.FinalURL = p.ID, p.URL, p.URL
	var err error
	switch kind {
	case "V":
		c.BodyHash, err = tx.PutBody([]byte(fmt.Sprintf("<p>%s %s %d</p>", name, kind, len(f.ids))))
		p.LastBodyHash = c.BodyHash
	case "x":
		c.BodyHash, err = tx.PutBody([]byte(fmt.Sprintf("<p>%s %s %d</p>", name, kind, len(f.ids))))
	case "o":
		c.BodyHash = p.LastBodyHash
	case "n", "C":
		c.Status, c.Class = 304, "not_modified"
	case "E":
		c.Status, c.Class, c.Reason, c.FinalURL = 0, "error", "connection reset", ""
	case "G":
		c.Status, c.Class = 404, "gone"
	default:
		return 0, fmt.Errorf("unknown kind %q", kind)
	}
	f.pages[name] = p
	if err != nil {
		return 0, err
	}
	id, err := tx.InsertCapture(c)
	if err != nil {
		return 0, err
	}
	switch kind {
	case "V":
		_, err = tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: id, CreatedAt: f.at, Title: name,
			Text: fmt.Sprintf("text %d", id), TextHash: fmt.Sprintf("h%d", id), Extractor: "1"})
	case "C":
		_, err = tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeSettled, DetectedAt: f.at.Add(time.Second)})
	}
	return id, err
}

// kept writes K for each scripted capture still stored, P for each pruned.
func (f *gcFixture) kept(t *testing.T) string {
	t.Helper()
	db := rawDB(t, f.path)
	var b strings.Builder
	for i, id := range f.ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		var n int
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM captures WHERE id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(map[int]string{0: "P", 1: "K"}[n])
	}
	return b.String()
}

func (f *gcFixture) gc(t *testing.T, o storage.GCOptions) storage.GCResult {
	t.Helper()
	if o.Before.IsZero() {
		o.Before = f.at
	}
	res, err := f.st.GC(t.Context(), o)
	if err != nil {
		t.Fatalf("GC: %v", err)
	}
	return res
}

func (f *gcFixture) verify(t *testing.T) storage.ChainSummary {
	t.Helper()
	sum, err := f.st.VerifyChain(t.Context())
	if err != nil {
		t.Fatalf("VerifyChain after gc: %v", err)
	}
	return sum
}

// What gc prunes of one page's history, and what it keeps.
func TestGCKeepsWhatChangedSomething(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"unchanged re-checks: the first 304 after a 200 changes state", "a:V a:n a:n a:n a:n", "K K P P K"},
		{"200s with the version's body", "a:V a:o a:o a:o", "K P P K"},
		{"200s then 304s", "a:V a:o a:n a:n a:n", "K K K P K"},
		{"a version in the middle", "a:V a:o a:o a:V a:o a:o a:o", "K P P K P P K"},
		{"errors: both sides of each transition", "a:V a:n a:n a:E a:E a:E a:n a:n a:n",
			"K K K K P K K P K"},
		{"gone: the first and last answer of the run", "a:V a:n a:G a:G a:G a:G a:n", "K K K P P K K"},
		{"a change's capture", "a:V a:n a:n a:C a:n a:n", "K K P K P K"},
		{"the only capture", "a:V", "K"},
		{"listings: a changed body is kept", "feed:L feed:l feed:l feed:L feed:l feed:l feed:l", "K K P K K P K"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGCFixture(t, tt.script)
			f.gc(t, storage.GCOptions{})
			if got := f.kept(t); got != tt.want {
				t.Errorf("after gc of %q:\n got %s\nwant %s", tt.script, got, tt.want)
			}
			f.verify(t)
		})
	}
}

// Only captures fetched before the cutoff are pruned.
func TestGCCutoff(t *testing.T) {
	f := newGCFixture(t, "a:V a:n a:n a:n a:n a:n a:n")
	f.gc(t, storage.GCOptions{Before: t0.Add(4 * time.Minute)}) // captures 0..3 are older
	if got, want := f.kept(t), "K K P P K K K"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	f.verify(t)
}

// Pruned runs cross pages (the chain is global), and the chain verifies
// with the summaries in place: captures stored after gc chain from the
// seal, a second gc prunes more, and every pruned link stays readable.
func TestGCChainVerifies(t *testing.T) {
	f := newGCFixture(t, "a:V b:V a:n b:n a:n b:n a:n b:n a:n b:n")
	before := map[int64]string{}
	for _, id := range f.ids {
		c, err := f.st.CaptureByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		before[id] = c.Link
	}
	res := f.gc(t, storage.GCOptions{})
	if got, want := f.kept(t), "K K K K P P P P K K"; got != want {
		t.Fatalf("kept %s, want %s", got, want)
	}
	if res.Pruned != 4 || res.Summaries != 1 || res.Examined != 10 {
		t.Errorf("GC = %+v, want 4 pruned in 1 summary of 10 examined", res)
	}
	sum := f.verify(t)
	if sum.Captures != 6 || sum.Pruned != 4 || sum.Summaries != 1 || sum.LastSummary == 0 || sum.LastID != f.ids[9] {
		t.Errorf("VerifyChain = %+v, want 6 captures, 1 summary of 4, its seal last after capture %d", sum, f.ids[9])
	}
	if sum.LastLink == before[f.ids[9]] {
		t.Error("the chain's last link is still the last capture's: the seal does not continue the chain")
	}
	// The capture after the range chains from the last pruned link.
	if prev, err := f.st.PrevLink(t.Context(), f.ids[8]); err != nil || prev != before[f.ids[7]] {
		t.Errorf("PrevLink(%d) = %s, %v; want the last pruned capture's link %s", f.ids[8], prev, err, before[f.ids[7]])
	}
	for _, i := range []int{4, 5, 6, 7} {
		link, sid, err := f.st.CaptureLink(t.Context(), f.ids[i])
		if err != nil || link != before[f.ids[i]] || sid == 0 {
			t.Errorf("CaptureLink(%d) = %s, summary %d, %v; want %s from a summary", f.ids[i], link, sid, err, before[f.ids[i]])
		}
	}
	if _, _, err := f.st.CaptureLink(t.Context(), f.ids[9]+100); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CaptureLink(unknown) = %v, want ErrNotFound", err)
	}

	f.add(t, "a:n b:n a:n b:n a:n b:n")
	if prev, err := f.st.PrevLink(t.Context(), f.ids[10]); err != nil || prev != sum.LastLink {
		t.Errorf("the first capture after gc chains from %s (%v), want the seal %s", prev, err, sum.LastLink)
	}
	f.verify(t)
	res = f.gc(t, storage.GCOptions{})
	// 8 and 9 were the pages' last captures and the seal's anchor is 9;
	// 8 now has a later capture of page a and goes.
	if got, want := f.kept(t), "K K K K P P P P P K P P P P K K"; got != want {
		t.Errorf("second gc kept %s, want %s", got, want)
	}
	sum = f.verify(t)
	if sum.Summaries != 3 || sum.Pruned != 9 {
		t.Errorf("VerifyChain after a second gc = %+v, want 3 summaries of 9 captures", sum)
	}
	gaps, err := f.st.PageGaps(t.Context(), f.pages["a"].ID, 0, time.Time{})
	if err != nil || len(gaps) != 1 || gaps[0].Captures != 5 || gaps[0].BeforeID != f.ids[2] || gaps[0].AfterID != f.ids[14] ||
		gaps[0].Classes["not_modified"] != 5 || !gaps[0].FirstFetchedAt.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("PageGaps(a) = %+v, %v; want one gap of 5 from capture %d to %d", gaps, err, f.ids[2], f.ids[14])
	}
}

// Small batches write a summary each; a gc interrupted between batches
// leaves a chain that verifies, and finishing it keeps exactly what one
// uninterrupted run keeps.
func TestGCInterruptedAndResumed(t *testing.T) {
	const script = "a:V b:V a:n b:n a:n b:n a:n b:n a:n b:n a:n b:n a:n b:n a:E b:n a:E b:n a:E a:n b:n"
	whole := newGCFixture(t, script)
	whole.gc(t, storage.GCOptions{})
	want := whole.kept(t)

	f := newGCFixture(t, script)
	ctx, cancel := context.WithCancel(t.Context())
	db, watched := rawDB(t, f.path), make(chan struct{})
	go func() {
		defer close(watched)
		for ctx.Err() == nil {
			var n int
			if db.QueryRowContext(ctx, `SELECT count(*) FROM chain_summaries`).Scan(&n) == nil && n > 0 {
				cancel()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, err := f.st.GC(ctx, storage.GCOptions{Before: f.at, Batch: 3, Pause: 20 * time.Millisecond})
	cancel()
	<-watched
	if err == nil {
		t.Log("gc finished before it was interrupted")
	}
	f.verify(t)
	res := f.gc(t, storage.GCOptions{Batch: 3})
	if got := f.kept(t); got != want {
		t.Errorf("interrupted and resumed gc kept\n%s\nwant what one run keeps\n%s", got, want)
	}
	if sum := f.verify(t); sum.Summaries < 2 || res.Batches < 2 {
		t.Errorf("VerifyChain = %+v after %d batches: want several summaries, chained", sum, res.Batches)
	}
}

// A dry run counts what a real run prunes and changes nothing.
func TestGCDryRun(t *testing.T) {
	f := newGCFixture(t, "a:V b:V a:n b:n a:n b:n a:E b:n a:n b:n a:n")
	dry := f.gc(t, storage.GCOptions{DryRun: true, Batch: 4})
	if got, want := f.kept(t), "K K K K K K K K K K K"; got != want {
		t.Fatalf("dry run left %s, want everything", got)
	}
	real := f.gc(t, storage.GCOptions{Batch: 4})
	if dry.Pruned != real.Pruned || dry.Summaries != real.Summaries || dry.Pruned == 0 {
		t.Errorf("dry run %+v, real run %+v: want the same captures and summaries", dry, real)
	}
}

// With keep_bodies = "all", a body only pruned captures referred to goes
// with them; one a kept capture still refers to stays. Without it, no
// body is deleted.
func TestGCBodies(t *testing.T) {
	for _, all := range []bool{true, false} {
		t.Run(fmt.Sprintf("PruneBodies=%v", all), func(t *testing.T) {
			f := newGCFixture(t, "a:V a:x a:x a:o a:x a:x")
			// Captures 1, 2, 4 and 5 hold bodies of their own; 3 the version's.
			bodies := func() int { return queryInt(t, rawDB(t, f.path), `SELECT count(*) FROM bodies`) }
			if n := bodies(); n != 5 {
				t.Fatalf("%d bodies stored, want 5", n)
			}
			res := f.gc(t, storage.GCOptions{PruneBodies: all})
			if all {
				if got, want := f.kept(t), "K P P P P K"; got != want {
					t.Errorf("kept %s, want %s", got, want)
				}
				if n := bodies(); n != 2 || res.Bodies != 3 {
					t.Errorf("%d bodies left, %d deleted; want the version's and the last capture's", n, res.Bodies)
				}
			} else {
				// Each 200 that brought a stored body (not the one
				// before's) is kept as that body's evidence.
				if got, want := f.kept(t), "K K K K K K"; got != want {
					t.Errorf("kept %s, want %s", got, want)
				}
				if n := bodies(); n != 5 || res.Bodies != 0 {
					t.Errorf("%d bodies left, %d deleted; want all 5", n, res.Bodies)
				}
			}
			f.verify(t)
		})
	}
}

// gc recomputes what it prunes from the link before: it will not hide a
// broken chain under a summary.
func TestGCRefusesABrokenChain(t *testing.T) {
	storage.SQLiteOnly(t)
	f := newGCFixture(t, "a:V a:n a:n a:n a:n")
	if _, err := rawDB(t, f.path).ExecContext(t.Context(), `UPDATE captures SET headers = 'X-Edited: yes' || char(13, 10) WHERE id = ?`, f.ids[2]); err != nil {
		t.Fatal(err)
	}
	_, err := f.st.GC(t.Context(), storage.GCOptions{Before: f.at})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("capture %d", f.ids[2])) || !strings.Contains(err.Error(), "link mismatch") {
		t.Errorf("GC over an edited capture = %v, want a link mismatch naming capture %d", err, f.ids[2])
	}
	if got := f.kept(t); got != "K K K K K" {
		t.Errorf("kept %s, want everything", got)
	}
}

// Tampering with what gc left behind is found.
func TestVerifyChainSummaries(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(f *gcFixture) []string
		want   string
	}{
		{"intact", func(*gcFixture) []string { return nil }, ""},
		{"a pruned capture put back", func(f *gcFixture) []string {
			return []string{fmt.Sprintf(`INSERT INTO captures (id, page_id, fetched_at, url, class, link)
				SELECT %d, page_id, fetched_at, url, class, link FROM captures WHERE id = %d`, f.ids[5], f.ids[1])}
		}, "summary 1 (captures %[3]d to %[4]d, pruned): capture %[5]d, which it says was pruned, is still there"},
		{"the summary deleted", func(f *gcFixture) []string { return []string{`DELETE FROM chain_summaries`} },
			"capture %[2]d (http://news.test/a, fetched 2024-01-23T10:07:00.000Z): link mismatch (no capture between %[1]d and %[2]d: deleted?)"},
		{"its count edited", func(f *gcFixture) []string { return []string{`UPDATE chain_summaries SET count = count - 1`} },
			"summary 1 (captures %[3]d to %[4]d, pruned): holds 200 bytes of links for 4 captures"},
		{"a link in it edited", func(f *gcFixture) []string {
			zeros := "zeroblob(32)"
			if storage.PostgresTestDSN() != "" {
				zeros = "decode(repeat('00', 32), 'hex')"
			}
			return []string{`UPDATE chain_summaries SET links = substr(links, 1, 48) || ` + zeros + ` || substr(links, 81)`}
		}, "summary 1 (captures %[3]d to %[4]d, pruned): digest mismatch"},
		{"its seal edited", func(f *gcFixture) []string {
			return []string{`UPDATE chain_summaries SET seal = replace(seal, substr(seal, 1, 1), 'x')`}
		}, "summary 1 (captures %[3]d to %[4]d, pruned): seal mismatch (its place is after capture %[6]d)"},
		{"its pruning time edited", func(f *gcFixture) []string {
			return []string{`UPDATE chain_summaries SET pruned_at = '2030-01-01T00:00:00.000Z'`}
		}, "summary 1 (captures %[3]d to %[4]d, pruned): seal mismatch"},
		{"a page's count of pruned captures edited", func(f *gcFixture) []string {
			return []string{`UPDATE capture_gaps SET captures = captures + 1`}
		}, "the pages' counts of pruned captures (6) disagree with the chain's summaries (5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGCFixture(t, "a:V a:n a:n a:n a:n a:n a:n a:n a:V")
			f.gc(t, storage.GCOptions{})
			if got, want := f.kept(t), "K K P P P P P K K"; got != want {
				t.Fatalf("kept %s, want %s", got, want)
			}
			var after int64
			if err := rawDB(t, f.path).QueryRowContext(t.Context(), `SELECT after_id FROM chain_summaries`).Scan(&after); err != nil {
				t.Fatal(err)
			}
			db := rawDB(t, f.path)
			for _, q := range tt.tamper(f) {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			_, err := f.st.VerifyChain(t.Context())
			if tt.want == "" {
				if err != nil {
					t.Errorf("VerifyChain = %v, want no error", err)
				}
				return
			}
			want := tt.want
			if strings.Contains(want, "%[") {
				want = fmt.Sprintf(want, f.ids[1], f.ids[7], f.ids[2], f.ids[6], f.ids[5], after)
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("VerifyChain = %v\nwant it to start with %s", err, want)
			}
		})
	}
}

// A summary forged to hide a version's capture, well formed and sealed at
// the end of the chain, still fails: the version names its capture.
func TestVerifyChainVersionCaptureMissing(t *testing.T) {
	storage.SQLiteOnly(t)
	f := newGCFixture(t, "a:V a:n a:V a:n a:n")
	db := rawDB(t, f.path)
	// Hide capture 2 (a version's) as gc would have pruned it.
	var prev, link, lastLink string
	if err := db.QueryRowContext(t.Context(), `SELECT link FROM captures WHERE id = ?`, f.ids[1]).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT link FROM captures WHERE id = ?`, f.ids[2]).Scan(&link); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(t.Context(), `SELECT link FROM captures ORDER BY id DESC LIMIT 1`).Scan(&lastLink); err != nil {
		t.Fatal(err)
	}
	r := storage.PrunedRange{FirstID: f.ids[2], LastID: f.ids[2], Count: 1, PrevLink: prev, LastLink: link,
		FirstFetchedAt: "x", LastFetchedAt: "x", PrunedAt: "x", AfterID: f.ids[4]}
	r.Links = append(be64(f.ids[2]), unhex(t, link)...)
	r.Digest = storage.PrunedDigest(r.Links)
	r.Seal = storage.SealLink(lastLink, r)
	for _, q := range []string{fmt.Sprintf(`DELETE FROM captures WHERE id = %d`, f.ids[2]),
		`INSERT INTO capture_gaps (before_id, after_id, captures, first_fetched_at, last_fetched_at, classes) VALUES (1, 2, 1, '', '', '{}')`} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(t.Context(), `INSERT INTO chain_summaries (first_id, last_id, count, prev_link, last_link, digest,
		links, first_fetched_at, last_fetched_at, pruned_at, after_id, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.FirstID, r.LastID, r.Count, r.PrevLink, r.LastLink, r.Digest, r.Links, r.FirstFetchedAt, r.LastFetchedAt,
		r.PrunedAt, r.AfterID, r.Seal); err != nil {
		t.Fatal(err)
	}
	_, err := f.st.VerifyChain(t.Context())
	if want := fmt.Sprintf("version 2 was made from capture %d, which is missing", f.ids[2]); err == nil || err.Error() != want {
		t.Errorf("VerifyChain = %v, want %s", err, want)
	}
}

func be64(id int64) []byte {
	b := make([]byte, 8)
	for i := range 8 {
		b[7-i] = byte(id >> (8 * i))
	}
	return b
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// The seal and digest as chain.go documents them, written out independently.
func TestSummaryFormulas(t *testing.T) {
	link := strings.Repeat("ab", 32)
	links := append(be64(17), unhex(t, link)...)
	digest := sha256Hex("20:stet-chain-pruned-v1,2:17,64:" + link + ",")
	if got := storage.PrunedDigest(links); got != digest {
		t.Errorf("digest = %s, documented formula gives %s", got, digest)
	}
	r := storage.PrunedRange{FirstID: 17, LastID: 17, Count: 1, PrevLink: strings.Repeat("1", 64), LastLink: link,
		Digest: digest, FirstFetchedAt: "2024-01-23T10:00:00.000Z", LastFetchedAt: "2024-01-23T10:00:00.000Z",
		PrunedAt: "2024-03-01T00:00:00.000Z", AfterID: 40}
	prev := strings.Repeat("2", 64)
	var doc strings.Builder
	for _, f := range []string{"stet-chain-summary-v1", prev, "17", "17", "1", r.PrevLink, link, digest,
		r.FirstFetchedAt, r.LastFetchedAt, r.PrunedAt, "40"} {
		fmt.Fprintf(&doc, "%d:%s,", len(f), f)
	}
	if got, want := storage.SealLink(prev, r), sha256Hex(doc.String()); got != want {
		t.Errorf("seal = %s, documented formula gives %s", got, want)
	}
}

// Pages lose what they lost between kept captures: a gap after the kept
// capture, grown and merged as later runs prune the captures around it.
func TestPageGapsMerge(t *testing.T) {
	f := newGCFixture(t, "a:V a:o a:o a:o b:V")
	f.gc(t, storage.GCOptions{})
	f.add(t, "a:o a:o a:o b:o")
	f.gc(t, storage.GCOptions{})
	// Capture 3 was page a's last at the first run; b's version is the
	// first run's seal's anchor.
	if got, want := f.kept(t), "K P P P K P P K K"; got != want {
		t.Fatalf("kept %s, want %s", got, want)
	}
	gaps, err := f.st.PageGaps(t.Context(), f.pages["a"].ID, 0, time.Time{})
	if err != nil || len(gaps) != 1 || gaps[0].BeforeID != f.ids[0] || gaps[0].AfterID != f.ids[7] || gaps[0].Captures != 5 ||
		gaps[0].Classes["ok"] != 5 {
		t.Fatalf("PageGaps = %+v, %v; want one gap of 5 between captures %d and %d", gaps, err, f.ids[0], f.ids[7])
	}
	if gaps, err := f.st.PageGaps(t.Context(), f.pages["a"].ID, f.ids[0], time.Time{}); err != nil || len(gaps) != 0 {
		t.Errorf("PageGaps up to capture %d = %+v, %v; want none", f.ids[0], gaps, err)
	}
	if got, want := gaps[0].LastFetchedAt, t0.Add(6*time.Minute); !got.Equal(want) {
		t.Errorf("gap ends at %s, want %s", got, want)
	}
	if gaps, err := f.st.PageGaps(t.Context(), f.pages["a"].ID, 0, t0.Add(time.Hour)); err != nil || len(gaps) != 0 {
		t.Errorf("PageGaps since after the gap = %+v, %v; want none", gaps, err)
	}
	f.verify(t)
}

// A database whose pages were pruned by an older file layout is not the
// point here: the migration adds gc's tables to a database that has
// captures, and gc works on it at once.
func TestGCAfterMigration(t *testing.T) {
	storage.SQLiteOnly(t)
	f := newGCFixture(t, "a:V a:n a:n a:n")
	f.st.Close()
	db := rawDB(t, f.path)
	storage.UndoHeaderSetsForTest(t, db)    // schema 16
	storage.UndoTextsForTest(t, f.path, db) // schema 15
	for _, q := range []string{`DROP INDEX pages_host_due`, `ALTER TABLE pages DROP COLUMN host`, `DROP TABLE host_slots`, `DROP TABLE chain_summaries`, `DROP TABLE capture_gaps`, `DROP INDEX versions_capture`,
		`PRAGMA user_version = 11`} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	f.st = mustOpen(t, f.path)
	f.gc(t, storage.GCOptions{})
	if got, want := f.kept(t), "K K P K"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	f.verify(t)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// After gc, a capture read back (CaptureByID, PageCaptures) carries the
// link it really chains from, as PrevLink gives it: the last pruned link
// after a range, the seal after a seal; not merely the previous kept row's.
func TestGCCapturesCarryTheirPrevLink(t *testing.T) {
	f := newGCFixture(t, "a:V b:V a:n b:n a:n b:n a:n b:n a:n b:n")
	f.gc(t, storage.GCOptions{})
	f.add(t, "a:n b:n")
	for _, id := range f.ids {
		c, err := f.st.CaptureByID(t.Context(), id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // pruned
		}
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.st.PrevLink(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if c.PrevLink != want {
			t.Errorf("capture %d: PrevLink %s, want %s (what its link chains from)", id, c.PrevLink, want)
		}
		if storage.ChainLink(c.PrevLink, c.ChainInput()) != c.Link {
			t.Errorf("capture %d: its link does not recompute from the PrevLink it was read with", id)
		}
	}
	caps, err := f.st.PageCaptures(t.Context(), storage.CaptureFilter{PageID: f.pages["a"].ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range caps {
		if storage.ChainLink(c.PrevLink, c.ChainInput()) != c.Link {
			t.Errorf("PageCaptures: capture %d's link does not recompute from its PrevLink %s", c.ID, c.PrevLink)
		}
	}
}
