package realtime

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// memLog is a switchboard.LiveEventLog in memory. Its listeners are never
// notified: a test wakes a relay's reader itself (wake), so it decides
// which instance has read what.
type memLog struct {
	mu  sync.Mutex
	es  []switchboard.Event
	bad map[int64]bool // positions that come back unopenable
}

func (l *memLog) AppendLiveEvents(_ context.Context, es []switchboard.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range es {
		e.ID = int64(len(l.es) + 1)
		l.es = append(l.es, e)
	}
	return nil
}

func (l *memLog) LiveEventsAfter(_ context.Context, after int64, n int) ([]switchboard.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []switchboard.Event
	for _, e := range l.es {
		if e.ID > after && len(out) < n {
			if l.bad[e.ID] {
				e = switchboard.Event{ID: e.ID}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *memLog) LiveEventBounds(context.Context) (int64, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.es) == 0 {
		return 0, 0, nil
	}
	return l.es[0].ID, l.es[len(l.es)-1].ID, nil
}

func (l *memLog) ListenLiveEvents(ctx context.Context, ready, _ func()) error {
	ready()
	<-ctx.Done()
	return ctx.Err()
}

func (l *memLog) PruneLiveEvents(context.Context, time.Time, time.Time) (int, error) { return 0, nil }

// startRelay attaches a relay over log to a new hub; its reader reads only
// when its own writer appended or the test wakes it.
func startRelay(t *testing.T, log *memLog, opts Options) *Relay {
	t.Helper()
	r := &Relay{Hub: newTestHub(t, opts), Log: log, Poll: time.Hour, PruneEvery: time.Hour}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func note(conv string) switchboard.Event {
	return switchboard.Event{Type: switchboard.EventThreadEntryCreated, ConversationID: conv, ChannelID: "ch1"}
}

// A client whose last id came from an instance ahead of this one gets the
// events after it once this instance reads them, and none twice.
func TestRelayClientAheadOfInstance(t *testing.T) {
	log := &memLog{}
	a, b := startRelay(t, log, Options{}), startRelay(t, log, Options{})
	onA := mustSubscribe(t, a.Hub, "u1", allowAll, 0)
	a.Hub.Publish(context.Background(), note("c1"))
	seen := next(t, onA)

	// b has not read the log since: the client is ahead of it.
	onB := mustSubscribe(t, b.Hub, "u1", allowAll, seen.ID)
	b.Hub.Publish(context.Background(), note("c2"))
	if e := next(t, onB); e.ConversationID != "c2" || e.ID != seen.ID+1 {
		t.Fatalf("got %s #%d, want c2 #%d", e.ConversationID, e.ID, seen.ID+1)
	}
	if got := buffered(onB); len(got) != 0 {
		t.Fatalf("then %d more events", len(got))
	}
}

// The events a hub's ring lacks come from the log, joined to the ring's
// without a gap or a duplicate; more than a ring's worth is a resync.
func TestRelayReplayJoinsLogAndRing(t *testing.T) {
	log := &memLog{}
	a := startRelay(t, log, Options{})
	for range 3 {
		a.Hub.Publish(context.Background(), note("c1"))
	}
	onA := mustSubscribe(t, a.Hub, "u1", allowAll, 3)
	// Started after three events: its ring has none of them.
	b := startRelay(t, log, Options{History: 8})
	small := startRelay(t, log, Options{History: 2})
	watchB := mustSubscribe(t, b.Hub, "u1", allowAll, 0)
	watchSmall := mustSubscribe(t, small.Hub, "u1", allowAll, 0)
	for range 7 {
		a.Hub.Publish(context.Background(), note("c1"))
	}
	for range 7 {
		next(t, onA)
	}
	signal(b.read)
	signal(small.read)
	for range 7 {
		next(t, watchB)
		next(t, watchSmall)
	}

	s := mustSubscribe(t, b.Hub, "u1", allowAll, 1)
	for want := int64(2); want <= 10; want++ {
		if e := next(t, s); e.ID != want {
			t.Fatalf("replay: got #%d, want #%d", e.ID, want)
		}
	}
	if got := buffered(s); len(got) != 0 {
		t.Fatalf("then %d more events", len(got))
	}
	if e := next(t, mustSubscribe(t, small.Hub, "u1", allowAll, 1)); e.Type != switchboard.EventResync || e.ID != 10 {
		t.Fatalf("far behind: got %s #%d, want resync #10", e.Type, e.ID)
	}
}

// A log row that cannot be opened uses up its position and nothing else.
func TestRelaySkipsUnopenableEvents(t *testing.T) {
	log := &memLog{bad: map[int64]bool{2: true}}
	a := startRelay(t, log, Options{})
	s := mustSubscribe(t, a.Hub, "u1", allowAll, 0)
	for _, c := range []string{"c1", "c2", "c3"} {
		a.Hub.Publish(context.Background(), note(c))
	}
	if e := next(t, s); e.ID != 1 || e.ConversationID != "c1" {
		t.Fatalf("got %s #%d", e.ConversationID, e.ID)
	}
	if e := next(t, s); e.ID != 3 || e.ConversationID != "c3" {
		t.Fatalf("got %s #%d", e.ConversationID, e.ID)
	}
	if e := next(t, mustSubscribe(t, a.Hub, "u1", allowAll, 1)); e.ID != 3 {
		t.Fatalf("replay after #1: got #%d, want #3", e.ID)
	}
}
