package daemon_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stet/stet/daemon"
)

// A check whose transaction fails (a full disk, here a trigger) reports an
// error with the reason, never "new" or a version id, stores nothing, and
// leaves the page due.
func TestCheckReportsFailedCommit(t *testing.T) {
	sqliteOnly(t)
	s := newSite(t)
	c := newChecker(t, "")
	u := s.URL + "/a.html"
	s.set("/a.html", article("Story", paras...))
	raw, err := sql.Open("sqlite", "file:"+c.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER full_disk BEFORE INSERT ON versions
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	r, err := c.d.Check(t.Context(), u)
	if err == nil {
		t.Fatal("Check returned no error although its commit failed")
	}
	if r.Status != daemon.StatusError || !strings.Contains(r.Reason, "disk is full") {
		t.Errorf("status = %q, reason = %q; want error naming the cause", r.Status, r.Reason)
	}
	if r.VersionID != 0 || r.ChangeID != 0 {
		t.Errorf("result claims version %d, change %d that were never stored", r.VersionID, r.ChangeID)
	}
	var versions, captures int
	raw.QueryRow(`SELECT (SELECT count(*) FROM versions), (SELECT count(*) FROM captures)`).Scan(&versions, &captures)
	if versions != 0 || captures != 0 {
		t.Errorf("after a failed commit: %d versions, %d captures stored", versions, captures)
	}
	if _, err := raw.Exec(`DROP TRIGGER full_disk`); err != nil {
		t.Fatal(err)
	}
	if r := c.check(u); r.Status != daemon.StatusNew || r.VersionID == 0 {
		t.Errorf("after the disk has room again: status %q, version %d; want new", r.Status, r.VersionID)
	}
}
