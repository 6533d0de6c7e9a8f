package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testEventLog pins the event log ([switchboard.EventLogStore]): an
// ingest writes its records with its messages (a duplicate none), a write
// writes the records staged on its context in its transaction and none
// when it changes nothing or rolls back, positions grow, a fan-out stores
// each delivery id once and marks the records, and pruning deletes only
// records fanned out before the cut.
func testEventLog(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	pending := func(t *testing.T) []*switchboard.EventRecord {
		t.Helper()
		rs, err := s.PendingEvents(ctx(), 1000)
		must(t, err)
		return rs
	}
	types := func(rs []*switchboard.EventRecord) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.Type
		}
		return out
	}

	in := inbound(ch.ID, "4915550001", "Eve", "hello", T0)
	r := mustReceive(t, s, in)
	rs := pending(t)
	if len(rs) != 2 || rs[0].Type != switchboard.EventConversationCreated || rs[1].Type != switchboard.EventMessageCreated ||
		rs[1].SubjectID != r.Message.ID || rs[1].ConversationID != r.Conversation.ID || rs[1].ChannelID != ch.ID ||
		rs[0].Position <= 0 || rs[1].Position <= rs[0].Position || !switchboard.ValidID(rs[0].ID) || rs[0].At.Location() != time.UTC {
		t.Fatalf("records after a new message = %+v", rs)
	}
	if _, err := s.ReceiveMessage(ctx(), in); err != nil {
		t.Fatal(err)
	}
	if got := pending(t); len(got) != 2 {
		t.Fatalf("a duplicate added records: %v", types(got))
	}
	mustReceive(t, s, inbound(ch.ID, "4915550001", "Eve", "again", T0.Add(time.Second)))
	rs = pending(t)
	if got := types(rs[2:]); len(got) != 2 || got[0] != switchboard.EventConversationUpdated || got[1] != switchboard.EventMessageCreated {
		t.Fatalf("records after a second message = %v", got)
	}

	// Staged records go with the write that carries them out.
	u := mustUser(t, s, unique("evuser"), "Ev", switchboard.RoleOperator)
	staged := func() *switchboard.EventRecord {
		return switchboard.NewEventRecord(switchboard.EventConversationAssigned, T0, r.Conversation.ID, ch.ID, u.ID)
	}
	audit := func() *switchboard.AuditEntry {
		return &switchboard.AuditEntry{At: T0, ActorID: "u-admin", ActorLogin: "admin", Action: "conversation.assign", ObjectType: "conversation",
			ObjectID: r.Conversation.ID, Outcome: switchboard.OutcomeSuccess}
	}
	rec := staged()
	actx := switchboard.WithEvents(switchboard.WithAuditEntry(ctx(), audit()), rec)
	if _, changed, err := s.AddAssignee(actx, r.Conversation.ID, u.ID, T0); err != nil || !changed {
		t.Fatalf("AddAssignee = %v, %v", changed, err)
	}
	if !switchboard.EventLogged(actx, switchboard.EventConversationAssigned, r.Conversation.ID) || rec.Position <= rs[len(rs)-1].Position {
		t.Fatalf("staged record not written: %+v", rec)
	}
	if got := pending(t); len(got) != 5 || got[4].SubjectID != u.ID || got[4].Position != rec.Position {
		t.Fatalf("records after the assignment = %v", types(got))
	}
	// Assigning again changes nothing: no record.
	again := switchboard.WithEvents(switchboard.WithAuditEntry(ctx(), audit()), staged())
	if _, changed, err := s.AddAssignee(again, r.Conversation.ID, u.ID, T0); err != nil || changed {
		t.Fatalf("AddAssignee again = %v, %v", changed, err)
	}
	if got := pending(t); len(got) != 5 {
		t.Fatalf("a write that changed nothing wrote records: %v", types(got))
	}
	// A write that rolls back (its audit entry cannot be appended) leaves
	// no record.
	bad := switchboard.WithEvents(switchboard.WithAuditEntry(ctx(), &switchboard.AuditEntry{At: T0, Outcome: switchboard.OutcomeSuccess}), staged())
	role := &switchboard.Role{ID: switchboard.NewID(), Name: unique("Ev role"), Permissions: []switchboard.Permission{switchboard.PermConversationsAssign}, AllChannels: true}
	if err := s.CreateRole(bad, role); !errors.Is(err, switchboard.ErrAuditIncomplete) {
		t.Fatalf("CreateRole with an entry that cannot be appended: %v", err)
	}
	if got := pending(t); len(got) != 5 {
		t.Fatalf("a write that rolled back wrote records: %v", types(got))
	}

	// Fan-out: one delivery per id, the records marked.
	rs = pending(t)
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", Events: []string{"message.created"}, AllChannels: true,
		Active: true, Secret: "whsec_ev", CreatedBy: switchboard.NewID()}
	must(t, s.CreateWebhookSubscription(ctx(), sub))
	delivery := func(r *switchboard.EventRecord) *switchboard.WebhookDelivery {
		return &switchboard.WebhookDelivery{ID: switchboard.WebhookDeliveryID(r, sub.ID), SubscriptionID: sub.ID, EventType: r.Type,
			Payload: []byte(`{"n":1}`), CreatedAt: T0}
	}
	first := []int64{rs[0].Position, rs[1].Position}
	must(t, s.FanOutEvents(ctx(), first, []*switchboard.WebhookDelivery{delivery(rs[1])}, T0))
	if got := pending(t); len(got) != 3 || got[0].Position != rs[2].Position {
		t.Fatalf("pending after a fan-out = %v", types(got))
	}
	id := switchboard.WebhookDeliveryID(rs[1], sub.ID)
	if id != switchboard.WebhookDeliveryID(rs[1], sub.ID) || id == switchboard.WebhookDeliveryID(rs[3], sub.ID) || !switchboard.ValidID(id) {
		t.Fatalf("delivery ids not stable or not distinct: %s", id)
	}
	claimed, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, T0.Add(time.Second))
	must(t, err)
	if len(claimed) != 1 || claimed[0].ID != id {
		t.Fatalf("claimed %+v", claimed)
	}
	// A fan-out redone (as after a crash before its records were marked)
	// adds no second delivery and leaves the first as it is.
	redo := delivery(rs[1])
	redo.Payload = []byte(`{"n":2}`)
	must(t, s.FanOutEvents(ctx(), first, []*switchboard.WebhookDelivery{redo}, T0.Add(time.Minute)))
	log, err := s.WebhookDeliveries(ctx(), sub.ID, 10)
	must(t, err)
	if len(log) != 1 || log[0].Attempts != 1 || string(log[0].Payload) != `{"n":1}` {
		t.Fatalf("deliveries after a redone fan-out = %+v", log)
	}

	// Pruning: only records fanned out before the cut.
	rest := pending(t)
	later := make([]int64, len(rest))
	for i, r := range rest {
		later[i] = r.Position
	}
	must(t, s.FanOutEvents(ctx(), later, nil, T0.Add(48*time.Hour)))
	n, err := s.PruneEvents(ctx(), T0.Add(time.Hour))
	must(t, err)
	if n != 2 {
		t.Fatalf("PruneEvents = %d, want the 2 records fanned out at T0", n)
	}
	mustReceive(t, s, inbound(ch.ID, "4915550002", "Finn", "hi", T0))
	if n, err := s.PruneEvents(ctx(), T0.Add(72*time.Hour)); err != nil || n != len(rest) {
		t.Fatalf("PruneEvents later = %d, %v; want %d (pending ones stay)", n, err, len(rest))
	}
	if got := pending(t); len(got) != 2 || got[0].Position <= rest[len(rest)-1].Position {
		t.Fatalf("pending after pruning = %+v", got)
	}
}

// testStatusEvents pins the records of the single changes of a message
// outside an ingest batch: a send's outcome (sent, failed, unknown), a
// noted retry, a requeue, a delivery status and a media download finished
// or given up each write one message.updated record of the message in
// their transaction, and a change that changes nothing (a repeat, a parked
// status, a rescheduled download) writes none.
func testStatusEvents(t *testing.T, open Opener) {
	s := open(t)
	f := newOutFixture(t, s)
	base := len(mustPending(t, s))
	// updates counts the message.updated records of id written since
	// the fixture's.
	updates := func(t *testing.T, id string) int {
		t.Helper()
		n := 0
		for _, r := range mustPending(t, s)[base:] {
			if r.Type == switchboard.EventMessageUpdated && r.SubjectID == id {
				n++
			}
		}
		return n
	}
	check := func(t *testing.T, what, id string, want int) {
		t.Helper()
		if got := updates(t, id); got != want {
			t.Errorf("after %s: %d message.updated records of the message, want %d", what, got, want)
		}
	}
	result := func(r *switchboard.StatusResult, err error) *switchboard.StatusResult {
		t.Helper()
		must(t, err)
		return r
	}

	sent := f.send(t, s, f.a.Conversation.ID, "one", T0.Add(time.Second))
	check(t, "queueing", sent.ID, 0)
	// A status for a wamid not known yet is parked: no record.
	if r := result(s.ApplyStatus(ctx(), switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.ev1",
		Status: switchboard.MessageDelivered, Timestamp: T0.Add(3 * time.Second)})); !r.Parked {
		t.Fatalf("status of an unknown wamid = %+v, want parked", r)
	}
	check(t, "a parked status", sent.ID, 0)
	if r := result(s.MarkSent(ctx(), sent.ID, "wamid.ev1", T0.Add(2*time.Second))); !r.Changed {
		t.Fatalf("MarkSent = %+v", r)
	}
	check(t, "MarkSent (with the parked status applied)", sent.ID, 1)
	if r := result(s.ApplyStatus(ctx(), switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.ev1",
		Status: switchboard.MessageRead, Timestamp: T0.Add(4 * time.Second)})); !r.Changed {
		t.Fatalf("ApplyStatus read = %+v", r)
	}
	check(t, "a delivery status", sent.ID, 2)
	if r := result(s.ApplyStatus(ctx(), switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.ev1",
		Status: switchboard.MessageDelivered, Timestamp: T0.Add(5 * time.Second)})); r.Changed {
		t.Fatalf("an older status changed the message: %+v", r)
	}
	check(t, "a status that changes nothing", sent.ID, 2)

	failed := f.send(t, s, f.a.Conversation.ID, "two", T0.Add(6*time.Second))
	result(s.NoteSendRetry(ctx(), failed.ID, switchboard.MessageError{Code: 131000, Title: "Try again"}, T0.Add(7*time.Second)))
	check(t, "NoteSendRetry", failed.ID, 1)
	result(s.MarkSendFailed(ctx(), failed.ID, switchboard.MessageError{Code: 131026, Title: "Undeliverable"}, T0.Add(8*time.Second)))
	check(t, "MarkSendFailed", failed.ID, 2)

	unknown := f.send(t, s, f.b.Conversation.ID, "three", T0.Add(9*time.Second))
	result(s.MarkSendUnknown(ctx(), unknown.ID, T0.Add(10*time.Second)))
	check(t, "MarkSendUnknown", unknown.ID, 1)
	result(s.RequeueUnknown(ctx(), unknown.ID, T0.Add(11*time.Second)))
	check(t, "RequeueUnknown", unknown.ID, 2)

	img := func(waMediaID, wamid string) switchboard.InboundMessage {
		return switchboard.InboundMessage{ChannelID: f.ch.ID, WaID: f.waidA,
			Message: &switchboard.Message{Type: switchboard.TypeImage, WAMessageID: wamid, Timestamp: T0,
				Content: switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: waMediaID, MIMEType: "image/jpeg"}}}}
	}
	r1, r2 := mustReceive(t, s, img("ev-media-1", "wamid.evimg1")), mustReceive(t, s, img("ev-media-2", "wamid.evimg2"))
	if r := result(s.FailMediaDownload(ctx(), r1.Message.ID, 1, claimNow(), false, "")); r.Changed {
		t.Fatalf("rescheduling changed the message: %+v", r)
	}
	check(t, "a rescheduled download", r1.Message.ID, 0)
	file := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: r1.Conversation.ID, MessageID: r1.Message.ID,
		KeyID: r1.Conversation.KeyID, MIMEType: "image/jpeg", Size: 12, SHA256: "abc", CreatedAt: T0}
	result(s.CompleteMediaDownload(ctx(), file))
	check(t, "CompleteMediaDownload", r1.Message.ID, 1)
	result(s.FailMediaDownload(ctx(), r2.Message.ID, 3, T0, true, switchboard.MediaExpired))
	check(t, "a download given up", r2.Message.ID, 1)
}

// mustPending lists the records not yet fanned out.
func mustPending(t *testing.T, s switchboard.Store) []*switchboard.EventRecord {
	t.Helper()
	rs, err := s.PendingEvents(ctx(), 10000)
	must(t, err)
	return rs
}
