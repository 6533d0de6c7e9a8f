package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testDispatch: an outbox claim that runs out is Dispatched only when its
// attempt had called MarkDispatched (its request may have reached Meta);
// RetrySend clears the mark; RequeueUnknown puts a message whose outcome is
// unknown back into the outbox, and refuses any other (security review
// finding 10).
func testDispatch(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	u := mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
	// The stores stamp the outbox with their own clock (the wall clock).
	now := time.Now().UTC().Add(time.Second)
	out := func(waID string) *switchboard.Message {
		r := mustReceive(t, s, inbound(ch.ID, waID, "Kundin", "hallo", T0))
		m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText, SenderID: u.ID,
			Content: switchboard.MessageContent{Text: "antwort"}, Timestamp: T0.Add(time.Hour)}
		_, err := s.CreateOutboundMessage(ctx(), m)
		must(t, err)
		return m
	}
	sent, notSent := out("4915100000091"), out("4915100000092")
	if got := mustClaimOutbox(t, s, 10, time.Minute, now); len(got) != 2 || got[0].Dispatched || got[1].Dispatched {
		t.Fatalf("first claims = %+v", got)
	}
	must(t, s.MarkDispatched(ctx(), sent.ID))
	wantCode(t, s.MarkDispatched(ctx(), switchboard.NewID()), switchboard.ENotFound)

	// Both leases run out (the process died).
	byID := map[string]*switchboard.OutboxItem{}
	for _, it := range mustClaimOutbox(t, s, 10, time.Minute, now.Add(2*time.Minute)) {
		byID[it.Message.ID] = it
	}
	if it := byID[sent.ID]; it == nil || !it.Expired || !it.Dispatched {
		t.Fatalf("expired claim after MarkDispatched = %+v, want expired and dispatched", it)
	}
	if it := byID[notSent.ID]; it == nil || !it.Expired || it.Dispatched {
		t.Fatalf("expired claim without MarkDispatched = %+v, want expired, not dispatched", it)
	}
	// A retry clears the mark.
	must(t, s.RetrySend(ctx(), notSent.ID, 2, now.Add(2*time.Minute)))
	must(t, s.MarkDispatched(ctx(), notSent.ID))
	must(t, s.RetrySend(ctx(), notSent.ID, 2, now.Add(3*time.Minute)))
	byID = map[string]*switchboard.OutboxItem{}
	for _, it := range mustClaimOutbox(t, s, 10, time.Hour, now.Add(3*time.Minute)) {
		byID[it.Message.ID] = it
	}
	if it := byID[notSent.ID]; it == nil || it.Dispatched {
		t.Fatalf("claim after a retry = %+v, want not dispatched", it)
	}

	// Only an unknown outcome can be requeued.
	_, err := s.RequeueUnknown(ctx(), sent.ID, now)
	wantCode(t, err, switchboard.EConflict)
	r, err := s.MarkSendUnknown(ctx(), sent.ID, now)
	must(t, err)
	if r.Message.Status != switchboard.MessageUnknown {
		t.Fatalf("status %s, want unknown", r.Message.Status)
	}
	r, err = s.RequeueUnknown(ctx(), sent.ID, now.Add(4*time.Minute))
	must(t, err)
	if r.Message.Status != switchboard.MessagePending || !r.Changed {
		t.Fatalf("RequeueUnknown = %+v, status %s; want pending", r, r.Message.Status)
	}
	_, err = s.RequeueUnknown(ctx(), sent.ID, now)
	wantCode(t, err, switchboard.EConflict)
	got := mustClaimOutbox(t, s, 10, time.Minute, now.Add(4*time.Minute)) // notSent is still leased
	if len(got) != 1 || got[0].Message.ID != sent.ID || got[0].Expired || got[0].Dispatched || got[0].Attempts != 1 {
		t.Fatalf("claim after RequeueUnknown = %+v", got)
	}
}
