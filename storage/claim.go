package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Fair claims. Pages found in one feed share a due time and a host, so
// claiming the most overdue pages first hands a daemon whole hosts at a
// time: a claim of 128 pages covered about 13 hosts, and politeness (one
// request per host per interval) then held the workers to a fraction of
// what they could fetch. ClaimDuePages therefore claims by turns: every
// host with due pages gives its most overdue page before any host gives a
// second, and so on, hosts within a turn in order of their overdue page.
//
// pages.host is the politeness key (HostKey); the index on (host,
// next_check_at) serves the per-host ranking.

// claimPerHost is how many pages of one host ClaimDuePages takes at most.
// A host serves one request per fetch.per_host_interval (2s by default),
// so a few queued pages keep it busy until the next claim, and the rest of
// the claim goes to other hosts. ClaimDuePagesPerHost takes another bound.
const claimPerHost = 8

// claimDuePages ranks due pages by turns without reading every due page:
// hosts walks the distinct hosts of pages_host_due one index probe each
// (a loose index scan), due_hosts keeps the :hosts hosts whose most
// overdue page is oldest, bounds finds each one's :skip+1-th due page (the
// last it may give), and picks reads each host's pages up to that one
// through the index, in two ranges so that pages sharing a due time (a
// feed's) are not all read. Only those are ranked: by turns, or, for
// runs (:runs = 1), host after host. The outer due condition
// is checked again on each row, so a row another process claimed
// meanwhile is passed over; on PostgreSQL the ranked rows are locked with
// SKIP LOCKED (not allowed in the ranking itself), so daemons claiming at
// once take different rows rather than wait for each other.
const claimDuePages = `UPDATE pages SET next_check_at = :until, claimed_by = :owner WHERE id IN (
	SELECT id FROM pages WHERE id IN (
	WITH RECURSIVE hosts (host) AS (
		SELECT MIN(host) FROM pages WHERE next_check_at IS NOT NULL
		UNION ALL
		SELECT (SELECT MIN(p.host) FROM pages p WHERE p.next_check_at IS NOT NULL AND p.host > hosts.host)
		FROM hosts WHERE hosts.host IS NOT NULL
	), due_hosts AS (
		SELECT host, oldest FROM (
			SELECT host, (SELECT MIN(p.next_check_at) FROM pages p
				WHERE p.host = hosts.host AND p.next_check_at IS NOT NULL) AS oldest
			FROM hosts WHERE host IS NOT NULL
		) AS oldests WHERE oldest <= :now ORDER BY oldest, host LIMIT :hosts
	), bounds AS (
		SELECT d.host, d.oldest, COALESCE(k.next_check_at, :now) AS last_at, COALESCE(k.id, 9223372036854775807) AS last_id
		FROM due_hosts d LEFT JOIN pages k ON k.id = (SELECT q.id FROM pages q
			WHERE q.host = d.host AND q.next_check_at IS NOT NULL AND q.next_check_at <= :now
			ORDER BY q.next_check_at, q.id LIMIT 1 OFFSET :skip)
	), picks AS (
		SELECT p.id, p.host, p.next_check_at, b.oldest FROM bounds b JOIN pages p
			ON p.host = b.host AND p.next_check_at IS NOT NULL AND p.next_check_at < b.last_at
		UNION ALL
		SELECT p.id, p.host, p.next_check_at, b.oldest FROM bounds b JOIN pages p
			ON p.host = b.host AND p.next_check_at IS NOT NULL AND p.next_check_at = b.last_at AND p.id <= b.last_id
	)
	SELECT id FROM (
		SELECT id, host, oldest, ROW_NUMBER() OVER (PARTITION BY host ORDER BY next_check_at, id) AS turn FROM picks
	) AS ranked ORDER BY CASE WHEN :runs = 1 THEN 0 ELSE turn END, oldest, CASE WHEN :runs = 1 THEN host ELSE '' END, turn, id
	LIMIT :limit) /*SKIP LOCKED*/)
	AND next_check_at IS NOT NULL AND next_check_at <= :now
	RETURNING ` + pageColumns

// ClaimDuePages takes up to limit pages whose next check is at or before
// now, for one process, fairly across hosts: the most overdue page of each
// host first (hosts in order of that page), then each host's second, and
// so on, at most claimPerHost of one host. In one write transaction their
// next check moves to now+lease, so no other process (nor this one) takes
// them again unless the check never commits, in which case they are due
// again when the lease ends. The check's commit sets the real time. owner
// names the claiming process (see ReleaseWorkOf).
func (s *Store) ClaimDuePages(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Page, error) {
	return s.ClaimDuePagesPerHost(ctx, owner, now, lease, limit, claimPerHost)
}

// ClaimDuePagesPerHost is ClaimDuePages with at most perHost pages of one
// host (at least 1). A daemon whose hosts each serve many requests a
// second claims many of each at once: every claim rewrites the database
// pages that hold its pages' rows and due-time index entries, so one
// claim of a thousand pages writes a fraction of what a hundred claims
// of ten do.
func (s *Store) ClaimDuePagesPerHost(ctx context.Context, owner string, now time.Time, lease time.Duration, limit, perHost int) ([]Page, error) {
	return s.claimDue(ctx, owner, now, lease, limit, limit, perHost, false)
}

// ClaimDueRuns takes runs of up to run due pages of one host (at least
// 1), each host's most overdue first, host after host in order of their
// most overdue page, up to limit pages; it looks at no more hosts than
// four times the runs a claim holds. Where
// ClaimDuePagesPerHost spreads a claim over as many hosts as have due
// pages, this keeps each host's share of it together: a claim and the
// group commits of its checks rewrite the database pages that hold a
// host's due pages (their rows and index entries, neighbours in both)
// once for a run rather than once for every few pages. A daemon whose
// hosts serve many requests a second claims this way; across claims
// every host still has its turn, in order of its most overdue page.
func (s *Store) ClaimDueRuns(ctx context.Context, owner string, now time.Time, lease time.Duration, limit, run int) ([]Page, error) {
	run = max(run, 1)
	return s.claimDue(ctx, owner, now, lease, limit, min(limit, 4*((limit+run-1)/run)), run, true)
}

// claimDue runs claimDuePages: up to perHost pages of each of at most
// hosts hosts, by turns or (runs) host after host.
func (s *Store) claimDue(ctx context.Context, owner string, now time.Time, lease time.Duration, limit, hosts, perHost int, runs bool) ([]Page, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []Page
	err := s.claimTx(ctx, func(tx *Tx) error {
		per := min(limit, max(perHost, 1))
		runsFlag := 0
		if runs {
			runsFlag = 1
		}
		rows, err := tx.tx.QueryContext(ctx, claimDuePages,
			sql.Named("until", fmtTime(now.Add(lease))), sql.Named("owner", owner), sql.Named("now", fmtTime(now)),
			sql.Named("hosts", hosts), sql.Named("skip", per-1), sql.Named("limit", limit), sql.Named("runs", runsFlag))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPage(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim due pages: %w", err)
	}
	return out, nil
}

// HostKey is the politeness key of a URL, the one the daemon's dispatcher
// uses (and the crawler's, which works on parsed URLs): host[:port] in lower case, the scheme's
// default port dropped. A URL without a host is its own key.
func HostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	h := strings.ToLower(u.Host)
	switch {
	case u.Scheme == "http" && strings.HasSuffix(h, ":80"):
		h = strings.TrimSuffix(h, ":80")
	case u.Scheme == "https" && strings.HasSuffix(h, ":443"):
		h = strings.TrimSuffix(h, ":443")
	}
	return h
}

// hostBatch is how many pages migratePageHosts reads at once.
const hostBatch = 500

// migratePageHosts is migration 14: pages get their host (HostKey), the
// key fair claims rank by, filled in for the pages already stored a batch
// at a time, and the index that ranks each host's due pages.
func migratePageHosts(ctx context.Context, tx *sqlTx) error {
	if _, err := tx.ExecContext(ctx, `ALTER TABLE pages ADD COLUMN host TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	for after := int64(0); ; {
		ids, urls, err := pageURLBatch(ctx, tx, after)
		if err != nil || len(ids) == 0 {
			if err == nil {
				_, err = tx.ExecContext(ctx, pagesHostDueIndex)
			}
			return err
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE pages SET host = ? WHERE id = ?`, HostKey(urls[i]), id); err != nil {
				return fmt.Errorf("set the host of page %d: %w", id, err)
			}
		}
		after = ids[len(ids)-1]
	}
}

// pagesHostDueIndex serves fair claims: each host's due pages in order.
const pagesHostDueIndex = `CREATE INDEX pages_host_due ON pages (host, next_check_at, id) WHERE next_check_at IS NOT NULL`

// pgPageHosts is migration 14 on PostgreSQL: the same column and index,
// the hosts filled in by regular expression as HostKey computes them
// (authority after any user info, lower-cased, the scheme's default port
// dropped; a URL without a host is its own key).
const pgPageHosts = `ALTER TABLE pages ADD COLUMN host TEXT NOT NULL DEFAULT '';
UPDATE pages SET host = coalesce(lower(substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#]+)')), '');
UPDATE pages SET host = regexp_replace(host, ':80$', '') WHERE lower(url) LIKE 'http://%';
UPDATE pages SET host = regexp_replace(host, ':443$', '') WHERE lower(url) LIKE 'https://%';
UPDATE pages SET host = url WHERE host = '';
` + pagesHostDueIndex

func pageURLBatch(ctx context.Context, tx *sqlTx, after int64) ([]int64, []string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, url FROM pages WHERE id > ? ORDER BY id LIMIT ?`, after, hostBatch)
	if err != nil {
		return nil, nil, fmt.Errorf("read pages after %d: %w", after, err)
	}
	defer rows.Close()
	var ids []int64
	var urls []string
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, nil, fmt.Errorf("read pages after %d: %w", after, err)
		}
		ids, urls = append(ids, id), append(urls, u)
	}
	return ids, urls, rows.Err()
}
