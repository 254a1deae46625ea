package web

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// excerptChars is how many characters of each form of a stored diff (its
// text and its blocks' JSON) a list reads per change. A list of N changes
// therefore holds at most about 2·N·excerptChars characters of diff,
// whatever the stored diffs weigh; the whole diff is one link away.
const excerptChars = 8 << 10

// excerpt is the start of a stored diff, as a list shows it.
type excerpt struct {
	// Result holds the blocks the excerpt holds whole and, when the cut
	// falls inside a block, what it holds of that one (see partialBlock).
	Result    diff.Result
	HasBlocks bool
	// Blocks is the JSON of Result: the stored JSON itself when it was
	// read whole; nil without blocks.
	Blocks []byte
	// Text is the diff's stored text, whole, or cut after its last whole
	// line.
	Text string
	// Cut says that Text or Result is only the start of the stored diff.
	Cut bool
}

// excerptOf reads the excerpt of a change head's diff from its prefixes.
func excerptOf(h storage.ChangeHead) excerpt {
	var ex excerpt
	ex.Text = h.DiffPrefix
	if int64(len(h.DiffPrefix)) < h.DiffBytes {
		ex.Cut = true
		if i := strings.LastIndexByte(ex.Text, '\n'); i > 0 {
			ex.Text = ex.Text[:i+1]
		}
	}
	if h.BlocksBytes == 0 {
		return ex
	}
	if int64(len(h.BlocksPrefix)) >= h.BlocksBytes { // read whole
		if json.Unmarshal(h.BlocksPrefix, &ex.Result) == nil {
			ex.HasBlocks, ex.Blocks = true, h.BlocksPrefix
		}
		return ex
	}
	ex.Cut = true
	r, ok := decodeBlocksPrefix(h.BlocksPrefix)
	if !ok {
		return ex
	}
	b, err := json.Marshal(r)
	if err != nil {
		return ex
	}
	ex.Result, ex.HasBlocks, ex.Blocks = r, true, b
	return ex
}

// decodeBlocksPrefix decodes a prefix of the JSON of a diff.Result: every
// block the prefix holds whole, then what it holds of the next one. ok is
// false when b does not start like that JSON.
func decodeBlocksPrefix(b []byte) (diff.Result, bool) {
	var r diff.Result
	dec := json.NewDecoder(bytes.NewReader(b))
	for _, want := range []any{json.Delim('{'), "blocks", json.Delim('[')} {
		if t, err := dec.Token(); err != nil || t != want {
			return r, false
		}
	}
	for dec.More() {
		off := dec.InputOffset()
		var bl diff.Block
		if err := dec.Decode(&bl); err != nil {
			if p, ok := partialBlock(b[off:]); ok {
				r.Blocks = append(r.Blocks, p)
			}
			break
		}
		r.Blocks = append(r.Blocks, bl)
	}
	return r, true
}

// partialBlock reads what a cut block's JSON holds: its fields up to the
// cut, a text cut short, and the spans before the cut. ok is false when
// the cut comes before the block's op, without which it cannot be shown.
func partialBlock(raw []byte) (diff.Block, bool) {
	var bl diff.Block
	got := false
	fields(raw, func(key string, dec *json.Decoder, src []byte) bool {
		switch key {
		case "op":
			got = dec.Decode(&bl.Kind) == nil
			return got
		case "old_index":
			return dec.Decode(&bl.OldIndex) == nil
		case "new_index":
			return dec.Decode(&bl.NewIndex) == nil
		case "old", "new":
			s, whole := decodeString(dec, src)
			if key == "old" {
				bl.Old = s
			} else {
				bl.New = s
			}
			return whole
		case "spans":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return false
			}
			for dec.More() {
				off := dec.InputOffset()
				var sp diff.Span
				if err := dec.Decode(&sp); err != nil {
					if p, ok := partialSpan(src[off:]); ok {
						bl.Spans = append(bl.Spans, p)
					}
					return false
				}
				bl.Spans = append(bl.Spans, sp)
			}
			return false // the cut is inside the spans, or the block ended
		}
		var skip json.RawMessage
		return dec.Decode(&skip) == nil
	})
	return bl, got
}

// partialSpan is partialBlock for a span.
func partialSpan(raw []byte) (diff.Span, bool) {
	var sp diff.Span
	got := false
	fields(raw, func(key string, dec *json.Decoder, src []byte) bool {
		switch key {
		case "op":
			got = dec.Decode(&sp.Op) == nil
			return got
		case "text":
			s, whole := decodeString(dec, src)
			sp.Text = s
			return whole
		}
		var skip json.RawMessage
		return dec.Decode(&skip) == nil
	})
	return sp, got
}

// fields walks the members of the (possibly cut) JSON object at the start
// of raw, after any comma or space, calling fn with each key, a decoder
// positioned before its value, and the input the decoder reads (whose
// InputOffset indexes it), until fn returns false or the object or input
// ends.
func fields(raw []byte, fn func(key string, dec *json.Decoder, src []byte) bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n,")
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return
	}
	for {
		t, err := dec.Token()
		key, ok := t.(string)
		if err != nil || !ok {
			return
		}
		if !fn(key, dec, raw) {
			return
		}
	}
}

// decodeString decodes the string value at the decoder, or, when the input
// (src) ends inside it, what src holds of it; whole says which.
func decodeString(dec *json.Decoder, src []byte) (string, bool) {
	off := dec.InputOffset()
	var s string
	if err := dec.Decode(&s); err == nil {
		return s, true
	}
	return cutString(src[off:]), false
}

// cutString decodes the start of a JSON string whose end was cut off: raw
// holds the separator, the opening quote and what follows. An escape the
// cut broke is left out.
func cutString(raw []byte) string {
	raw = bytes.TrimLeft(raw, " \t\r\n:")
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	body := raw[1:]
	end := len(body)
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '"':
			end = i
		case body[i] != '\\':
			continue
		case i+1 >= len(body) || body[i+1] == 'u' && i+6 > len(body):
			end = i
		default:
			i++
			continue
		}
		break
	}
	quoted := make([]byte, 0, end+2)
	quoted = append(append(append(quoted, '"'), body[:end]...), '"')
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return ""
	}
	return s
}
