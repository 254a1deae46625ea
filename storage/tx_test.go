package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// Transactions run by many goroutines at once all commit, each whole.
func TestTxConcurrent(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, err := s.EnsureSource(ctx, storage.KindAdhoc, "check", "stet:check", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := s.Tx(ctx, func(tx *storage.Tx) error {
					for k := range 2 { // two rows per transaction: both or neither
						u := fmt.Sprintf("http://news.test/w%d/%d/%d", w, i, k)
						if _, _, err := tx.EnsurePage(src.ID, u, "", t0, t0, t0); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	pages, err := s.Pages(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pages), workers*each*2; got != want {
		t.Errorf("%d pages, want %d", got, want)
	}
}

// A Tx waiting for another to end gives up when its context does.
func TestTxWaitEndsWithContext(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	held := make(chan struct{})
	done := make(chan struct{})
	go s.Tx(t.Context(), func(*storage.Tx) error {
		close(held)
		<-done
		return nil
	})
	defer close(done)
	<-held
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Tx(ctx, func(*storage.Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Tx while another writes, context ending: %v, want %v", err, context.DeadlineExceeded)
	}
}
