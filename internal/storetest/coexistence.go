package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// echoTo is a message the business sent from the WhatsApp Business app to
// waID at ts (an smb_message_echoes webhook).
func echoTo(channelID, waID, text string, ts time.Time) switchboard.InboundMessage {
	in := inbound(channelID, waID, "", text, ts)
	in.Message.Author = switchboard.AuthorBusinessApp
	return in
}

// testCoexistence pins how a coexistence number's webhooks are stored:
// echoes as outbound messages of the WhatsApp Business app, history as
// imported messages, and edits and revokes of stored messages.
func testCoexistence(t *testing.T, open Opener) {
	t.Run("ChannelFlag", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		if ch.Coexistence {
			t.Fatal("a new channel is on coexistence")
		}
		on := true
		up, err := s.UpdateChannel(ctx(), ch.ID, switchboard.ChannelUpdate{Coexistence: &on})
		must(t, err)
		got, err := s.Channel(ctx(), ch.ID)
		must(t, err)
		if !up.Coexistence || !got.Coexistence || got.Name != ch.Name {
			t.Errorf("after update: %+v, read back %+v", up, got)
		}
		off := false
		_, err = s.UpdateChannel(ctx(), ch.ID, switchboard.ChannelUpdate{Coexistence: &off})
		must(t, err)
		if got, _ := s.Channel(ctx(), ch.ID); got.Coexistence {
			t.Error("coexistence not cleared")
		}
		c2 := &switchboard.Channel{Name: unique("Coex "), PhoneNumberID: unique("20000"), AccessToken: "t", AppSecret: "a", VerifyToken: "v", Coexistence: true}
		must(t, s.CreateChannel(ctx(), c2))
		if got, _ := s.Channel(ctx(), c2.ID); !got.Coexistence {
			t.Error("coexistence not stored on create")
		}
	})

	t.Run("EchoIsOutbound", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Lena", "Is it in stock?", T0))
		if in.Message.Author != switchboard.AuthorCustomer {
			t.Errorf("inbound author = %q", in.Message.Author)
		}
		e := echoTo(ch.ID, "4915112345678", "Yes, two left.", T0.Add(time.Minute))
		r := mustReceive(t, s, e)
		m, c := r.Message, r.Conversation
		if c.ID != in.Conversation.ID || r.NewConversation {
			t.Fatalf("echo went to %+v", c)
		}
		if m.Direction != switchboard.DirectionOut || m.Author != switchboard.AuthorBusinessApp || m.Status != switchboard.MessageSent || m.SenderID != "" {
			t.Errorf("echo = %+v", m)
		}
		if c.UnreadCount != 1 || !c.LastInboundAt.Equal(T0) || c.LastMessage == nil || c.LastMessage.Text != "Yes, two left." ||
			c.LastMessage.Direction != switchboard.DirectionOut || !c.UpdatedAt.Equal(T0.Add(time.Minute)) {
			t.Errorf("conversation after echo = %+v (preview %+v)", c, c.LastMessage)
		}
		got, err := s.Message(ctx(), m.ID)
		must(t, err)
		if got.Author != switchboard.AuthorBusinessApp || got.Direction != switchboard.DirectionOut || got.Imported || got.Revoked || got.EditedAt != nil {
			t.Errorf("stored echo = %+v", got)
		}
		again, err := s.ReceiveMessage(ctx(), e)
		must(t, err)
		if !again.Duplicate || again.Message.ID != m.ID {
			t.Errorf("redelivered echo = %+v", again)
		}
	})

	t.Run("EchoDoesNotReopen", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Lena", "Thanks", T0))
		_, err := s.SetConversationStatus(ctx(), in.Conversation.ID, switchboard.StatusResolved, T0)
		must(t, err)
		r := mustReceive(t, s, echoTo(ch.ID, "4915112345678", "You're welcome", T0.Add(time.Minute)))
		if r.Conversation.ID != in.Conversation.ID || r.Conversation.Status != switchboard.StatusResolved || r.NewConversation {
			t.Errorf("echo to a closed conversation: %+v", r.Conversation)
		}
		// A first echo to a new customer starts an open conversation.
		n := mustReceive(t, s, echoTo(ch.ID, "4915199999999", "Your order is ready", T0.Add(2*time.Minute)))
		if !n.NewConversation || n.Conversation.Status != switchboard.StatusOpen || n.Conversation.UnreadCount != 0 ||
			!n.Conversation.LastInboundAt.IsZero() || n.Conversation.Contact.WaID != "4915199999999" {
			t.Errorf("echo to a new customer: %+v", n.Conversation)
		}
	})

	t.Run("HistoryIsImported", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		live := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Lena", "Live message", T0))
		old1 := inbound(ch.ID, "4915112345678", "", "Old question", T0.Add(-2*time.Hour))
		old2 := echoTo(ch.ID, "4915112345678", "Old answer", T0.Add(-time.Hour))
		old2.Message.Status = switchboard.MessageRead
		for _, in := range []*switchboard.InboundMessage{&old1, &old2} {
			in.Message.Imported = true
		}
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{old1, old2}})
		c := r.Received[1].Conversation
		if c.ID != live.Conversation.ID || c.UnreadCount != 1 || !c.LastInboundAt.Equal(T0) || !c.UpdatedAt.Equal(T0) ||
			c.LastMessage == nil || c.LastMessage.Text != "Live message" {
			t.Errorf("conversation after history = %+v (preview %+v)", c, c.LastMessage)
		}
		if m := r.Received[1].Message; !m.Imported || m.Author != switchboard.AuthorBusinessApp || m.Status != switchboard.MessageRead {
			t.Errorf("imported business message = %+v", m)
		}
		msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{})
		must(t, err)
		var texts []string
		for _, m := range msgs {
			texts = append(texts, m.Content.Text)
		}
		if len(msgs) != 3 || texts[0] != "Live message" || texts[1] != "Old answer" || texts[2] != "Old question" ||
			!msgs[2].Imported || msgs[2].Author != switchboard.AuthorCustomer || msgs[0].Imported {
			t.Errorf("messages = %v", texts)
		}
	})

	t.Run("HistoryDoesNotOpen", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		old := inbound(ch.ID, "4915112345678", "Lena", "Last year's question", T0.Add(-48*time.Hour))
		old.Message.Imported = true
		r := mustReceive(t, s, old)
		if r.Conversation.Status != switchboard.StatusResolved || r.Conversation.UnreadCount != 0 || !r.Conversation.LastInboundAt.IsZero() {
			t.Errorf("history-only conversation = %+v", r.Conversation)
		}
		closed := r.Conversation.ID
		old2 := inbound(ch.ID, "4915112345678", "Lena", "Another old one", T0.Add(-47*time.Hour))
		old2.Message.Imported = true
		if r2 := mustReceive(t, s, old2); r2.Conversation.ID != closed || r2.Conversation.Status != switchboard.StatusResolved {
			t.Errorf("second imported message: %+v", r2.Conversation)
		}
		// A live message reopens it as usual.
		live := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Lena", "Hello again", T0))
		if live.Conversation.ID != closed || live.Conversation.Status != switchboard.StatusOpen || live.Conversation.UnreadCount != 1 {
			t.Errorf("live message after history: %+v", live.Conversation)
		}
	})

	t.Run("Reports", func(t *testing.T) {
		// An echo is the business's response; imported messages are
		// neither the customer's first message nor a response.
		s := open(t)
		ch := mustChannel(t, s)
		old := inbound(ch.ID, "4915112345678", "Lena", "Old question", T0.Add(-time.Hour))
		old.Message.Imported = true
		oldAnswer := echoTo(ch.ID, "4915112345678", "Old answer", T0.Add(-59*time.Minute))
		oldAnswer.Message.Imported = true
		mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{old, oldAnswer}})
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Lena", "New question", T0))
		mustReceive(t, s, echoTo(ch.ID, "4915112345678", "New answer", T0.Add(3*time.Minute)))
		history := inbound(ch.ID, "4915199999999", "Old", "Only history", T0.Add(-2*time.Hour))
		history.Message.Imported = true
		h := mustReceive(t, s, history)
		now := time.Now()
		got, err := s.ReportConversations(ctx(), switchboard.ReportScope{From: now.Add(-time.Hour), To: now.Add(time.Hour)})
		must(t, err)
		by := map[string]switchboard.ReportConversation{}
		for _, c := range got {
			by[c.ID] = c
		}
		if c := by[r.Conversation.ID]; !c.FirstInboundAt.Equal(T0) || !c.FirstResponseAt.Equal(T0.Add(3*time.Minute)) || c.FirstResponderID != "" {
			t.Errorf("report of the live conversation = %+v", c)
		}
		if c, ok := by[h.Conversation.ID]; ok && (!c.FirstInboundAt.IsZero() || !c.FirstResponseAt.IsZero()) {
			t.Errorf("report of the history-only conversation = %+v", c)
		}
	})

	t.Run("EditAndRevoke", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		e := echoTo(ch.ID, "4915112345678", "See you at 5", T0)
		wamid := e.Message.WAMessageID
		// The message and its edit in one batch: the edit follows it.
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{e},
			Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Text: "See you at 6", At: T0.Add(time.Minute)}}})
		if len(r.Edits) != 1 || !r.Edits[0].Changed || r.Edits[0].Message == nil || r.Edits[0].Message.Content.Text != "See you at 6" {
			t.Fatalf("edit = %+v", r.Edits)
		}
		id := r.Received[0].Message.ID
		if ed := r.Edits[0]; ed.Message.ID != id || ed.Message.EditedAt == nil || !ed.Message.EditedAt.Equal(T0.Add(time.Minute)) ||
			ed.Conversation == nil || ed.Conversation.LastMessage == nil || ed.Conversation.LastMessage.Text != "See you at 6" {
			t.Errorf("edit result = %+v, conversation %+v", ed.Message, ed.Conversation)
		}
		got, err := s.Message(ctx(), id)
		must(t, err)
		if got.Content.Text != "See you at 6" || got.EditedAt == nil || !got.EditedAt.Equal(T0.Add(time.Minute)) || got.Author != switchboard.AuthorBusinessApp {
			t.Errorf("stored after edit = %+v", got)
		}
		// An older edit, arriving late, does not undo the newer one.
		r = mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Text: "See you at 4", At: T0.Add(30 * time.Second)}}})
		if r.Edits[0].Changed {
			t.Errorf("an older edit applied: %+v", r.Edits[0].Message)
		}
		// An edit of a message not stored (or of another channel) changes nothing.
		other := mustChannel(t, s)
		r = mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{
			{ChannelID: ch.ID, WAMessageID: "wamid.unknown", Text: "x"},
			{ChannelID: other.ID, WAMessageID: wamid, Revoke: true},
		}})
		if r.Edits[0].Changed || r.Edits[0].Message != nil || r.Edits[1].Changed {
			t.Errorf("edits of unknown messages = %+v, %+v", r.Edits[0], r.Edits[1])
		}
		// A revoke removes the content and leaves a tombstone.
		r = mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Revoke: true, At: T0.Add(2 * time.Minute)}}})
		if !r.Edits[0].Changed || !r.Edits[0].Message.Revoked || r.Edits[0].Message.Content.Text != "" {
			t.Fatalf("revoke = %+v", r.Edits[0].Message)
		}
		if pv := r.Edits[0].Conversation.LastMessage; pv == nil || pv.Text != "" || !pv.Revoked {
			t.Errorf("preview after revoke = %+v", pv)
		}
		got, err = s.Message(ctx(), id)
		must(t, err)
		if !got.Revoked || got.Content.Text != "" || got.Content.Media != nil {
			t.Errorf("stored after revoke = %+v", got)
		}
		// A revoked message takes no edit.
		r = mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Text: "back", At: T0.Add(3 * time.Minute)}}})
		if r.Edits[0].Changed {
			t.Error("a revoked message was edited")
		}
		if _, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID}}}); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("edit without a message id: %v", err)
		}
	})
}
