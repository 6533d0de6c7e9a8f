package switchboard_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestEventStaging pins the life of staged event records: the first write
// takes them, a rollback makes them pending again, a commit marks their
// events logged, a write that changed nothing leaves them for the next,
// and WithoutAuditEntry hides them.
func TestEventStaging(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := switchboard.NewEventRecord(switchboard.EventConversationAssigned, t0, "conv", "ch", "user")
	ctx := switchboard.WithEvents(context.Background(), r)
	if switchboard.EventLogged(ctx, r.Type, "conv") {
		t.Fatal("logged before any write")
	}
	rs, settle := switchboard.TakeEvents(ctx)
	if len(rs) != 1 || rs[0] != r {
		t.Fatalf("TakeEvents = %v", rs)
	}
	if again, _ := switchboard.TakeEvents(ctx); again != nil {
		t.Fatal("taken twice while the first write is open")
	}
	r.Position = 7
	settle(false)
	if r.Position != 0 || switchboard.EventLogged(ctx, r.Type, "conv") {
		t.Fatalf("after a rollback: position %d, logged %v", r.Position, switchboard.EventLogged(ctx, r.Type, "conv"))
	}
	switchboard.SkipAuditEntry(ctx)
	if rs, _ := switchboard.TakeEvents(ctx); rs != nil {
		t.Fatal("a write that changed nothing took the records")
	}
	if rs, _ := switchboard.TakeEvents(switchboard.WithoutAuditEntry(ctx)); rs != nil {
		t.Fatal("WithoutAuditEntry left the records on the context")
	}
	rs, settle = switchboard.TakeEvents(ctx)
	if len(rs) != 1 {
		t.Fatal("records not pending again after the no-op")
	}
	settle(true)
	if !switchboard.EventLogged(ctx, r.Type, "conv") || switchboard.EventLogged(ctx, r.Type, "other") ||
		switchboard.EventLogged(ctx, switchboard.EventConversationUpdated, "conv") {
		t.Fatal("EventLogged after the commit does not match the record")
	}
	if rs, _ := switchboard.TakeEvents(ctx); rs != nil {
		t.Fatal("a later write took the written records")
	}
	if !switchboard.EventLogged(switchboard.WithLoggedEvents(context.Background()), switchboard.EventMessageCreated, "any") {
		t.Fatal("WithLoggedEvents does not log every event")
	}
}

// TestWebhookDeliveryID: the id is the same for the same record and
// subscription, differs for another of either, and has the shape of an id.
func TestWebhookDeliveryID(t *testing.T) {
	a := &switchboard.EventRecord{Position: 1, ID: switchboard.NewID()}
	b := &switchboard.EventRecord{Position: 1, ID: switchboard.NewID()} // the same position after a restore
	id := switchboard.WebhookDeliveryID(a, "sub1")
	if !switchboard.ValidID(id) || id != switchboard.WebhookDeliveryID(&switchboard.EventRecord{Position: 1, ID: a.ID}, "sub1") {
		t.Fatalf("unstable or malformed id %q", id)
	}
	for _, other := range []string{switchboard.WebhookDeliveryID(a, "sub2"), switchboard.WebhookDeliveryID(b, "sub1")} {
		if other == id {
			t.Fatal("two pairs share a delivery id")
		}
	}
}
