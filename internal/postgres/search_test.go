package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestSearchIndexRebuiltAndErased: rows without index entries (stored
// before migration 0023, or restored from a backup) are found again once
// IndexMessages has run, in resumable steps; erasing the contact leaves no
// row in message_terms.
func TestSearchIndexRebuiltAndErased(t *testing.T) {
	ctx := context.Background()
	db, schema := mustOpenSchema(t, testMasterKey(t), nil)
	ch := &switchboard.Channel{Name: "Main", PhoneNumberID: "1001", WABAID: "w", AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	var contactID, convID string
	for i, text := range []string{"Привет, где посылка?", "Die Straße ist gesperrt", "İstanbul yarın"} {
		r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915112345678",
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
				WAMessageID: "wamid.x" + string(rune('a'+i)), Timestamp: storetest.T0.Add(time.Duration(i) * time.Minute)}})
		if err != nil {
			t.Fatal(err)
		}
		contactID, convID = r.Conversation.Contact.ID, r.Conversation.ID
	}
	if _, err := db.AddThreadEntry(ctx, &switchboard.ThreadEntry{ConversationID: convID, Kind: switchboard.NoteEntry, Text: "Посылка потерялась"}); err != nil {
		t.Fatal(err)
	}

	conn := connect(t)
	count := func() int {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.message_terms`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() == 0 {
		t.Fatal("no index entries after ingest")
	}
	for _, q := range []string{`DELETE FROM message_terms`, `UPDATE messages SET search_id = NULL, search_terms = NULL`,
		`UPDATE thread_entries SET search_id = NULL, search_terms = NULL`} {
		if _, err := conn.Exec(ctx, `SET search_path TO `+schema+`; `+q); err != nil {
			t.Fatal(err)
		}
	}
	if hs, _, err := db.SearchMessages(ctx, switchboard.MessageSearch{Query: "ПОСЫЛКА"}); err != nil || len(hs) != 0 {
		t.Fatalf("search before indexing = %d hits, %v", len(hs), err)
	}
	total := 0
	for {
		n, err := db.IndexMessages(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	if total != 4 {
		t.Errorf("indexed %d rows, want 4", total)
	}
	hs, _, err := db.SearchMessages(ctx, switchboard.MessageSearch{Query: "ПОСЫЛКА"})
	if err != nil || len(hs) != 2 || hs[0].Kind != switchboard.HitNote || hs[1].Text != "Привет, где посылка?" {
		t.Fatalf("search after indexing = %+v, %v", hs, err)
	}
	if _, err := db.EraseContact(ctx, switchboard.Erasure{ContactID: contactID, ErasedAt: storetest.T0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d index entries left after the erasure", n)
	}
}

// TestContactTermsIndexer: contacts whose terms are gone (after migration
// 0032 or a restore) are found again once the indexer has run, and an
// erasure leaves no entry behind.
func TestContactTermsIndexer(t *testing.T) {
	ctx := context.Background()
	db, schema := mustOpenSchema(t, testMasterKey(t), nil)
	conn := connect(t)
	storetest.ContactTermsIndexer(t, db, func() {
		if _, err := conn.Exec(ctx, `DELETE FROM `+schema+`.contact_terms; UPDATE `+schema+`.contacts SET search_terms = NULL`); err != nil {
			t.Fatal(err)
		}
	}, func() int {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.contact_terms WHERE contact NOT IN (SELECT search_id FROM `+schema+`.contacts WHERE search_id IS NOT NULL)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}
