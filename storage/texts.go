package storage

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
)

// Texts (schema 15). A version's text is stored once, compressed:
// versions.text_zstd is a zstd frame of it, with its size in bytes and in
// characters beside it (text_bytes, text_chars), and versions.text is
// empty. The text was extracted from the body of the version's capture,
// so when that body is stored (keep_bodies keeps it with its capture, and
// gc never prunes a version's capture) the raw body is the frame's
// dictionary (raw content, dictionary id textBodyDictID), and the text
// costs about 100 bytes instead of 2,800 (the newsroom's articles);
// without a body the frame has no dictionary. Reading such a text
// decompresses the body first; `stet verify` checks that the body is
// there (checkTextBodies).
//
// A search passage that is a slice of the text of the version that first
// had it (every paragraph is) is not stored again: search_texts names
// that version and where the slice starts and ends (version_id, text_at,
// text_bytes), and its text is empty; a title, or a passage that is not
// a slice, keeps its text. Rows stored before schema 15 keep their text,
// and are read as before.
//
// The sizes come before the frame in the row, so lists that read them
// (VersionHeads, VersionTextInfo) never read the frame.
//
// Read a version's text through Store.versionText and a passage's through
// Store.passageTexts, never from the columns.
const textSchema = `ALTER TABLE versions ADD COLUMN text_bytes INTEGER;
	ALTER TABLE versions ADD COLUMN text_chars INTEGER;
	ALTER TABLE versions ADD COLUMN text_zstd BLOB;
	ALTER TABLE search_texts ADD COLUMN version_id INTEGER;
	ALTER TABLE search_texts ADD COLUMN text_at INTEGER;
	ALTER TABLE search_texts ADD COLUMN text_bytes INTEGER;`

// pgTextSchema is textSchema for PostgreSQL.
const pgTextSchema = `ALTER TABLE versions ADD COLUMN text_bytes BIGINT;
	ALTER TABLE versions ADD COLUMN text_chars BIGINT;
	ALTER TABLE versions ADD COLUMN text_zstd BYTEA;
	ALTER TABLE search_texts ADD COLUMN version_id BIGINT;
	ALTER TABLE search_texts ADD COLUMN text_at BIGINT;
	ALTER TABLE search_texts ADD COLUMN text_bytes BIGINT;`

// textBodyDictID is the dictionary id of a text frame whose dictionary
// is the raw body of its version's capture ("text" in ASCII).
const textBodyDictID = 0x74657874

// EncodedText is a version's text compressed for storage. Store.EncodeText
// makes it outside any transaction, with the raw body the text was
// extracted from, so that a write transaction holds the lock only to
// insert it (Tx.InsertEncodedVersion).
type EncodedText struct {
	// BodyHash is the hash of the raw body that is the frame's dictionary
	// (the body of the version's capture), "" for a frame without one.
	BodyHash     string
	Zstd         []byte
	Bytes, Chars int // the text's size in bytes and in characters
}

// EncodeText compresses text with body, the raw body it was extracted
// from (bodyHash its HashBody, computed if ""), as dictionary if body is
// at most zstdWindow, and checks that the frame reads back as the text;
// else without a dictionary.
func (s *Store) EncodeText(text string, body []byte, bodyHash string) (EncodedText, error) {
	et := EncodedText{Bytes: len(text), Chars: utf8.RuneCountInString(text)}
	c, err := s.bodies.init()
	if err != nil {
		return et, err
	}
	if body != nil && len(body) <= zstdWindow {
		tc, err := c.textCodec()
		if err != nil {
			return et, err
		}
		z, ok, err := tc.encode(text, body)
		c.putText(tc)
		if err != nil {
			return et, err
		}
		if ok {
			et.Zstd, et.BodyHash = z, cmp.Or(bodyHash, HashBody(body))
			return et, nil
		}
	}
	et.Zstd = c.enc.EncodeAll([]byte(text), nil)
	return et, nil
}

// encodeText is EncodeText inside t, for a version whose text was not
// encoded before the transaction: the dictionary is the body of its
// capture, read back from the database.
func (t *Tx) encodeText(v Version) (EncodedText, error) {
	body, err := t.st.captureBody(t.ctx, t.tx, v.CaptureID)
	if err != nil {
		return EncodedText{}, err
	}
	return t.st.EncodeText(v.Text, body, "")
}

// textCodec is an encoder and a decoder of texts whose dictionary is a
// body. One is made once and given each body in turn (ResetWithOptions):
// making a pair for each text cost 1.1 ms of CPU and 4 MB of tables that
// the library allocates and clears, most of the CPU of storing a text;
// giving a kept pair a new body costs a quarter of that. The level is
// zstd's fastest, whose tables are a quarter of the default's; a text is
// about 30 bytes larger for it (136 bytes instead of 106 for the
// newsroom's articles).
type textCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// textCodec waits for a codec of c (making it if it is the first use of
// its place); hand it back with putText when done. A codec is used by one
// goroutine at a time.
func (c *bodyCodec) textCodec() (*textCodec, error) {
	if tc := <-c.texts; tc != nil {
		return tc, nil
	}
	// Made with a dictionary, so that giving it another keeps the kind of
	// encoder it made (ResetWithOptions remakes it when one is added). Low
	// memory: the encoder's history is then its window and a block, not
	// at least 1 MB, and a pair holds 3.5 MB instead of 5.
	placeholder := []byte("stet text dictionary")
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(zstdWindow), zstd.WithEncoderCRC(true), zstd.WithLowerEncoderMem(true),
		zstd.WithEncoderDictRaw(textBodyDictID, placeholder))
	if err != nil {
		c.texts <- nil
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow),
		zstd.WithDecoderMaxMemory(maxBodySize), zstd.WithDecoderLowmem(true), zstd.WithDecoderDictRaw(textBodyDictID, placeholder))
	if err != nil {
		c.texts <- nil
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return &textCodec{enc: enc, dec: dec}, nil
}

// putText hands back a codec taken with textCodec.
func (c *bodyCodec) putText(tc *textCodec) { c.texts <- tc }

// encode compresses text with body as dictionary; ok is false if the
// frame does not read back as the text.
func (tc *textCodec) encode(text string, body []byte) (z []byte, ok bool, err error) {
	if err := tc.enc.ResetWithOptions(nil, zstd.WithEncoderDictRaw(textBodyDictID, body)); err != nil {
		return nil, false, fmt.Errorf("zstd encoder: %w", err)
	}
	z = tc.enc.EncodeAll([]byte(text), nil)
	back, err := tc.decode(z, body, len(text))
	return z, err == nil && string(back) == text, nil
}

// decode decompresses z, a text frame with body as dictionary, of at most
// size bytes if size is not negative.
func (tc *textCodec) decode(z, body []byte, size int) ([]byte, error) {
	if err := tc.dec.ResetWithOptions(nil, zstd.WithDecoderDictRaw(textBodyDictID, body)); err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	var dst []byte
	if size >= 0 {
		dst = make([]byte, 0, size)
	}
	return tc.dec.DecodeAll(z, dst)
}

// captureBody is the raw body capture id recorded, read through q (the
// transaction that may just have stored it); nil if it has none stored.
func (s *Store) captureBody(ctx context.Context, q textQueryer, id int64) ([]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT b.hash, b.encoding, coalesce(b.dict_id, 0), b.size, b.data
		FROM captures c JOIN bodies b ON b.hash = c.body_hash WHERE c.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read the body of capture %d: %w", id, err)
	}
	var hash, enc string
	var dictID, size int64
	var data []byte
	found := rows.Next()
	if found {
		err = rows.Scan(&hash, &enc, &dictID, &size, &data)
	}
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("read the body of capture %d: %w", id, err)
	}
	if !found {
		return nil, nil
	}
	return s.decodeBody(ctx, hash, enc, dictID, size, data)
}

// versionText is the text of a version from its row's capture_id, text
// and text_zstd: the frame when there is one (nil means NULL), else the
// text. A frame made with the capture's body reads the body through q.
func (s *Store) versionText(ctx context.Context, q textQueryer, captureID int64, text string, z []byte) (string, error) {
	if z == nil {
		return text, nil
	}
	var h zstd.Header
	if err := h.Decode(z); err != nil {
		return "", fmt.Errorf("decompress version text: %w", err)
	}
	if h.DictionaryID != textBodyDictID {
		c, err := s.bodies.init()
		if err != nil {
			return "", err
		}
		raw, err := c.textDec.DecodeAll(z, nil)
		if err != nil {
			return "", fmt.Errorf("decompress version text: %w", err)
		}
		return string(raw), nil
	}
	body, err := s.captureBody(ctx, q, captureID)
	if err == nil && body == nil {
		err = fmt.Errorf("the body of capture %d is not stored", captureID)
	}
	if err != nil {
		return "", fmt.Errorf("decompress version text: %w", err)
	}
	c, err := s.bodies.init()
	if err != nil {
		return "", err
	}
	tc, err := c.textCodec()
	if err != nil {
		return "", err
	}
	raw, err := tc.decode(z, body, -1)
	c.putText(tc)
	if err != nil {
		return "", fmt.Errorf("decompress version text: %w", err)
	}
	return string(raw), nil
}

// textQueryer is what passageTexts reads through: a connection, a
// transaction or the database.
type textQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// passageTexts returns the text of each passage in ids, by id. A
// passage stored as a slice of a version's text is cut from it and
// checked against the passage's hash.
func (s *Store) passageTexts(ctx context.Context, q textQueryer, ids []int64) (map[int64]string, error) {
	type slice struct {
		id, version, at, n int64
		hash               []byte
	}
	out := map[int64]string{}
	var slices []slice
	list, _ := json.Marshal(ids)
	rows, err := q.QueryContext(ctx, `SELECT id, text, hash, coalesce(version_id, 0), coalesce(text_at, 0), coalesce(text_bytes, 0)
		FROM search_texts WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	for rows.Next() {
		var p slice
		var text string
		if err := rows.Scan(&p.id, &text, &p.hash, &p.version, &p.at, &p.n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read passages: %w", err)
		}
		if p.version == 0 {
			out[p.id] = text
		} else {
			slices = append(slices, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	if len(slices) == 0 {
		return out, nil
	}
	var vids []int64
	for _, p := range slices {
		vids = append(vids, p.version)
	}
	texts, err := s.versionTexts(ctx, q, vids)
	if err != nil {
		return nil, err
	}
	for _, p := range slices {
		t, ok := texts[p.version]
		if !ok || p.at < 0 || p.n < 0 || p.at+p.n > int64(len(t)) {
			return nil, fmt.Errorf("passage %d: not in the text of version %d", p.id, p.version)
		}
		text := t[p.at : p.at+p.n]
		if sum := sha256.Sum256([]byte(text)); string(sum[:]) != string(p.hash) {
			return nil, fmt.Errorf("passage %d: the slice of version %d does not match its hash", p.id, p.version)
		}
		out[p.id] = text
	}
	return out, nil
}

// versionTexts returns the texts of the versions in ids, by id.
func (s *Store) versionTexts(ctx context.Context, q textQueryer, ids []int64) (map[int64]string, error) {
	list, _ := json.Marshal(ids)
	rows, err := q.QueryContext(ctx, `SELECT id, capture_id, text, text_zstd FROM versions
		WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("read version texts: %w", err)
	}
	type row struct {
		id, capture int64
		text        string
		z           []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.capture, &r.text, &r.z); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read version texts: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read version texts: %w", err)
	}
	out := map[int64]string{}
	for _, r := range rs { // after the rows close: a text may need its body read
		if out[r.id], err = s.versionText(ctx, q, r.capture, r.text, r.z); err != nil {
			return nil, fmt.Errorf("version %d: %w", r.id, err)
		}
	}
	return out, nil
}

// checkTextBodies checks, for `stet verify`, that every version whose
// text was compressed with its capture's body still has that body
// (checkBodies checks the bodies themselves).
func checkTextBodies(ctx context.Context, tx *sqlTx) error {
	rows, err := tx.QueryContext(ctx, `SELECT v.id, v.capture_id, v.text_zstd FROM versions v
		LEFT JOIN captures c ON c.id = v.capture_id
		WHERE v.text_zstd IS NOT NULL AND (c.body_hash IS NULL OR NOT EXISTS (SELECT 1 FROM bodies b WHERE b.hash = c.body_hash))
		ORDER BY v.id`)
	if err != nil {
		return fmt.Errorf("read versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, capture int64
		var z []byte
		if err := rows.Scan(&id, &capture, &z); err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		var h zstd.Header
		if err := h.Decode(z); err != nil {
			return fmt.Errorf("version %d: its text does not decompress: %w", id, err)
		}
		if h.DictionaryID == textBodyDictID {
			return fmt.Errorf("version %d: its text was compressed with the body of capture %d, which is not stored", id, capture)
		}
	}
	return rows.Err()
}
