package storage_test

import (
	"strings"
	"testing"

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
