package storage_test

import (
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// A quiet check moves the page's check state and frees its claim, and
// leaves its health as stored.
func TestUpdatePageChecked(t *testing.T) {
	f := newSearchFixture(t)
	ctx := t.Context()
	f.version("http://news.test/a", "A", "Text.")
	p, err := f.s.PageByURL(ctx, "http://news.test/a")
	if err != nil {
		t.Fatal(err)
	}
	p.Failing, p.ConsecutiveFailures = true, 2
	if err := f.s.Tx(ctx, func(tx *storage.Tx) error { return tx.UpdatePageState(p) }); err != nil {
		t.Fatal(err)
	}
	q := p
	q.Failing, q.ConsecutiveFailures = false, 0 // not written
	q.NextCheckAt, q.LastCheckedAt = t0.Add(48*time.Hour), t0.Add(24*time.Hour)
	q.ETag, q.LastClass = `"v2"`, "not_modified"
	if err := f.s.Tx(ctx, func(tx *storage.Tx) error { return tx.UpdatePageChecked(q) }); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.PageByURL(ctx, "http://news.test/a")
	if err != nil {
		t.Fatal(err)
	}
	if !got.NextCheckAt.Equal(q.NextCheckAt) || !got.LastCheckedAt.Equal(q.LastCheckedAt) || got.ETag != `"v2"` ||
		got.LastClass != "not_modified" {
		t.Errorf("check state = %v %v %q %q, want the new one", got.NextCheckAt, got.LastCheckedAt, got.ETag, got.LastClass)
	}
	if !got.Failing || got.ConsecutiveFailures != 2 {
		t.Errorf("health = failing %v, %d failures; want it as stored", got.Failing, got.ConsecutiveFailures)
	}
}
