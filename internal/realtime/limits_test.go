package realtime

import (
	"errors"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/switchboardhq/switchboard"
)

// TestReplayRingBoundedInBytes: large messages evict older events from the
// replay ring by size, not only by count (issue 14, Low 11: 300 messages
// of 1 MB held 463 MB).
func TestReplayRingBoundedInBytes(t *testing.T) {
	h := newTestHub(t, Options{History: 10000, HistoryBytes: 1 << 20})
	big := strings.Repeat("x", 100<<10)
	var first int64
	for i := range 300 {
		e := msg("c1")
		e.Data = &switchboard.Message{ID: "m", Content: switchboard.MessageContent{Text: big}}
		h.Publish(t.Context(), e)
		if i == 0 {
			first = h.Stats().LatestID
		}
	}
	st := h.Stats()
	if st.History > 10 || st.History == 0 {
		t.Fatalf("ring keeps %d events of 100 KiB with a 1 MiB budget", st.History)
	}
	if st.HistoryBytes > 1<<20 {
		t.Fatalf("ring holds %d bytes, budget 1 MiB", st.HistoryBytes)
	}
	// A client that missed the evicted events is told to resync.
	s := mustSubscribe(t, h, "alice", allowAll, first)
	if e := next(t, s); e.Type != switchboard.EventResync {
		t.Fatalf("first event after eviction = %s, want resync", e.Type)
	}
	// Small events still fill the ring up to its count.
	h2 := newTestHub(t, Options{History: 50, HistoryBytes: 1 << 20})
	for range 80 {
		h2.Publish(t.Context(), msg("c1"))
	}
	if n := h2.Stats().History; n != 50 {
		t.Fatalf("ring of 50 small events keeps %d", n)
	}
}

// TestSubscriptionCaps: subscriptions are capped per user and in total
// (issue 14, Low 12: one employee opened 4,000 sockets).
func TestSubscriptionCaps(t *testing.T) {
	h := newTestHub(t, Options{MaxPerUser: 2, MaxSubscribers: 3})
	mustSubscribe(t, h, "alice", allowAll, 0)
	a2 := mustSubscribe(t, h, "alice", allowAll, 0)
	if _, err := h.Subscribe("alice", allowAll, 0); !errors.Is(err, ErrTooManyForUser) {
		t.Fatalf("third subscription of one user: %v, want ErrTooManyForUser", err)
	}
	mustSubscribe(t, h, "bob", allowAll, 0)
	if _, err := h.Subscribe("carol", allowAll, 0); !errors.Is(err, ErrTooManySubscribers) {
		t.Fatalf("fourth subscription in total: %v, want ErrTooManySubscribers", err)
	}
	a2.Close()
	mustSubscribe(t, h, "carol", allowAll, 0)
}

// TestServeRefusesOverCap: a socket over the cap is opened and closed at
// once with 1013 (try again later) and a reason saying why, so a browser
// backs off instead of failing silently.
func TestServeRefusesOverCap(t *testing.T) {
	s := newWSServer(t, Options{MaxPerUser: 1}, ServeOptions{})
	s.dial(t, "alice", 0)
	c, _, err := websocket.Dial(t.Context(), s.url("alice", 0), nil)
	if err != nil {
		t.Fatalf("dial over the cap: %v", err)
	}
	defer c.CloseNow()
	_, _, err = c.Read(t.Context())
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusTryAgainLater || !strings.Contains(ce.Reason, "too many connections") {
		t.Fatalf("over the cap: %v, want 1013 too many connections", err)
	}
}
