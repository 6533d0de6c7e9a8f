package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/realtime"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// instance is one Switchboard instance's real-time side: its own store
// handle, hub and relay, on a database schema shared with the others.
type instance struct {
	db    *postgres.DB
	hub   *realtime.Hub
	relay *realtime.Relay
}

// liveCluster opens n instances on one fresh schema.
func liveCluster(t *testing.T, n int) []*instance {
	t.Helper()
	mk := testMasterKey(t)
	first, schema := mustOpenSchema(t, mk, nil)
	out := make([]*instance, n)
	for i := range out {
		db := first
		if i > 0 {
			var err error
			db, err = postgres.Open(context.Background(), testURL(), postgres.Options{Master: mk, Schema: schema, AuditKey: storetest.AuditKey})
			if err != nil {
				t.Fatalf("open instance %d: %v", i, err)
			}
			t.Cleanup(func() { db.Close() })
		}
		out[i] = startInstance(t, db)
	}
	return out
}

// startInstance starts a hub and relay on db, listening before it returns.
func startInstance(t *testing.T, db *postgres.DB) *instance {
	t.Helper()
	hub := realtime.NewHub(realtime.Options{})
	relay := &realtime.Relay{Hub: hub, Log: db}
	if err := relay.Start(context.Background()); err != nil {
		t.Fatalf("start relay: %v", err)
	}
	t.Cleanup(func() { relay.Close(); hub.Close() })
	select {
	case <-relay.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("relay does not listen")
	}
	return &instance{db: db, hub: hub, relay: relay}
}

func all(*switchboard.Event) bool { return true }

func subscribe(t *testing.T, in *instance, lastID int64) *realtime.Subscription {
	t.Helper()
	s, err := in.hub.Subscribe("u1", all, lastID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// next returns the subscription's next event, failing after 10 s.
func next(t *testing.T, s *realtime.Subscription) *realtime.Entry {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return nil
}

// notice is an event whose data names it, with a secret text that must
// not be stored in the clear.
func notice(channelID string, n int) switchboard.Event {
	return switchboard.Event{Type: switchboard.EventChannelNotice, ChannelID: channelID, Permission: switchboard.PermChannelsManage,
		Data: map[string]string{"n": strconv.Itoa(n), "text": "secret-customer-text"}}
}

func dataN(t *testing.T, e *realtime.Entry) int {
	t.Helper()
	b, err := e.JSON()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`"n":"`))
	if i < 0 {
		t.Fatalf("event without n: %s", b)
	}
	rest := b[i+5:]
	n, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '"')]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Events published on two instances reach the subscribers of all three in
// one order, with the log's positions as ids, their data and routing
// intact, and nothing of the data in the clear in the table.
func TestLiveEvents_AcrossInstances(t *testing.T) {
	ins := liveCluster(t, 3)
	ch := mustChannel(t, ins[0].db)
	subs := []*realtime.Subscription{subscribe(t, ins[0], 0), subscribe(t, ins[1], 0), subscribe(t, ins[2], 0)}

	const each = 60
	var wg sync.WaitGroup
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				channelID := ""
				if i%2 == 0 {
					channelID = ch.ID // sealed under the channel's key, the others under the log's own
				}
				ins[p].hub.Publish(context.Background(), notice(channelID, p*1000+i))
			}
		}()
	}
	wg.Wait()

	var first []int
	var firstIDs []int64
	for k, s := range subs {
		var got []int
		var ids []int64
		seen := map[int]bool{}
		for range 2 * each {
			e := next(t, s)
			if len(ids) > 0 && e.Event.ID <= ids[len(ids)-1] {
				t.Fatalf("instance %d: id %d after %d", k, e.Event.ID, ids[len(ids)-1])
			}
			if e.Event.Type != switchboard.EventChannelNotice || e.Event.Permission != switchboard.PermChannelsManage {
				t.Fatalf("instance %d: event %+v", k, e.Event)
			}
			n := dataN(t, e)
			if (n%1000)%2 == 0 && e.Event.ChannelID != ch.ID || (n%1000)%2 == 1 && e.Event.ChannelID != "" {
				t.Fatalf("instance %d: event %d has channel %q", k, n, e.Event.ChannelID)
			}
			seen[n] = true
			got = append(got, n)
			ids = append(ids, e.Event.ID)
		}
		if len(seen) != 2*each {
			t.Fatalf("instance %d: %d distinct events, want %d", k, len(seen), 2*each)
		}
		// Each publisher's events keep their order.
		last := map[int]int{0: -1, 1000: 999}
		for _, n := range got {
			if n <= last[n/1000*1000] {
				t.Fatalf("instance %d: event %d after %d", k, n, last[n/1000*1000])
			}
			last[n/1000*1000] = n
		}
		if k == 0 {
			first, firstIDs = got, ids
		} else if fmt.Sprint(got) != fmt.Sprint(first) || fmt.Sprint(ids) != fmt.Sprint(firstIDs) {
			t.Fatalf("instance %d saw another order than instance 0", k)
		}
	}

	conn := connect(t)
	var plain int
	if err := conn.QueryRow(context.Background(), fmt.Sprintf(`SELECT count(*) FROM %s.live_events
		WHERE position('secret-customer-text'::bytea IN body) > 0 OR position(convert_to($1, 'UTF8') IN body) > 0`, schemaOf(t, ins[0].db)),
		ch.ID).Scan(&plain); err != nil {
		t.Fatal(err)
	}
	if plain != 0 {
		t.Fatalf("%d live events hold their data in the clear", plain)
	}
}

// schemaOf returns the schema a store works in.
func schemaOf(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var s string
	if err := db.Pool().QueryRow(context.Background(), "SELECT current_schema()").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A client that reconnects to another instance with its last id gets
// every event after it, from the log, then live ones, without a gap or a
// duplicate; one whose last id is older than the log, or unknown to it,
// is told to resync.
func TestLiveEvents_ReplayOnAnotherInstance(t *testing.T) {
	ins := liveCluster(t, 2)
	a := ins[0]
	sa := subscribe(t, a, 0)
	for i := range 30 {
		a.hub.Publish(context.Background(), notice("", i))
	}
	var ids []int64
	for range 30 {
		ids = append(ids, next(t, sa).Event.ID)
	}

	// An instance started after the events: its ring has none of them.
	late := startInstance(t, ins[1].db)
	s := subscribe(t, late, ids[14])
	for i := 15; i < 30; i++ {
		e := next(t, s)
		if e.Event.ID != ids[i] || dataN(t, e) != i {
			t.Fatalf("replay %d: got id %d n %d, want id %d", i, e.Event.ID, dataN(t, e), ids[i])
		}
	}
	// The instance that has them in its ring replays the same.
	s2 := subscribe(t, ins[1], ids[27])
	for i := 28; i < 30; i++ {
		if e := next(t, s2); e.Event.ID != ids[i] {
			t.Fatalf("ring replay %d: got id %d, want %d", i, e.Event.ID, ids[i])
		}
	}
	// Live events follow without a gap; a client with the newest id that
	// this instance may not have read yet gets no duplicate.
	a.hub.Publish(context.Background(), notice("", 30))
	ahead := subscribe(t, late, next(t, sa).Event.ID)
	a.hub.Publish(context.Background(), notice("", 31))
	for _, sub := range []*realtime.Subscription{s, s2} {
		if n := dataN(t, next(t, sub)); n != 30 {
			t.Fatalf("live after replay: got %d, want 30", n)
		}
		if n := dataN(t, next(t, sub)); n != 31 {
			t.Fatalf("live after replay: got %d, want 31", n)
		}
	}
	if n := dataN(t, next(t, ahead)); n != 31 {
		t.Fatalf("a client ahead of the instance: got %d, want 31", n)
	}

	// Pruned: only the newest event is kept, and an old last id resyncs.
	ctx := context.Background()
	if _, err := a.db.PruneLiveEvents(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	late2 := startInstance(t, ins[1].db)
	if e := next(t, subscribe(t, late2, ids[3])); e.Event.Type != switchboard.EventResync {
		t.Fatalf("last id older than the log: got %+v, want resync", e.Event)
	}
	if e := next(t, subscribe(t, late2, 1<<50)); e.Event.Type != switchboard.EventResync {
		t.Fatalf("last id unknown to the log: got %+v, want resync", e.Event)
	}
}

// A transaction that appended first but commits late is not skipped: the
// next append waits for it, so positions commit in order, and a reader
// sees neither before it commits. A rolled-back append leaves no gap that
// holds readers back.
func TestLiveEvents_LateCommitNotSkipped(t *testing.T) {
	for _, rollback := range []bool{false, true} {
		t.Run(fmt.Sprintf("rollback=%v", rollback), func(t *testing.T) {
			ins := liveCluster(t, 2)
			a, b := ins[0], ins[1]
			ctx := context.Background()
			watcher := subscribe(t, b, 0)
			_, before, err := b.db.LiveEventBounds(ctx)
			if err != nil {
				t.Fatal(err)
			}

			inserted, release := make(chan struct{}), make(chan struct{})
			errFirst := make(chan error, 1)
			go func() {
				errFirst <- a.db.AppendLiveEventsBeforeCommit(ctx, []switchboard.Event{notice("", 1)}, func() error {
					close(inserted)
					<-release
					if rollback {
						return errors.New("roll back")
					}
					return nil
				})
			}()
			<-inserted
			errSecond := make(chan error, 1)
			go func() { errSecond <- b.db.AppendLiveEvents(ctx, []switchboard.Event{notice("", 2)}) }()
			waitForLockWaiter(t, a.db)
			if es, err := b.db.LiveEventsAfter(ctx, before, 10); err != nil || len(es) != 0 {
				t.Fatalf("while the first append is open: %v, %v", es, err)
			}
			close(release)
			if err := <-errFirst; (err != nil) != rollback {
				t.Fatalf("first append: %v", err)
			}
			if err := <-errSecond; err != nil {
				t.Fatalf("second append: %v", err)
			}
			es, err := b.db.LiveEventsAfter(ctx, before, 10)
			if err != nil {
				t.Fatal(err)
			}
			want := []int{1, 2}
			if rollback {
				want = []int{2}
			}
			if len(es) != len(want) {
				t.Fatalf("got %d events, want %d", len(es), len(want))
			}
			for i, w := range want {
				e := next(t, watcher)
				if dataN(t, e) != w || e.Event.ID != es[i].ID {
					t.Fatalf("event %d: got n %d id %d, want n %d id %d", i, dataN(t, e), e.Event.ID, w, es[i].ID)
				}
			}
		})
	}
}

// waitForLockWaiter waits until an append is waiting for the table's lock.
func waitForLockWaiter(t *testing.T, db *postgres.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM pg_locks
			WHERE relation = 'live_events'::regclass AND NOT granted`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the second append does not wait for the first")
		}
		time.Sleep(5 * time.Millisecond) // polling for the condition, not a wait for time
	}
}

// One append of many events sends one notification, whose small payload
// is the newest position.
func TestLiveEvents_OneNotifyPerTransaction(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	conn := connect(t)
	if _, err := conn.Exec(ctx, "LISTEN "+db.LiveChannel()); err != nil {
		t.Fatal(err)
	}
	many := make([]switchboard.Event, 200)
	for i := range many {
		many[i] = notice("", i)
	}
	if err := db.AppendLiveEvents(ctx, many); err != nil {
		t.Fatal(err)
	}
	_, first, err := db.LiveEventBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AppendLiveEvents(ctx, many[:1]); err != nil {
		t.Fatal(err)
	}
	var payloads []string
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		n, err := conn.WaitForNotification(wctx)
		if err != nil {
			t.Fatalf("after %v: %v", payloads, err)
		}
		payloads = append(payloads, n.Payload)
		if n.Payload == strconv.FormatInt(first+1, 10) {
			break
		}
	}
	if len(payloads) != 2 || payloads[0] != strconv.FormatInt(first, 10) {
		t.Fatalf("notifications %v, want [%d %d]", payloads, first, first+1)
	}
}

// Pruning deletes events past the retention window, ephemeral ones past
// theirs, and never the newest.
func TestLiveEvents_Prune(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	typing := func(at time.Time) switchboard.Event {
		return switchboard.Event{Type: switchboard.EventComposerActivity, At: at, ConversationID: "c1"}
	}
	old := notice("", 1)
	old.At = now.Add(-2 * time.Hour)
	recent := notice("", 2)
	recent.At = now.Add(-time.Minute)
	if err := db.AppendLiveEvents(ctx, []switchboard.Event{old, typing(now.Add(-10 * time.Minute)), typing(now.Add(-time.Minute)), recent}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneLiveEvents(ctx, now.Add(-switchboard.LiveEventRetention), now.Add(-switchboard.EphemeralEventRetention))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	es, err := db.LiveEventsAfter(ctx, 0, 10)
	if err != nil || len(es) != 2 || es[0].Type != switchboard.EventComposerActivity || es[1].Type != switchboard.EventChannelNotice {
		t.Fatalf("kept %+v, %v", es, err)
	}
	if n, err := db.PruneLiveEvents(ctx, now.Add(time.Hour), now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1 (all but the newest)", n, err)
	}
	oldest, newest, err := db.LiveEventBounds(ctx)
	if err != nil || oldest != es[1].ID || newest != es[1].ID {
		t.Fatalf("bounds %d %d, %v; want the newest, %d", oldest, newest, err, es[1].ID)
	}
}

// A conversation's live events are sealed under its contact's key, like its
// messages: erasing the contact leaves them unreadable (their positions
// only); the others are not touched.
func TestLiveEvents_ErasureShredsThem(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	ch := mustChannel(t, db)
	r, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000077", "Ada", "wamid.live", "secret-customer-text", t0))
	if err != nil {
		t.Fatal(err)
	}
	ev := notice(ch.ID, 1)
	ev.ConversationID = r.Conversation.ID
	if err := db.AppendLiveEvents(ctx, []switchboard.Event{ev, notice(ch.ID, 2)}); err != nil {
		t.Fatal(err)
	}
	if es, err := db.LiveEventsAfter(ctx, 0, 10); err != nil || len(es) != 2 || es[0].Type == "" || es[1].Type == "" {
		t.Fatalf("before the erasure: %+v, %v", es, err)
	}
	if _, err := db.EraseContact(ctx, switchboard.Erasure{ContactID: r.Conversation.Contact.ID, ErasedAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	es, err := db.LiveEventsAfter(ctx, 0, 10)
	if err != nil || len(es) != 2 || es[0].Type != "" || es[0].Data != nil || es[1].Type != switchboard.EventChannelNotice {
		t.Fatalf("after the erasure: %+v, %v", es, err)
	}
}

// BenchmarkLiveEventsRelay measures an event from Publish on one instance
// to a subscriber of another, through the log, in batches of b.N events
// published at once; the in-memory hub is the baseline of the same run.
func BenchmarkLiveEventsRelay(b *testing.B) {
	for _, shared := range []bool{false, true} {
		name := "memory"
		if shared {
			name = "postgres-2-instances"
		}
		b.Run(name, func(b *testing.B) {
			var pub, sub *realtime.Hub
			if shared {
				mk := testMasterKey(b)
				first, schema := mustOpenSchema(b, mk, nil)
				second, err := postgres.Open(context.Background(), testURL(), postgres.Options{Master: mk, Schema: schema, AuditKey: storetest.AuditKey})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { second.Close() })
				for i, db := range []*postgres.DB{first, second} {
					h := realtime.NewHub(realtime.Options{QueueSize: b.N + 1})
					r := &realtime.Relay{Hub: h, Log: db}
					if err := r.Start(context.Background()); err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { r.Close(); h.Close() })
					<-r.Listening()
					if i == 0 {
						pub = h
					} else {
						sub = h
					}
				}
			} else {
				pub = realtime.NewHub(realtime.Options{QueueSize: b.N + 1})
				sub = pub
				b.Cleanup(pub.Close)
			}
			s, err := sub.Subscribe("u1", all, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.ResetTimer()
			for i := range b.N {
				pub.Publish(context.Background(), notice("", i))
			}
			for range b.N {
				if _, ok := <-s.Events(); !ok {
					b.Fatal(s.Err())
				}
			}
		})
	}
}
