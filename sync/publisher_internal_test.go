package sync

import (
	"fmt"
	"testing"
)

func TestSeqRanges(t *testing.T) {
	for _, tc := range []struct {
		in   []int64
		want string
	}{
		{nil, "[]"},
		{[]int64{5}, "[[5 5]]"},
		{[]int64{3, 1, 2, 7, 8, 10}, "[[1 3] [7 8] [10 10]]"},
		{[]int64{4, 4, 5}, "[[4 5]]"},
	} {
		if got := fmt.Sprint(seqRanges(tc.in)); got != tc.want {
			t.Errorf("seqRanges(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
