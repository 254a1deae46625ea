package diff

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// pairThreshold is the least similarity (see similarity) at which a removed
// paragraph and an added one are shown as one rewritten paragraph.
const pairThreshold = 0.4

// maxPairCells bounds the alignment table of one change group; larger
// groups (whole articles replaced) are shown as removals and additions.
const maxPairCells = 1 << 14

// comparer holds the diffmatchpatch settings for one Compare call.
type comparer struct {
	dmp *diffmatchpatch.DiffMatchPatch
}

func newComparer() comparer {
	dmp := diffmatchpatch.New()
	// No deadline: Compare must not read the clock, and its result must not
	// depend on machine speed. Inputs are paragraphs and tokens, not bytes,
	// so the sequences stay short.
	dmp.DiffTimeout = 0
	return comparer{dmp: dmp}
}

// seqOp is a run of items (paragraphs or tokens) with one operation.
type seqOp struct {
	op    Op
	items []string
}

// diffSeq diffs two sequences of items with diffmatchpatch, one rune per
// distinct item.
func (c comparer) diffSeq(a, b []string) []seqOp {
	cd := newCodec()
	ra, okA := cd.encode(a)
	rb, okB := cd.encode(b)
	if !okA || !okB {
		return replaceAll(a, b)
	}
	var ops []seqOp
	for _, d := range c.dmp.DiffMainRunes(ra, rb, false) {
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = Delete
		case diffmatchpatch.DiffInsert:
			op = Insert
		}
		ops = append(ops, seqOp{op: op, items: cd.decode(d.Text)})
	}
	return ops
}

func replaceAll(a, b []string) []seqOp {
	var ops []seqOp
	if len(a) > 0 {
		ops = append(ops, seqOp{Delete, a})
	}
	if len(b) > 0 {
		ops = append(ops, seqOp{Insert, b})
	}
	return ops
}

// paragraphs compares two lists of normalized paragraphs: a longest
// common subsequence in which a paragraph rewritten but still much like
// its old form counts as common (see likeOld), so that it anchors the
// alignment as an unchanged one does; then the runs between anchors (see
// group); then the moves (see moves).
func (c comparer) paragraphs(a, b []string) []Block {
	var (
		blocks     []Block
		dels, ins  []string
		oldN, newN int // paragraphs consumed so far
	)
	flush := func() {
		blocks = append(blocks, c.group(dels, ins, oldN-len(dels), newN-len(ins))...)
		dels, ins = nil, nil
	}
	for _, s := range c.diffSeq(a, likeOld(a, b)) {
		n := len(s.items)
		switch s.op {
		case Delete:
			dels = append(dels, a[oldN:oldN+n]...)
			oldN += n
		case Insert:
			ins = append(ins, b[newN:newN+n]...)
			newN += n
		case Equal:
			flush()
			for range n {
				old, new := a[oldN], b[newN]
				oldN++
				newN++
				bl := Block{Kind: Unchanged, Old: old, New: new, OldIndex: oldN, NewIndex: newN}
				if old != new {
					bl.Kind, bl.Spans = Modified, c.words(old, new)
				}
				blocks = append(blocks, bl)
			}
		}
	}
	flush()
	return c.moves(blocks)
}

// likeOld returns b with each paragraph that has no copy in a, but closely
// resembles (see similarPairs) a paragraph of a that has no copy in b,
// replaced by the text of that old paragraph; b itself when there is none.
// Diffing a against it lets an edited paragraph hold its place in the
// alignment: when C moves to the top and B is edited, C is the paragraph
// that moved, not A and B.
func likeOld(a, b []string) []string {
	inA, inB := set(a), set(b)
	var ua, ub []string
	var ubAt []int
	for _, p := range a {
		if !inB[p] {
			ua = append(ua, p)
		}
	}
	for j, p := range b {
		if !inA[p] {
			ub = append(ub, p)
			ubAt = append(ubAt, j)
		}
	}
	pairs := similarPairs(ua, ub)
	if len(pairs) == 0 {
		return b
	}
	out := append([]string(nil), b...)
	for _, p := range pairs {
		out[ubAt[p[1]]] = ua[p[0]]
	}
	return out
}

func set(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// group turns one run of removed and added paragraphs into blocks, pairing
// similar ones as Modified. oldBase and newBase are the number of
// paragraphs before the run on each side.
func (c comparer) group(dels, ins []string, oldBase, newBase int) []Block {
	var blocks []Block
	i, j := 0, 0
	emitUntil := func(di, ij int) {
		for ; i < di; i++ {
			blocks = append(blocks, Block{Kind: Removed, Old: dels[i], OldIndex: oldBase + i + 1})
		}
		for ; j < ij; j++ {
			blocks = append(blocks, Block{Kind: Added, New: ins[j], NewIndex: newBase + j + 1})
		}
	}
	for _, p := range align(dels, ins) {
		emitUntil(p[0], p[1])
		blocks = append(blocks, Block{
			Kind: Modified, Old: dels[i], New: ins[j],
			OldIndex: oldBase + i + 1, NewIndex: newBase + j + 1,
			Spans: c.words(dels[i], ins[j]),
		})
		i++
		j++
	}
	emitUntil(len(dels), len(ins))
	return blocks
}

// align pairs removed paragraphs with added ones, in order, maximizing the
// total similarity of the pairs (an LCS where a match is any pair at least
// pairThreshold alike). It returns [del index, ins index] pairs.
func align(dels, ins []string) [][2]int {
	m, n := len(dels), len(ins)
	if m == 0 || n == 0 || m*n > maxPairCells {
		return nil
	}
	dt, it := wordBags(dels), wordBags(ins)
	sim := make([][]float64, m)
	score := make([][]float64, m+1)
	score[0] = make([]float64, n+1)
	for a := range m {
		sim[a] = make([]float64, n)
		score[a+1] = make([]float64, n+1)
		for b := range n {
			sim[a][b] = similarity(dt[a], it[b])
			best := max(score[a][b+1], score[a+1][b])
			if sim[a][b] >= pairThreshold {
				best = max(best, score[a][b]+sim[a][b])
			}
			score[a+1][b+1] = best
		}
	}
	var pairs [][2]int
	for a, b := m, n; a > 0 && b > 0; {
		switch {
		case score[a][b] == score[a-1][b]:
			a--
		case score[a][b] == score[a][b-1]:
			b--
		default:
			pairs = append(pairs, [2]int{a - 1, b - 1})
			a--
			b--
		}
	}
	for l, r := 0, len(pairs)-1; l < r; l, r = l+1, r-1 {
		pairs[l], pairs[r] = pairs[r], pairs[l]
	}
	return pairs
}

type bag struct {
	counts map[string]int
	total  int
	text   string
	solid  int // bytes of text other than spaces
}

func wordBags(paras []string) []bag {
	bags := make([]bag, len(paras))
	for i, p := range paras {
		bags[i] = wordBag(p)
	}
	return bags
}

// wordBag counts the non-space tokens of one paragraph.
func wordBag(p string) bag {
	b := bag{counts: make(map[string]int), text: p, solid: len(p) - strings.Count(p, " ")}
	for _, t := range tokenize(p) {
		if strings.TrimSpace(t) != "" {
			b.counts[t]++
			b.total++
		}
	}
	return b
}

// similarity is the Dice coefficient of two paragraphs' non-space tokens:
// 1 for the same tokens, 0 for none in common. Paragraphs that differ in
// spacing alone ("New York", "NewYork") are alike: 1.
func similarity(x, y bag) float64 {
	if x.solid == y.solid && equalIgnoringSpace(x.text, y.text) {
		return 1
	}
	if x.total+y.total == 0 {
		return 0
	}
	common := 0
	for t, nx := range x.counts {
		common += min(nx, y.counts[t])
	}
	return 2 * float64(common) / float64(x.total+y.total)
}

// equalIgnoringSpace reports whether x and y are equal once their spaces
// are removed. Normalized text has no other whitespace.
func equalIgnoringSpace(x, y string) bool {
	i, j := 0, 0
	for {
		for i < len(x) && x[i] == ' ' {
			i++
		}
		for j < len(y) && y[j] == ' ' {
			j++
		}
		if i == len(x) || j == len(y) {
			return i == len(x) && j == len(y)
		}
		if x[i] != y[j] {
			return false
		}
		i++
		j++
	}
}
