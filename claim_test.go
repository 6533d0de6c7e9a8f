package switchboard

import "testing"

func TestClaimTake(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		sizes []int64
		max   int64
		want  int
	}{
		{nil, 10, 0},
		{[]int64{mb, mb, mb, mb}, 5 * mb / 2, 2}, // 1+1 fits 2.5, a third would not
		{[]int64{5 * mb, mb}, 5 * mb / 2, 1},     // a large first row alone
		{[]int64{mb, 5 * mb, 1}, 5 * mb / 2, 1},  // order kept: no skipping to the small one
		{[]int64{mb, mb}, 2 * mb, 2},             // exactly the budget
		{[]int64{1, 2, 3}, 0, 3},                 // default budget
		{[]int64{DefaultClaimBytes, 1}, 0, 1},    // default budget is a budget
		{[]int64{0, 0, 0}, 1, 3},                 // empty payloads are free
	} {
		if got := ClaimTake(c.sizes, c.max); got != c.want {
			t.Errorf("ClaimTake(%v, %d) = %d, want %d", c.sizes, c.max, got, c.want)
		}
	}
}
