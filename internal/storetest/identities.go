package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Business-scoped user ids as Meta formats them.
const (
	bsuidMira    = "US.13491208655302741918"
	bsuidMiraNew = "US.80011120938467201234"
	parentMira   = "US.ENT.11815799212886844830"
)

// fromUser is a message from a customer known by BSUID (and username),
// with or without a phone number.
func fromUser(channelID, userID, username, waID, name, text string, ts time.Time) switchboard.InboundMessage {
	in := inbound(channelID, waID, name, text, ts)
	in.UserID, in.Username = userID, username
	return in
}

// testIdentities pins how customers are identified since WhatsApp's
// business-scoped user ids: by BSUID when present, by phone number when
// present, and linked when a message first brings both.
func testIdentities(t *testing.T, open Opener) {
	t.Run("UsernameOnlyCustomer", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := fromUser(ch.ID, bsuidMira, "@mira.okafor", "", "Mira Okafor", "Hi, do you ship to Lagos?", T0)
		in.ParentUserID = parentMira
		r := mustReceive(t, s, in)
		ct := r.Conversation.Contact
		if !r.NewConversation || ct.WaID != "" || ct.UserID != bsuidMira || ct.Username != "@mira.okafor" ||
			ct.ParentUserID != parentMira || ct.Name != "Mira Okafor" {
			t.Fatalf("received = %+v, contact %+v", r, ct)
		}
		again, err := s.Conversation(ctx(), r.Conversation.ID, "")
		must(t, err)
		if again.Contact != ct {
			t.Errorf("Conversation contact = %+v, want %+v", again.Contact, ct)
		}
		r2 := mustReceive(t, s, fromUser(ch.ID, bsuidMira, "@mira.okafor", "", "Mira Okafor", "Hello?", T0.Add(time.Minute)))
		if r2.Conversation.ID != r.Conversation.ID || r2.NewConversation || r2.Conversation.UnreadCount != 2 {
			t.Errorf("second message went to %+v", r2.Conversation)
		}
		for _, q := range []string{"@mira.okafor", "okafor", "mira"} {
			found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: q})
			must(t, err)
			if !slices.Equal(convIDs(found), []string{r.Conversation.ID}) {
				t.Errorf("search %q = %v", q, convIDs(found))
			}
		}
		c, convs, err := s.ContactConversations(ctx(), ct.ID)
		must(t, err)
		if *c != ct || len(convs) != 1 {
			t.Errorf("ContactConversations = %+v, %d conversations", c, len(convs))
		}
	})

	t.Run("PhoneArrivesLater", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		first := mustReceive(t, s, fromUser(ch.ID, bsuidMira, "@mira.okafor", "", "Mira", "1", T0))
		// The same customer, now with a phone number: linked, not split.
		second := mustReceive(t, s, fromUser(ch.ID, bsuidMira, "@mira.okafor", "2348031234567", "Mira", "2", T0.Add(time.Minute)))
		if second.Conversation.ID != first.Conversation.ID || second.Conversation.Contact.ID != first.Conversation.Contact.ID {
			t.Fatalf("phone number split the customer: %+v vs %+v", second.Conversation, first.Conversation)
		}
		if ct := second.Conversation.Contact; ct.WaID != "2348031234567" || ct.UserID != bsuidMira {
			t.Errorf("contact = %+v", ct)
		}
		// Without the BSUID (an older payload), the phone number finds it.
		third := mustReceive(t, s, inbound(ch.ID, "2348031234567", "Mira", "3", T0.Add(2*time.Minute)))
		// And without the phone number again, the BSUID does.
		fourth := mustReceive(t, s, fromUser(ch.ID, bsuidMira, "", "", "", "4", T0.Add(3*time.Minute)))
		for i, r := range []*switchboard.Received{third, fourth} {
			if r.Conversation.ID != first.Conversation.ID {
				t.Errorf("message %d went to another conversation", i+3)
			}
			if ct := r.Conversation.Contact; ct.WaID != "2348031234567" || ct.UserID != bsuidMira || ct.Username != "@mira.okafor" {
				t.Errorf("message %d: contact = %+v", i+3, ct)
			}
		}
		found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "0803 1234"})
		must(t, err)
		if !slices.Equal(convIDs(found), []string{first.Conversation.ID}) {
			t.Errorf("search by the linked phone number = %v", convIDs(found))
		}
	})

	t.Run("BSUIDArrivesForKnownPhone", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		// A contact from before BSUIDs.
		old := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "1", T0))
		r := mustReceive(t, s, fromUser(ch.ID, "DE.5551234", "", "4915112345678", "Jürgen", "2", T0.Add(time.Minute)))
		if r.Conversation.ID != old.Conversation.ID || r.Conversation.Contact.UserID != "DE.5551234" {
			t.Fatalf("BSUID for a known phone number: %+v", r.Conversation)
		}
		r = mustReceive(t, s, fromUser(ch.ID, "DE.5551234", "@juergen", "", "Jürgen", "3", T0.Add(2*time.Minute)))
		if r.Conversation.ID != old.Conversation.ID || r.Conversation.Contact.WaID != "4915112345678" || r.Conversation.Contact.Username != "@juergen" {
			t.Errorf("BSUID alone: %+v", r.Conversation.Contact)
		}
	})

	t.Run("InOneBatch", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		res, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
			fromUser(ch.ID, bsuidMira, "@mira.okafor", "", "Mira", "1", T0),
			fromUser(ch.ID, bsuidMira, "@mira.okafor", "2348031234567", "Mira", "2", T0.Add(time.Second)),
			inbound(ch.ID, "2348031234567", "Mira", "3", T0.Add(2*time.Second)),
			fromUser(ch.ID, bsuidMiraNew, "", "4915112345678", "Other", "4", T0.Add(3*time.Second)),
		}})
		must(t, err)
		a := res.Received[0].Conversation
		for i, r := range res.Received[:3] {
			if r.Conversation.ID != a.ID {
				t.Errorf("message %d went to %s, want %s", i+1, r.Conversation.ID, a.ID)
			}
		}
		if res.Received[3].Conversation.ID == a.ID {
			t.Error("another customer joined the conversation")
		}
		got, err := s.Conversation(ctx(), a.ID, "")
		must(t, err)
		if ct := got.Contact; ct.WaID != "2348031234567" || ct.UserID != bsuidMira || got.UnreadCount != 3 {
			t.Errorf("conversation = %+v", got)
		}
	})

	t.Run("NumberAndBSUIDChange", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		first := mustReceive(t, s, fromUser(ch.ID, bsuidMira, "@mira.okafor", "2348031234567", "Mira", "1", T0))
		// user_changed_number: sent from the old identifiers, naming the new.
		sys := fromUser(ch.ID, bsuidMira, "", "2348031234567", "", "Mira changed their phone number", T0.Add(time.Minute))
		sys.Message.Type = switchboard.TypeSystem
		sys.NewWaID, sys.NewUserID = "2349099998888", bsuidMiraNew
		r := mustReceive(t, s, sys)
		if r.Conversation.ID != first.Conversation.ID {
			t.Fatalf("the number change went to another conversation")
		}
		if ct := r.Conversation.Contact; ct.WaID != "2349099998888" || ct.UserID != bsuidMiraNew || ct.Username != "@mira.okafor" {
			t.Errorf("contact after the change = %+v", ct)
		}
		for i, in := range []switchboard.InboundMessage{
			fromUser(ch.ID, bsuidMiraNew, "@mira.okafor", "2349099998888", "Mira", "2", T0.Add(2*time.Minute)),
			fromUser(ch.ID, bsuidMiraNew, "", "", "", "3", T0.Add(3*time.Minute)),
			inbound(ch.ID, "2349099998888", "", "4", T0.Add(4*time.Minute)),
		} {
			if r := mustReceive(t, s, in); r.Conversation.ID != first.Conversation.ID {
				t.Errorf("message %d after the change went to another conversation", i+2)
			}
		}
		found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "0803 1234"})
		must(t, err)
		if len(found) != 0 {
			t.Errorf("the old number still finds %v", convIDs(found))
		}
		// user_changed_user_id names only the new BSUID.
		sys = fromUser(ch.ID, bsuidMiraNew, "", "", "", "Mira's user id changed", T0.Add(5*time.Minute))
		sys.Message.Type = switchboard.TypeSystem
		sys.NewUserID = "US.5550001112223334445"
		r = mustReceive(t, s, sys)
		if r.Conversation.ID != first.Conversation.ID || r.Conversation.Contact.UserID != "US.5550001112223334445" ||
			r.Conversation.Contact.WaID != "2349099998888" {
			t.Errorf("after user_changed_user_id: %+v", r.Conversation.Contact)
		}
		msgs, _, err := s.Messages(ctx(), first.Conversation.ID, switchboard.MessagePage{})
		must(t, err)
		if len(msgs) != 6 || msgs[0].Type != switchboard.TypeSystem || msgs[0].Content.Text != "Mira's user id changed" {
			t.Errorf("history = %d messages, newest %+v", len(msgs), msgs[0])
		}
	})

	t.Run("SenderRequired", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		_, err := s.ReceiveMessage(ctx(), inbound(ch.ID, "", "Nobody", "x", T0))
		wantCode(t, err, switchboard.EInvalid)
	})
}
