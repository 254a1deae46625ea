package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/internal/pgtest"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

const hookSecret = "s3cret"

// baseConfig is a config for tests: everything on loopback, fast.
const baseConfig = `
[storage]
path = %q

[fetch]
allow_private = true
timeout = "5s"
per_host_interval = "1ms"
per_host_concurrency = 4
gone_after = 2
failing_after = 2

[recheck]
steps = [{ until = "8760h", every = "1s" }]
stop_after = "8760h"

[daemon]
workers = 4
tick = "100ms"
delivery_interval = "100ms"
retry_base = "50ms"
retry_max = "200ms"
`

func testConfig(tb testing.TB, dbPath, extra string) *config.Config {
	tb.Helper()
	cfg, err := config.Parse(strings.NewReader(fmt.Sprintf(baseConfig, dbPath)+extra), "test.toml")
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func openStore(tb testing.TB, path string) *storage.Store {
	tb.Helper()
	open := storage.Open
	if dsn := pgtest.DSN(); dsn != "" {
		dsn = pgtest.Schema(tb, dsn, path)
		open = func(ctx context.Context, _ string) (*storage.Store, error) { return storage.OpenPostgres(ctx, dsn) }
	}
	st, err := open(tb.Context(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// hookServer is a webhook receiver that verifies every signature.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	down   bool
	events map[string]notify.Event // by event id
	dupes  int
	bad    int
	got    chan struct{} // one token per accepted new event
}

func newHookServer(tb testing.TB) *hookServer {
	h := &hookServer{events: map[string]notify.Event{}, got: make(chan struct{}, 1024)}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	tb.Cleanup(h.Close)
	return h
}

func (h *hookServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if !notify.Verify([]byte(hookSecret), body, r.Header.Get("X-Stet-Signature")) {
		h.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev notify.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != r.Header.Get("X-Stet-Delivery") {
		h.bad++
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if _, seen := h.events[ev.ID]; seen {
		h.dupes++
		return
	}
	h.events[ev.ID] = ev
	h.got <- struct{}{}
}

func (h *hookServer) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

func (h *hookServer) snapshot() (events []notify.Event, dupes, bad int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.events {
		events = append(events, ev)
	}
	return events, h.dupes, h.bad
}

func (h *hookServer) webhookConfig() string {
	return fmt.Sprintf("\n[[webhook]]\nurl = %q\nsecret = %q\nallow_private = true\n", h.URL, hookSecret)
}

// running is a daemon started by startDaemon; results carries every check.
type running struct {
	d       *daemon.Daemon
	results chan daemon.Result
	stop    func()
}

func startDaemon(tb testing.TB, cfg *config.Config, st *storage.Store) *running {
	tb.Helper()
	r := &running{results: make(chan daemon.Result, 4096)}
	d, err := daemon.New(tb.Context(), daemon.Options{Config: cfg, Store: st, Logger: quietLog(),
		AfterCheck: func(res daemon.Result) {
			select {
			case r.results <- res:
			default: // a full channel only delays the waiter's next look
			}
		}})
	if err != nil {
		tb.Fatal(err)
	}
	r.d = d
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var once sync.Once
	r.stop = func() { once.Do(func() { cancel(); <-done }) }
	tb.Cleanup(r.stop)
	return r
}

// waitResult consumes check results until one satisfies match.
func waitResult(tb testing.TB, what string, results <-chan daemon.Result, match func(daemon.Result) bool) daemon.Result {
	tb.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case r := <-results:
			if match(r) {
				return r
			}
		case <-deadline:
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

// waitUntil re-evaluates cond after each signal on wake until it holds.
// The daemon signals after every check, so no sleeping is needed.
func waitUntil(tb testing.TB, what string, wake <-chan daemon.Result, cond func() bool) {
	tb.Helper()
	deadline := time.After(60 * time.Second)
	for !cond() {
		select {
		case <-wake:
		case <-deadline:
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}

// quietLog keeps the daemon's log out of test output; failures say enough.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func dbPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "stet.db") }

func hour(n int) config.Duration    { return config.Duration(time.Duration(n) * time.Hour) }
func minutes(n int) config.Duration { return config.Duration(time.Duration(n) * time.Minute) }
func seconds(n int) config.Duration { return config.Duration(time.Duration(n) * time.Second) }

// sqliteOnly skips a test that reaches into the SQLite file itself when
// the suite runs against PostgreSQL (STET_TEST_POSTGRES).
func sqliteOnly(tb testing.TB) {
	tb.Helper()
	if pgtest.DSN() != "" {
		tb.Skip("reaches into the SQLite file; STET_TEST_POSTGRES is set")
	}
}
