package diff

import (
	"cmp"
	"slices"
)

// moveThreshold is the least similarity at which a paragraph of the old
// version and one of the new version count as the same paragraph, edited,
// wherever they stand: likeOld lets such a pair anchor the alignment, and
// moves reports one that the alignment left out as a move. It is stricter
// than pairThreshold: a rewrite in place has its position to vouch for it,
// a move only its words.
const moveThreshold = 0.6

// maxMoveCells and maxMoveParas bound the similarity table of paragraphs
// without a copy on the other side, and the paragraphs tokenized for it;
// above them only paragraphs that moved unchanged are found.
const (
	maxMoveCells = 1 << 14
	maxMoveParas = 1 << 9
)

// moves turns each removed paragraph that reappears as an added paragraph
// elsewhere into one Moved block at its new place. Paragraphs with the
// same text pair first, in order; then the most similar remaining pairs,
// best first, down to moveThreshold. Each move replaces two blocks with
// one, and the paragraphs left for it are the ones the alignment (a
// longest common subsequence that edited paragraphs may anchor) and the
// pairing in place could not explain, so a change is not reported as a
// move when the alignment explains it with fewer blocks: two swapped
// paragraphs are one move, and when C moves to the top and B is edited,
// C moves and B is replaced in place.
func (c comparer) moves(blocks []Block) []Block {
	var rem, add []int
	for i, b := range blocks {
		switch b.Kind {
		case Removed:
			rem = append(rem, i)
		case Added:
			add = append(add, i)
		}
	}
	if len(rem) == 0 || len(add) == 0 {
		return blocks
	}
	from := make(map[int]int) // added block → removed block
	rem, add = exactMoves(blocks, rem, add, from)
	similarMoves(blocks, rem, add, from)
	if len(from) == 0 {
		return blocks
	}
	moved := make(map[int]bool, len(from))
	for _, k := range from {
		moved[k] = true
	}
	out := make([]Block, 0, len(blocks)-len(from))
	for i, b := range blocks {
		if moved[i] {
			continue
		}
		if k, ok := from[i]; ok {
			b = Block{Kind: Moved, Old: blocks[k].Old, New: b.New, OldIndex: blocks[k].OldIndex, NewIndex: b.NewIndex}
			if b.Old != b.New {
				b.Spans = c.words(b.Old, b.New)
			}
		}
		out = append(out, b)
	}
	return out
}

// exactMoves pairs removed and added blocks with the same text, the first
// removed copy with the first added one, and returns the blocks left.
func exactMoves(blocks []Block, rem, add []int, from map[int]int) (remLeft, addLeft []int) {
	byText := make(map[string][]int, len(rem))
	for _, k := range rem {
		byText[blocks[k].Old] = append(byText[blocks[k].Old], k)
	}
	paired := make(map[int]bool)
	for _, i := range add {
		ks := byText[blocks[i].New]
		if len(ks) == 0 {
			addLeft = append(addLeft, i)
			continue
		}
		from[i] = ks[0]
		paired[ks[0]] = true
		byText[blocks[i].New] = ks[1:]
	}
	for _, k := range rem {
		if !paired[k] {
			remLeft = append(remLeft, k)
		}
	}
	return remLeft, addLeft
}

// similarMoves pairs the most similar removed and added blocks (see
// similarPairs).
func similarMoves(blocks []Block, rem, add []int, from map[int]int) {
	olds, news := make([]string, len(rem)), make([]string, len(add))
	for x, k := range rem {
		olds[x] = blocks[k].Old
	}
	for y, i := range add {
		news[y] = blocks[i].New
	}
	for _, p := range similarPairs(olds, news) {
		from[add[p[1]]] = rem[p[0]]
	}
}

// similarPairs pairs old and new paragraphs at least moveThreshold alike,
// most similar first, each paragraph at most once, and returns [old, new]
// index pairs. It returns nil when there are more than maxMoveCells pairs
// or maxMoveParas paragraphs to compare.
func similarPairs(olds, news []string) [][2]int {
	if len(olds) == 0 || len(news) == 0 || len(olds)*len(news) > maxMoveCells || len(olds)+len(news) > maxMoveParas {
		return nil
	}
	ob, nb := wordBags(olds), wordBags(news)
	type cand struct {
		sim  float64
		x, y int
	}
	var cands []cand
	for x := range ob {
		for y := range nb {
			// Dice can reach the threshold only if the sizes are close.
			lo, hi := min(ob[x].total, nb[y].total), max(ob[x].total, nb[y].total)
			if float64(2*lo) < moveThreshold*float64(lo+hi) && ob[x].solid != nb[y].solid {
				continue
			}
			if s := similarity(ob[x], nb[y]); s >= moveThreshold {
				cands = append(cands, cand{s, x, y})
			}
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y))
	})
	var pairs [][2]int
	usedO, usedN := make([]bool, len(olds)), make([]bool, len(news))
	for _, c := range cands {
		if !usedO[c.x] && !usedN[c.y] {
			usedO[c.x], usedN[c.y] = true, true
			pairs = append(pairs, [2]int{c.x, c.y})
		}
	}
	return pairs
}
