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
	srcs, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, s := range srcs {
		pages, err := st.Pages(ctx, s.ID)
		if err != nil {
			return err
		}
		j := summarizeSource(s, pages)
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
			for _, p := range pages {
				fmt.Fprintf(e.stdout, "      - %s [%s%s] failures %d, next %s%s\n", p.URL, orDash(p.LastClass),
					removedNote(p), p.ConsecutiveFailures, fmtWhen(p.NextCheckAt), backoffNote(p.BackoffUntil))
			}
		}
	}
	return nil
}

func summarizeSource(s storage.Source, pages []storage.Page) sourceJSON {
	j := sourceJSON{ID: s.ID, Kind: s.Kind, Name: s.Name, URL: s.URL, Schedule: s.Schedule,
		LastCheckedAt: s.LastCheckedAt, LastStatus: s.LastClass, LastReason: s.LastReason,
		ConsecutiveFailures: s.ConsecutiveFailures, Failing: s.Failing, BackoffUntil: s.BackoffUntil, Pages: len(pages)}
	if sched, err := cron.ParseStandard(s.Schedule); err == nil && s.Schedule != "" {
		j.NextDueAt = sched.Next(time.Now())
	}
	for _, p := range pages {
		if p.Removed {
			j.PagesRemoved++
		}
		if p.Failing {
			j.PagesFailing++
		}
	}
	if s.Kind == storage.KindPage && len(pages) == 1 {
		// A [[page]] source's state is its one page's state.
		p := pages[0]
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
