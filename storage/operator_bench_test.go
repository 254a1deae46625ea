package storage_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

var operatorPages = flag.Int("operator-pages", 100_000, "pages in BenchmarkOperator's synthetic store")

// BenchmarkOperator measures every operator command and page against a
// synthetic store of 100,000 pages over 100 sources, with about 190,000
// versions, 48,000 changes and 1,000,000 captures (operator_data_test.go):
// the commands as the built binary runs them (process start, opening and
// checking the database included), the pages through web.Handler. Each
// case reports its mean in ms; the goal is under 1 s for every one, and
// under about 200 ms for the pages.
//
//	go test ./storage -run '^$' -bench Operator -benchtime 1x
//
// The store is built once (a minute or two) into os.TempDir(), keyed by
// the schema version and the generator's version, and reused (remove
// stet-operator-bench-*.db to rebuild it). Only tests import web here;
// storage itself imports nothing of stet's.
func BenchmarkOperator(b *testing.B) {
	path := storage.OperatorStorePath(b, *operatorPages)
	bin := buildStet(b)
	st, err := storage.OpenReadOnly(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u := storage.OperatorURL(storage.OperatorURLPage)
	page, err := st.PageByURL(b.Context(), u)
	if err != nil {
		b.Fatal(err)
	}
	latest, err := st.ChangeHeads(b.Context(), storage.ChangeFilter{Limit: 1, Kind: storage.ChangeChanged}, 0)
	if err != nil || len(latest) == 0 {
		b.Fatalf("latest change: %v", err)
	}
	for _, args := range operatorCommands(u) {
		b.Run("stet "+strings.Join(args, " "), func(b *testing.B) {
			var spent time.Duration
			for b.Loop() {
				start := time.Now()
				cmd := exec.CommandContext(b.Context(), bin, append(args, "-db", path)...)
				var stderr strings.Builder
				cmd.Stdout, cmd.Stderr = io.Discard, &stderr
				if err := cmd.Run(); err != nil {
					b.Fatalf("stet %v: %v\n%s", args, err, stderr.String())
				}
				spent += time.Since(start)
			}
			reportMS(b, spent)
		})
	}
	h := web.Handler(st, web.Options{Logger: slog.New(slog.DiscardHandler)})
	for _, target := range operatorPagesList(page.ID, latest[0].ID, page.SourceID) {
		b.Run("GET "+target, func(b *testing.B) {
			var spent time.Duration
			for b.Loop() {
				start := time.Now()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequestWithContext(b.Context(), http.MethodGet, target, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
				}
				spent += time.Since(start)
			}
			reportMS(b, spent)
		})
	}
}

// operatorCommands are the read-only commands an operator runs, with
// their filters.
func operatorCommands(u string) [][]string {
	return [][]string{
		{"sources"},
		{"sources", "-pages"},
		{"sources", "-failing"},
		{"sources", "-pages", "-failing"},
		{"changes", "-limit", "50"},
		{"changes", "-kind", "removed"},
		{"changes", "-class", "number", "-limit", "50"},
		{"changes", "-class", "byline", "-limit", "50"},
		{"changes", "-since", "24h"},
		{"changes", "-url", u},
		{"history", u},
		{"search", "x"},
		{"search", "minister"},
		{"status"},
	}
}

// operatorPagesList are the pages and API lists an operator reads, with
// their filters.
func operatorPagesList(pageID, changeID, sourceID int64) []string {
	src := strconv.FormatInt(sourceID, 10)
	return []string{
		"/", "/?kind=removed", "/?class=number", "/?class=byline", "/?since=1d", "/?url=" + storage.OperatorURL(storage.OperatorURLPage),
		"/pages", "/pages?failing=1", "/pages?source=" + src, "/pages?after=50000",
		fmt.Sprintf("/pages/%d", pageID),
		"/sources", "/sources?failing=1",
		fmt.Sprintf("/changes/%d", changeID),
		"/api/changes", "/api/changes?kind=removed", "/api/changes?class=stealth", "/api/changes?class=byline",
		"/api/pages", "/api/pages?failing=1", "/api/pages?source=" + src,
		"/api/sources", "/api/sources?failing=1",
		fmt.Sprintf("/api/pages/%d/versions", pageID),
		"/search?q=minister",
	}
}

// reportMS reports the mean time of one run in milliseconds.
func reportMS(b *testing.B, spent time.Duration) {
	b.ReportMetric(float64(spent.Microseconds())/1000/float64(b.N), "ms")
}

// buildStet builds cmd/stet into a temporary folder.
func buildStet(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "stet")
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/stet/stet/cmd/stet")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("build stet: %v", err)
	}
	return bin
}
