package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestClaimOutboxReleasesLeaseWhenReadFails: when the claimed message
// cannot be read after the lease, the lease and the attempt are undone, so
// the message is retried later instead of expiring into "outcome unknown"
// although nothing reached Graph (issue 14, Medium 10).
func TestClaimOutboxReleasesLeaseWhenReadFails(t *testing.T) {
	db := openInternal(t, Options{})
	ctx := context.Background()
	ch := &switchboard.Channel{Name: "C", PhoneNumberID: "1001", AccessToken: "token-1", AppSecret: "secret-1", VerifyToken: "verify-1"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000001", ProfileName: "A",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hi"}, WAMessageID: "wamid.1", Timestamp: now}})
	if err != nil {
		t.Fatal(err)
	}
	u := &switchboard.User{Login: "op", Name: "Op", RoleID: switchboard.RoleOperator, Active: true, PasswordHash: "h"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText, SenderID: u.ID,
		Content: switchboard.MessageContent{Text: "reply"}, Timestamp: now}
	if _, err := db.CreateOutboundMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	// A message that no longer decrypts stands for any failed read.
	if _, err := db.wdb.ExecContext(ctx, `UPDATE messages SET content = x'00' WHERE id = ?`, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimOutbox(ctx, 1, 0, time.Minute, now.Add(time.Hour)); err == nil {
		t.Fatal("ClaimOutbox read a corrupt message without an error")
	}
	var attempts int
	var leased bool
	if err := db.rdb.QueryRowContext(ctx, `SELECT attempts, leased_until IS NOT NULL FROM outbox WHERE message_id = ?`, m.ID).Scan(&attempts, &leased); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 || leased {
		t.Fatalf("after a failed read: attempts %d, leased %v; want 0 and not leased", attempts, leased)
	}
}
