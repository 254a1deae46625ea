// Package diff compares two versions of extracted text. It does no I/O and
// imports nothing from stet, so it can be fuzzed and benchmarked in isolation.
package diff

// Op says what a Span of a modified paragraph did.
type Op int

// Span operations.
const (
	Equal  Op = iota // text present in both versions
	Delete           // text only in the old version
	Insert           // text only in the new version
)

// Kind says what happened to one paragraph.
type Kind int

// Paragraph kinds.
const (
	Unchanged Kind = iota // same text in both versions
	Added                 // only in the new version
	Removed               // only in the old version
	Modified              // rewritten: an old paragraph paired with its new form
)

// Span is a run of text inside a Modified paragraph. Text holds whole tokens
// (words, whitespace, punctuation, or single CJK characters).
type Span struct {
	Op   Op
	Text string
}

// Block is one paragraph of the comparison, in reading order.
type Block struct {
	Kind Kind
	// Old and New hold the normalized paragraph text; Old is empty for
	// Added and New is empty for Removed.
	Old, New string
	// OldIndex and NewIndex are 1-based paragraph numbers in each version;
	// 0 when the paragraph does not exist on that side.
	OldIndex, NewIndex int
	// Spans is the word-level (character-level for CJK) diff of a Modified
	// paragraph; nil otherwise. Its Equal and Delete spans concatenate to
	// Old, its Equal and Insert spans to New.
	Spans []Span
	// Moved marks an Added or Removed paragraph whose exact text was removed
	// or added elsewhere: the paragraph was reordered, not rewritten.
	Moved bool
}

// Result is the comparison of two texts, paragraph by paragraph.
type Result struct {
	Blocks []Block
}

// Compare normalizes old and new (see Normalize) and compares them: first
// paragraph by paragraph, then, for each removed paragraph that resembles an
// added one, word by word.
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

// OldText rebuilds the normalized old text from the blocks.
func (r Result) OldText() string {
	return r.join(func(b Block) (string, bool) { return b.Old, b.Kind != Added })
}

// NewText rebuilds the normalized new text from the blocks.
func (r Result) NewText() string {
	return r.join(func(b Block) (string, bool) { return b.New, b.Kind != Removed })
}

func (r Result) join(side func(Block) (string, bool)) string {
	var out []byte
	for _, b := range r.Blocks {
		s, ok := side(b)
		if !ok {
			continue
		}
		if len(out) > 0 {
			out = append(out, "\n\n"...)
		}
		out = append(out, s...)
	}
	return string(out)
}
