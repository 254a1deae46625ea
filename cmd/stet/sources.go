package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet/stet/storage"
)

type sourceJSON struct {
	ID                  int64     `json:"id"`
	Kind                string    `json:"kind"`
	Name                string    `json:"name"`
	URL                 string    `json:"url"`
	Schedule            string    `json:"schedule,omitempty"`
	LastCheckedAt       time.Time `json:"last_checked_at,omitzero"`
	LastStatus          string    `json:"last_status"`
	LastReason          string    `json:"last_reason,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	Failing             bool      `json:"failing"`
	NextDueAt           time.Time `json:"next_due_at,omitzero"`
	BackoffUntil        time.Time `json:"backoff_until,omitzero"`
	Pages               int       `json:"pages"`
	PagesRemoved        int       `json:"pages_removed"`
	PagesFailing        int       `json:"pages_failing"`
}

func runSources(ctx context.Context, e *env, args []string) error {
	fs := newFlags("sources", e)
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per source")
	showPages := fs.Bool("pages", false, "also list every page")
	failing := fs.Bool("failing", false, "only failing sources and sources with failing pages (with -pages: only failing pages)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	srcs, err := st.SourceHeads(ctx, storage.SourceFilter{Failing: *failing})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, s := range srcs {
		var only *storage.Page
		if s.Kind == storage.KindPage && s.Pages == 1 {
			ps, err := st.PageHeads(ctx, storage.PageFilter{SourceID: s.ID, Limit: 1})
			if err != nil {
				return err
			}
			if len(ps) == 1 {
				only = &ps[0].Page
			}
		}
		j := summarizeSource(s, only)
		if *asJSON {
			if err := enc.Encode(j); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(e.stdout, "%-7s %-20s %s\n", j.Kind, j.Name, j.URL)
		fmt.Fprintf(e.stdout, "      last %s: %s %s | failures %d%s | next %s%s | pages %d (removed %d, failing %d)\n",
			fmtWhen(j.LastCheckedAt), orDash(j.LastStatus), j.LastReason, j.ConsecutiveFailures, failingNote(j.Failing),
			fmtWhen(j.NextDueAt), backoffNote(j.BackoffUntil), j.Pages, j.PagesRemoved, j.PagesFailing)
		if *showPages {
			if err := printPages(ctx, e, st, storage.PageFilter{SourceID: s.ID, Failing: *failing}); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageBatch is how many pages `stet sources -pages` reads at once.
const pageBatch = 500

// printPages lists the pages f selects, a batch at a time, so a source
// with a hundred thousand pages costs what a batch does.
func printPages(ctx context.Context, e *env, st *storage.Store, f storage.PageFilter) error {
	f.Limit = pageBatch
	for {
		ps, err := st.PageHeads(ctx, f)
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Fprintf(e.stdout, "      - %s [%s%s] failures %d, next %s%s\n", p.URL, orDash(p.LastClass),
				removedNote(p.Page), p.ConsecutiveFailures, fmtWhen(p.NextCheckAt), backoffNote(p.BackoffUntil))
		}
		if len(ps) < f.Limit {
			return nil
		}
		f.After = ps[len(ps)-1].ID
	}
}

// summarizeSource is a source's line; only is the one page of a [[page]]
// source, whose state is the source's.
func summarizeSource(s storage.SourceHead, only *storage.Page) sourceJSON {
	j := sourceJSON{ID: s.ID, Kind: s.Kind, Name: s.Name, URL: s.URL, Schedule: s.Schedule,
		LastCheckedAt: s.LastCheckedAt, LastStatus: s.LastClass, LastReason: s.LastReason,
		ConsecutiveFailures: s.ConsecutiveFailures, Failing: s.Failing, BackoffUntil: s.BackoffUntil, Pages: s.Pages,
		PagesRemoved: s.PagesRemoved, PagesFailing: s.PagesFailing}
	if sched, err := cron.ParseStandard(s.Schedule); err == nil && s.Schedule != "" {
		j.NextDueAt = sched.Next(time.Now())
	}
	if p := only; p != nil {
		// A [[page]] source's state is its one page's state.
		j.LastCheckedAt, j.LastStatus, j.LastReason = p.LastCheckedAt, p.LastClass, p.LastReason
		j.ConsecutiveFailures, j.Failing, j.BackoffUntil = p.ConsecutiveFailures, p.Failing, p.BackoffUntil
	}
	return j
}

func failingNote(f bool) string {
	if f {
		return " (FAILING)"
	}
	return ""
}

func backoffNote(t time.Time) string {
	if t.IsZero() || t.Before(time.Now()) {
		return ""
	}
	return " (backed off until " + fmtWhen(t) + ")"
}
