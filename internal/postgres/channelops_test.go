package postgres_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestClaimOutbox_Concurrent drains an outbox from several senders at once:
// every message is handed out exactly once, never while an earlier message
// of its conversation is in flight, and each conversation's messages are
// sent in timestamp order.
func TestClaimOutbox_Concurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ch := mustChannel(t, db)
	const convs, perConv, senders = 8, 6, 6

	base := time.Now().UTC().Truncate(time.Microsecond)
	want := map[string][]string{} // conversation → message ids in ts order
	for c := range convs {
		r, err := db.ReceiveMessage(ctx, text(ch.ID, fmt.Sprintf("49151%08d", c), "K", "wamid.c"+fmt.Sprint(c), "hi", t0))
		if err != nil {
			t.Fatal(err)
		}
		// Created in reverse timestamp order, so insertion order does not
		// hide a wrong ORDER BY.
		ids := make([]string, perConv)
		for i := perConv - 1; i >= 0; i-- {
			m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText,
				Content: switchboard.MessageContent{Text: fmt.Sprint(i)}, Timestamp: base.Add(time.Duration(i*convs+c) * time.Millisecond)}
			if _, err := db.CreateOutboundMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			ids[i] = m.ID
		}
		want[r.Conversation.ID] = ids
	}

	var (
		mu       sync.Mutex
		inFlight = map[string]bool{}
		got      = map[string][]string{}
		claims   atomic.Int64
		wg       sync.WaitGroup
	)
	now := base.Add(time.Hour)
	deadline := time.Now().Add(30 * time.Second)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				items, err := db.ClaimOutbox(ctx, 3, 0, time.Hour, now)
				if err != nil {
					t.Error(err)
					return
				}
				if len(items) == 0 {
					n, err := db.OutboxDepth(ctx, "")
					if err != nil {
						t.Error(err)
						return
					} else if n == 0 {
						return
					}
					time.Sleep(time.Millisecond) // the others hold the heads
					continue
				}
				for _, it := range items {
					claims.Add(1)
					conv := it.Conversation.ID
					mu.Lock()
					if inFlight[conv] {
						t.Errorf("conversation %s handed out twice at once", conv)
					}
					inFlight[conv] = true
					got[conv] = append(got[conv], it.Message.ID)
					mu.Unlock()
				}
				for _, it := range items {
					// Cleared before the result commits: after it, the
					// conversation's next message may be claimed.
					mu.Lock()
					delete(inFlight, it.Conversation.ID)
					mu.Unlock()
					if _, err := db.MarkSent(ctx, it.Message.ID, "wamid.out."+it.Message.ID, now); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := claims.Load(); n != convs*perConv {
		t.Errorf("%d claims, want %d", n, convs*perConv)
	}
	for conv, ids := range want {
		if !slices.Equal(got[conv], ids) {
			t.Errorf("conversation %s sent in order %v, want %v", conv, got[conv], ids)
		}
	}
}

// TestApplyStatus_ConcurrentWithMarkSent races the send call's result
// against webhook statuses for the same wamid: whichever commits first, the
// message ends at the highest status and nothing stays parked.
func TestApplyStatus_ConcurrentWithMarkSent(t *testing.T) {
	ctx := context.Background()
	db, schema := mustOpenSchema(t, testMasterKey(t), nil)
	conn := connect(t)
	ch := mustChannel(t, db)
	r, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000009", "K", "wamid.in", "hi", t0))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range n {
		m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "x"}}
		if _, err := db.CreateOutboundMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		wamid := fmt.Sprintf("wamid.race.%d", i)
		var wg sync.WaitGroup
		for _, st := range []switchboard.MessageStatus{switchboard.MessageDelivered, switchboard.MessageRead} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: ch.ID, WAMessageID: wamid, Status: st, Timestamp: t0}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.MarkSent(ctx, m.ID, wamid, time.Now()); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		got, err := db.Message(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != switchboard.MessageRead || got.WAMessageID != wamid {
			t.Fatalf("message %d: status %s wamid %q", i, got.Status, got.WAMessageID)
		}
	}
	var parked int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{schema, "pending_statuses"}.Sanitize()).Scan(&parked); err != nil {
		t.Fatal(err)
	}
	if parked != 0 {
		t.Errorf("%d statuses left parked", parked)
	}
}

// TestMigrate_FromVersion1 applies 0002 to a schema that has outbox rows
// written by the round-1 store: their ts is filled from the messages.
func TestMigrate_FromVersion1(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	schema := newSchema(t)
	init, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, sql := range []string{
		"CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{schema}.Sanitize(),
		"SET LOCAL search_path = " + pgx.Identifier{schema}.Sanitize(),
		string(init),
		`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, now())`,
		`INSERT INTO data_keys (id, master_key_id, wrapped, created_at) VALUES ('k', 'mk', '\x00', now())`,
		`INSERT INTO channels (id, name, phone_number_id, key_id, secrets, created_at, updated_at) VALUES ('ch', 'c', 'pn', 'k', '\x00', now(), now())`,
		`INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at) VALUES ('ct', 'ch', 'k', '\x01', '\x00', '\x00', now(), now())`,
		`INSERT INTO conversations (id, channel_id, contact_id, status, key_id, created_at, updated_at) VALUES ('cv', 'ch', 'ct', 'open', 'k', now(), now())`,
		`INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content, ts, created_at, updated_at)
			VALUES ('m1', 'cv', 'k', 'out', 'text', 'pending', '\x00', '2026-01-02 09:00:00+00', now(), now())`,
		`INSERT INTO outbox (message_id, conversation_id, channel_id, state, next_attempt_at, created_at) VALUES ('m1', 'cv', 'ch', 'pending', now(), now())`,
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	db, err := postgres.Open(ctx, testURL(), postgres.Options{Master: testMasterKey(t), Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if applied, latest, err := db.SchemaVersion(ctx); err != nil || applied != latest || latest < 2 {
		t.Fatalf("SchemaVersion = %d, %d, %v", applied, latest, err)
	}
	var ts time.Time
	if err := conn.QueryRow(ctx, `SELECT ts FROM `+pgx.Identifier{schema, "outbox"}.Sanitize()+` WHERE message_id = 'm1'`).Scan(&ts); err != nil {
		t.Fatal(err)
	}
	if !ts.Equal(t0) {
		t.Errorf("backfilled outbox.ts = %v, want %v", ts, t0)
	}
	if d, err := db.OutboxDepth(ctx, "ch"); err != nil || d != 1 {
		t.Errorf("OutboxDepth = %d, %v", d, err)
	}
}

// TestClaimWebhooks_ColdKeyCache claims and opens webhook bodies after a
// restart, with more events than the pool has connections, so every key
// load happens while claims hold connections.
func TestClaimWebhooks_ColdKeyCache(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	var chans []*switchboard.Channel
	for range 5 {
		chans = append(chans, mustChannel(t, db))
	}
	for i := range 100 {
		if err := db.EnqueueWebhook(ctx, chans[i%len(chans)].ID, fmt.Appendf(nil, `{"n":%d}`, i), t0); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db2, err := postgres.Open(ctx, testURL()+"&pool_max_conns=2", postgres.Options{Master: mk, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var total atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				evs, err := db2.ClaimWebhooks(tctx, 7, 0, time.Hour, t0.Add(time.Hour))
				if err != nil {
					t.Error(err)
					return
				} else if len(evs) == 0 {
					return
				}
				total.Add(int64(len(evs)))
			}
		}()
	}
	wg.Wait()
	if total.Load() != 100 {
		t.Errorf("claimed %d events, want 100", total.Load())
	}
}

// BenchmarkEnqueueWebhook runs the shared body: 50 concurrent callers.
func BenchmarkEnqueueWebhook(b *testing.B) {
	storetest.BenchEnqueueWebhook(b, MustOpenDB(b))
}

// BenchmarkApplyStatus applies "delivered" to sent messages from
// concurrent webhook workers, each found by its wamid.
func BenchmarkApplyStatus(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	ch := mustChannel(b, db)
	const msgs = 2000
	var wamids []string
	for c := range 20 {
		r, err := db.ReceiveMessage(ctx, text(ch.ID, fmt.Sprintf("49152%08d", c), "K", fmt.Sprintf("wamid.bin.%d", c), "hi", t0))
		if err != nil {
			b.Fatal(err)
		}
		for i := range msgs / 20 {
			m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "x"}}
			if _, err := db.CreateOutboundMessage(ctx, m); err != nil {
				b.Fatal(err)
			}
			w := fmt.Sprintf("wamid.bench.%d.%d", c, i)
			if _, err := db.MarkSent(ctx, m.ID, w, t0); err != nil {
				b.Fatal(err)
			}
			wamids = append(wamids, w)
		}
	}
	statuses := []switchboard.MessageStatus{switchboard.MessageDelivered, switchboard.MessageRead}
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			u := switchboard.StatusUpdate{ChannelID: ch.ID, WAMessageID: wamids[int(i)%len(wamids)],
				Status: statuses[int(i)/len(wamids)%2], Timestamp: t0}
			if _, err := db.ApplyStatus(ctx, u); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDeleteExpired runs the shared retention body.
func BenchmarkDeleteExpired(b *testing.B) {
	storetest.BenchDeleteExpired(b, MustOpenDB(b))
}

// BenchmarkClaimWebhooks runs the shared body, count only (the behaviour
// before the byte budget) and under 2 MB of bodies.
func BenchmarkClaimWebhooks(b *testing.B) {
	b.Run("count-only", func(b *testing.B) { storetest.BenchClaimWebhooks(b, MustOpenDB(b), math.MaxInt64) })
	b.Run("2MB", func(b *testing.B) { storetest.BenchClaimWebhooks(b, MustOpenDB(b), 2<<20) })
}
