package promo

import (
	"cmp"
	"math/bits"
	"slices"
)

// roundDiv returns num/den rounded half up (num ≥ 0, den > 0).
func roundDiv(num, den int64) int64 {
	return (2*num + den) / (2 * den)
}

// mulDiv returns floor(a × b / c) and its remainder for 0 ≤ a, b and a ≤ c, without overflow.
func mulDiv(a, b, c int64) (q, r int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	uq, ur := bits.Div64(hi, lo, uint64(c))
	return int64(uq), int64(ur)
}

// percentOf returns bp basis points of amount, rounded half up.
func percentOf(amount, bp int64) int64 {
	q, r := mulDiv(amount, bp, 10000)
	if 2*r >= 10000 {
		q++
	}
	return q
}

// taxOf is the VAT inside a tax-inclusive gross at rate bp, half up (the same rule as pos.TaxOf).
func taxOf(gross, bp int64) int64 {
	q, r := mulDiv(gross, bp, 10000+bp)
	if 2*r >= 10000+bp {
		q++
	}
	return q
}

// split divides total (0 ≤ total ≤ Σ weights) over weights by the largest-remainder method: each
// share is floor(total × w / W), and the cents left go one each to the largest remainders, ties to
// the lower index. No share exceeds its weight and the shares add up to total.
func split(total int64, weights []int64) []int64 {
	shares := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if total <= 0 || sum <= 0 {
		return shares
	}
	if total >= sum {
		copy(shares, weights)
		return shares
	}
	rem := make([]int64, len(weights))
	left := total
	for i, w := range weights {
		shares[i], rem[i] = mulDiv(total, w, sum)
		left -= shares[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range order {
		if left == 0 {
			break
		}
		if rem[i] > 0 {
			shares[i]++
			left--
		}
	}
	return shares
}
