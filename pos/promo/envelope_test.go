package promo

import (
	"math/bits"
	"testing"
)

// TestNextCombination_MaskOrder: the parts of a layer come in the order of the masks 1..2^m−1
// with that many bits set, the order the ties between equal totals were always broken in.
func TestNextCombination_MaskOrder(t *testing.T) {
	for m := 1; m <= 8; m++ {
		for r := 1; r <= m; r++ {
			pos := make([]int, r)
			for k := range pos {
				pos[k] = k
			}
			var got []int
			for {
				mask := 0
				for _, b := range pos {
					mask |= 1 << b
				}
				got = append(got, mask)
				if !nextCombination(pos, m) {
					break
				}
			}
			var want []int
			for mask := 1; mask < 1<<m; mask++ {
				if bits.OnesCount(uint(mask)) == r {
					want = append(want, mask)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("m %d r %d: %d parts, want %d", m, r, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("m %d r %d: part %d is %b, want %b", m, r, i, got[i], want[i])
				}
			}
		}
	}
}

func TestEnvelopeDepth(t *testing.T) {
	for _, c := range []struct{ lines, promos, want int }{
		{1, 10, 0},
		{2, 6666, 1}, // every part
		{6, 317, 5},  // every part
		{6, 318, 1},  // over maxEnvelopeWork: one layer
		{7, 5, 1},    // beyond maxEnvelope: one layer
		{20, 78, 1},  // 20 × 19 × 78 = 29,640
		{20, 79, 0},  // 30,020 > maxLayerWork
		{50, 12, 1},  // 50 × 49 × 12 = 29,400
		{50, 13, 0},
		{500, 1, 0},
	} {
		if got := envelopeDepth(c.lines, c.promos); got != c.want {
			t.Errorf("envelopeDepth(%d, %d) = %d, want %d", c.lines, c.promos, got, c.want)
		}
	}
}
