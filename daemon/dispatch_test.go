package daemon_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

// A host with many due pages does not hold every worker in its politeness
// wait while other hosts have work: pages of four hosts on loopback
// addresses, 20 due first on one host, are fetched with the other hosts'
// pages interleaved, not after the busy host's.
func TestBusyHostDoesNotStarveOthers(t *testing.T) {
	var mu sync.Mutex
	var order []string
	hosts := loopbackHosts(t, 4, func(i int) http.HandlerFunc {
		name := string(rune('a' + i))
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			article("Story "+r.URL.Path, paras...)(w, r)
		}
	})
	path := dbPath(t)
	cfg := testConfig(t, path, "")
	cfg.Fetch.PerHostInterval = config.Duration(300 * time.Millisecond)
	cfg.Fetch.PerHostConcurrency = 1
	cfg.Daemon.Workers = 4
	st := openStore(t, path)
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindAdhoc, "check", "stet:check", "", now)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		add := func(base string, n int, due time.Time) error {
			for i := range n {
				if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("%s/p%d.html", base, i), "", now, time.Time{}, due); err != nil {
					return err
				}
			}
			return nil
		}
		if err := add(hosts[0], 20, now.Add(-time.Hour)); err != nil { // due first
			return err
		}
		for _, h := range hosts[1:] {
			if err := add(h, 3, now.Add(-time.Minute)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := startDaemon(t, cfg, st)
	waitUntil(t, "the other hosts' pages fetched", r.results, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(strings.Join(order, ""), "a") < len(order)-8
	})
	r.stop()
	mu.Lock()
	defer mu.Unlock()
	seq := strings.Join(order, "")
	// The 9 pages of b, c and d need at most 3 turns each; a gets one
	// request per 300ms meanwhile.
	if i := strings.LastIndexAny(seq, "bcd"); strings.Count(seq[:i], "a") > 6 {
		t.Errorf("fetch order %s: the other hosts waited behind the busy one", seq)
	}
}

// loopbackHosts starts n publishers, each on its own loopback address
// (127.0.0.2, .3, ...) so that each is a host of its own to the crawler,
// serving serve(i) and a robots.txt that does not exist; it returns their
// base URLs, or skips when the addresses cannot be bound.
func loopbackHosts(tb testing.TB, n int, serve func(i int) http.HandlerFunc) []string {
	tb.Helper()
	var hosts []string
	for i := range n {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+2))
		if err != nil {
			tb.Skipf("no loopback address 127.0.0.%d: %v", i+2, err)
		}
		h := serve(i)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			h(w, r)
		}))
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		tb.Cleanup(srv.Close)
		hosts = append(hosts, srv.URL)
	}
	return hosts
}
