package storage

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Raw bodies are stored once per SHA-256 of their bytes, compressed. The
// bodies.encoding column says how:
//
//   - "gzip": a gzip stream. Every body stored before schema 11, and what
//     Tx.PutBody still writes.
//   - "zstd": one zstd frame (RFC 8878). When bodies.dict_id is set, the
//     frame was compressed with the dictionary in that body_dicts row,
//     made of a page of the same host (trained on several, before this
//     stet); its furniture (head, navigation, footer) then costs almost
//     nothing per page.
//
// Old rows stay readable whatever new rows use.
const (
	encodingGzip = "gzip"
	encodingZstd = "zstd"
)

// Limits and settings of the body codec, measured on the newsroom's pages
// (BenchmarkNewsroomBodies), on synthetic 60 KB articles (internal/scale)
// and on the pages in /work/shared/corpus (BenchmarkBodyCodec).
const (
	// maxBodySize bounds what a stored size may claim: the crawler never
	// reads more than 64 MiB (fetch.max_body is at most that), so a row
	// saying more is damaged, and is refused before anything is allocated.
	maxBodySize = 64 << 20
	// zstdWindow is the encoders' window; the decoders accept up to
	// zstdMaxWindow, so a damaged frame cannot ask for more memory.
	zstdWindow    = 1 << 20
	zstdMaxWindow = 8 << 20
	// A host's dictionary is made once it has dictTrainAfter bodies
	// stored: its newest body (up to dictSampleMax of it, head and tail)
	// is the dictionary's content, as is ("raw content" in zstd's terms),
	// and the others test it. It is kept only if it makes those at least
	// dictMinSaving smaller; a host whose dictionary did not pay is tried
	// again when it has twice as many bodies. A page of the site holds
	// all of its furniture, which a trained dictionary of 64 KB (schema
	// 11 to 14, still read) kept only part of: on the newsroom's pages
	// bodies take 5% of the raw HTML with it, 21% with the trained one.
	// Making one costs nothing but reading the bodies.
	dictTrainAfter = 4
	dictSampleMax  = 256 << 10
	dictMinSaving  = 0.10
	// dictCodecs is how many dictionaries' encoders and decoders are kept
	// ready: about 2.2 MB each, and 1 ms of CPU to make one again.
	dictCodecs = 8
)

// dictLevel is the level bodies are compressed at with a dictionary: the
// fastest. An encoder holds one dictionary, so a daemon storing bodies of
// more hosts than it keeps encoders for makes them again and again: at
// this level that costs 1 ms and 2.2 MB, at the default level 2.7 ms and
// 4.3 MB, for bodies about 7% larger. Without a dictionary the level is
// zstd's default (one encoder, made once).
const dictLevel = zstd.SpeedFastest

// EncodedBody is a raw body compressed for storage. Store.EncodeBody makes
// it outside any transaction, so that a write transaction holds the lock
// only to insert it (Tx.PutEncodedBody).
type EncodedBody struct {
	Hash     string // hex SHA-256 of the raw body (HashBody)
	Size     int64  // bytes of the raw body
	Encoding string // "zstd"
	DictID   int64  // body_dicts row of the dictionary Data needs, 0 for none
	Host     string // whose pages the body came from ("" if unknown)
	Data     []byte
}

// EncodeBody compresses raw with zstd, with host's dictionary once it has
// one. host is the host name the body was fetched from ("" for none); a
// host with dictTrainAfter bodies stored and no dictionary gets one made
// here, once (reading its bodies and writing the dictionary in a short
// transaction of its own). A dictionary that cannot be made is not an
// error: the body is compressed without.
func (s *Store) EncodeBody(ctx context.Context, host string, raw []byte) (EncodedBody, error) {
	if int64(len(raw)) > maxBodySize {
		return EncodedBody{}, fmt.Errorf("encode body: %d bytes, more than %d", len(raw), maxBodySize)
	}
	c, err := s.bodies.init()
	if err != nil {
		return EncodedBody{}, err
	}
	b := EncodedBody{Hash: HashBody(raw), Size: int64(len(raw)), Encoding: encodingZstd, Host: host}
	dc, err := s.hostDict(ctx, host)
	if err != nil {
		return EncodedBody{}, err
	}
	enc := c.enc
	if dc != nil {
		enc, b.DictID = dc.enc, dc.id
	}
	b.Data = enc.EncodeAll(raw, make([]byte, 0, len(raw)/3+64))
	return b, nil
}

// PutEncodedBody stores b unless a body with its hash is stored already.
func (t *Tx) PutEncodedBody(b EncodedBody) error {
	if b.Hash == "" || b.Encoding == "" {
		return errors.New("store body: not encoded (use Store.EncodeBody)")
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO bodies (hash, encoding, size, data, host, dict_id)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		b.Hash, b.Encoding, b.Size, b.Data, nullIfEmpty(b.Host), nullIfZero(b.DictID))
	if err != nil {
		return fmt.Errorf("store body %s: %w", b.Hash, err)
	}
	return nil
}

// PutBody stores raw, once per hash, gzip-compressed inside the
// transaction as every body was before schema 11, and returns the hash.
// Store.EncodeBody with PutEncodedBody stores it smaller and compresses
// before the transaction begins.
func (t *Tx) PutBody(raw []byte) (string, error) {
	h := HashBody(raw)
	var exists int
	err := t.tx.QueryRowContext(t.ctx, `SELECT 1 FROM bodies WHERE hash = ?`, h).Scan(&exists)
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("look up body %s: %w", h, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return "", fmt.Errorf("compress body: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress body: %w", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO bodies (hash, encoding, size, data) VALUES (?, 'gzip', ?, ?)`,
		h, len(raw), buf.Bytes()); err != nil {
		return "", fmt.Errorf("store body %s: %w", h, err)
	}
	return h, nil
}

// Body returns the raw bytes stored under hash.
func (s *Store) Body(ctx context.Context, hash string) ([]byte, error) {
	var enc string
	var dictID, size int64
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT encoding, coalesce(dict_id, 0), size, data FROM bodies WHERE hash = ?`,
		hash).Scan(&enc, &dictID, &size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("body %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read body %s: %w", hash, err)
	}
	return s.decodeBody(ctx, hash, enc, dictID, size, data)
}

// decodeBody turns one stored row of bodies back into the raw body: never
// more than size bytes are produced, and fewer is an error too.
func (s *Store) decodeBody(ctx context.Context, hash, enc string, dictID, size int64, data []byte) ([]byte, error) {
	if enc != encodingGzip && enc != encodingZstd {
		return nil, fmt.Errorf("body %s: unknown encoding %q", hash, enc)
	}
	raw, err := s.inflate(ctx, enc, dictID, size, data)
	if err != nil {
		return nil, fmt.Errorf("decompress body %s: %w", hash, err)
	}
	if int64(len(raw)) != size {
		return nil, fmt.Errorf("decompress body %s: %d bytes, stored as %d", hash, len(raw), size)
	}
	return raw, nil
}

// inflate decompresses data of a known encoding, producing at most size
// bytes (size+1 for gzip, so that a longer stream shows).
func (s *Store) inflate(ctx context.Context, enc string, dictID, size int64, data []byte) ([]byte, error) {
	if size < 0 || size > maxBodySize {
		return nil, fmt.Errorf("stored size %d is out of range", size)
	}
	if enc == encodingGzip {
		return gunzip(data, size)
	}
	return s.unzstd(ctx, dictID, data, size)
}

// bodyProblem says what is wrong with one stored row of bodies, "" if
// nothing, in the words of `stet verify` (VerifyChain, chain.go), for
// every encoding.
func (s *Store) bodyProblem(ctx context.Context, hash, enc string, dictID, size int64, data []byte) string {
	if enc != encodingGzip && enc != encodingZstd {
		return fmt.Sprintf("body hash mismatch (body %s has unknown encoding %q)", hash, enc)
	}
	raw, err := s.inflate(ctx, enc, dictID, size, data)
	switch {
	case err != nil:
		return fmt.Sprintf("body hash mismatch (body %s does not decompress: %v)", hash, err)
	case HashBody(raw) != hash:
		return fmt.Sprintf("body hash mismatch (body %s hashes to %s)", hash, HashBody(raw))
	case int64(len(raw)) != size:
		return fmt.Sprintf("body size mismatch (body %s is %d bytes, stored as %d)", hash, len(raw), size)
	}
	return ""
}

// gunzip reads at most size+1 bytes of a gzip stream: enough to tell a
// stream longer than its stored size without inflating all of it.
func gunzip(data []byte, size int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, size+1))
}

func (s *Store) unzstd(ctx context.Context, dictID int64, data []byte, size int64) ([]byte, error) {
	c, err := s.bodies.init()
	if err != nil {
		return nil, err
	}
	dec := c.dec
	if dictID != 0 {
		dc, err := s.dictCodec(ctx, dictID)
		if err != nil {
			return nil, err
		}
		dec = dc.dec
	}
	// The decoders stop at cap(dst) (WithDecodeAllCapLimit): a frame that
	// holds more than its row says is an error, not an allocation.
	return dec.DecodeAll(data, make([]byte, 0, size))
}

// bodyCodec holds a Store's zstd encoders and decoders: one pair without
// a dictionary, and a few with one (the most recently used). Encoders and
// decoders are safe for concurrent EncodeAll and DecodeAll; none runs a
// goroutine of its own. The zero value is ready for init.
type bodyCodec struct {
	once    sync.Once
	initErr error
	enc     *zstd.Encoder
	dec     *zstd.Decoder
	textDec *zstd.Decoder   // for version texts (texts.go), whose size the frame says
	texts   chan *textCodec // the codec of texts with a body as dictionary (texts.go), nil until first used

	mu    sync.Mutex
	dicts []*dictCodec     // most recently used last, at most dictCodecs
	hosts map[string]int64 // host → body_dicts id of its (working) dictionary

	train sync.Mutex // one dictionary is trained at a time
}

// dictCodec is the encoder and decoder of one dictionary.
type dictCodec struct {
	id  int64
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func (c *bodyCodec) init() (*bodyCodec, error) {
	c.once.Do(func() {
		c.hosts = map[string]int64{}
		// One codec, about 3.5 MB: a text takes it for 0.25 ms (a first
		// fetch costs 6 ms of CPU), so at 250 fetches a second it is busy
		// 6% of the time, and a second one would cost 7 MB of RSS (with
		// the garbage collector's headroom) for no measurable speed.
		c.texts = make(chan *textCodec, 1)
		for range cap(c.texts) {
			c.texts <- nil
		}
		c.enc, c.dec, c.initErr = newZstd(nil, "")
		if c.initErr == nil {
			c.textDec, c.initErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(2),
				zstd.WithDecoderMaxWindow(zstdMaxWindow), zstd.WithDecoderMaxMemory(maxBodySize))
		}
	})
	return c, c.initErr
}

// newZstd makes an encoder and a decoder, with dictionary d of host (a
// body_dicts row's data) if it is not nil. The encoder runs one
// compression at a time per codec (the daemon stores a body per new
// version, rarely two at once); decoders two.
func newZstd(d []byte, host string) (*zstd.Encoder, *zstd.Decoder, error) {
	level := zstd.SpeedDefault
	if d != nil {
		level = dictLevel
	}
	eo := []zstd.EOption{zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(zstdWindow), zstd.WithEncoderCRC(true)}
	do := []zstd.DOption{zstd.WithDecoderConcurrency(2), zstd.WithDecoderMaxWindow(zstdMaxWindow),
		zstd.WithDecoderMaxMemory(maxBodySize), zstd.WithDecodeAllCapLimit(true)}
	switch {
	case d == nil:
	case bytes.HasPrefix(d, zstdFrameMagic):
		content, err := unpackDict(d)
		if err != nil {
			return nil, nil, err
		}
		eo = append(eo, zstd.WithEncoderDictRaw(dictIDOf(host), content))
		do = append(do, zstd.WithDecoderDictRaw(dictIDOf(host), content))
	default:
		eo = append(eo, zstd.WithEncoderDict(d))
		do = append(do, zstd.WithDecoderDicts(d))
	}
	enc, err := zstd.NewWriter(nil, eo...)
	if err != nil {
		return nil, nil, fmt.Errorf("zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, do...)
	if err != nil {
		return nil, nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return enc, dec, nil
}

// close releases the codecs; the Store is closed and no longer used.
func (c *bodyCodec) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dec != nil {
		c.dec.Close()
	}
	if c.textDec != nil {
		c.textDec.Close()
	}
	for _, dc := range c.dicts {
		dc.dec.Close()
	}
	c.dicts = nil
}

// dictCodec returns the codec of dictionary id, reading it from body_dicts
// unless it is among the ones kept. An evicted codec is left to the
// garbage collector, never closed: another goroutine may still use it.
func (s *Store) dictCodec(ctx context.Context, id int64) (*dictCodec, error) {
	c := &s.bodies
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, dc := range c.dicts {
		if dc.id == id {
			c.dicts = append(append(c.dicts[:i:i], c.dicts[i+1:]...), dc)
			return dc, nil
		}
	}
	var d []byte
	var host string
	err := s.db.QueryRowContext(ctx, `SELECT data, host FROM body_dicts WHERE id = ?`, id).Scan(&d, &host)
	if err == nil && len(d) == 0 {
		err = errors.New("empty")
	}
	if err != nil {
		return nil, fmt.Errorf("read body dictionary %d: %w", id, err)
	}
	enc, dec, err := newZstd(d, host)
	if err != nil {
		return nil, fmt.Errorf("body dictionary %d: %w", id, err)
	}
	dc := &dictCodec{id: id, enc: enc, dec: dec}
	if len(c.dicts) >= dictCodecs {
		c.dicts = c.dicts[1:]
	}
	c.dicts = append(c.dicts, dc)
	return dc, nil
}

// hostDict returns the codec of host's dictionary, training one if host
// has enough bodies and none yet; nil means compress without.
func (s *Store) hostDict(ctx context.Context, host string) (*dictCodec, error) {
	if host == "" {
		return nil, nil
	}
	c := &s.bodies
	c.mu.Lock()
	id, ok := c.hosts[host]
	c.mu.Unlock()
	if !ok {
		st, err := s.dictState(ctx, host)
		if err != nil || !st.due() {
			return s.usable(ctx, host, st, err)
		}
		c.train.Lock()
		defer c.train.Unlock()
		// Another goroutine (or process) may have trained it meanwhile.
		if st, err = s.dictState(ctx, host); err != nil || !st.due() {
			return s.usable(ctx, host, st, err)
		}
		if err := s.trainDict(ctx, host, st.stored); err != nil {
			return nil, err
		}
		st, err = s.dictState(ctx, host)
		return s.usable(ctx, host, st, err)
	}
	return s.dictCodec(ctx, id)
}

// usable remembers and returns host's dictionary if st has one.
func (s *Store) usable(ctx context.Context, host string, st dictState, err error) (*dictCodec, error) {
	if err != nil || st.id == 0 || !st.works {
		return nil, err
	}
	c := &s.bodies
	c.mu.Lock()
	if len(c.hosts) >= 1<<16 { // bounded: forget them all, they are read again
		clear(c.hosts)
	}
	c.hosts[host] = st.id
	c.mu.Unlock()
	return s.dictCodec(ctx, st.id)
}

// dictState is what body_dicts and bodies say of one host.
type dictState struct {
	id      int64 // body_dicts row, 0 if none
	works   bool  // the row holds a dictionary (not a failed try)
	trained int64 // bodies the host had when the row was written
	stored  int64 // bodies the host has now
}

// due reports whether a dictionary should be trained now.
func (st dictState) due() bool {
	switch {
	case st.works:
		return false
	case st.id == 0:
		return st.stored >= dictTrainAfter
	}
	return st.stored >= 2*st.trained
}

func (s *Store) dictState(ctx context.Context, host string) (dictState, error) {
	var st dictState
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(d.id, 0), CASE WHEN length(d.data) > 0 THEN 1 ELSE 0 END, coalesce(d.bodies, 0),
		(SELECT count(*) FROM bodies WHERE host = ?1)
		FROM (SELECT 1) AS one LEFT JOIN body_dicts d ON d.host = ?1`, host).Scan(&st.id, &st.works, &st.trained, &st.stored)
	if err != nil {
		return st, fmt.Errorf("read body dictionary of %s: %w", host, err)
	}
	return st, nil
}

// trainDict makes host's dictionary of its newest body and records it,
// or records that it did not pay (an empty row). Only failing to read or
// write is an error.
func (s *Store) trainDict(ctx context.Context, host string, stored int64) error {
	raws, err := s.hostBodies(ctx, host, dictTrainAfter)
	if err != nil {
		return err
	}
	if len(raws) < dictTrainAfter {
		return nil // some were unreadable: wait for more
	}
	d := s.bodies.enc.EncodeAll(sampleOf(raws[0]), nil)
	if !dictPays(d, host, raws[1:]) {
		d = nil
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO body_dicts (host, created_at, bodies, data) VALUES (?, ?, ?, ?)
			ON CONFLICT (host) DO UPDATE SET created_at = excluded.created_at, bodies = excluded.bodies, data = excluded.data
			WHERE coalesce(length(body_dicts.data), 0) = 0`, host, fmtTime(time.Now()), stored, d)
		return err
	})
	if err != nil {
		return fmt.Errorf("store body dictionary of %s: %w", host, err)
	}
	return nil
}

// hostBodies reads up to n of host's newest bodies, raw; unreadable ones
// are left out.
func (s *Store) hostBodies(ctx context.Context, host string, n int) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT hash, encoding, coalesce(dict_id, 0), size, data FROM bodies
		WHERE host = ? ORDER BY rowid DESC LIMIT ?`, host, n)
	if err != nil {
		return nil, fmt.Errorf("read bodies of %s: %w", host, err)
	}
	type row struct {
		hash, enc    string
		dictID, size int64
		data         []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.hash, &r.enc, &r.dictID, &r.size, &r.data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read bodies of %s: %w", host, err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read bodies of %s: %w", host, err)
	}
	var out [][]byte
	for _, r := range rs { // decoded after the rows close: a dictionary may need reading
		if raw, err := s.decodeBody(ctx, r.hash, r.enc, r.dictID, r.size, r.data); err == nil {
			out = append(out, raw)
		}
	}
	return out, nil
}

// sampleOf is what of a body a dictionary is trained on: all of it up to
// dictSampleMax, else its head and its tail, where a site's furniture is.
func sampleOf(raw []byte) []byte {
	if len(raw) <= dictSampleMax {
		return raw
	}
	head := dictSampleMax * 3 / 4
	return append(raw[:head:head], raw[len(raw)-(dictSampleMax-head):]...)
}

// zstdFrameMagic starts every zstd frame. A body_dicts row whose data
// starts with it holds a dictionary's raw content, compressed; any other
// is a dictionary in zstd's format (trained, before schema 15), which
// starts with its own magic number.
var zstdFrameMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// unpackDict is the raw content of a dictionary stored as a zstd frame.
func unpackDict(d []byte) ([]byte, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(dictSampleMax),
		zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	defer dec.Close()
	content, err := dec.DecodeAll(d, nil)
	if err != nil {
		return nil, fmt.Errorf("unpack body dictionary: %w", err)
	}
	return content, nil
}

// dictIDOf is the dictionary id host's frames carry. Ids below 32768 are
// reserved; the id only has to match between a frame and the one
// dictionary its decoder is given.
func dictIDOf(host string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(host))
	return 32768 + h.Sum32()%(1<<31-32768)
}

// dictPays reports whether d makes the test bodies at least dictMinSaving
// smaller than zstd alone does.
func dictPays(d []byte, host string, tests [][]byte) bool {
	with, _, err := newZstd(d, host)
	if err != nil {
		return false
	}
	without, _, err := newZstd(nil, "")
	if err != nil {
		return false
	}
	var a, b int
	for _, t := range tests {
		a += len(with.EncodeAll(t, nil))
		b += len(without.EncodeAll(t, nil))
	}
	return float64(a) <= (1-dictMinSaving)*float64(b)
}
