package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testSendSlots pins ClaimSendSlot: slots start now when the channel is
// idle, queue up interval apart when it is busy, are per channel, and
// concurrent claims (several instances' senders) never share a slot nor
// come closer than the interval.
func testSendSlots(t *testing.T, open Opener) {
	s := open(t)
	t0 := T0.Add(time.Hour)
	const iv = 12500 * time.Microsecond // 80/s
	claim := func(ch string, iv time.Duration, now time.Time) time.Time {
		t.Helper()
		at, err := s.ClaimSendSlot(ctx(), ch, iv, now)
		must(t, err)
		return at
	}
	if got := claim("ch-a", iv, t0); !got.Equal(t0) {
		t.Errorf("first slot %v, want now %v", got, t0)
	}
	if got := claim("ch-a", iv, t0); !got.Equal(t0.Add(iv)) {
		t.Errorf("second slot %v, want %v", got, t0.Add(iv))
	}
	if got := claim("ch-b", iv, t0); !got.Equal(t0) {
		t.Errorf("other channel's first slot %v, want %v", got, t0)
	}
	// Idle for a while: the next slot is now, not a slot in the past.
	later := t0.Add(time.Minute)
	if got := claim("ch-a", iv, later); !got.Equal(later) {
		t.Errorf("slot after idling %v, want %v", got, later)
	}
	// A slower pace (after Meta's 130429) spaces the next claim further.
	if got := claim("ch-a", time.Second, later); !got.Equal(later.Add(iv)) {
		t.Errorf("slot %v, want %v", got, later.Add(iv))
	}
	if got := claim("ch-a", iv, later); !got.Equal(later.Add(iv + time.Second)) {
		t.Errorf("slot after a slow one %v, want %v", got, later.Add(iv+time.Second))
	}
	for _, bad := range []time.Duration{0, -time.Second, switchboard.MaxSendSlotInterval + time.Second} {
		if _, err := s.ClaimSendSlot(ctx(), "ch-a", bad, later); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("interval %v: %v, want EInvalid", bad, err)
		}
	}

	// Concurrent claims, all at one instant: every slot distinct and
	// exactly interval after the one before.
	const workers, each = 6, 20
	var mu sync.Mutex
	var slots []time.Time
	var wg sync.WaitGroup
	t1 := t0.Add(2 * time.Hour)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				at, err := s.ClaimSendSlot(ctx(), "ch-c", iv, t1)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				slots = append(slots, at)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(slots, func(a, b time.Time) int { return a.Compare(b) })
	if len(slots) != workers*each {
		t.Fatalf("%d slots", len(slots))
	}
	for i, at := range slots {
		if want := t1.Add(time.Duration(i) * iv); !at.Equal(want) {
			t.Fatalf("slot %d = %v, want %v", i, at, want)
		}
	}
}
