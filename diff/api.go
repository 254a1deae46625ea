package diff

// Op says what a Span of a replaced or moved paragraph did.
type Op int

// Span operations. They marshal as "equal", "delete" and "insert".
const (
	Equal  Op = iota // text present in both versions
	Delete           // text only in the old version
	Insert           // text only in the new version
)

// Kind says what happened to one paragraph.
type Kind int

// Paragraph kinds. They marshal as "equal", "insert", "delete", "replace"
// and "move".
const (
	Unchanged Kind = iota // same text at the same place in both versions
	Added                 // only in the new version
	Removed               // only in the old version
	Modified              // rewritten in place: an old paragraph paired with its new form
	Moved                 // the same paragraph at another place, perhaps also edited
)

// Span is a run of text inside a Modified or Moved paragraph. Text holds
// whole tokens (words, whitespace, punctuation, or single CJK characters).
type Span struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
}

// Block is one paragraph of the comparison. Blocks are in the reading order
// of the new version, with each Removed block at its old place; a Moved
// block stands at its new place.
type Block struct {
	Kind Kind `json:"op"`
	// OldIndex and NewIndex are 1-based paragraph numbers in each version;
	// 0 when the paragraph does not exist on that side.
	OldIndex int `json:"old_index,omitempty"`
	NewIndex int `json:"new_index,omitempty"`
	// Old and New hold the normalized paragraph text; Old is empty for
	// Added and New is empty for Removed. Both are empty for an Unchanged
	// block whose text Compact dropped.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Spans is the word-level (character-level for CJK) diff of a Modified
	// paragraph, or of a Moved one whose text changed; nil otherwise. Its
	// Equal and Delete spans concatenate to Old, its Equal and Insert spans
	// to New.
	Spans []Span `json:"spans,omitempty"`
}

// Result is the comparison of two texts, paragraph by paragraph. It
// marshals to JSON as {"blocks":[…]} (see the package documentation).
type Result struct {
	Blocks []Block `json:"blocks,omitempty"`
}

// Compare normalizes old and new (see Normalize) and compares them: first
// paragraph by paragraph (a longest common subsequence), then, for each
// removed paragraph that resembles an added one next to it, word by word;
// last, removed and added paragraphs that are the same paragraph at
// another place become one Moved block.
func Compare(old, new string) Result {
	c := newComparer()
	return Result{Blocks: c.paragraphs(Paragraphs(old), Paragraphs(new))}
}

// Changed reports whether the normalized texts differ.
func (r Result) Changed() bool {
	for _, b := range r.Blocks {
		if b.Kind != Unchanged {
			return true
		}
	}
	return false
}

// OldText rebuilds the normalized old text from the blocks of a full
// (not compacted) Result.
func (r Result) OldText() string {
	return r.join(func(b Block) (int, string) { return b.OldIndex, b.Old })
}

// NewText rebuilds the normalized new text from the blocks of a full
// (not compacted) Result.
func (r Result) NewText() string {
	return r.join(func(b Block) (int, string) { return b.NewIndex, b.New })
}

// join puts each block's text on one side at its paragraph number there.
func (r Result) join(side func(Block) (int, string)) string {
	var paras []string
	for _, b := range r.Blocks {
		i, s := side(b)
		if i <= 0 || i > len(r.Blocks) { // no paragraph on this side, or not from Compare
			continue
		}
		for len(paras) < i {
			paras = append(paras, "")
		}
		paras[i-1] = s
	}
	n := 0
	for _, p := range paras {
		n += len(p) + 2
	}
	out := make([]byte, 0, n)
	for k, p := range paras {
		if k > 0 {
			out = append(out, "\n\n"...)
		}
		out = append(out, p...)
	}
	return string(out)
}
