package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFlagsAfterURL: flags after the URL are flags, not more URLs to
// check with the built-in defaults in a new ./stet.db.
func TestCheckFlagsAfterURL(t *testing.T) {
	srv := httptest.NewServer(&publisher{figure: "12"})
	defer srv.Close()
	cfg := writeConfig(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	u := srv.URL + "/report"

	code, out, stderr := run(t, "check", u, "-config", cfg, "-json")
	var r checkJSON
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.Status != "new" || r.URL != u {
		t.Fatalf("check URL -config F -json: code %d, %v, stdout %q, stderr %q", code, err, out, stderr)
	}
	code, out, stderr = run(t, "check", "-config", cfg, u)
	if code != 0 || !strings.HasPrefix(out, "unchanged") {
		t.Errorf("check -config F URL after it: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if left, _ := os.ReadDir(cwd); len(left) > 0 {
		t.Errorf("check created %s in the working folder", left[0].Name())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "stet.db")); err != nil {
		t.Errorf("the configured database: %v", err)
	}
}
