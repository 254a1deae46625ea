package storage_test

import (
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// BenchmarkSearch measures query time over a synthetic store of about
// 1,000,000 distinct paragraphs (40,000 pages, each with a first
// version of 20 paragraphs and a footer shared by its source, and a second
// version that edits 5 paragraphs away and adds 5), four fifths English-like,
// the rest Chinese and Japanese, stored through InsertVersion as the daemon
// stores them. Each query shape runs several queries, several times each,
// and reports the p50 and p95 of one search (a page of 50 hits with
// snippets) in milliseconds.
//
//	go test ./storage -run '^$' -bench Search -benchtime 1x
//
// Building the store takes minutes; it is kept in os.TempDir(), keyed by
// the schema version and the generator's version, and reused by later runs
// (remove stet-search-bench-*.db to rebuild it).
func BenchmarkSearch(b *testing.B) {
	path := benchStore(b)
	s, err := storage.OpenReadOnly(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var page int64
	if err := rawDB(b, path).QueryRow(`SELECT id FROM pages WHERE url = ?`, benchURL(13)).Scan(&page); err != nil {
		b.Fatal(err)
	}
	shapes := []struct {
		name    string
		queries []string
		o       storage.SearchOptions
	}{
		{"latin word common", []string{"government", "minister", "council", "budget"}, storage.SearchOptions{}},
		{"latin word rare", []string{"zeppelin", "quasar", "marmalade", "xylophone"}, storage.SearchOptions{}},
		{"latin word absent", []string{"nonexistentword", "qqqzzz"}, storage.SearchOptions{}},
		{"latin phrase", []string{`"prime minister"`, `"budget deficit"`, `"council of ministers"`}, storage.SearchOptions{}},
		{"latin phrase rare", []string{`"zeppelin quasar"`, `"prime zeppelin"`}, storage.SearchOptions{}},
		{"latin two words", []string{"government budget", "minister zeppelin"}, storage.SearchOptions{}},
		{"latin prefix", []string{"minist*", "govern*", "zeppel*"}, storage.SearchOptions{}},
		{"cjk 3+ common", []string{"人民币汇率", "東京都", "人民币"}, storage.SearchOptions{}},
		{"cjk 3+ rare", []string{"量子计算机", "麒麟座", "新幹線"}, storage.SearchOptions{}},
		{"cjk 2 common", []string{"北京", "政府", "東京"}, storage.SearchOptions{}},
		{"cjk 2 rare", []string{"麒麟", "量子"}, storage.SearchOptions{}},
		{"cjk 1", []string{"京", "麒"}, storage.SearchOptions{}},
		{"mixed latin cjk", []string{"GDP 人民币汇率", "GDP 北京"}, storage.SearchOptions{}},
		{"deleted common", []string{"government", "北京"}, storage.SearchOptions{Deleted: true}},
		{"deleted rare", []string{"zeppelin", "麒麟"}, storage.SearchOptions{Deleted: true}},
		{"since 30d common", []string{"government", "北京"}, storage.SearchOptions{Since: time.Now().Add(-30 * 24 * time.Hour)}},
		{"one page common", []string{"government", "rights", "minister"}, storage.SearchOptions{PageID: page}},
		{"footer on every page", []string{`"all rights reserved"`}, storage.SearchOptions{}},
		{"limit 1000", []string{"government"}, storage.SearchOptions{Limit: 1000}},
		// Filters that reject nearly every match examine up to the bound
		// of work, then answer Capped with a cursor.
		{"worst deleted footer", []string{`"all rights reserved"`}, storage.SearchOptions{Deleted: true}},
		{"worst since 1h common", []string{"government", "北京"}, storage.SearchOptions{Since: time.Now().Add(-time.Hour)}},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			var times []time.Duration
			hits, capped := 0, 0
			for b.Loop() {
				times = times[:0]
				for round := range 8 {
					for _, qs := range sh.queries {
						q, err := storage.ParseQuery(qs)
						if err != nil {
							b.Fatal(err)
						}
						start := time.Now()
						res, err := s.Search(b.Context(), q, sh.o)
						if err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(start))
						if round == 0 {
							hits += len(res.Hits)
							if res.Capped {
								capped++
							}
						}
					}
				}
			}
			slices.Sort(times)
			pct := func(p float64) float64 {
				return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(float64(hits)/float64(len(sh.queries)), "hits/query")
			b.ReportMetric(float64(capped)/float64(len(sh.queries)), "capped/query")
		})
	}
}

// searchBenchPages sizes the synthetic store: 40,000 pages hold 1,000,000
// distinct paragraphs. A smaller store is quicker to build for a try.
var searchBenchPages = flag.Int("search-bench-pages", 40_000, "pages in BenchmarkSearch's synthetic store (25 paragraphs each)")

// Size of the synthetic store.
const (
	benchParagraphs = 20 // in a page's first version, besides the footer
	benchEdits      = 5  // paragraphs its second version replaces
	benchSources    = 20 // each with its own footer
	// benchGenerator names the generator; change it when the corpus changes.
	benchGenerator = "g3"
)

func benchURL(page int) string {
	return fmt.Sprintf("http://bench.test/%d/article-%d", page%benchSources, page)
}

// benchStore returns the path of the synthetic store, building it if it is
// not in os.TempDir() yet.
func benchStore(b *testing.B) string {
	b.Helper()
	probePath := filepath.Join(b.TempDir(), "probe.db")
	mustOpen(b, probePath).Close()
	schema := queryInt(b, rawDB(b, probePath), "PRAGMA user_version")
	path := filepath.Join(os.TempDir(), fmt.Sprintf("stet-search-bench-s%d-%s-%d.db", schema, benchGenerator, *searchBenchPages))
	if fileExists(path) {
		return path
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	buildBenchStore(b, tmp)
	if fileExists(tmp + "-wal") {
		b.Fatalf("%s-wal is left after closing: the store would be incomplete", tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	os.Remove(tmp + "-shm")
	return path
}

func buildBenchStore(b *testing.B, path string) {
	start := time.Now()
	s, err := storage.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	srcs := make([]storage.Source, benchSources)
	for i := range srcs {
		if srcs[i], err = s.EnsureSource(b.Context(), storage.KindFeed, fmt.Sprint("source ", i),
			fmt.Sprintf("http://bench.test/%d/rss", i), "@every 1h", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	// Versions in time order over the past year: each page's first, and
	// its second 1 to 30 days later.
	type event struct {
		page, version int
		at            time.Time
	}
	now := time.Now().UTC().Truncate(time.Second)
	year := 365 * 24 * time.Hour
	var events []event
	pages := *searchBenchPages
	for p := range pages {
		first := now.Add(-year + time.Duration(p)*(year/time.Duration(pages)))
		r := rand.New(rand.NewPCG(uint64(p), 7))
		second := first.Add(time.Duration(1+r.IntN(30)) * 24 * time.Hour)
		events = append(events, event{p, 1, first})
		if second.Before(now) {
			events = append(events, event{p, 2, second})
		} else {
			events = append(events, event{p, 2, now.Add(-time.Duration(r.IntN(3600)) * time.Second)})
		}
	}
	slices.SortFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
	const perTx = 400
	corpus := newBenchCorpus()
	var spent time.Duration
	for i := 0; i < len(events); i += perTx {
		batch := events[i:min(i+perTx, len(events))]
		t := time.Now()
		err := s.Tx(b.Context(), func(tx *storage.Tx) error {
			for _, e := range batch {
				title, text := corpus.version(e.page, e.version)
				u := benchURL(e.page)
				p, _, err := tx.EnsurePage(srcs[e.page%benchSources].ID, u, title, e.at, e.at, time.Time{})
				if err != nil {
					return err
				}
				cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: e.at, URL: u, Status: 200, Class: "ok"})
				if err != nil {
					return err
				}
				if _, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: e.at, Title: title,
					Text: text, TextHash: fmt.Sprint(e.page, ".", e.version), Extractor: "bench"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t)
		if i/perTx%25 == 0 {
			b.Logf("built %d of %d versions in %v", i+len(batch), len(events), time.Since(start).Round(time.Second))
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE pages SET removed = 1 WHERE id % 50 = 0`); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s in %v: %d versions (%.2f ms each with its index), %d passages, %d spans",
		path, time.Since(start).Round(time.Second), len(events), float64(spent.Microseconds())/1000/float64(len(events)),
		queryInt(b, db, `SELECT count(*) FROM search_texts`), queryInt(b, db, `SELECT count(*) FROM search_spans`))
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
}

// version is the title and text of a page's first or second version.
// Pages whose number ends in 0 or 5 are Chinese, those ending in 7 are
// Japanese, the rest English-like.
func (c *benchCorpus) version(page, version int) (string, string) {
	lang := c.latinParagraph
	switch page % 10 {
	case 0, 5:
		lang = c.chineseParagraph
	case 7:
		lang = c.japaneseParagraph
	}
	r := rand.New(rand.NewPCG(uint64(page), 1))
	paras := make([]string, benchParagraphs+benchEdits)
	for i := range paras {
		paras[i] = lang(r)
	}
	title := []rune(lang(r))
	title = title[:min(len(title), 60)]
	text := paras[:benchParagraphs]
	if version == 2 {
		text = slices.Clone(text)
		for i, at := range r.Perm(benchParagraphs)[:benchEdits] {
			text[at] = paras[benchParagraphs+i]
		}
		if r.IntN(5) == 0 {
			title = append(title, []rune(" (updated)")...)
		}
	}
	footer := fmt.Sprintf("Copyright source %d. All rights reserved. Contact the newsroom.", page%benchSources)
	return string(title), strings.Join(append(text, footer), "\n\n")
}

// planted is a word put into paragraphs with a known probability, so the
// benchmark's queries have known frequencies.
type planted struct {
	word string
	p    float64
}

// benchCorpus is what the generator draws from.
type benchCorpus struct {
	syllables                []string
	latin, chinese, japanese []planted
}

func newBenchCorpus() *benchCorpus {
	return &benchCorpus{
		syllables: strings.Fields(`ka lo mi ne ra to su ve pa di go re an el in or un st pr tr ch th sh
			ber con der ing ion ment ous ter ver wal bel cor dis ex fra gen hal lin mor nat pol sen tal ven`),
		latin: []planted{
			{"government", 0.10}, {"minister", 0.04}, {"prime minister", 0.01}, {"council", 0.05}, {"budget", 0.05},
			{"budget deficit", 0.005}, {"council of ministers", 0.003}, {"GDP", 0.01},
			{"zeppelin", 0.0001}, {"quasar", 0.00005}, {"marmalade", 0.0002}, {"xylophone", 0.00002},
		},
		chinese: []planted{
			{"北京", 0.05}, {"政府", 0.08}, {"人民币", 0.03}, {"人民币汇率", 0.01}, {"GDP", 0.02},
			{"麒麟", 0.0005}, {"量子计算机", 0.0002}, {"麒麟座", 0.0001},
		},
		japanese: []planted{{"東京都", 0.03}, {"東京", 0.03}, {"政府", 0.05}, {"新幹線", 0.001}},
	}
}

// latinParagraph is a paragraph of 20 to 60 words drawn from 40,000 words by
// a Zipf law, with planted words.
func (c *benchCorpus) latinParagraph(r *rand.Rand) string {
	z := rand.NewZipf(r, 1.1, 2, 39_999)
	n := 20 + r.IntN(41)
	words := make([]string, 0, n+4)
	for range n {
		words = append(words, c.word(int(z.Uint64())))
	}
	for _, p := range c.latin {
		if r.Float64() < p.p {
			at := r.IntN(len(words))
			words = slices.Insert(words, at, p.word)
		}
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	return strings.Join(words, " ") + "."
}

func (c *benchCorpus) word(i int) string {
	var b strings.Builder
	for {
		b.WriteString(c.syllables[i%len(c.syllables)])
		i /= len(c.syllables)
		if i == 0 {
			return b.String()
		}
	}
}

// benchHan is a pool of 3,000 Han characters.
func benchHan(i int) rune { return rune(0x4E00 + (i*7919)%20000) }

// chineseParagraph is a paragraph of 40 to 160 Han characters drawn by a Zipf
// law, with commas and full stops, and planted words.
func (c *benchCorpus) chineseParagraph(r *rand.Rand) string {
	return benchCJK(r, c.chinese, func(z *rand.Zipf) string { return string(benchHan(int(z.Uint64()))) })
}

// japaneseParagraph mixes Han characters and Hiragana.
func (c *benchCorpus) japaneseParagraph(r *rand.Rand) string {
	return benchCJK(r, c.japanese, func(z *rand.Zipf) string {
		if i := z.Uint64(); i%3 == 0 {
			return string(rune(0x3041 + i%83))
		}
		return string(benchHan(int(z.Uint64())))
	})
}

func benchCJK(r *rand.Rand, plant []planted, char func(*rand.Zipf) string) string {
	z := rand.NewZipf(r, 1.05, 2, 2_999)
	n := 40 + r.IntN(121)
	parts := make([]string, 0, n+8)
	for i := range n {
		parts = append(parts, char(z))
		if i%17 == 16 {
			parts = append(parts, "，")
		}
	}
	for _, p := range plant {
		if r.Float64() < p.p {
			parts = slices.Insert(parts, r.IntN(len(parts)), p.word)
		}
	}
	return strings.Join(parts, "") + "。"
}
