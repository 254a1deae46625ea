package daemon_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stet/stet/daemon"
)

// A fetch that began before another process's fetch but finished after
// it must not store its older text over the newer version (seen with two
// daemons and stet check on one database: edition 2 stored after 3).
func TestOlderFetchDoesNotOverwriteNewer(t *testing.T) {
	var mu sync.Mutex
	edition, slow := 1, false
	arrived, release := make(chan struct{}), make(chan struct{})
	s := newSite(t)
	s.set("/a.html", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		e, hold := edition, slow
		slow = false
		mu.Unlock()
		if hold {
			e = 2
			close(arrived)
			<-release
		}
		article("Story", fmt.Sprintf("The agency counted %d incidents in edition %d of its quarterly report, it said on Monday.", 10+e, e),
			paras[1])(w, r)
	})
	c := newChecker(t, "")
	other, err := daemon.New(t.Context(), daemon.Options{Config: testConfig(t, c.st.Path(), ""),
		Store: openStore(t, c.st.Path()), Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	u := s.URL + "/a.html"
	if r := c.check(u); r.Status != daemon.StatusNew {
		t.Fatalf("first check: %s %s", r.Status, r.Reason)
	}
	mu.Lock()
	edition, slow = 3, true
	mu.Unlock()
	older := make(chan daemon.Result)
	go func() { r, _ := c.d.Check(t.Context(), u); older <- r }()
	<-arrived // the slow fetch has begun; the other process now fetches edition 3
	if r, err := other.Check(t.Context(), u); err != nil || r.Status != daemon.StatusChanged {
		t.Fatalf("newer fetch: %s %v", r.Status, err)
	}
	close(release)
	if r := <-older; r.Status != daemon.StatusUnchanged {
		t.Errorf("older fetch finishing last: status %q, want unchanged", r.Status)
	}
	vs, err := c.st.Versions(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var eds []string
	for _, v := range vs {
		_, rest, _ := strings.Cut(v.Text, "edition ")
		ed, _, _ := strings.Cut(rest, " ")
		eds = append(eds, ed)
	}
	if got := strings.Join(eds, ","); got != "1,3" && got != "3,1" {
		t.Errorf("stored editions %s, want 1 and 3 only", got)
	}
}
