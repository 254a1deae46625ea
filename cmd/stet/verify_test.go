package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// checkedThrice makes a database with three captures of one page, each of
// a different text, so each kept its body and made a version. It returns
// the config, the database path and the page URL.
func checkedThrice(t *testing.T) (cfg, db, u string) {
	t.Helper()
	pub := &publisher{figure: "12"}
	srv := httptest.NewServer(pub)
	t.Cleanup(srv.Close)
	cfg = writeConfig(t)
	u = srv.URL + "/report"
	for _, figure := range []string{"12", "13", "14"} {
		pub.set(figure, 0)
		if code, out, stderr := run(t, "check", "-config", cfg, u); code != 0 {
			t.Fatalf("check: code %d, stdout %q, stderr %q", code, out, stderr)
		}
	}
	return cfg, filepath.Join(filepath.Dir(cfg), "stet.db"), u
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db string)
		want   string // regexp of the one line: stdout on success, stderr on failure
	}{
		{"intact", func(*testing.T, string) {},
			`^ok: 3 captures, 3 bodies; last link [0-9a-f]{64} \(capture 3\)$`},
		{"one byte of a compressed stream changed", func(t *testing.T, db string) {
			editBody(t, db, 2, func(data []byte) []byte { data[len(data)/2] ^= 0x01; return data })
		}, `^stet verify: capture 2 \(URL, fetched 20\d\d-[^)]+\): body hash mismatch \(body [0-9a-f]{64} does not decompress`},
		{"body re-compressed with other text", func(t *testing.T, db string) {
			editBody(t, db, 2, func(data []byte) []byte {
				// Bodies are stored as zstd frames (a page's first bodies
				// have no dictionary yet).
				dec, err := zstd.NewReader(nil)
				if err != nil {
					t.Fatal(err)
				}
				defer dec.Close()
				raw, err := dec.DecodeAll(data, nil)
				if err != nil {
					t.Fatal(err)
				}
				enc, err := zstd.NewWriter(nil)
				if err != nil {
					t.Fatal(err)
				}
				defer enc.Close()
				return enc.EncodeAll(bytes.Replace(raw, []byte("13 incidents"), []byte("31 incidents"), 1), nil)
			})
		}, `^stet verify: capture 2 \(URL, fetched [^)]+\): body hash mismatch \(body [0-9a-f]{64} hashes to [0-9a-f]{64}\)$`},
		{"middle capture deleted", func(t *testing.T, db string) {
			// The bare driver leaves foreign keys off, as a hand-edit with sqlite3 would.
			if _, err := sqlDB(t, db).ExecContext(t.Context(), `DELETE FROM captures WHERE id = 2`); err != nil {
				t.Fatal(err)
			}
		}, `^stet verify: capture 3 \(URL, fetched [^)]+\): link mismatch \(no capture between 1 and 3: deleted\?\)$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, db, u := checkedThrice(t)
			tt.tamper(t, db)
			code, out, stderr := run(t, "verify", "-config", cfg)
			line, wantCode := out, 0
			if !strings.HasPrefix(tt.want, "^ok") {
				line, wantCode = stderr, 1
			}
			want := regexp.MustCompile(strings.ReplaceAll(tt.want, "URL", regexp.QuoteMeta(u)))
			if code != wantCode || strings.Count(line, "\n") != 1 || !want.MatchString(strings.TrimSuffix(line, "\n")) {
				t.Errorf("verify: code %d, stdout %q, stderr %q; want %d and one line matching %s", code, out, stderr, wantCode, want)
			}
		})
	}
}

// editBody rewrites the stored body of a capture with plain SQL.
func editBody(t *testing.T, db string, capture int, edit func([]byte) []byte) {
	t.Helper()
	sdb := sqlDB(t, db)
	var hash string
	var data []byte
	err := sdb.QueryRowContext(t.Context(), `SELECT b.hash, b.data FROM bodies b JOIN captures c ON c.body_hash = b.hash
		WHERE c.id = ?`, capture).Scan(&hash, &data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.ExecContext(t.Context(), `UPDATE bodies SET data = ? WHERE hash = ?`, edit(data), hash); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyMissingDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := run(t, "verify", "-db", "missing.db")
	if want := fmt.Sprintf("database %s does not exist", "missing.db"); code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}
