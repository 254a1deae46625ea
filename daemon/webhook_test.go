package daemon_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/notify"
)

// secretsReceiver records, per path, which secret verified each event.
type secretsReceiver struct {
	mu     sync.Mutex
	hits   int
	signed map[string][]string // path -> secret that verified each event
}

func (s *secretsReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	for _, secret := range []string{"first-secret", "second-secret"} {
		if notify.Verify([]byte(secret), body, r.Header.Get("X-Stet-Signature")) {
			s.signed[r.URL.Path] = append(s.signed[r.URL.Path], secret)
			return
		}
	}
	http.Error(w, "bad signature", http.StatusUnauthorized)
}

// syncBuffer is a log sink safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Webhooks: two entries with one URL and different secrets are two
// subscribers, each signed with its own secret; an entry without
// allow_private never reaches a loopback receiver; credentials in a
// webhook URL reach neither the log nor the database.
func TestWebhookSubscribers(t *testing.T) {
	sqliteOnly(t) // reads the outbox from the file
	s := newSite(t)
	s.set("/a.html", article("Story", paras...))
	recv := &secretsReceiver{signed: map[string][]string{}}
	hook := httptest.NewServer(recv)
	defer hook.Close()
	withCreds := strings.Replace(hook.URL, "http://", "http://desk:pa55word@", 1) + "/private/T0KEN"
	extra := fmt.Sprintf(`
[[webhook]]
url = %[1]q
secret = "first-secret"
allow_private = true
[[webhook]]
url = %[1]q
secret = "second-secret"
allow_private = true
[[webhook]]
name = "guarded"
url = %[2]q
secret = "first-secret"
[[webhook]]
name = "with-credentials"
url = %[3]q
secret = "second-secret"
allow_private = true
`, hook.URL+"/shared", hook.URL+"/guarded", withCreds)
	path := dbPath(t)
	cfg := testConfig(t, path, extra)
	cfg.Daemon.MaxAttempts = 1 // a refused delivery is given up at once
	st := openStore(t, path)
	var logs syncBuffer
	d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := d.Check(t.Context(), s.URL+"/a.html"); err != nil || r.Status != daemon.StatusNew {
		t.Fatalf("check: %s %v", r.Status, err)
	}
	s.set("/a.html", article("Story, edited", paras...))
	if r, err := d.Check(t.Context(), s.URL+"/a.html"); err != nil || r.Status != daemon.StatusChanged {
		t.Fatalf("check: %s %v", r.Status, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := d.DeliverDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		pending, err := st.DueDeliveries(t.Context(), time.Now().Add(time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries still pending: %+v", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	shared := recv.signed["/shared"]
	if got := strings.Join(shared, ","); strings.Count(got, "first-secret") != 1 || strings.Count(got, "second-secret") != 1 {
		t.Errorf("the shared URL's event was signed with %v, want once with each entry's secret", shared)
	}
	if got := recv.signed["/guarded"]; len(got) != 0 {
		t.Errorf("an entry without allow_private reached a loopback receiver %d times", len(got))
	}
	if got := recv.signed["/private/T0KEN"]; len(got) != 1 {
		t.Errorf("the entry with credentials delivered %d times, want 1", len(got))
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var dump strings.Builder
	rows, err := raw.Query(`SELECT subscriber || ' ' || last_error FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l string
		rows.Scan(&l)
		dump.WriteString(l + "\n")
	}
	rows.Close()
	for _, where := range []struct{ name, text string }{{"log", logs.String()}, {"deliveries", dump.String()}} {
		for _, secret := range []string{"pa55word", "T0KEN", "first-secret", "second-secret"} {
			if strings.Contains(where.text, secret) {
				t.Errorf("%s contains %q:\n%s", where.name, secret, where.text)
			}
		}
	}
	if !strings.Contains(dump.String(), "guarded") || !strings.Contains(dump.String(), "non-public") && !strings.Contains(dump.String(), "private") {
		t.Errorf("the guarded entry's refusal is not recorded with its reason:\n%s", dump.String())
	}
}
