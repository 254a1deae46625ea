package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Version is one distinct extracted state of a page.
type Version struct {
	ID        int64
	PageID    int64
	CaptureID int64
	CreatedAt time.Time
	Title     string
	Byline    string
	Published time.Time
	Modified  time.Time
	Lang      string
	Canonical string
	Text      string
	TextHash  string
	Extractor string
}

const versionColumns = `id, page_id, capture_id, created_at, title, byline, published, modified, lang, canonical,
	text, text_hash, extractor, text_zstd`

// scanVersion reads a row of versionColumns, and its text_zstd, which
// Store.versionText turns into its text.
func scanVersion(sc interface{ Scan(...any) error }) (Version, []byte, error) {
	var v Version
	var z []byte
	err := sc.Scan(&v.ID, &v.PageID, &v.CaptureID, nullTime{&v.CreatedAt}, &v.Title, &v.Byline, nullTime{&v.Published},
		nullTime{&v.Modified}, &v.Lang, &v.Canonical, &v.Text, &v.TextHash, &v.Extractor, &z)
	return v, z, err
}

// InsertVersion stores v, the page's newest version, and returns its id;
// its title and paragraphs go into the search index in the same
// transaction (search_index.go).
func (t *Tx) InsertVersion(v Version) (int64, error) {
	z, err := t.encodeText(v)
	if err != nil {
		return 0, fmt.Errorf("insert version of page %d: %w", v.PageID, err)
	}
	// The frame's body is the capture's, just read: nothing to check.
	return t.insertVersion(v, z)
}

// InsertEncodedVersion is InsertVersion with the text already compressed
// by Store.EncodeText, before the transaction: z must be v.Text, and a
// frame made with a body must have been made with the body of v's
// capture, stored.
func (t *Tx) InsertEncodedVersion(v Version, z EncodedText) (int64, error) {
	if z.Bytes != len(v.Text) || z.Zstd == nil {
		return 0, fmt.Errorf("insert version of page %d: its encoded text is not its text", v.PageID)
	}
	if z.BodyHash != "" {
		var n int
		err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM captures c JOIN bodies b ON b.hash = c.body_hash
			WHERE c.id = ? AND c.body_hash = ?`, v.CaptureID, z.BodyHash).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("insert version of page %d: read its capture: %w", v.PageID, err)
		}
		if n == 0 {
			return 0, fmt.Errorf("insert version of page %d: its text was compressed with body %s, which is not the stored body of capture %d",
				v.PageID, z.BodyHash, v.CaptureID)
		}
	}
	return t.insertVersion(v, z)
}

func (t *Tx) insertVersion(v Version, z EncodedText) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(t.ctx, `INSERT INTO versions (page_id, capture_id, created_at, title, byline, published,
		modified, lang, canonical, text, text_hash, extractor, text_zstd, text_bytes, text_chars)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?) RETURNING id`,
		v.PageID, v.CaptureID, fmtTime(v.CreatedAt), v.Title, v.Byline, fmtTime(v.Published), fmtTime(v.Modified),
		v.Lang, v.Canonical, v.TextHash, v.Extractor, z.Zstd, z.Bytes, z.Chars).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert version of page %d: %w", v.PageID, err)
	}
	// The search index is written in the same transaction: a version is
	// searchable as soon as it is committed, and never without it.
	ix := &indexer{ctx: t.ctx, tx: t.tx, slices: true}
	defer ix.close()
	if err := ix.index(v.PageID, id, v.Title, v.Text); err != nil {
		return 0, err
	}
	return id, nil
}

// LatestVersion returns the newest version of a page, or ErrNotFound.
func (s *Store) LatestVersion(ctx context.Context, pageID int64) (Version, error) {
	return s.oneVersion(ctx, `WHERE page_id = ? ORDER BY id DESC LIMIT 1`, pageID)
}

// LatestVersionHead is LatestVersion without the text (Text is ""), which
// is stored compressed against its capture's body: for a check that only
// needs to know which version is the latest and when it was made (a 304).
func (s *Store) LatestVersionHead(ctx context.Context, pageID int64) (Version, error) {
	v, _, err := scanVersion(s.db.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions WHERE page_id = ? ORDER BY id DESC LIMIT 1`, pageID))
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, fmt.Errorf("version: %w", ErrNotFound)
	}
	if err != nil {
		return Version{}, fmt.Errorf("read version: %w", err)
	}
	v.Text = ""
	return v, nil
}

// Version returns the version with the given id.
func (s *Store) Version(ctx context.Context, id int64) (Version, error) {
	return s.oneVersion(ctx, `WHERE id = ?`, id)
}

func (s *Store) oneVersion(ctx context.Context, where string, arg int64) (Version, error) {
	v, z, err := scanVersion(s.db.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, fmt.Errorf("version: %w", ErrNotFound)
	}
	if err == nil {
		v.Text, err = s.versionText(ctx, s.db, v.CaptureID, v.Text, z)
	}
	if err != nil {
		return Version{}, fmt.Errorf("read version: %w", err)
	}
	return v, nil
}

// Versions lists every version of a page, oldest first.
func (s *Store) Versions(ctx context.Context, pageID int64) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+versionColumns+` FROM versions WHERE page_id = ? ORDER BY id`, pageID)
	if err != nil {
		return nil, fmt.Errorf("list versions of page %d: %w", pageID, err)
	}
	var out []Version
	var zs [][]byte
	for rows.Next() {
		v, z, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list versions of page %d: %w", pageID, err)
		}
		out, zs = append(out, v), append(zs, z)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions of page %d: %w", pageID, err)
	}
	for i := range out { // after the rows close: a text may need its body read
		if out[i].Text, err = s.versionText(ctx, s.db, out[i].CaptureID, out[i].Text, zs[i]); err != nil {
			return nil, fmt.Errorf("version %d: %w", out[i].ID, err)
		}
	}
	return out, nil
}

// VersionCounts returns how many versions each page has, by page id.
func (s *Store) VersionCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT page_id, count(*) FROM versions GROUP BY page_id`)
	if err != nil {
		return nil, fmt.Errorf("count versions: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count versions: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// LatestVersionID returns the id of the newest version of a page, 0 if none.
func (t *Tx) LatestVersionID(pageID int64) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT coalesce(max(id), 0) FROM versions WHERE page_id = ?`, pageID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("latest version of page %d: %w", pageID, err)
	}
	return id, nil
}

// VersionStat is the identity and time of one version, for reasoning over
// a page's history without loading its texts.
type VersionStat struct {
	ID        int64
	TextHash  string
	CreatedAt time.Time
	FirstID   int64 // the page's first version with this text
}

// MaxRecentVersions bounds what RecentVersions reads, so a page edited
// every few minutes costs the same as any other.
const MaxRecentVersions = 64

// RecentVersions lists, oldest first and without texts, the versions of a
// page stored at or after since (the latest MaxRecentVersions of them), and
// always its latest one; each says which
// version first had its text. It reads the page's versions through the
// (page_id, text_hash) index, so a long history costs little.
func (s *Store) RecentVersions(ctx context.Context, pageID int64, since time.Time) ([]VersionStat, error) {
	// Both parts read indexes only (versions_recent, versions_hash), never
	// the rows, whose text can span many overflow pages.
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM (SELECT v.id, v.text_hash, v.created_at,
			(SELECT min(w.id) FROM versions w WHERE w.page_id = v.page_id AND w.text_hash = v.text_hash)
		FROM versions v INDEXED BY versions_recent WHERE v.page_id = ? AND v.created_at >= ?
		ORDER BY v.created_at DESC LIMIT `+strconv.Itoa(MaxRecentVersions)+`) AS recent
		UNION
		SELECT v.id, v.text_hash, v.created_at,
			(SELECT min(w.id) FROM versions w WHERE w.page_id = v.page_id AND w.text_hash = v.text_hash)
		FROM versions v INDEXED BY versions_recent
		WHERE v.page_id = ? AND v.id = (SELECT max(id) FROM versions WHERE page_id = ?)
		ORDER BY 1`, pageID, fmtTime(since), pageID, pageID)
	if err != nil {
		return nil, fmt.Errorf("list recent versions of page %d: %w", pageID, err)
	}
	defer rows.Close()
	var out []VersionStat
	for rows.Next() {
		var v VersionStat
		if err := rows.Scan(&v.ID, &v.TextHash, nullTime{&v.CreatedAt}, &v.FirstID); err != nil {
			return nil, fmt.Errorf("list recent versions of page %d: %w", pageID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FirstVersionWithHash returns the id and time of the page's first version
// whose text hash is hash; ErrNotFound if none has it.
func (s *Store) FirstVersionWithHash(ctx context.Context, pageID int64, hash string) (VersionStat, error) {
	v := VersionStat{TextHash: hash}
	err := s.db.QueryRowContext(ctx, `SELECT id, created_at FROM versions WHERE page_id = ? AND text_hash = ?
		ORDER BY id LIMIT 1`, pageID, hash).Scan(&v.ID, nullTime{&v.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("find version of page %d by hash: %w", pageID, err)
	}
	v.FirstID = v.ID
	return v, nil
}
