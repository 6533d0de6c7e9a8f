package inbox

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottleLocksAfterLimitAndDoubles(t *testing.T) {
	th := NewThrottle(ThrottleOptions{Window: 15 * time.Minute, Lockout: time.Minute})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 1; i < 5; i++ {
		if d := th.Fail("acct:a", 5, now); d != 0 {
			t.Fatalf("failure %d locked for %v", i, d)
		}
	}
	if d := th.Fail("acct:a", 5, now); d != time.Minute {
		t.Fatalf("5th failure: lock %v, want 1m", d)
	}
	if got := th.Locked("acct:a", now.Add(30*time.Second)); got != 30*time.Second {
		t.Fatalf("locked = %v, want 30s left", got)
	}
	if d := th.Fail("acct:a", 5, now); d != 2*time.Minute {
		t.Fatalf("6th failure: lock %v, want 2m", d)
	}
	for range 10 {
		th.Fail("acct:a", 5, now)
	}
	if got := th.Locked("acct:a", now); got != 15*time.Minute {
		t.Fatalf("lock capped at %v, want the window", got)
	}
	// Other keys are unaffected; a success resets.
	if th.Locked("acct:b", now) != 0 {
		t.Fatal("unrelated key locked")
	}
	th.Reset("acct:a")
	if th.Locked("acct:a", now) != 0 {
		t.Fatal("reset did not unlock")
	}
	// Failures older than the window are forgotten.
	for range 4 {
		th.Fail("acct:c", 5, now)
	}
	if d := th.Fail("acct:c", 5, now.Add(16*time.Minute)); d != 0 {
		t.Fatalf("failure after the window locked for %v", d)
	}
}

func TestThrottleMemoryIsBounded(t *testing.T) {
	th := NewThrottle(ThrottleOptions{MaxKeys: 1000})
	now := time.Now()
	for i := range 10_000 {
		th.Fail(fmt.Sprintf("ip:%d", i), 20, now)
	}
	if n := len(th.keys); n > 1000 {
		t.Fatalf("%d keys kept, want at most 1000", n)
	}
}
