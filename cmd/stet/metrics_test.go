package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunServesMetrics: `stet run` with [web] listen serves /metrics, and
// its daemon's series move as it checks a page.
func TestRunServesMetrics(t *testing.T) {
	pub := httptest.NewServer(&publisher{figure: "12"})
	defer pub.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // stet binds it again; nothing else on loopback takes it in between
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.toml")
	doc := fmt.Sprintf("[storage]\npath = \"stet.db\"\n[fetch]\nallow_private = true\n[web]\nlisten = %q\n[[page]]\nurl = %q\nschedule = \"@every 1h\"\n",
		addr, pub.URL+"/report")
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- runDaemon(ctx, &env{stdout: io.Discard, stderr: io.Discard}, []string{"-config", cfg}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stet run: %v", err)
		}
	}()
	want := []string{
		`stet_fetches_total{class="ok",kind="page",outcome="answered"} 1`,
		`stet_fetch_duration_seconds_count{kind="page"} 1`,
		"\nstet_versions_total 1\n",
		"\nstet_checks_due 0\n",
	}
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue // not listening yet
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); resp.StatusCode == http.StatusOK && containsAll(body, want) {
			return
		}
	}
	t.Errorf("/metrics never showed the page's check; last scrape:\n%s", body)
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
