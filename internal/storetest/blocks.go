package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testBlocks checks that a contact's block is stored, read with the
// conversation and the contact, and lifted; an unknown contact is
// ENotFound.
func testBlocks(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	r, err := s.ReceiveMessage(ctx(), inbound(ch.ID, "4915100000011", "Troll", "spam", T0))
	must(t, err)
	conv := r.Conversation
	if conv.Contact.Blocked || conv.Contact.BlockedAt != nil {
		t.Fatalf("a new contact is blocked: %+v", conv.Contact)
	}
	at := T0.Add(time.Hour + 123*time.Microsecond)
	by := switchboard.NewID()
	must(t, s.SetContactBlocked(ctx(), conv.Contact.ID, &switchboard.ContactBlock{By: by, At: at}))
	got, err := s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if !got.Contact.Blocked || got.Contact.BlockedBy != by || got.Contact.BlockedAt == nil || !got.Contact.BlockedAt.Equal(at) || got.Contact.BlockedAt.Location() != time.UTC {
		t.Fatalf("blocked contact = %+v", got.Contact)
	}
	ct, convs, err := s.ContactConversations(ctx(), conv.Contact.ID)
	must(t, err)
	if !ct.Blocked || ct.BlockedBy != by || len(convs) != 1 || !convs[0].Contact.Blocked {
		t.Fatalf("contact = %+v, conversations = %d", ct, len(convs))
	}
	page, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: by, Limit: 10})
	must(t, err)
	if len(page) != 1 || !page[0].Contact.Blocked {
		t.Fatalf("listed = %+v", page)
	}
	// A later message from the contact keeps the block, and the batch
	// path hands out the conversation with it (for the live events).
	r2, err := s.ReceiveMessage(ctx(), inbound(ch.ID, "4915100000011", "Troll", "more", T0.Add(2*time.Hour)))
	must(t, err)
	if got, _ := s.Conversation(ctx(), r2.Conversation.ID, ""); !got.Contact.Blocked {
		t.Fatal("a message cleared the block")
	}
	br, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
		inbound(ch.ID, "4915100000011", "Troll", "batch", T0.Add(3*time.Hour))}})
	must(t, err)
	if c := br.Received[0].Conversation; c == nil || !c.Contact.Blocked || c.Contact.BlockedBy != by || !c.Contact.BlockedAt.Equal(at) {
		t.Fatalf("batch conversation = %+v", br.Received[0].Conversation)
	}
	must(t, s.SetContactBlocked(ctx(), conv.Contact.ID, nil))
	got, err = s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if got.Contact.Blocked || got.Contact.BlockedAt != nil || got.Contact.BlockedBy != "" {
		t.Fatalf("unblocked contact = %+v", got.Contact)
	}
	wantCode(t, s.SetContactBlocked(ctx(), switchboard.NewID(), nil), switchboard.ENotFound)
}
