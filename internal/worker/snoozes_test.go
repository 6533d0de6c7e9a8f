package worker

import (
	"context"
	"testing"
)

// TestSnoozesDrainsFullBatches wakes due snoozes at start, batch after
// batch while they come full, and ends when its context does.
func TestSnoozesDrainsFullBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls []int
	results := []int{2, 2, 1}
	s := &Snoozes{Batch: 2, Waker: WakerFunc(func(_ context.Context, limit int) (int, error) {
		calls = append(calls, limit)
		n := results[len(calls)-1]
		if len(calls) == len(results) {
			cancel()
		}
		return n, nil
	})}
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0] != 2 {
		t.Errorf("calls %v, want three of limit 2", calls)
	}
}
