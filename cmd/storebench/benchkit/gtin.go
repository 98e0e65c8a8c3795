package benchkit

import "fmt"

// EAN13 is the EAN-13 of a 12-digit payload: the payload and its GS1 mod-10 check digit (GS1
// General Specifications §7.9: weights 3 and 1 alternating from the right), for the benchmarks'
// generated catalogues.
func EAN13(payload int64) string {
	s, sum := fmt.Sprintf("%012d", payload), 0
	for j, c := range s {
		sum += int(c-'0') * (1 + 2*(j%2))
	}
	return s + fmt.Sprint((10-sum%10)%10)
}
