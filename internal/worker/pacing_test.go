package worker

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// sendsWithin counts how many sends the channel's pacing lets start
// within d of t0 when they are all queued at t0, on the limiter's own
// clock (ReserveN with explicit times), so no real time passes.
func sendsWithin(s *Sender, ch *switchboard.Channel, t0 time.Time, d time.Duration, queued int) int {
	l := s.channelLimiter(ch)
	n := 0
	for range queued {
		r := l.ReserveN(t0, 1)
		if !r.OK() {
			break
		}
		if r.DelayFrom(t0) < d {
			n++
		}
	}
	return n
}

// TestCoexistencePacing: a coexistence channel is paced at 99 % of Meta's
// 20 messages per second, the others at 99 % of the configured rate; a
// channel switched to coexistence takes the lower pace at once.
func TestCoexistencePacing(t *testing.T) {
	s := &Sender{Rate: 80}
	s.init()
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

	coex := &switchboard.Channel{ID: "coex", Coexistence: true}
	// 10 s of sends: 99 % of 20/s is 19.8/s; the first goes at once.
	if got := sendsWithin(s, coex, t0, 10*time.Second, 1000); got != 198 {
		t.Errorf("coexistence channel: %d sends in 10 s, want 198 (19.8/s)", got)
	}
	if got := float64(s.channelLimiter(coex).Limit()); got != 19.8 {
		t.Errorf("coexistence limit = %v/s", got)
	}
	// No one-second window holds more than 20.
	if got := sendsWithin(s, &switchboard.Channel{ID: "coex2", Coexistence: true}, t0, time.Second, 100); got > switchboard.CoexistenceMPS {
		t.Errorf("%d sends in one second", got)
	}

	plain := &switchboard.Channel{ID: "plain"}
	if got := sendsWithin(s, plain, t0, 10*time.Second, 2000); got != 792 {
		t.Errorf("plain channel: %d sends in 10 s, want 792 (79.2/s)", got)
	}

	// Switched to coexistence (the channel is reloaded for every send).
	switched := &switchboard.Channel{ID: "plain", Coexistence: true}
	if got := float64(s.channelLimiter(switched).Limit()); got != 19.8 {
		t.Errorf("switched channel limit = %v/s", got)
	}
	// A configured rate below 20 stays the lower one.
	slow := &Sender{Rate: 5}
	slow.init()
	if got := float64(slow.channelLimiter(coex).Limit()); got != 4.95 {
		t.Errorf("slow sender's coexistence limit = %v/s", got)
	}
	// Throttling by Meta (130429) and recovery stay within the channel's pace.
	s.slowDown(coex)
	if got := float64(s.channelLimiter(coex).Limit()); got >= 19.8 {
		t.Errorf("after 130429: %v/s", got)
	}
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	for range 100 {
		s.mu.Lock()
		for id := range s.throttled {
			s.throttled[id] = time.Time{}
		}
		s.mu.Unlock()
		s.speedUp()
	}
	if got := float64(s.channelLimiter(coex).Limit()); got != 19.8 {
		t.Errorf("recovered to %v/s, want 19.8", got)
	}
}
