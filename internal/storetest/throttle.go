package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testThrottle: the login throttle's entries round-trip, a zero entry is
// deleted, concurrent updates of one key all count (the row lock or the
// single writer), and pruning keeps what is still locked or in its window.
func testThrottle(t *testing.T, open Opener) {
	s := open(t)
	read := func(key string) (e switchboard.ThrottleEntry) {
		t.Helper()
		if err := s.UpdateThrottle(ctx(), key, func(got *switchboard.ThrottleEntry) bool { e = *got; return false }); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := read("k1"); !e.IsZero() || !e.First.IsZero() {
		t.Fatalf("missing entry = %+v, want the zero entry", e)
	}
	// Writing a zero entry where there is none (a reset of a key that
	// never failed) stores nothing.
	if err := s.UpdateThrottle(ctx(), "never", func(e *switchboard.ThrottleEntry) bool { *e = switchboard.ThrottleEntry{}; return true }); err != nil {
		t.Fatalf("reset of a missing key: %v", err)
	}
	want := switchboard.ThrottleEntry{Failures: 3, Pending: 1, First: T0, LockedUntil: T0.Add(time.Minute)}
	if err := s.UpdateThrottle(ctx(), "k1", func(e *switchboard.ThrottleEntry) bool { *e = want; return true }); err != nil {
		t.Fatal(err)
	}
	if got := read("k1"); !got.First.Equal(want.First) || !got.LockedUntil.Equal(want.LockedUntil) || got.Failures != 3 || got.Pending != 1 {
		t.Fatalf("stored entry = %+v, want %+v", got, want)
	}
	// Not locked: LockedUntil reads back as zero.
	if err := s.UpdateThrottle(ctx(), "k1", func(e *switchboard.ThrottleEntry) bool { e.LockedUntil = time.Time{}; return true }); err != nil {
		t.Fatal(err)
	}
	if got := read("k1"); !got.LockedUntil.IsZero() || got.Failures != 3 {
		t.Fatalf("after unlocking = %+v", got)
	}
	// A zero entry is deleted: the next read starts without a window.
	if err := s.UpdateThrottle(ctx(), "k1", func(e *switchboard.ThrottleEntry) bool { *e = switchboard.ThrottleEntry{}; return true }); err != nil {
		t.Fatal(err)
	}
	if got := read("k1"); !got.First.IsZero() {
		t.Fatalf("after reset = %+v, want no entry", got)
	}

	// Concurrent increments of a key that does not exist yet all count.
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.UpdateThrottle(ctx(), "burst", func(e *switchboard.ThrottleEntry) bool {
				if e.First.IsZero() {
					e.First = T0
				}
				e.Failures++
				return true
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := read("burst"); got.Failures != n {
		t.Fatalf("failures after %d concurrent updates = %d", n, got.Failures)
	}

	// Pruning: old and unlocked goes; old but still locked, and recent, stay.
	put := func(key string, e switchboard.ThrottleEntry) {
		t.Helper()
		if err := s.UpdateThrottle(ctx(), key, func(got *switchboard.ThrottleEntry) bool { *got = e; return true }); err != nil {
			t.Fatal(err)
		}
	}
	now := T0.Add(time.Hour)
	put("old", switchboard.ThrottleEntry{Failures: 1, First: T0})
	put("old-locked", switchboard.ThrottleEntry{Failures: 9, First: T0, LockedUntil: now.Add(time.Minute)})
	put("recent", switchboard.ThrottleEntry{Failures: 1, First: now.Add(-time.Minute)})
	n2, err := s.DeleteThrottles(ctx(), now.Add(-15*time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	// "burst" began at T0 too and is not locked.
	if n2 != 2 {
		t.Fatalf("DeleteThrottles = %d, want 2 (old, burst)", n2)
	}
	for key, kept := range map[string]bool{"old": false, "burst": false, "old-locked": true, "recent": true} {
		if got := !read(key).First.IsZero(); got != kept {
			t.Errorf("%s kept = %v, want %v", key, got, kept)
		}
	}
}
