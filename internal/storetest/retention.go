package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func testContactData(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	u := mustUser(t, s, unique("op"), "Olga Operator", switchboard.RoleOperator)
	first := mustReceive(t, s, inbound(ch.ID, "4915100000031", "Clara Export", "Erste Anfrage", T0))
	_, err := s.SetConversationStatus(ctx(), first.Conversation.ID, switchboard.StatusResolved, T0.Add(time.Minute))
	must(t, err)
	// A closed conversation is reopened by the customer's next message.
	second := mustReceive(t, s, inbound(ch.ID, "4915100000031", "Clara Export", "Zweite Anfrage", T0.Add(time.Hour)))
	_, _, err = s.AddAssignee(ctx(), second.Conversation.ID, u.ID, T0.Add(time.Hour))
	must(t, err)
	file := &switchboard.MediaFile{ConversationID: second.Conversation.ID, MessageID: second.Message.ID, KeyID: second.Conversation.KeyID,
		MIMEType: "application/pdf", Filename: "Rechnung März.pdf", Size: 12, SHA256: "ab", CreatedAt: T0.Add(time.Hour)}
	must(t, s.CreateMedia(ctx(), file))
	other := mustReceive(t, s, inbound(ch.ID, "4915100000032", "Dora Other", "Hallo", T0))
	must(t, s.CreateMedia(ctx(), &switchboard.MediaFile{ConversationID: other.Conversation.ID, KeyID: other.Conversation.KeyID,
		MIMEType: "image/png", Size: 1, CreatedAt: T0}))

	ct, convs, err := s.ContactConversations(ctx(), first.Conversation.Contact.ID)
	must(t, err)
	if ct.ID != first.Conversation.Contact.ID || ct.Name != "Clara Export" || ct.WaID != "4915100000031" || ct.ChannelID != ch.ID || ct.CreatedAt.IsZero() {
		t.Errorf("contact = %+v", ct)
	}
	if got := convIDs(convs); !slices.Equal(got, []string{second.Conversation.ID}) {
		t.Fatalf("conversations = %v, want [%s]", got, second.Conversation.ID)
	}
	if c := convs[0]; c.Status != switchboard.StatusOpen || len(c.Assignees) != 1 || c.Assignees[0].ID != u.ID ||
		c.UnreadCount != 0 || c.LastMessage == nil || c.LastMessage.Text != "Zweite Anfrage" {
		t.Errorf("conversation = %+v", c)
	}
	media, err := s.ContactMedia(ctx(), ct.ID)
	must(t, err)
	if len(media) != 1 || media[0].ID != file.ID || media[0].Filename != "Rechnung März.pdf" || media[0].MessageID != second.Message.ID {
		t.Fatalf("ContactMedia = %+v, want only %s", media, file.ID)
	}
	_, _, err = s.ContactConversations(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
}

func testRetention(t *testing.T, open Opener) {
	t.Run("Boundary", func(t *testing.T) {
		s := open(t)
		ch, elsewhere := mustChannel(t, s), mustChannel(t, s)
		u := mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
		cutoff := T0.Add(time.Hour)
		before := mustReceive(t, s, inbound(ch.ID, "4915100000041", "Emil Alt", "eine Sekunde zu alt", cutoff.Add(-time.Second)))
		conv := before.Conversation
		at := mustReceive(t, s, inbound(ch.ID, "4915100000041", "Emil Alt", "genau an der Grenze", cutoff))
		after := mustReceive(t, s, inbound(ch.ID, "4915100000041", "Emil Alt", "eine Sekunde jünger", cutoff.Add(time.Second)))
		// An old message still waiting in the outbox is not deleted under
		// the sender's feet.
		queued := &switchboard.Message{ConversationID: conv.ID, Type: switchboard.TypeText, SenderID: u.ID,
			Content: switchboard.MessageContent{Text: "wartet"}, Timestamp: cutoff.Add(-time.Minute)}
		_, err := s.CreateOutboundMessage(ctx(), queued)
		must(t, err)
		oldFile := &switchboard.MediaFile{ConversationID: conv.ID, MessageID: before.Message.ID, KeyID: conv.KeyID,
			MIMEType: "image/jpeg", Size: 3, CreatedAt: cutoff.Add(time.Hour)}
		keptFile := &switchboard.MediaFile{ConversationID: conv.ID, MessageID: at.Message.ID, KeyID: conv.KeyID,
			MIMEType: "image/jpeg", Size: 3, CreatedAt: cutoff.Add(-time.Hour)}
		looseOld := &switchboard.MediaFile{ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "application/pdf", Size: 1,
			CreatedAt: cutoff.Add(-time.Second)}
		looseAtCutoff := &switchboard.MediaFile{ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "application/pdf", Size: 1,
			CreatedAt: cutoff}
		for _, f := range []*switchboard.MediaFile{oldFile, keptFile, looseOld, looseAtCutoff} {
			must(t, s.CreateMedia(ctx(), f))
		}
		otherOld := mustReceive(t, s, inbound(elsewhere.ID, "4915100000041", "Emil Alt", "anderer Kanal", T0))

		total := &switchboard.ExpiredData{}
		for range 10 {
			res, err := s.DeleteExpired(ctx(), ch.ID, cutoff, 1)
			must(t, err)
			if res.Empty() {
				break
			}
			if res.Messages > 1 || res.Conversations > 1 || res.Contacts > 1 {
				t.Fatalf("limit 1 deleted %+v", res)
			}
			total.Messages += res.Messages
			total.Conversations += res.Conversations
			total.Contacts += res.Contacts
			total.MediaIDs = append(total.MediaIDs, res.MediaIDs...)
		}
		if total.Messages != 1 || total.Conversations != 0 || total.Contacts != 0 {
			t.Errorf("deleted %d messages, %d conversations, %d contacts; want 1, 0, 0", total.Messages, total.Conversations, total.Contacts)
		}
		if !sameSet(total.MediaIDs, []string{oldFile.ID, looseOld.ID}) {
			t.Errorf("deleted media %v, want %s (of the expired message) and %s (loose, older)", total.MediaIDs, oldFile.ID, looseOld.ID)
		}
		_, err = s.Message(ctx(), before.Message.ID)
		wantCode(t, err, switchboard.ENotFound)
		for _, m := range []*switchboard.Message{at.Message, after.Message, queued, otherOld.Message} {
			if _, err := s.Message(ctx(), m.ID); err != nil {
				t.Errorf("message %s: %v, want kept", m.Content.Text, err)
			}
		}
		for _, f := range []*switchboard.MediaFile{oldFile, looseOld} {
			_, err := s.Media(ctx(), f.ID)
			wantCode(t, err, switchboard.ENotFound)
		}
		for _, f := range []*switchboard.MediaFile{keptFile, looseAtCutoff} {
			if _, err := s.Media(ctx(), f.ID); err != nil {
				t.Errorf("media %s: %v, want kept", f.ID, err)
			}
		}
		got, err := s.Conversation(ctx(), conv.ID, "")
		must(t, err)
		if got.Contact.Name != "Emil Alt" || got.LastMessage == nil {
			t.Errorf("kept conversation = %+v", got)
		}
	})

	t.Run("EmptyConversationsAndContacts", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		u := mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
		gone := mustReceive(t, s, inbound(ch.ID, "4915100000051", "Frieda Fort", "alt", T0))
		_, _, err := s.AddAssignee(ctx(), gone.Conversation.ID, u.ID, T0)
		must(t, err)
		must(t, s.MarkRead(ctx(), gone.Conversation.ID, u.ID))
		// A contact who wrote again since keeps the conversation, the new
		// message and their profile.
		mixed := mustReceive(t, s, inbound(ch.ID, "4915100000052", "Gustav Gemischt", "alt", T0))
		// Contacts and conversations carry the store's clock, so the cutoff
		// lies after "now"; the current message is newer still.
		cutoff := time.Now().UTC().Add(time.Hour)
		current := mustReceive(t, s, inbound(ch.ID, "4915100000052", "Gustav Gemischt", "neu", cutoff.Add(time.Minute)))

		total := &switchboard.ExpiredData{}
		for range 10 {
			res, err := s.DeleteExpired(ctx(), ch.ID, cutoff, 100)
			must(t, err)
			if res.Empty() {
				break
			}
			total.Messages += res.Messages
			total.Conversations += res.Conversations
			total.Contacts += res.Contacts
		}
		if total.Messages != 2 || total.Conversations != 1 || total.Contacts != 1 {
			t.Fatalf("deleted %+v, want 2 messages, 1 conversation, 1 contact", total)
		}
		_, err = s.Conversation(ctx(), gone.Conversation.ID, "")
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.Message(ctx(), mixed.Message.ID)
		wantCode(t, err, switchboard.ENotFound)
		_, _, err = s.ContactConversations(ctx(), gone.Conversation.Contact.ID)
		wantCode(t, err, switchboard.ENotFound)
		list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "Frieda"})
		must(t, err)
		if len(list) != 0 {
			t.Errorf("search still finds the deleted contact")
		}
		if k, ok := s.(keyed); ok {
			if _, err := k.Keys().Get(ctx(), gone.Conversation.KeyID); err == nil {
				t.Error("the deleted contact's data key still loads")
			}
		}
		ct, convs, err := s.ContactConversations(ctx(), mixed.Conversation.Contact.ID)
		must(t, err)
		if ct.Name != "Gustav Gemischt" || !slices.Equal(convIDs(convs), []string{current.Conversation.ID}) ||
			convs[0].LastMessage == nil || convs[0].LastMessage.Text != "neu" {
			t.Errorf("mixed contact: %+v %v", ct, convIDs(convs))
		}
		if _, err := s.Message(ctx(), current.Message.ID); err != nil {
			t.Errorf("current message: %v", err)
		}
		// The same customer writing again is a new contact.
		back := mustReceive(t, s, inbound(ch.ID, "4915100000051", "Frieda Fort", "wieder da", cutoff.Add(time.Hour)))
		if back.Conversation.Contact.ID == gone.Conversation.Contact.ID {
			t.Error("a new message revived the deleted contact")
		}
	})
}
