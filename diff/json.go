package diff

import "fmt"

var (
	opNames   = [...]string{Equal: "equal", Delete: "delete", Insert: "insert"}
	kindNames = [...]string{Unchanged: "equal", Added: "insert", Removed: "delete", Modified: "replace", Moved: "move"}
)

// String returns "equal", "delete" or "insert".
func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// MarshalText returns the name String gives; an unknown Op is an error.
func (o Op) MarshalText() ([]byte, error) {
	if o < 0 || int(o) >= len(opNames) {
		return nil, fmt.Errorf("diff: unknown span op %d", int(o))
	}
	return []byte(opNames[o]), nil
}

// UnmarshalText parses a name that MarshalText returns.
func (o *Op) UnmarshalText(b []byte) error {
	for i, n := range opNames {
		if n == string(b) {
			*o = Op(i)
			return nil
		}
	}
	return fmt.Errorf("diff: unknown span op %q", b)
}

// String returns the name of the operation in the vocabulary of change
// reports: "equal" (Unchanged), "insert" (Added), "delete" (Removed),
// "replace" (Modified) or "move" (Moved).
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText returns the name String gives; an unknown Kind is an error.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("diff: unknown block op %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText parses a name that MarshalText returns.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("diff: unknown block op %q", b)
}

// Compact returns a copy of r for storage: the text of every Unchanged
// block more than one block away from a change is dropped, its indices
// kept. What stays is what the reports read: Text and Unified show the
// changed blocks and one unchanged paragraph of context on each side;
// Summary and Classes read changed blocks only; so each gives the same
// output for r and r.Compact(). OldText and NewText need the full r. An
// unchanged Result compacts to indices only.
func (r Result) Compact() Result {
	if len(r.Blocks) == 0 {
		return r
	}
	out := make([]Block, len(r.Blocks))
	copy(out, r.Blocks)
	for i := range out {
		if out[i].Kind == Unchanged && !nextToChange(r.Blocks, i) {
			out[i].Old, out[i].New = "", ""
		}
	}
	return Result{Blocks: out}
}

func nextToChange(blocks []Block, i int) bool {
	return i > 0 && blocks[i-1].Kind != Unchanged ||
		i+1 < len(blocks) && blocks[i+1].Kind != Unchanged
}
