package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestColdKeysOneReader reopens a database (so no data key is cached) with a
// single read connection and reads lists whose rows each need a key
// loaded: key loads must not wait for the reader the list holds.
func TestColdKeysOneReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cold.db")
	mk := storetest.MasterKey(t)
	ctx := context.Background()
	db, err := Open(ctx, path, Options{Master: mk, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	ch := &switchboard.Channel{Name: "Cold", PhoneNumberID: "777", AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	var convID string
	for i := range 5 {
		r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: fmt.Sprintf("49151000000%02d", i), ProfileName: "K",
			Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: fmt.Sprintf("wamid.cold%d", i), Timestamp: storetest.T0,
				Content: switchboard.MessageContent{Text: "hi", Media: &switchboard.Media{WAMediaID: fmt.Sprintf("m%d", i)}}}})
		if err != nil {
			t.Fatal(err)
		}
		convID = r.Conversation.ID
		if _, err := db.CreateOutboundMessage(ctx, &switchboard.Message{ConversationID: convID, Content: switchboard.MessageContent{Text: "re"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.EnqueueWebhook(ctx, ch.ID, []byte("{}"), storetest.T0); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path, Options{Master: mk, Readers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if list, _, err := db.Conversations(ctx, switchboard.ConversationFilter{}); err != nil || len(list) != 5 {
		t.Fatalf("Conversations = %d, %v", len(list), err)
	}
	db.codec.Keys.Forget(db.mustConvKey(t, convID))
	if msgs, _, err := db.Messages(ctx, convID, switchboard.MessagePage{}); err != nil || len(msgs) != 2 {
		t.Fatalf("Messages = %d, %v", len(msgs), err)
	}
	if chs, err := db.Channels(ctx); err != nil || len(chs) != 1 {
		t.Fatalf("Channels = %d, %v", len(chs), err)
	}
	now := time.Now().Add(time.Second)
	if items, err := db.ClaimOutbox(ctx, 10, 0, time.Minute, now); err != nil || len(items) != 5 {
		t.Fatalf("ClaimOutbox = %d, %v", len(items), err)
	}
	if ds, err := db.ClaimMediaDownloads(ctx, 10, 0, time.Minute, now); err != nil || len(ds) != 5 {
		t.Fatalf("ClaimMediaDownloads = %d, %v", len(ds), err)
	}
	if evs, err := db.ClaimWebhooks(ctx, 10, 0, time.Minute, now); err != nil || len(evs) != 1 {
		t.Fatalf("ClaimWebhooks = %d, %v", len(evs), err)
	}
}

func (db *DB) mustConvKey(t *testing.T, convID string) string {
	var k string
	if err := db.rdb.QueryRow(`SELECT key_id FROM conversations WHERE id = ?`, convID).Scan(&k); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestMigrateOutboxOrder upgrades a version 1 database with a queued
// message: 0002 must copy the message's timestamp into the outbox row.
func TestMigrateOutboxOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`,
		ms[0].SQL,
		`INSERT INTO schema_migrations VALUES (1, 0)`,
		`INSERT INTO data_keys (id, master_key_id, wrapped, created_at) VALUES ('k', 'mk', x'00', 0)`,
		`INSERT INTO channels (id, name, phone_number_id, key_id, secrets, created_at, updated_at) VALUES ('ch', 'c', '1', 'k', x'00', 0, 0)`,
		`INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at) VALUES ('ct', 'ch', 'k', x'01', x'00', x'00', 0, 0)`,
		`INSERT INTO conversations (id, channel_id, contact_id, status, key_id, created_at, updated_at) VALUES ('cv', 'ch', 'ct', 'open', 'k', 0, 0)`,
		`INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content, ts, created_at, updated_at)
			VALUES ('m', 'cv', 'k', 'out', 'text', 'pending', x'00', 12345, 0, 0)`,
		`INSERT INTO outbox (message_id, conversation_id, channel_id, state, next_attempt_at, created_at) VALUES ('m', 'cv', 'ch', 'pending', 0, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, err := Open(context.Background(), path, Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ts int64
	var leased sql.NullInt64
	if err := db.rdb.QueryRow(`SELECT ts, leased_until FROM outbox WHERE message_id = 'm'`).Scan(&ts, &leased); err != nil {
		t.Fatal(err)
	}
	if ts != 12345 || leased.Valid {
		t.Errorf("outbox ts, leased_until = %d, %v; want 12345, NULL", ts, leased)
	}
	if applied, latest, err := db.SchemaVersion(context.Background()); err != nil || applied != latest {
		t.Errorf("SchemaVersion = %d, %d, %v", applied, latest, err)
	}
}
