package sqlite

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestErasureLeavesNoWrappedKeyOnDisk: after a contact is erased, its
// wrapped data key is in none of the database, WAL and shared-memory files
// (issue 14, Medium 5: a scan of the WAL recovered the destroyed key and
// with it the contact's name, number and messages). secure_delete zeroes
// freed content, and the erasure truncates the WAL.
func TestErasureLeavesNoWrappedKeyOnDisk(t *testing.T) {
	db := openInternal(t, Options{})
	ctx := context.Background()
	ch := &switchboard.Channel{Name: "C", PhoneNumberID: "1001", AccessToken: "token-1", AppSecret: "secret-1", VerifyToken: "verify-1"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000001", ProfileName: "Erika Erased",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "delete me"}, WAMessageID: "wamid.1", Timestamp: now}})
	if err != nil {
		t.Fatal(err)
	}
	// Another contact keeps the database busy with live data.
	if _, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000002", ProfileName: "Karl Kept",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "keep me"}, WAMessageID: "wamid.2", Timestamp: now}}); err != nil {
		t.Fatal(err)
	}
	var keyID string
	if err := db.rdb.QueryRowContext(ctx, `SELECT key_id FROM contacts WHERE id = ?`, r.Conversation.Contact.ID).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	if err := db.WrappedKeys(ctx, func(id, _ string, w []byte) error {
		if id == keyID {
			wrapped = bytes.Clone(w)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(wrapped) < 32 {
		t.Fatalf("wrapped key of %s not found (%d bytes)", keyID, len(wrapped))
	}
	// Let the key reach the database file too, as it would in production.
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EraseContact(ctx, switchboard.Erasure{ContactID: r.Conversation.Contact.ID, ErasedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(db.path + suffix)
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, wrapped) {
			t.Errorf("the erased contact's wrapped data key is still in %s", "test.db"+suffix)
		}
	}
}
