package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The operator store is a synthetic database shaped like a busy
// deployment, for measuring what the operator's commands and pages cost
// and for checking which indexes their queries use: per 100,000 pages,
// 100 listing sources (feeds, a few sitemaps and index pages), about 1.9
// versions a page (1 to 2 KB of text each, searchable), about 50,000
// changes (their readable diff and blocks 1 to 3 KB), about 1,000,000
// captures (with realistic headers), a listing row per page, a webhook
// delivery per reported change, a few failing, removed, unlisted, due and
// claimed pages, and three daemons (one alive, one dead with claims, one
// stopped).
// Rows are written with SQL in one transaction, in time order (ids grow
// with time, as in a real database), then versions are indexed for search
// as the search migration does.

// operatorGenerator names the generator; change it when the data changes,
// so cached stores are rebuilt.
const operatorGenerator = 3

// operatorSources is how many listing sources the store has.
const operatorSources = 100

// operatorStorePath returns a store of the given number of pages, built
// once into os.TempDir() and reused (keyed by the schema version and the
// generator), since the 100,000-page store takes a minute or two.
func operatorStorePath(tb testing.TB, pages int) string {
	tb.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("stet-operator-bench-s%d-g%d-%d.db", len(migrations), operatorGenerator, pages))
	if exists(path) {
		return path
	}
	tmp := fmt.Sprintf("%s.building-%d", path, os.Getpid())
	defer func() {
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(p)
		}
	}()
	start := time.Now()
	if err := buildOperatorStore(tb.Context(), tmp, pages, time.Now(), true); err != nil {
		tb.Fatalf("build operator store: %v", err)
	}
	if exists(tmp + "-wal") {
		tb.Fatalf("%s-wal is left after closing: the store would be incomplete", tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built %s in %v", path, time.Since(start).Round(time.Second))
	return path
}

// opEvent is one row to write, in time order: a capture of a page or of a
// listing source, and what that capture made.
type opEvent struct {
	at     time.Time
	page   int32 // 1-based page number; 0 for a source's capture
	source int32 // 1-based source number
	seq    int16 // the capture's place among its page's captures
	ver    int8  // the version this capture stores (1-based), 0 for none
	what   int8  // opCapture…
}

const (
	opOK = iota
	opNotModified
	opError
	opGone
)

// opPage is how one synthetic page lives: its captures and versions.
type opPage struct {
	source                     int
	discovered                 time.Time
	captures, versions         int
	failing, removed, unlisted bool
}

func opPagePlan(i, pages int, start, now time.Time) opPage {
	r := rand.New(rand.NewPCG(uint64(i), 11))
	span := now.Sub(start)
	p := opPage{
		source:     1 + (i*7919)%operatorSources,
		discovered: start.Add(time.Duration(float64(span) * float64(i-1) / float64(pages))).Add(time.Duration(r.IntN(600)) * time.Second),
		captures:   4 + r.IntN(12),
		failing:    i%200 == 17,
		removed:    i%50 == 7,
		unlisted:   i%97 == 3,
	}
	p.versions = 1
	if i%3 != 0 {
		p.versions++
	}
	if i%5 == 0 {
		p.versions++
	}
	if i%20 == 0 {
		p.versions++
	}
	p.versions = min(p.versions, p.captures-2)
	return p
}

// captureAt is when capture seq of a page was made: re-checks spread out
// as the page ages, never after now.
func (p opPage) captureAt(seq int, now time.Time) time.Time {
	at := p.discovered
	step := 20 * time.Minute
	for range seq {
		at = at.Add(step)
		step = min(step*2, 3*24*time.Hour)
	}
	if at.After(now) {
		return time.Time{}
	}
	return at
}

// versionSeq is the capture that stores version v (1-based) of a page.
func (p opPage) versionSeq(v int) int {
	if v == 1 {
		return 0
	}
	return 1 + (v-1)*(p.captures-2)/p.versions
}

func opEvents(pages int, start, now time.Time) ([]opEvent, []opPage) {
	plans := make([]opPage, pages+1)
	var evs []opEvent
	for i := 1; i <= pages; i++ {
		p := opPagePlan(i, pages, start, now)
		plans[i] = p
		for seq := range p.captures {
			at := p.captureAt(seq, now)
			if at.IsZero() {
				break
			}
			e := opEvent{at: at, page: int32(i), source: int32(p.source), seq: int16(seq), what: opNotModified}
			for v := 1; v <= p.versions; v++ {
				if p.versionSeq(v) == seq {
					e.ver, e.what = int8(v), opOK
				}
			}
			switch {
			case p.failing && seq >= p.captures-3:
				e.ver, e.what = 0, opError
			case p.removed && seq >= p.captures-2:
				e.ver, e.what = 0, opGone
			}
			evs = append(evs, e)
		}
	}
	// Listing sources are read every 15 minutes or so, 1,000 reads each
	// per 100,000 pages.
	reads := pages / operatorSources * 1000 / 1000
	for s := 1; s <= operatorSources; s++ {
		for k := range reads {
			at := now.Add(-time.Duration(k*15)*time.Minute - time.Duration(s)*time.Second)
			evs = append(evs, opEvent{at: at, source: int32(s), what: opOK})
		}
	}
	slices.SortFunc(evs, func(a, b opEvent) int { return a.at.Compare(b.at) })
	return evs, plans
}

var opWords = strings.Fields(`the government minister council budget report said on in of and to a for
	with that by from at as was were has have been will would could policy public health school court
	police city state region province national international security economy market price growth trade
	export import energy water climate weather rain flood bridge road railway airport hospital doctor
	patient teacher student university research science data digital network company bank investment
	tax revenue spending deficit election vote party leader president prime committee inquiry statement
	official spokesman agency ministry department office plan project program law regulation rule court
	judge case trial appeal decision ruling protest strike union worker wage pension housing rent village
	farmer harvest food festival museum culture film music sport match team season record`)

// opParagraph is paragraph n of page i's text as of version v: a sentence
// or three of words, with a figure that each version edits.
func opParagraph(i, n, v int) string {
	r := rand.New(rand.NewPCG(uint64(i), uint64(n)))
	var b strings.Builder
	words := 30 + r.IntN(40)
	figureAt := r.IntN(words)
	for w := range words {
		if w > 0 {
			b.WriteByte(' ')
		}
		if w == figureAt {
			fig := 10 + r.IntN(90)
			if n == (v-2)%3 || (v > 2 && n == (v-3)%3) {
				fig += v
			}
			fmt.Fprintf(&b, "%d", fig)
			continue
		}
		b.WriteString(opWords[r.IntN(len(opWords))])
	}
	b.WriteByte('.')
	return b.String()
}

func opText(i, source, v int) string {
	return strings.Join([]string{
		opParagraph(i, 0, v), opParagraph(i, 1, v), opParagraph(i, 2, v),
		fmt.Sprintf("Subscribe to the newsletter of source %d for daily briefings on policy and the economy.", source),
		fmt.Sprintf("Copyright 2026 source %d. All rights reserved. Reproduction without permission is prohibited.", source),
	}, "\n\n")
}

func opTitle(i, v int) string {
	t := fmt.Sprintf("Article %d: %s %s %s", i, opWords[i%len(opWords)], opWords[(i/7)%len(opWords)], opWords[(i/49)%len(opWords)])
	if v > 1 && i%11 == 0 {
		t += " (updated)"
	}
	return t
}

func opURL(i, source int) string {
	return fmt.Sprintf("https://s%d.example.org/news/2026/article-%d.html", source, i)
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// opChange is what version v of page i reports, if anything: its kind
// and classes. About half of the later versions report a change.
func opChange(i, v int) (kind string, classes []string, suppressed bool) {
	if v < 2 || (i+v)%2 == 1 {
		return "", nil, false
	}
	classes = [][]string{{"number", "stealth"}, {"wording"}, {"number"}, {"quote", "wording"},
		{"correction", "number"}, {"added"}, {"title", "wording"}, {"moved"}}[(i/2+v)%8]
	return ChangeChanged, classes, i%400 == 2 && v > 2
}

// opDiff is a readable diff and the blocks of a change, 1 to 3 KB.
func opDiff(i, v int) (string, string) {
	oldP, newP := opParagraph(i, (v-2)%3, v-1), opParagraph(i, (v-2)%3, v)
	diff := fmt.Sprintf("--- version %d\n+++ version %d\n@@ ¶%d @@\n- %s\n+ %s\n", v-1, v, (v-2)%3+1, oldP, newP)
	blocks := struct {
		Blocks []map[string]any `json:"blocks"`
	}{}
	for n := 1; n <= 5; n++ {
		b := map[string]any{"op": "equal", "old_index": n, "new_index": n}
		if n == (v-2)%3+1 {
			b = map[string]any{"op": "replace", "old_index": n, "new_index": n, "old": oldP, "new": newP,
				"spans": []map[string]string{{"op": "delete", "text": oldP}, {"op": "insert", "text": newP}}}
		}
		blocks.Blocks = append(blocks.Blocks, b)
	}
	js, _ := json.Marshal(blocks)
	return diff, string(js)
}

const opHeaders = "Cache-Control: max-age=60\r\nContent-Type: text/html; charset=utf-8\r\nDate: %s\r\n" +
	"Etag: \"%x\"\r\nServer: nginx/1.24.0\r\nStrict-Transport-Security: max-age=31536000\r\nVary: Accept-Encoding\r\n" +
	"X-Cache: HIT from edge-%d\r\nX-Request-Id: %x\r\n"

const opRequestHeaders = "Accept: text/html,application/xhtml+xml\r\nAccept-Encoding: gzip, br\r\n" +
	"User-Agent: stet/0.1 (+mailto:desk@example.org)\r\n"

// buildOperatorStore writes the operator store at path (which must not
// exist) with the given number of pages, as of now; search says whether to
// index the versions for search (most of the time a small store takes).
func buildOperatorStore(ctx context.Context, path string, pages int, now time.Time, search bool) error {
	now = now.UTC().Truncate(time.Millisecond)
	start := now.Add(-90 * 24 * time.Hour)
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA foreign_keys = OFF`, `PRAGMA synchronous = OFF`, `BEGIN`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	w, err := newOpWriter(ctx, conn)
	if err != nil {
		return err
	}
	defer w.close()
	if err := w.sources(now, start); err != nil {
		return err
	}
	evs, plans := opEvents(pages, start, now)
	if err := w.pages(plans, now); err != nil {
		return err
	}
	for _, e := range evs {
		if err := w.event(e, plans); err != nil {
			return err
		}
	}
	if err := w.tail(now); err != nil {
		return err
	}
	w.close()
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return err
	}
	if search {
		if err := opIndexSearch(ctx, conn); err != nil {
			return fmt.Errorf("index versions for search: %w", err)
		}
	}
	_, err = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// opIndexSearch indexes every version, as the search migration does.
func opIndexSearch(ctx context.Context, conn *sqlConn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ix := &indexer{ctx: ctx, tx: tx}
	defer ix.close()
	var after int64
	for {
		n, err := indexBatch(ix, after, 2000)
		if err != nil {
			return err
		}
		if n.count < 2000 {
			break
		}
		after = n.last
	}
	ix.close()
	return tx.Commit()
}

// opWriter holds the prepared statements and running ids of a build.
type opWriter struct {
	ctx   context.Context
	conn  *sqlConn
	stmts map[string]*sqlStmt
	// running ids
	capture, version, change int64
	latest                   map[int32]int64 // page → its latest version id
}

// Claim owners in the store: a daemon alive and one that died.
const (
	opAliveOwner = "bench-host/4242/00c0ffee"
	opDeadOwner  = "bench-host/999999/deadbeef"
)

var opStatements = map[string]string{
	"capture": `INSERT INTO captures (id, source_id, page_id, fetched_at, url, status, class, reason, etag,
		last_modified, body_hash, bytes, duration_ms, charset, extractor, headers, request_headers, remote_ip,
		tls_version, cert_sha256, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'utf-8', '3', ?, ?, ?, 'TLS 1.3', ?, ?)`,
	"version": `INSERT INTO versions (id, page_id, capture_id, created_at, title, byline, published, lang, canonical, text,
		text_hash, extractor) VALUES (?, ?, ?, ?, ?, 'Staff reporter', ?, 'en', ?, ?, ?, '3')`,
	"change": `INSERT INTO changes (id, page_id, kind, detected_at, old_version_id, new_version_id, title, summary, diff,
		blocks, classes, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"delivery": `INSERT INTO deliveries (id, event_id, event_type, subscriber, payload, created_at, attempts,
		next_attempt_at, delivered_at, last_error) VALUES (?, ?, ?, 'desk', ?, ?, ?, ?, ?, ?)`,
	"page": `INSERT INTO pages (id, source_id, url, title, discovered_at, published_at, next_check_at, last_checked_at,
		last_class, last_reason, etag, last_body_hash, gone_count, removed, consecutive_failures, failing,
		failing_since, unlisted, claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"listing": `INSERT INTO listings (source_id, page_id, first_seen, last_seen, item_date, missing) VALUES (?, ?, ?, ?, ?, ?)`,
}

func newOpWriter(ctx context.Context, conn *sqlConn) (*opWriter, error) {
	w := &opWriter{ctx: ctx, conn: conn, stmts: map[string]*sqlStmt{}, latest: map[int32]int64{}}
	for name, q := range opStatements {
		st, err := conn.PrepareContext(ctx, q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		w.stmts[name] = st
	}
	return w, nil
}

func (w *opWriter) close() {
	for name, st := range w.stmts {
		st.Close()
		delete(w.stmts, name)
	}
}

func (w *opWriter) exec(name string, args ...any) error {
	if _, err := w.stmts[name].ExecContext(w.ctx, args...); err != nil {
		return fmt.Errorf("insert %s: %w", name, err)
	}
	return nil
}

func (w *opWriter) sources(now, start time.Time) error {
	for s := 1; s <= operatorSources; s++ {
		kind, u := "feed", fmt.Sprintf("https://s%d.example.org/rss.xml", s)
		switch s % 50 {
		case 0:
			kind, u = "sitemap", fmt.Sprintf("https://s%d.example.org/sitemap.xml", s)
		case 1:
			kind, u = "index", fmt.Sprintf("https://s%d.example.org/news/", s)
		}
		class, reason, failures, failing := "ok", "", 0, 0
		var failingSince any
		if s%25 == 0 {
			class, reason, failures, failing, failingSince = "error", "status 503", 6, 1, fmtTime(now.Add(-3*time.Hour))
		}
		next, claimed := now.Add(time.Duration(s)*9*time.Second), ""
		switch {
		case s%7 == 0:
			next = now.Add(-time.Duration(s) * time.Second) // due
		case s%33 == 0:
			next, claimed = now.Add(9*time.Minute), opAliveOwner
		}
		_, err := w.conn.ExecContext(w.ctx, `INSERT INTO sources (id, kind, name, url, schedule, created_at, last_checked_at,
			last_class, last_reason, consecutive_failures, failing, failing_since, next_check_at, reads, claimed_by)
			VALUES (?, ?, ?, ?, '*/15 * * * *', ?, ?, ?, ?, ?, ?, ?, ?, 8640, ?)`,
			s, kind, fmt.Sprintf("source %d", s), u, fmtTime(start), fmtTime(now.Add(-time.Minute)), class, reason,
			failures, failing, failingSince, fmtTime(next), claimed)
		if err != nil {
			return fmt.Errorf("insert source %d: %w", s, err)
		}
	}
	return nil
}

// pages writes every page in its final state, and its listing.
func (w *opWriter) pages(plans []opPage, now time.Time) error {
	for i := 1; i < len(plans); i++ {
		p := plans[i]
		last := p.discovered
		for seq := range p.captures {
			if at := p.captureAt(seq, now); !at.IsZero() {
				last = at
			}
		}
		var next any
		claimed := ""
		if p.discovered.After(now.Add(-30 * 24 * time.Hour)) {
			switch {
			case i%1000 == 5:
				next, claimed = fmtTime(now.Add(8*time.Minute)), opAliveOwner
			case i%1000 == 6:
				next, claimed = fmtTime(now.Add(3*time.Minute)), opDeadOwner
			case i%100 == 1:
				next = fmtTime(now.Add(-time.Duration(i%7200) * time.Second)) // due, some for up to two hours
			default:
				next = fmtTime(now.Add(time.Duration(i%259200) * time.Second))
			}
		}
		class, reason, failures, gone := "not_modified", "", 0, 0
		var failingSince any
		switch {
		case p.failing:
			class, reason, failures, failingSince = "error", "status 503", 3, fmtTime(last.Add(-time.Hour))
		case p.removed:
			class, gone = "gone", 2
		}
		err := w.exec("page", i, p.source, opURL(i, p.source), opTitle(i, p.versions), fmtTime(p.discovered),
			fmtTime(p.discovered), next, fmtTime(last), class, reason, fmt.Sprintf(`"%x"`, i), sha(opText(i, p.source, p.versions)),
			gone, p.removed, failures, p.failing, failingSince, p.unlisted, claimed)
		if err != nil {
			return err
		}
		missing, seen := 0, now.Add(-15*time.Minute)
		if p.unlisted {
			missing, seen = 3, now.Add(-time.Hour)
		}
		if err := w.exec("listing", p.source, i, fmtTime(p.discovered), fmtTime(seen), fmtTime(p.discovered), missing); err != nil {
			return err
		}
	}
	return nil
}

// event writes one capture and what it stored.
func (w *opWriter) event(e opEvent, plans []opPage) error {
	w.capture++
	at := fmtTime(e.at)
	if e.page == 0 {
		return w.exec("capture", w.capture, e.source, nil, at, fmt.Sprintf("https://s%d.example.org/rss.xml", e.source),
			200, "ok", "", "", "", sha(fmt.Sprint("feed", e.source, w.capture%5)), 48_000, 120,
			fmt.Sprintf(opHeaders, at, w.capture, e.source%4, w.capture), opRequestHeaders, "203.0.113.7",
			sha(fmt.Sprint("cert", e.source)), sha(fmt.Sprint("link", w.capture)))
	}
	i, p := int(e.page), plans[e.page]
	v := max(int(e.ver), 1)
	status, class, reason, hash := 304, "not_modified", "", any(nil)
	switch e.what {
	case opOK:
		status, class, hash = 200, "ok", sha(opText(i, p.source, v))
	case opError:
		status, class, reason = 503, "error", "status 503"
	case opGone:
		status, class = 404, "gone"
	}
	err := w.exec("capture", w.capture, e.source, i, at, opURL(i, p.source), status, class, reason,
		fmt.Sprintf(`"%x"`, i), e.at.Format(time.RFC1123), hash, 60_000+i%9000, 80+i%400,
		fmt.Sprintf(opHeaders, at, i, i%4, w.capture), opRequestHeaders, "198.51.100.23",
		sha(fmt.Sprint("cert", p.source)), sha(fmt.Sprint("link", w.capture)))
	if err != nil {
		return err
	}
	switch {
	case e.ver > 0:
		return w.storeVersion(e, p)
	case e.what == opGone && int(e.seq) == p.captures-2:
		return w.storeChange(e, ChangeRemoved, nil, false, 0, "page removed (404)")
	case p.unlisted && !p.removed && int(e.seq) == p.captures-1:
		return w.storeChange(e, ChangeUnlisted, nil, false, w.latest[e.page], "no listing lists it any more")
	case i%500 == 9 && e.seq == 2:
		return w.storeChange(e, ChangeRemoved, nil, false, 0, "page removed (410)")
	case i%500 == 9 && e.seq == 3:
		return w.storeChange(e, ChangeRestored, nil, false, w.latest[e.page], "page restored")
	}
	return nil
}

func (w *opWriter) storeVersion(e opEvent, p opPage) error {
	i, v := int(e.page), int(e.ver)
	w.version++
	text := opText(i, p.source, v)
	err := w.exec("version", w.version, i, w.capture, fmtTime(e.at), opTitle(i, v), fmtTime(p.discovered),
		opURL(i, p.source), text, sha(text))
	if err != nil {
		return err
	}
	kind, classes, suppressed := opChange(i, v)
	if kind != "" {
		err = w.storeChange(e, kind, classes, suppressed, w.version, "1 paragraph changed (+1 −1 words)")
	}
	w.latest[e.page] = w.version
	return err
}

// storeChange writes a change of page e.page to version newVersion (0 for
// none) and, unless it is suppressed, its webhook delivery.
func (w *opWriter) storeChange(e opEvent, kind string, classes []string, suppressed bool, newVersion int64, summary string) error {
	w.change++
	i, at := int(e.page), fmtTime(e.at)
	diffText, blocks := "", any(nil)
	if kind == ChangeChanged {
		d, b := opDiff(i, int(e.ver))
		diffText, blocks = d, b
	}
	title := opTitle(i, max(int(e.ver), 1))
	err := w.exec("change", w.change, i, kind, at, nullIfZero(w.latest[e.page]), nullIfZero(newVersion), title, summary,
		diffText, blocks, jsonList(classes), suppressed)
	if err != nil || suppressed {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("evt_%024x", w.change), "type": "change." + kind,
		"created_at": at, "url": opURL(i, int(e.source)), "title": title,
		"change": map[string]any{"id": w.change, "kind": kind, "summary": summary, "diff": diffText, "classes": classes}})
	delivered, next, attempts, lastErr := at, any(nil), 1, ""
	if w.change%200 == 0 {
		delivered, attempts, lastErr = nil, 12, "status 500" // given up
	}
	return w.exec("delivery", w.change, fmt.Sprintf("evt_%024x", w.change), "change."+kind, payload, at, attempts,
		next, delivered, lastErr)
}

// tail leaves the newest deliveries waiting (some claimed, by the alive
// daemon and by the dead one).
func (w *opWriter) tail(now time.Time) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE deliveries SET delivered_at = NULL, next_attempt_at = ?, attempts = 1, last_error = 'status 503'
			WHERE id > (SELECT max(id) - 40 FROM deliveries)`, []any{fmtTime(now.Add(-30 * time.Second))}},
		{`UPDATE deliveries SET claimed_by = ?, claim_until = ? WHERE id IN
			(SELECT id FROM deliveries WHERE next_attempt_at IS NOT NULL ORDER BY id LIMIT 3)`,
			[]any{opDeadOwner, fmtTime(now.Add(70 * time.Second))}},
		{`UPDATE deliveries SET claimed_by = ?, claim_until = ? WHERE id IN
			(SELECT id FROM deliveries WHERE next_attempt_at IS NOT NULL ORDER BY id DESC LIMIT 2)`,
			[]any{opAliveOwner, fmtTime(now.Add(90 * time.Second))}},
		{`INSERT INTO daemons (owner, host, pid, version, started_at, heartbeat_at, interval_ms, state, stopped_at,
			workers, workers_busy, queued) VALUES
			(?, 'bench-host', 4242, 'bench', ?, ?, 10000, 'running', NULL, 4, 3, 17),
			(?, 'bench-host', 999999, 'bench', ?, ?, 10000, 'running', NULL, 4, 4, 30),
			('bench-host/4100/0badf00d', 'bench-host', 4100, 'bench', ?, ?, 10000, 'stopped', ?, 4, 0, 0)`,
			[]any{opAliveOwner, fmtTime(now.Add(-2 * time.Hour)), fmtTime(now.Add(-3 * time.Second)),
				opDeadOwner, fmtTime(now.Add(-5 * time.Hour)), fmtTime(now.Add(-5 * time.Minute)),
				fmtTime(now.Add(-9 * time.Hour)), fmtTime(now.Add(-6 * time.Hour)), fmtTime(now.Add(-6 * time.Hour))}},
	} {
		if _, err := w.conn.ExecContext(w.ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("%.50s: %w", q.sql, err)
		}
	}
	return nil
}
