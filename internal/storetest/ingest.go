package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testIngestRules pins receive rules the stores once applied differently
// (both now run internal/ingest's planner): a number change in the first
// message of an unknown customer moves the new contact to the new number
// (PostgreSQL kept the old one), and a message without a type is text.
func testIngestRules(t *testing.T, open Opener) {
	t.Run("ChangeInFirstMessage", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		sys := inbound(ch.ID, "4915100000001", "", "changed their number", T0)
		sys.Message.Type = switchboard.TypeSystem
		sys.NewWaID = "4915100000002"
		r := mustReceive(t, s, sys)
		if !r.NewConversation || r.Conversation.Contact.WaID != "4915100000002" {
			t.Fatalf("after the change: new %v, contact %+v", r.NewConversation, r.Conversation.Contact)
		}
		next := mustReceive(t, s, inbound(ch.ID, "4915100000002", "Kim", "hello", T0.Add(time.Minute)))
		if next.Conversation.ID != r.Conversation.ID || next.Conversation.Contact.ID != r.Conversation.Contact.ID || next.NewConversation {
			t.Errorf("the new number started another conversation: %+v", next.Conversation)
		}
		found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "4915100000002"})
		must(t, err)
		if len(found) != 1 || found[0].ID != r.Conversation.ID {
			t.Errorf("search by the new number = %v", convIDs(found))
		}
	})
	t.Run("TypeDefaultsToText", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := inbound(ch.ID, "4915100000003", "Kim", "hi", T0)
		in.Message.Type = ""
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}})
		m, err := s.Message(ctx(), r.Received[0].Message.ID)
		must(t, err)
		if m.Type != switchboard.TypeText || r.Received[0].Conversation.LastMessage.Type != switchboard.TypeText {
			t.Errorf("type = %q, preview type %q", m.Type, r.Received[0].Conversation.LastMessage.Type)
		}
	})
}
