package storage_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stet/stet/internal/pgtest"
	"github.com/stet/stet/storage"
)

func TestRedactDSN(t *testing.T) {
	for _, tt := range []struct{ dsn, want string }{
		{"postgres://stet:s3cret@db.example:5432/stet?sslmode=verify-full", "postgres://stet:xxxxx@db.example:5432/stet?sslmode=verify-full"},
		{"postgresql://stet@db.example/stet?password=s3cret", "postgresql://stet@db.example/stet?password=xxxxx"},
		{"host=db.example user=stet password=s3cret dbname=stet", "host=db.example user=stet password=xxxxx dbname=stet"},
		{"postgres://stet@db.example/stet", "postgres://stet@db.example/stet"},
	} {
		got := storage.RedactDSN(tt.dsn)
		if got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("RedactDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}

func TestOpenPostgresErrorHidesPassword(t *testing.T) {
	_, err := storage.OpenPostgres(t.Context(), "postgres://stet:s3cret@127.0.0.1:1/stet?sslmode=disable&connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("OpenPostgres of an unreachable server: %v; want an error naming the server, without the password", err)
	}
	_, err = storage.OpenPostgres(t.Context(), "postgres://stet:s3cret@127.0.0.1/stet?connect_timeout=bad")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("OpenPostgres of a bad DSN: %v; want an error without the password", err)
	}
}

// A stet database in another schema of the search_path is not this one's:
// OpenPostgres creates its own tables in the connection's first schema.
func TestOpenPostgresUsesItsOwnSchema(t *testing.T) {
	dsn := pgtest.DSN()
	if dsn == "" {
		t.Skip("STET_TEST_POSTGRES is not set")
	}
	dsnA := pgtest.Schema(t, dsn, "a")
	a, err := storage.OpenPostgres(t.Context(), dsnA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0); err != nil {
		t.Fatal(err)
	}
	ua, err := url.Parse(dsnA)
	if err != nil {
		t.Fatal(err)
	}
	schemaA, _, _ := strings.Cut(ua.Query().Get("search_path"), ",")
	ub, err := url.Parse(pgtest.Schema(t, dsn, "b"))
	if err != nil {
		t.Fatal(err)
	}
	q := ub.Query()
	schemaB, _, _ := strings.Cut(q.Get("search_path"), ",")
	q.Set("search_path", schemaB+","+schemaA+",public")
	ub.RawQuery = q.Encode()
	b, err := storage.OpenPostgres(t.Context(), ub.String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if srcs, err := b.Sources(t.Context()); err != nil || len(srcs) != 0 {
		t.Errorf("a new database behind another in the search_path sees %d sources, %v; want its own, empty", len(srcs), err)
	}
}
