package daemon

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/diff"
	"github.com/stet/stet/extract"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// Check fetches u now, stores a version if it differs from the latest and
// reports what happened. A URL not yet tracked is tracked from now on.
func (d *Daemon) Check(ctx context.Context, u string) (Result, error) {
	nu, err := config.NormalizeURL(u)
	if err != nil {
		return Result{URL: u, Status: StatusError, Reason: err.Error()}, fmt.Errorf("check %s: %w", u, err)
	}
	p, err := d.store.PageByURL(ctx, nu)
	if errors.Is(err, storage.ErrNotFound) && nu != withoutFragment(u) {
		p, err = d.store.PageByURL(ctx, withoutFragment(u)) // tracked before URLs were normalised
	}
	u = nu
	if errors.Is(err, storage.ErrNotFound) {
		p, err = d.adoptPage(ctx, u)
	}
	if err != nil {
		return Result{URL: u, Status: StatusError, Reason: err.Error()}, err
	}
	return d.checkPage(ctx, p.ID)
}

// bodyHost is the host whose pages a body is compressed with (its
// dictionary): the host it came from, lower-cased, without a port.
func bodyHost(finalURL, pageURL string) string {
	u, err := url.Parse(cmp.Or(finalURL, pageURL))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// withoutFragment is how URLs were stored before they were normalised.
func withoutFragment(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	pu.Fragment = ""
	return pu.String()
}

// adoptPage tracks a hand-checked URL under the "adhoc" source.
func (d *Daemon) adoptPage(ctx context.Context, u string) (storage.Page, error) {
	now := time.Now()
	src, err := d.store.EnsureSource(ctx, storage.KindAdhoc, "check", "stet:check", "", now)
	if err != nil {
		return storage.Page{}, err
	}
	var p storage.Page
	err = d.store.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err = tx.EnsurePage(src.ID, u, "", now, time.Time{}, time.Time{})
		return err
	})
	return p, err
}

// pageCheck carries one check of one page from fetch to commit.
type pageCheck struct {
	d       *Daemon
	page    storage.Page // updated in place, then written
	src     storage.Source
	prev    *storage.Version
	resp    *crawler.Response
	capture storage.Capture
	body    []byte              // raw body to keep (only for new versions), nil if none
	encoded storage.EncodedBody // body, compressed before the transaction
	text    storage.EncodedText // version's text, compressed before the transaction
	version *storage.Version
	change  *storage.Change
	events  []notify.Event // failure/recovery events to queue with the capture
	// prevClass is the class of the page's previous capture.
	prevClass string
	res       Result
	now       time.Time
}

// checkPage checks one page and commits what it found before returning.
func (d *Daemon) checkPage(ctx context.Context, pageID int64) (Result, error) {
	return d.check(ctx, pageID, false)
}

// checkPageGrouped is checkPage for the scheduled checks: a check that
// changes nothing waits for a group commit (batch.go) and returns
// errGrouped; its result is reported when the group commits.
func (d *Daemon) checkPageGrouped(ctx context.Context, pageID int64) (Result, error) {
	return d.check(ctx, pageID, true)
}

func (d *Daemon) check(ctx context.Context, pageID int64, group bool) (Result, error) {
	p, err := d.store.Page(ctx, pageID)
	if err != nil {
		return Result{PageID: pageID, Status: StatusError, Reason: err.Error()}, err
	}
	resp, deferred, ferr := d.fetchOnce(ctx, storage.KindPage, crawler.Request{URL: p.URL, ETag: p.ETag,
		LastModified: p.LastModified, Robots: d.robotsFor(p.SourceID), NoWait: queued(ctx)})
	if ctx.Err() != nil {
		return Result{URL: p.URL, PageID: p.ID}, ctx.Err() // shutting down: the page stays due
	}
	if _, ok := errors.AsType[*crawler.NotReadyError](ferr); ok {
		return Result{URL: p.URL, PageID: p.ID}, ferr // not asked yet: the job is queued again (jobs.go)
	}
	if errors.Is(ferr, errClaimEnding) {
		// Not asked: due again at once, for whoever claims it (lease.go).
		return Result{URL: p.URL, PageID: p.ID}, d.store.UnclaimWork(ctx, d.owner, []int64{p.ID}, nil, time.Now())
	}
	if deferred {
		return d.deferPage(ctx, p, resp) // refused before contacting the host
	}
	now := time.Now()
	for attempt := 1; ; attempt++ {
		res, err := d.record(ctx, pageID, resp, ferr, now, group)
		if !errors.Is(err, errStale) || attempt == 3 {
			return res, err
		}
		// Another process (a `stet check` beside `stet run`) stored a
		// version meanwhile: judge this fetch again against it.
	}
}

// fetchOnce is the one fetch that pages and every kind of listing source
// go through. deferred reports a fetch the crawler refused before
// contacting the host, because the host asked to be left alone
// (Retry-After): that is not a failure of the page or source. kind is
// what is fetched (a page, or the kind of a listing source), for metrics.
// A fetch with r.NoWait that found its host not ready is not counted.
func (d *Daemon) fetchOnce(ctx context.Context, kind string, r crawler.Request) (*crawler.Response, bool, error) {
	resp, err := d.fetch.Fetch(ctx, r)
	if _, ok := errors.AsType[*crawler.NotReadyError](err); !ok {
		d.recordFetch(kind, resp, err)
	}
	return resp, errors.Is(err, crawler.ErrHostBackedOff) && resp.Status == 0, err
}

// errStale means the page got a new version between reading and writing.
var errStale = errors.New("page changed underneath")

// record judges one fetch against the page's stored state and commits it
// (or, with group, leaves a check that changes nothing to a group commit).
func (d *Daemon) record(ctx context.Context, pageID int64, resp *crawler.Response, ferr error, now time.Time, group bool) (Result, error) {
	p, err := d.store.Page(ctx, pageID)
	if err != nil {
		return Result{PageID: pageID, Status: StatusError, Reason: err.Error()}, err
	}
	src, err := d.store.Source(ctx, p.SourceID)
	if err != nil {
		return Result{URL: p.URL, PageID: p.ID, Status: StatusError, Reason: err.Error()}, err
	}
	c := &pageCheck{d: d, page: p, src: src, resp: resp, now: now,
		res: Result{URL: p.URL, PageID: p.ID, SourceID: p.SourceID, Response: resp, Class: resp.Class, Reason: resp.Reason, Err: ferr}}
	latest := d.store.LatestVersion
	if group && resp != nil && resp.Status == http.StatusNotModified && !p.Removed && p.FlappingSince.IsZero() {
		// A scheduled check answered 304 changes nothing but the page's
		// check state and needs the latest version's id and times, not its
		// text, which costs a decompression of the body it was made from.
		latest = d.store.LatestVersionHead
	}
	if v, err := latest(ctx, p.ID); err == nil {
		c.prev = &v
	} else if !errors.Is(err, storage.ErrNotFound) {
		return c.res, err
	}
	c.capture = captureOf(resp, ferr, now)
	c.capture.PageID = p.ID
	c.prevClass = p.LastClass
	if err := c.decide(ctx, ferr); err != nil {
		return c.res, err
	}
	if group && c.quiet(p) {
		d.group.add(ctx, c, p)
		return c.res, errGrouped
	}
	if c.body != nil {
		// Compressed here, so the transaction holds the write lock only
		// to insert it.
		if c.encoded, err = d.store.EncodeBody(ctx, bodyHost(c.resp.FinalURL, p.URL), c.body); err != nil {
			err = fmt.Errorf("store check of %s: %w", p.URL, err)
			return c.res.uncommitted(err), err
		}
		if c.version != nil {
			// The text, with the body it came from as dictionary.
			if c.text, err = d.store.EncodeText(c.version.Text, c.body, c.encoded.Hash); err != nil {
				err = fmt.Errorf("store check of %s: %w", p.URL, err)
				return c.res.uncommitted(err), err
			}
		}
	}
	if err := c.commit(ctx); err != nil {
		if errors.Is(err, errStale) {
			return c.res, err
		}
		err = fmt.Errorf("store check of %s: %w", p.URL, err)
		return c.res.uncommitted(err), err
	}
	c.log()
	return c.res, nil
}

// deferPage moves a page past its host's backoff without recording a
// capture: the host asked to be left alone, the page did not fail.
func (d *Daemon) deferPage(ctx context.Context, p storage.Page, resp *crawler.Response) (Result, error) {
	until := time.Now().Add(time.Minute)
	if hb, ok := d.fetch.(interface{ HostBackoff(string) time.Time }); ok {
		if t := hb.HostBackoff(hostOf(p.URL)); t.After(time.Now()) {
			until = t
		}
	}
	// The stored due time is the claim's lease, not a schedule: until
	// replaces it.
	p.BackoffUntil, p.NextCheckAt = until, until
	res := Result{URL: p.URL, PageID: p.ID, SourceID: p.SourceID, Status: StatusError, Class: resp.Class,
		Reason: resp.Reason, Response: resp}
	err := d.store.Tx(ctx, func(tx *storage.Tx) error { return tx.UpdatePageState(p) })
	d.log.Debug("page deferred", "url", p.URL, "until", until)
	return res, err
}

// decide works out, before any write, what this check means.
func (c *pageCheck) decide(ctx context.Context, ferr error) error {
	p := &c.page
	p.LastCheckedAt, p.LastClass, p.LastReason = c.now, string(c.resp.Class), c.resp.Reason
	switch {
	case ferr != nil || c.resp.Class == crawler.ClassBlocked || c.resp.Class == crawler.ClassError || c.resp.Class == crawler.ClassTooLarge:
		c.failed(reasonOf(c.resp, ferr))
	case c.resp.Class == crawler.ClassNotModified:
		c.succeeded()
		c.same()
	case c.resp.Class == crawler.ClassGone:
		c.succeeded()
		c.gone()
	default:
		if err := c.fetched(ctx); err != nil {
			return err
		}
	}
	if len(c.resp.Body) > 0 && (c.d.cfg.Storage.KeepBodies == "all" || c.changesState()) {
		c.body, c.capture.BodyHash = c.resp.Body, storage.HashBody(c.resp.Body)
	}
	c.page.NextCheckAt = c.d.nextCheck(c.page, c.src, c.now)
	if ra := c.resp.RetryAfter; ra > 0 {
		p.BackoffUntil = c.now.Add(ra)
		if !p.NextCheckAt.IsZero() && p.NextCheckAt.Before(p.BackoffUntil) {
			p.NextCheckAt = p.BackoffUntil
		}
	}
	return nil
}

// superseded reports whether the latest version came from a fetch that
// began after this one (processes sharing a database can finish out of
// order).
func (c *pageCheck) superseded(ctx context.Context) bool {
	// Stored times keep milliseconds: compare at that precision, and let
	// the stored version win a tie.
	began := c.capture.FetchedAt.Truncate(time.Millisecond)
	if c.prev.CreatedAt.Before(began) {
		return false // stored before this fetch began: this fetch is newer
	}
	cp, err := c.d.store.CaptureByID(ctx, c.prev.CaptureID)
	return err == nil && !cp.FetchedAt.Before(began)
}

// changesState reports whether this capture changes what is known of the
// page (a new version, gone, removed, restored, blocked): its body is then
// evidence and is kept, whatever keep_bodies says.
func (c *pageCheck) changesState() bool {
	cls := c.resp.Class
	return c.version != nil || c.change != nil ||
		cls == crawler.ClassGone && c.page.GoneCount == 1 || // the first answer that says gone
		cls == crawler.ClassBlocked && c.prevClass != string(crawler.ClassBlocked)
}

// fetched handles a 2xx body: extract, compare, maybe version.
func (c *pageCheck) fetched(ctx context.Context) error {
	p := &c.page
	hash := storage.HashBody(c.resp.Body)
	c.capture.BodyHash = hash
	p.ETag, p.LastModified = c.resp.ETag, c.resp.LastModified
	if hash == p.LastBodyHash && c.prev != nil && c.prev.Extractor == extract.Version {
		// Same bytes as last time: nothing to extract (the extractor is deterministic).
		c.succeeded()
		c.same()
		return nil
	}
	var art *extract.Article
	err := notDocument(c.resp.Body)
	if err == nil {
		art, err = c.d.extract(c.resp.Body, c.resp.FinalURL, c.resp.ContentType)
	}
	if err == nil && docOf(art).text == "" {
		err = errors.New("no article text extracted")
	}
	if err != nil {
		cls := crawler.ClassError
		if errors.Is(err, extract.ErrPDFTooLarge) {
			cls = crawler.ClassTooLarge
		}
		c.capture.Class, c.capture.Reason = string(cls), err.Error()
		c.page.LastClass, c.page.LastReason = c.capture.Class, c.capture.Reason
		c.res.Class = cls
		c.failed(err.Error())
		return nil
	}
	c.res.Article = art
	if art.Fallback {
		// The operator's [[site]] rule no longer matches: the layout changed.
		c.d.metrics.ExtractorFallback()
		c.d.log.Warn("site rule matched nothing; generic extractor used", "url", p.URL)
	}
	c.capture.Charset, c.capture.Extractor, c.capture.Fallback = art.Charset, extract.Version, art.Fallback
	p.LastBodyHash = hash
	c.succeeded()
	doc := docOf(art)
	c.res.Title, c.res.Text = doc.title, doc.text
	if doc.title != "" {
		p.Title = doc.title
	}
	if p.PublishedAt.IsZero() && !art.Published.IsZero() {
		p.PublishedAt = art.Published
	}
	switch {
	case c.prev == nil:
		c.newVersion(art, doc)
		c.res.Status = StatusNew
	case doc.same(docOfVersion(*c.prev)):
		c.same()
	case c.superseded(ctx):
		// Another process stored a version from a fetch that began after
		// this one: this older text must not be stored over it.
		c.res.Status, c.res.VersionID = StatusUnchanged, c.prev.ID
		p.LastBodyHash, p.ETag, p.LastModified = "", "", "" // not validators of the stored version
		c.d.log.Info("fetch superseded by a later one; not stored as a version", "url", p.URL, "version_id", c.prev.ID)
		return nil
	default:
		old := c.d.baseline(ctx, *c.prev)
		c.newVersion(art, doc)
		if old.same(doc) {
			// Only the extractor changed, not the page: re-baseline silently.
			c.res.Status = StatusUnchanged
			c.d.log.Info("version re-baselined after extractor change", "url", p.URL, "from", c.prev.Extractor)
			return nil
		}
		kind := storage.ChangeChanged
		if p.Removed {
			kind = storage.ChangeRestored
		}
		if err := c.addEdit(ctx, kind, old, doc); err != nil {
			return err
		}
	}
	p.Removed, p.GoneCount = false, 0
	return nil
}

// same handles a check that found the latest version unchanged.
func (c *pageCheck) same() {
	c.res.Status = StatusUnchanged
	if c.prev != nil {
		c.res.VersionID, c.res.Title, c.res.Text = c.prev.ID, c.prev.Title, c.prev.Text
	}
	if c.page.Removed && c.prev != nil {
		d := docOfVersion(*c.prev)
		c.addChange(storage.ChangeRestored, d, d, nil)
	} else if c.settled() {
		d := docOfVersion(*c.prev)
		c.addChange(storage.ChangeSettled, d, d, nil)
		c.change.NewVersionID = c.prev.ID
		c.change.Summary = fmt.Sprintf("settled on version %d after flapping", c.prev.ID)
		c.res.Summary = c.change.Summary
	}
	c.page.Removed, c.page.GoneCount = false, 0
}

// gone counts consecutive 404/410 answers and reports a removal after K.
func (c *pageCheck) gone() {
	p := &c.page
	p.GoneCount++
	c.res.Status = StatusGone
	if p.Removed || c.prev == nil || p.GoneCount < c.d.cfg.Fetch.GoneAfter {
		if p.Removed {
			c.res.Status = StatusRemoved
		}
		return
	}
	p.Removed = true
	c.addChange(storage.ChangeRemoved, docOfVersion(*c.prev), doc{}, nil)
}

func (c *pageCheck) newVersion(art *extract.Article, d doc) {
	// The raw body is kept for captures that made a version: the evidence
	// of what was published, and what a later extractor re-reads. Other
	// captures keep only its hash, or churn alone would fill the disk.
	c.body = c.resp.Body
	c.version = &storage.Version{PageID: c.page.ID, CreatedAt: c.now, Title: d.title, Byline: art.Byline,
		Published: art.Published, Modified: art.Modified, Lang: art.Lang, Canonical: art.Canonical,
		Text: d.text, TextHash: d.hash, Extractor: extract.Version}
}

func (c *pageCheck) addChange(kind string, old, new doc, back *revert) {
	title := new.title
	if title == "" {
		title = old.title
	}
	if title == "" {
		title = c.page.Title
	}
	ch := &storage.Change{PageID: c.page.ID, Kind: kind, DetectedAt: c.now, Title: title, URL: c.page.URL}
	if c.prev != nil {
		ch.OldVersionID = c.prev.ID
	}
	rp := makeReport(old, new, oldLabel(c.prev), newLabel(new, c.now), back)
	ch.Diff, ch.Summary, ch.Classes, ch.Blocks = rp.text, rp.summary, rp.classes, rp.blocksJSON()
	if back != nil {
		ch.RevertsTo = back.id
	}
	c.change = ch
	c.res.Status, c.res.Diff, c.res.Summary = kind, ch.Diff, ch.Summary
}

// doc is the part of a version that decides whether the page changed:
// title and text (whose hash identifies a text across versions) and the
// metadata a reader relies on, byline and dates.
type doc struct {
	title, text, hash   string
	byline              string
	published, modified time.Time
}

func docOf(a *extract.Article) doc {
	d := makeDoc(a.Title, a.Text)
	d.byline, d.published, d.modified = diff.Normalize(a.Byline), seconds(a.Published), seconds(a.Modified)
	return d
}

func docOfVersion(v storage.Version) doc {
	return doc{title: v.Title, text: v.Text, hash: v.TextHash, byline: diff.Normalize(v.Byline),
		published: seconds(v.Published), modified: seconds(v.Modified)}
}

// seconds drops what a stored time cannot keep, so a date read again
// compares equal.
func seconds(t time.Time) time.Time { return t.Truncate(time.Second).UTC() }

// same reports whether d and o are the same version of a page.
func (d doc) same(o doc) bool {
	return d.hash == o.hash && d.byline == o.byline && d.published.Equal(o.published) && d.modified.Equal(o.modified)
}

func makeDoc(title, text string) doc {
	d := doc{title: diff.Normalize(title), text: diff.Normalize(text)}
	// The extractor may keep the headline as the body's first paragraph;
	// the title is compared on its own, so a new headline is one change.
	if first, rest, _ := strings.Cut(d.text, "\n\n"); d.title != "" && first == d.title {
		d.text = rest
	}
	sum := sha256.Sum256([]byte(d.title + "\n\n" + d.text))
	d.hash = hex.EncodeToString(sum[:])
	return d
}

// baseline is the previous version as the current extractor reads it: when
// the extractor changed since v was stored, its raw body is extracted again
// so that an extractor upgrade is never reported as a publisher's edit.
func (d *Daemon) baseline(ctx context.Context, v storage.Version) doc {
	if v.Extractor == extract.Version {
		return docOfVersion(v)
	}
	art, err := d.reextract(ctx, v)
	if err != nil {
		// Without the old body the stored text is the best baseline there is.
		d.log.Warn("old version not re-extracted", "version_id", v.ID, "err", err)
		return docOfVersion(v)
	}
	return docOf(art)
}

func (d *Daemon) reextract(ctx context.Context, v storage.Version) (*extract.Article, error) {
	c, err := d.store.CaptureByID(ctx, v.CaptureID)
	if err != nil {
		return nil, err
	}
	raw, err := d.store.Body(ctx, c.BodyHash)
	if err != nil {
		return nil, err
	}
	return d.extract(raw, c.FinalURL, "text/html; charset="+c.Charset)
}

func (d *Daemon) extract(body []byte, finalURL, contentType string) (*extract.Article, error) {
	if isPDF(body) {
		// A PDF document (a white paper, a regulation) is tracked like an
		// article; its raw bytes are kept as any version's body is.
		art, err := extract.PDF(bytes.NewReader(body), extract.PDFOptions{MaxInputBytes: d.cfg.Fetch.MaxBody.Int64()})
		if err != nil {
			return nil, fmt.Errorf("extract PDF %s: %w", finalURL, err)
		}
		return art, nil
	}
	o := extract.Options{ContentType: contentType}
	if bu, err := url.Parse(finalURL); err == nil {
		o.BaseURL = bu
		if s := d.cfg.SiteRule(bu.Hostname()); s != nil {
			o.Rule = &extract.Rule{Body: s.Body, Title: s.Title, Remove: s.Remove}
		}
	}
	art, err := extract.HTML(bytes.NewReader(body), o)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", finalURL, err)
	}
	return art, nil
}

// notDocument refuses bodies that are not text (images, PDFs, archives,
// binary garbage) whatever their Content-Type claims: extracting them would
// store noise as a version.
func notDocument(body []byte) error {
	if isPDF(body) {
		return nil
	}
	ct := http.DetectContentType(body)
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "xml") || strings.Contains(ct, "json") {
		return nil
	}
	return fmt.Errorf("not a text document (content sniffed as %s)", ct)
}

// isPDF reports whether body is a PDF file (by its magic, wherever the
// server says otherwise).
func isPDF(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(body[:min(len(body), 1024)], "\x00\t\n\f\r "), []byte("%PDF-"))
}

func captureOf(resp *crawler.Response, ferr error, now time.Time) storage.Capture {
	c := storage.Capture{FetchedAt: now, URL: resp.URL, FinalURL: resp.FinalURL, Status: resp.Status,
		Class: string(resp.Class), Reason: reasonOf(resp, ferr), ETag: resp.ETag, LastModified: resp.LastModified,
		Bytes: int64(len(resp.Body)), DurationMS: resp.Duration.Milliseconds(),
		Header: resp.Header, RequestHeader: resp.RequestHeader,
		RemoteIP: resp.RemoteIP, TLSVersion: resp.TLSVersion, CertSHA256: resp.CertSHA256}
	if !resp.Started.IsZero() {
		c.FetchedAt = resp.Started
	}
	if len(resp.Redirects) > 0 {
		b, _ := json.Marshal(resp.Redirects)
		c.Redirects = string(b)
	}
	return c
}

func reasonOf(resp *crawler.Response, ferr error) string {
	if resp.Reason != "" {
		return resp.Reason
	}
	if ferr != nil {
		return ferr.Error()
	}
	return ""
}
