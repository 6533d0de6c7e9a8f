package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// t0 is the fixed time test hubs start at; ids then start at its microseconds.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

func roleByID(id string) *switchboard.Role {
	for _, r := range switchboard.BuiltinRoles() {
		if r.ID == id {
			return r
		}
	}
	panic("no role " + id)
}

func actor(userID, roleID string) *switchboard.Actor {
	return &switchboard.Actor{
		User: &switchboard.User{ID: userID, RoleID: roleID, Active: true},
		Role: roleByID(roleID),
	}
}

// canSee is the filter the API layer installs: the actor is read at every
// event, so role changes apply at once.
func canSee(a *atomic.Pointer[switchboard.Actor]) func(*switchboard.Event) bool {
	return func(e *switchboard.Event) bool { return switchboard.CanSeeEvent(a.Load(), e) }
}

func allowActor(a *switchboard.Actor) func(*switchboard.Event) bool {
	var p atomic.Pointer[switchboard.Actor]
	p.Store(a)
	return canSee(&p)
}

func allowAll(*switchboard.Event) bool { return true }

func newTestHub(t testing.TB, opts Options) *Hub {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow(t0)
	}
	h := NewHub(opts)
	t.Cleanup(h.Close)
	return h
}

func mustSubscribe(t testing.TB, h *Hub, user string, allow func(*switchboard.Event) bool, lastID int64) *Subscription {
	t.Helper()
	s, err := h.Subscribe(user, allow, lastID)
	if err != nil {
		t.Fatalf("Subscribe(%q, %d): %v", user, lastID, err)
	}
	t.Cleanup(s.Close)
	return s
}

// next returns the subscription's next event, failing if none arrives soon.
func next(t testing.TB, s *Subscription) switchboard.Event {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return e.Event
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	panic("unreachable")
}

// buffered drains what is queued without waiting.
func buffered(s *Subscription) []switchboard.Event {
	var out []switchboard.Event
	for {
		select {
		case e, ok := <-s.Events():
			if !ok {
				return out
			}
			out = append(out, e.Event)
		default:
			return out
		}
	}
}

func msg(conv string, assignees ...string) switchboard.Event {
	return switchboard.Event{Type: switchboard.EventMessageCreated, ConversationID: conv, ChannelID: "ch1", Assignees: assignees}
}

func TestPublishAssignsIDsAndTime(t *testing.T) {
	h := newTestHub(t, Options{})
	s := mustSubscribe(t, h, "u", allowAll, 0)

	at := t0.Add(-time.Hour)
	h.Publish(t.Context(), msg("c1"))
	h.Publish(t.Context(), switchboard.Event{Type: switchboard.EventMessageCreated, At: at, ID: 42})

	first, second := next(t, s), next(t, s)
	if want := t0.UnixMicro(); first.ID != want {
		t.Errorf("first id = %d, want the hub's creation time in µs %d", first.ID, want)
	}
	if second.ID != first.ID+1 {
		t.Errorf("second id = %d, want %d (the publisher's id is replaced)", second.ID, first.ID+1)
	}
	if !first.At.Equal(t0) {
		t.Errorf("zero At stamped %v, want %v", first.At, t0)
	}
	if !second.At.Equal(at) {
		t.Errorf("At = %v, want the publisher's %v kept", second.At, at)
	}
	if got := h.Stats(); got.Published != 2 || got.LatestID != second.ID || got.History != 2 || got.Subscribers != 1 {
		t.Errorf("Stats() = %+v", got)
	}
}

func TestPublishKeepsOwnCopyOfSlices(t *testing.T) {
	h := newTestHub(t, Options{})
	e := msg("c1", "bob")
	h.Publish(t.Context(), e)
	e.Assignees[0] = "mallory" // a publisher reusing its slice

	s := mustSubscribe(t, h, "bob", allowActor(actor("bob", switchboard.RoleEmployee)), t0.UnixMicro()-1)
	if got := next(t, s); got.Assignees[0] != "bob" {
		t.Errorf("replayed assignees = %v, want the hub's copy [bob]", got.Assignees)
	}
}

func TestDeliveryFollowsFilter(t *testing.T) {
	h := newTestHub(t, Options{})
	alice := mustSubscribe(t, h, "alice", allowActor(actor("alice", switchboard.RoleOperator)), 0)
	bob := mustSubscribe(t, h, "bob", allowActor(actor("bob", switchboard.RoleEmployee)), 0)

	for _, e := range visibilityScenario() {
		h.Publish(t.Context(), e)
	}
	h.Close() // ends both streams so buffered() sees everything

	for _, tt := range []struct {
		name string
		sub  *Subscription
		want []string
	}{
		{"operator sees everything", alice, []string{"1", "2", "3", "4", "5", "6", "7"}},
		{"employee sees assigned events and the unassignment", bob, []string{"2", "3", "4", "7"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range buffered(tt.sub) {
				got = append(got, e.Data.(string))
			}
			if !equal(got, tt.want) {
				t.Errorf("events = %v, want %v", got, tt.want)
			}
		})
	}
}

// visibilityScenario is a conversation's life as an employee, bob, sees it:
// created unassigned, assigned to bob, a message, unassigned from bob, a
// message after that, another user's conversation, and bob's next one. Data
// numbers the events.
func visibilityScenario() []switchboard.Event {
	ev := func(n, typ, conv string, assignees, also []string) switchboard.Event {
		return switchboard.Event{Type: typ, ConversationID: conv, ChannelID: "ch1", Assignees: assignees, Also: also, Data: n}
	}
	return []switchboard.Event{
		ev("1", switchboard.EventConversationCreated, "c1", nil, nil),
		ev("2", switchboard.EventConversationAssigned, "c1", []string{"bob"}, nil),
		ev("3", switchboard.EventMessageCreated, "c1", []string{"bob"}, nil),
		ev("4", switchboard.EventConversationUnassigned, "c1", nil, []string{"bob"}),
		ev("5", switchboard.EventMessageCreated, "c1", nil, nil),
		ev("6", switchboard.EventMessageCreated, "c2", []string{"carol"}, nil),
		ev("7", switchboard.EventMessageCreated, "c3", []string{"bob"}, nil),
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRoleChangeAppliesToNextEvent(t *testing.T) {
	h := newTestHub(t, Options{})
	var bob atomic.Pointer[switchboard.Actor]
	bob.Store(actor("bob", switchboard.RoleEmployee))
	s := mustSubscribe(t, h, "bob", canSee(&bob), 0)

	h.Publish(t.Context(), msg("c1")) // unassigned: invisible to an employee
	bob.Store(actor("bob", switchboard.RoleOperator))
	h.Publish(t.Context(), msg("c2"))

	if got := next(t, s); got.ConversationID != "c2" {
		t.Errorf("first event for c%s, want only c2 after promotion", got.ConversationID)
	}
}

func TestReplay(t *testing.T) {
	bob := actor("bob", switchboard.RoleEmployee)
	first := t0.UnixMicro()

	for _, tt := range []struct {
		name   string
		lastID int64
		want   []string
	}{
		// Filtered by bob's current visibility: unassigned from c1 since,
		// he gets the unassignment (it names him) but not what c1 showed
		// him while he was assigned (security review finding 18).
		{"from before the first event", first - 1, []string{"4", "7"}},
		{"after the assignment", first + 1, []string{"4", "7"}},
		{"after the unassignment", first + 3, []string{"7"}},
		{"up to date", first + 6, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHub(t, Options{})
			for _, e := range visibilityScenario() {
				h.Publish(t.Context(), e)
			}
			s := mustSubscribe(t, h, "bob", allowActor(bob), tt.lastID)
			var got []string
			for _, e := range buffered(s) {
				got = append(got, e.Data.(string))
			}
			if !equal(got, tt.want) {
				t.Errorf("replay = %v, want %v", got, tt.want)
			}
			h.Publish(t.Context(), msg("c9", "bob"))
			if e := next(t, s); e.ConversationID != "c9" {
				t.Errorf("live event after replay = %+v, want c9", e)
			}
		})
	}
}

func TestReplayLargerThanQueue(t *testing.T) {
	h := newTestHub(t, Options{QueueSize: 2})
	for range 10 {
		h.Publish(t.Context(), msg("c1"))
	}
	s := mustSubscribe(t, h, "u", allowAll, t0.UnixMicro()-1)
	if got := len(buffered(s)); got != 10 {
		t.Fatalf("replayed %d events, want all 10 although the queue holds 2", got)
	}
	if s.Err() != nil {
		t.Fatalf("Err() = %v, want nil", s.Err())
	}
}

func TestResync(t *testing.T) {
	first, latest := t0.UnixMicro(), t0.UnixMicro()+9

	for _, tt := range []struct {
		name       string
		lastID     int64
		wantResync bool
		wantFirst  int64 // first replayed id when no resync
	}{
		{"older than the ring", first, true, 0},
		{"just before the oldest kept event", first + 3, true, 0},
		{"the newest evicted event", first + 4, false, first + 5},
		{"from the future", latest + 1, true, 0},
		{"from another process", 17, true, 0},
		{"negative", -1, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHub(t, Options{History: 5})
			for range 10 {
				h.Publish(t.Context(), msg("c1"))
			}
			s := mustSubscribe(t, h, "u", allowAll, tt.lastID)
			got := buffered(s)
			if len(got) == 0 {
				t.Fatal("no events")
			}
			if !tt.wantResync {
				if got[0].Type == switchboard.EventResync || got[0].ID != tt.wantFirst {
					t.Fatalf("first event = %s %d, want replay from %d", got[0].Type, got[0].ID, tt.wantFirst)
				}
				return
			}
			if len(got) != 1 || got[0].Type != switchboard.EventResync || got[0].ID != latest {
				t.Fatalf("events = %+v, want only a resync carrying %d", got, latest)
			}
			h.Publish(t.Context(), msg("c2"))
			if e := next(t, s); e.ConversationID != "c2" || e.ID <= latest {
				t.Errorf("event after resync = %+v, want the next live event", e)
			}
		})
	}
}

func TestIDsSurviveRestart(t *testing.T) {
	before := NewHub(Options{Now: fixedNow(t0)})
	for range 100 {
		before.Publish(t.Context(), msg("c1"))
	}
	lastID := before.Stats().LatestID
	before.Close()

	after := newTestHub(t, Options{Now: fixedNow(t0.Add(time.Millisecond))})
	s := mustSubscribe(t, after, "u", allowAll, lastID)
	if e := next(t, s); e.Type != switchboard.EventResync {
		t.Fatalf("first event after restart = %s, want resync", e.Type)
	}
	after.Publish(t.Context(), msg("c1"))
	if e := next(t, s); e.ID <= lastID {
		t.Errorf("new process id %d not above the old process's %d", e.ID, lastID)
	}
}

// TestReplayLiveSeam reconnects while a publisher runs flat out: the events
// after the client's last id must arrive exactly once and in order, whether
// they came from the ring or live.
func TestReplayLiveSeam(t *testing.T) {
	const n = 20000
	// History covers the whole run: however far the publisher gets ahead,
	// the reconnect must replay, not resync.
	h := newTestHub(t, Options{QueueSize: n, History: n})
	onlyEven := func(e *switchboard.Event) bool { return e.Data.(int)%2 == 0 }
	first := mustSubscribe(t, h, "u", onlyEven, 0)

	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range n {
			h.Publish(context.Background(), switchboard.Event{Type: switchboard.EventMessageCreated, Data: i})
		}
	}()

	// Read part of the stream, drop the connection, and reconnect from the
	// last id seen while publishing continues.
	var last switchboard.Event
	for range 500 {
		last = next(t, first)
	}
	first.Close()
	second := mustSubscribe(t, h, "u", onlyEven, last.ID)

	want := last.Data.(int) + 2
	prevID := last.ID
	for want < n {
		e := next(t, second)
		if e.Type == switchboard.EventResync {
			t.Fatal("unexpected resync")
		}
		if got := e.Data.(int); got != want {
			t.Fatalf("after %d got event %d, want %d", want-2, got, want)
		}
		if e.ID <= prevID {
			t.Fatalf("id %d after %d", e.ID, prevID)
		}
		prevID = e.ID
		want += 2
	}
	<-published
	if extra := buffered(second); len(extra) != 0 {
		t.Errorf("%d events after the last one", len(extra))
	}
}

func TestIDsStrictlyIncreasingAcrossPublishers(t *testing.T) {
	const publishers, each = 8, 2000
	h := newTestHub(t, Options{QueueSize: publishers * each})
	s := mustSubscribe(t, h, "u", allowAll, 0)

	var wg sync.WaitGroup
	for range publishers {
		wg.Go(func() {
			for range each {
				h.Publish(context.Background(), msg("c1"))
			}
		})
	}
	wg.Wait()

	got := buffered(s)
	if len(got) != publishers*each {
		t.Fatalf("received %d events, want %d", len(got), publishers*each)
	}
	for i, e := range got {
		if want := t0.UnixMicro() + int64(i); e.ID != want {
			t.Fatalf("event %d has id %d, want %d: ids must be dense and increasing", i, e.ID, want)
		}
	}
}

func TestSlowConsumer(t *testing.T) {
	const queue, n = 4, 10000
	h := newTestHub(t, Options{QueueSize: queue})
	slow := mustSubscribe(t, h, "slow", allowAll, 0) // never read
	fast := mustSubscribe(t, h, "fast", allowAll, 0)
	var fastGot atomic.Int64
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for range fast.Events() {
			fastGot.Add(1)
		}
	}()

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			h.Publish(context.Background(), msg("c1"))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}

	select {
	case <-slow.Done():
	default:
		t.Fatal("slow consumer still subscribed")
	}
	if !errors.Is(slow.Err(), ErrSlowConsumer) {
		t.Errorf("Err() = %v, want ErrSlowConsumer", slow.Err())
	}
	if got := len(buffered(slow)); got != queue {
		t.Errorf("slow consumer holds %d events, want its queue of %d", got, queue)
	}
	if got := h.Stats().DroppedSlow; got < 1 {
		t.Errorf("DroppedSlow = %d, want at least 1", got)
	}

	// The fast reader is unaffected unless it too fell behind, in which
	// case it was disconnected rather than allowed to block Publish.
	h.Close()
	<-drained
	if fast.Err() == ErrHubClosed && fastGot.Load() != n {
		t.Errorf("fast consumer got %d events, want %d", fastGot.Load(), n)
	}
}

func TestDisconnectUser(t *testing.T) {
	h := newTestHub(t, Options{})
	a1 := mustSubscribe(t, h, "alice", allowAll, 0)
	a2 := mustSubscribe(t, h, "alice", allowAll, 0)
	b := mustSubscribe(t, h, "bob", allowAll, 0)

	h.DisconnectUser("alice")

	for _, s := range []*Subscription{a1, a2} {
		<-s.Done()
		if !errors.Is(s.Err(), ErrRevoked) {
			t.Errorf("alice's Err() = %v, want ErrRevoked", s.Err())
		}
	}
	if b.Err() != nil {
		t.Fatalf("bob's Err() = %v, want nil", b.Err())
	}
	h.Publish(t.Context(), msg("c1"))
	next(t, b)
	if st := h.Stats(); st.Subscribers != 1 || st.Revoked != 2 {
		t.Errorf("Stats() = %+v, want 1 subscriber and 2 revoked", st)
	}
}

func TestCloseAndShutdown(t *testing.T) {
	h := NewHub(Options{})
	s, err := h.Subscribe("u", allowAll, 0)
	if err != nil {
		t.Fatal(err)
	}

	shutdown := make(chan error, 1)
	go func() { shutdown <- h.Shutdown(context.Background()) }()

	<-s.Done()
	if !errors.Is(s.Err(), ErrHubClosed) {
		t.Errorf("Err() = %v, want ErrHubClosed", s.Err())
	}
	if _, err := h.Subscribe("u", allowAll, 0); !errors.Is(err, ErrHubClosed) {
		t.Errorf("Subscribe after Close: %v, want ErrHubClosed", err)
	}
	h.Publish(t.Context(), msg("c1")) // dropped, must not panic
	select {
	case err := <-shutdown:
		t.Fatalf("Shutdown returned %v before the owner released the subscription", err)
	default:
	}
	s.Close()
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	h.Close() // idempotent
	s.Close()
}

func TestShutdownTimeout(t *testing.T) {
	h := NewHub(Options{})
	if _, err := h.Subscribe("u", allowAll, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled while a subscription is held", err)
	}
}

func TestSubscriptionClose(t *testing.T) {
	h := newTestHub(t, Options{})
	s := mustSubscribe(t, h, "u", allowAll, 0)
	s.Close()
	s.Close()
	if !errors.Is(s.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", s.Err())
	}
	if _, ok := <-s.Events(); ok {
		t.Error("Events still open after Close")
	}
	h.Publish(t.Context(), msg("c1"))
	if n := h.Stats().Subscribers; n != 0 {
		t.Errorf("Subscribers = %d, want 0", n)
	}
}

func BenchmarkPublishFanOut100(b *testing.B) {
	h := NewHub(Options{QueueSize: 4096})
	defer h.Close()
	var wg sync.WaitGroup
	for range 100 {
		s, err := h.Subscribe("u", allowAll, 0)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			for range s.Events() {
			}
		})
	}
	e := msg("c1", "bob")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h.Publish(ctx, e)
	}
	b.StopTimer()
	b.ReportMetric(float64(h.Stats().DroppedSlow), "dropped")
	h.Close()
	wg.Wait()
}

// TestPublishEncodesOnce checks that every subscriber receives the same
// entry, so its JSON is made once for all of them.
func TestPublishEncodesOnce(t *testing.T) {
	h := newTestHub(t, Options{})
	a := mustSubscribe(t, h, "alice", allowAll, 0)
	b := mustSubscribe(t, h, "bob", allowAll, 0)
	h.Publish(t.Context(), msg("c1"))
	ea, eb := <-a.Events(), <-b.Events()
	if ea != eb {
		t.Fatal("subscribers received different entries for one event")
	}
	ja, err := ea.JSON()
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := eb.JSON()
	if &ja[0] != &jb[0] {
		t.Error("the event was encoded twice")
	}
	want, _ := json.Marshal(&ea.Event)
	if string(ja) != string(want) {
		t.Errorf("JSON = %s, want %s", ja, want)
	}
}

// TestDefaultQueueTakesABatch checks that a subscriber that has not read
// yet survives a whole ingest batch published at once (two events for
// each of two batches of 128 messages): healthy sockets are not dropped
// as slow consumers at every burst.
func TestDefaultQueueTakesABatch(t *testing.T) {
	h := newTestHub(t, Options{})
	s := mustSubscribe(t, h, "alice", allowAll, 0)
	const burst = 2 * 2 * 128
	for range burst {
		h.Publish(t.Context(), msg("c1"))
	}
	if err := s.Err(); err != nil {
		t.Fatalf("subscription ended after a burst of %d: %v", burst, err)
	}
	if got := len(buffered(s)); got != burst {
		t.Errorf("%d events queued, want %d", got, burst)
	}
}
