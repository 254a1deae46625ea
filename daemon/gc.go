package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/stet/stet/storage"
)

// Retention: with [storage] keep_captures set, the daemon prunes the
// captures that changed nothing once they are older than it (storage.GC),
// gcDelay after it starts and every gcInterval after that. Each batch is
// one short transaction and gcPause separates two batches, so the checks'
// commits wait at most one batch.
const (
	gcDelay    = 5 * time.Minute
	gcInterval = time.Hour
	gcPause    = 50 * time.Millisecond
)

// gcLoop runs gc on its schedule until ctx ends; it returns at once when
// captures are kept forever.
func (d *Daemon) gcLoop(ctx context.Context) {
	if d.cfg.Storage.KeepCaptures.Forever() {
		return
	}
	t := time.NewTimer(gcDelay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.gc(ctx)
		t.Reset(gcInterval)
	}
}

// gc prunes once and logs what it did. A failure is logged and the next
// run tries again; one that finds the chain broken says so as an error,
// since gc will not prune past it until `stet verify` is looked at.
func (d *Daemon) gc(ctx context.Context) {
	began := time.Now()
	keep := d.cfg.Storage.KeepCaptures
	res, err := d.store.GC(ctx, storage.GCOptions{Before: keep.Cutoff(began),
		PruneBodies: d.cfg.Storage.KeepBodies == "all", Pause: gcPause})
	log := d.log.With("keep_captures", keep.String(), "examined", res.Examined, "pruned", res.Pruned,
		"summaries", res.Summaries, "bodies", res.Bodies, "bytes", res.Bytes, "batches", res.Batches,
		"duration_ms", time.Since(began).Milliseconds())
	var chainErr *storage.ChainError
	switch {
	case ctx.Err() != nil:
		return
	case errors.As(err, &chainErr):
		log.Error("gc stopped: the hash chain does not verify; run stet verify", "err", err)
		return
	case err != nil:
		log.Warn("gc failed", "err", err)
		return
	case res.Pruned > 0:
		log.Info("captures pruned")
	default:
		log.Debug("nothing to prune")
	}
	if pages, err := d.store.IncrementalVacuum(ctx); err != nil {
		d.log.Warn("incremental vacuum failed", "err", err)
	} else if pages > 0 {
		d.log.Info("free pages returned to the file system", "pages", pages)
	}
}
