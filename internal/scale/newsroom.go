package scale

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// NewsroomOptions sizes a Newsroom.
type NewsroomOptions struct {
	Articles     int // articles in all, ids 0 to Articles-1
	Hosts        int // loopback hosts 127.0.0.2, 127.0.0.3, …; 0 means 1
	ItemsPerFeed int // 0 means 100
	Paragraphs   int // of each article's text; 0 means 14 to 18 (about 7 KB), else at least 3
	// OnRequest, if set, is told of every request as it arrives, before
	// it is answered; it must be safe for concurrent use.
	OnRequest func(Hit)
}

// Hit is one request that reached the newsroom.
type Hit struct {
	Host      int    // 0 for 127.0.0.2, 1 for 127.0.0.3, …
	Path      string // "/robots.txt", "/feed-3.xml", "/a/42.html"
	UserAgent string
	At        time.Time // when the handler began
}

// Newsroom is a synthetic publisher on loopback: Hosts servers, each with
// its share of feeds (ItemsPerFeed items each; feed f lists articles
// f*ItemsPerFeed onwards and lives on host f mod Hosts) and their articles
// of about 60 KB of HTML. Every response carries an ETag and a
// Last-Modified and answers a conditional GET that matches with 304.
// robots.txt allows everything. An article changes only by Edit.
//
// Requests are counted by kind; those whose User-Agent starts with "stet/"
// (the daemon) apart from the others (the trivial fetcher).
type Newsroom struct {
	opts  NewsroomOptions
	epoch time.Time // Last-Modified of everything not edited
	sites []*site
	bases []string // "http://127.0.0.2:port" by host
	srvs  []*http.Server
	wg    sync.WaitGroup

	mu    sync.Mutex
	edits map[int]Edit // by article id

	stet, other counters
	hostOK      []atomic.Int64 // the daemon's 200 article answers, by host
}

// Edit is one scripted edit of an article.
type Edit struct {
	ID      int
	Edition int       // 1 for the first edit
	At      time.Time // when the edited page began to be served
}

type counters struct {
	articleOK, articleNotModified, articleBytes atomic.Int64
	feedOK, feedNotModified, robots             atomic.Int64
}

// Counts is a snapshot of a Newsroom's request counters.
type Counts struct {
	ArticleOK          int64 // 200 answers to article requests
	ArticleNotModified int64 // 304 answers to article requests
	ArticleBytes       int64 // bytes of the 200 article bodies
	FeedOK             int64
	FeedNotModified    int64
	Robots             int64
}

func (c *counters) snapshot() Counts {
	return Counts{ArticleOK: c.articleOK.Load(), ArticleNotModified: c.articleNotModified.Load(),
		ArticleBytes: c.articleBytes.Load(), FeedOK: c.feedOK.Load(), FeedNotModified: c.feedNotModified.Load(),
		Robots: c.robots.Load()}
}

// ErrNoLoopback means a loopback address other than 127.0.0.1 cannot be
// bound (not Linux, or a sandbox).
var ErrNoLoopback = errors.New("scale: cannot bind a loopback address")

// NewNewsroom starts the newsroom's servers. Close stops them.
func NewNewsroom(o NewsroomOptions) (*Newsroom, error) {
	o.Hosts = max(o.Hosts, 1)
	if o.ItemsPerFeed <= 0 {
		o.ItemsPerFeed = 100
	}
	if o.Hosts > 250 {
		return nil, fmt.Errorf("scale: %d hosts: at most 250", o.Hosts)
	}
	n := &Newsroom{opts: o, epoch: time.Now().Add(-time.Hour).Truncate(time.Second), edits: map[int]Edit{},
		hostOK: make([]atomic.Int64, o.Hosts)}
	for i := range o.Hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+2))
		if err != nil {
			n.Close()
			return nil, fmt.Errorf("%w: 127.0.0.%d: %w", ErrNoLoopback, i+2, err)
		}
		n.sites = append(n.sites, newSite(i))
		n.bases = append(n.bases, "http://"+ln.Addr().String())
		srv := &http.Server{Handler: n.hostHandler(i), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
		n.srvs = append(n.srvs, srv)
		n.wg.Go(func() { _ = srv.Serve(ln) })
	}
	return n, nil
}

// Close stops every server.
func (n *Newsroom) Close() {
	for _, s := range n.srvs {
		_ = s.Close()
	}
	n.wg.Wait()
}

// Feeds is how many feeds the newsroom publishes.
func (n *Newsroom) Feeds() int {
	return (n.opts.Articles + n.opts.ItemsPerFeed - 1) / n.opts.ItemsPerFeed
}

// Hosts is how many hosts serve the newsroom.
func (n *Newsroom) Hosts() int { return len(n.bases) }

func (n *Newsroom) hostOfFeed(f int) int     { return f % len(n.bases) }
func (n *Newsroom) hostOfArticle(id int) int { return n.hostOfFeed(id / n.opts.ItemsPerFeed) }

// FeedURL is feed f's URL.
func (n *Newsroom) FeedURL(f int) string {
	return fmt.Sprintf("%s/feed-%d.xml", n.bases[n.hostOfFeed(f)], f)
}

// ArticleURL is article id's URL.
func (n *Newsroom) ArticleURL(id int) string {
	return fmt.Sprintf("%s/a/%d.html", n.bases[n.hostOfArticle(id)], id)
}

// Edit changes a figure in article id's text (and its ETag and
// Last-Modified) from now on.
func (n *Newsroom) Edit(id int) Edit {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.edits[id]
	e.ID, e.Edition, e.At = id, e.Edition+1, time.Now()
	n.edits[id] = e
	return e
}

// Stet counts the requests of stet (User-Agent "stet/…").
func (n *Newsroom) Stet() Counts { return n.stet.snapshot() }

// Other counts every other request (the trivial fetcher's).
func (n *Newsroom) Other() Counts { return n.other.snapshot() }

// HostArticles is how many articles each host has served the daemon.
func (n *Newsroom) HostArticles() []int64 {
	out := make([]int64, len(n.hostOK))
	for i := range n.hostOK {
		out[i] = n.hostOK[i].Load()
	}
	return out
}

func (n *Newsroom) edition(id int) (int, time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e, ok := n.edits[id]; ok {
		return e.Edition, e.At
	}
	return 0, n.epoch
}

func (n *Newsroom) hostHandler(host int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f := n.opts.OnRequest; f != nil {
			f(Hit{Host: host, Path: r.URL.Path, UserAgent: r.UserAgent(), At: time.Now()})
		}
		c := &n.other
		if strings.HasPrefix(r.UserAgent(), "stet/") {
			c = &n.stet
		}
		path := r.URL.Path
		switch {
		case path == "/robots.txt":
			c.robots.Add(1)
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case strings.HasPrefix(path, "/feed-") && strings.HasSuffix(path, ".xml"):
			f, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/feed-"), ".xml"))
			if err != nil || f < 0 || f >= n.Feeds() || n.hostOfFeed(f) != host {
				http.NotFound(w, r)
				return
			}
			n.serveFeed(w, r, c, f)
		case strings.HasPrefix(path, "/a/") && strings.HasSuffix(path, ".html"):
			id, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path, "/a/"), ".html"))
			if err != nil || id < 0 || id >= n.opts.Articles || n.hostOfArticle(id) != host {
				http.NotFound(w, r)
				return
			}
			n.serveArticle(w, r, c, host, id)
		default:
			http.NotFound(w, r)
		}
	}
}

// notModified answers a conditional GET that matches tag (or, without
// If-None-Match, a date no older than mod) with 304.
func notModified(w http.ResponseWriter, r *http.Request, tag string, mod time.Time) bool {
	w.Header().Set("ETag", tag)
	w.Header().Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	match := false
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		match = inm == tag
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil {
		match = !mod.Truncate(time.Second).After(ims)
	}
	if match {
		w.WriteHeader(http.StatusNotModified)
	}
	return match
}

func (n *Newsroom) serveArticle(w http.ResponseWriter, r *http.Request, c *counters, host, id int) {
	ed, mod := n.edition(id)
	if notModified(w, r, fmt.Sprintf(`"a%d-%d"`, id, ed), mod) {
		c.articleNotModified.Add(1)
		return
	}
	var b strings.Builder
	n.sites[host].render(&b, newStory(id, ed, n.epoch, n.opts.Paragraphs), r.Host)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	if _, err := io.WriteString(w, b.String()); err == nil {
		c.articleOK.Add(1)
		c.articleBytes.Add(int64(b.Len()))
		if c == &n.stet {
			n.hostOK[host].Add(1)
		}
	}
}

func (n *Newsroom) serveFeed(w http.ResponseWriter, r *http.Request, c *counters, f int) {
	if notModified(w, r, fmt.Sprintf(`"f%d"`, f), n.epoch) {
		c.feedNotModified.Add(1)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>%s, feed %d</title><link>%s/</link><description>Latest news</description>\n",
		n.sites[n.hostOfFeed(f)].name, f, n.bases[n.hostOfFeed(f)])
	first := f * n.opts.ItemsPerFeed
	for id := first; id < min(first+n.opts.ItemsPerFeed, n.opts.Articles); id++ {
		u := "http://" + r.Host + "/a/" + strconv.Itoa(id) + ".html"
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate></item>\n",
			titleOf(id), u, u, n.epoch.Add(-time.Duration(id)*time.Minute).Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>\n")
	w.Header().Set("Content-Type", "application/rss+xml")
	if _, err := io.WriteString(w, b.String()); err == nil {
		c.feedOK.Add(1)
	}
}
