package daemon_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// TestCheckPage checks a tracked page by id, as the web UI's "check now"
// does, and stores what `stet check` would.
func TestCheckPage(t *testing.T) {
	s := newSite(t)
	s.set("/a", article("Report", paras...))
	c := newChecker(t, "")
	first := c.check(s.URL + "/a")
	if first.Status != daemon.StatusNew {
		t.Fatalf("stet check: %s %s", first.Status, first.Reason)
	}
	s.set("/a", article("Report", paras[0], "Officials said the measures would take effect in April."))
	r, err := c.d.CheckPage(t.Context(), first.PageID)
	if err != nil || r.Status != daemon.StatusChanged || r.VersionID == first.VersionID || r.ChangeID == 0 {
		t.Fatalf("CheckPage = %s version %d change %d, %v; want changed with a new version", r.Status, r.VersionID, r.ChangeID, err)
	}
	vs, err := c.st.Versions(t.Context(), first.PageID)
	if err != nil || len(vs) != 2 {
		t.Errorf("versions stored: %d, %v; want 2", len(vs), err)
	}
	if _, err := c.d.CheckPage(t.Context(), first.PageID+1000); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("CheckPage of a missing page: %v, want storage.ErrNotFound", err)
	}
}

// TestCheckPageRunning: a second "check now" of a page being checked does
// not fetch it again.
func TestCheckPageRunning(t *testing.T) {
	s := newSite(t)
	s.set("/a", article("Report", paras...))
	c := newChecker(t, "")
	first := c.check(s.URL + "/a")
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.set("/a", func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(entered) })
		<-release
		article("Report", paras...)(w, r)
	})
	done := make(chan error, 1)
	go func() {
		_, err := c.d.CheckPage(t.Context(), first.PageID)
		done <- err
	}()
	<-entered
	if _, err := c.d.CheckPage(t.Context(), first.PageID); !errors.Is(err, daemon.ErrCheckRunning) {
		t.Errorf("second CheckPage while the first runs: %v, want ErrCheckRunning", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first CheckPage: %v", err)
	}
	if r, err := c.d.CheckPage(t.Context(), first.PageID); err != nil || r.Status != daemon.StatusUnchanged {
		t.Errorf("CheckPage after the first finished: %s, %v; want unchanged", r.Status, err)
	}
}
