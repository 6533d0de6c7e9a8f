package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/emulator"
)

// coexMessage is a message as the API returns it, with the coexistence
// fields.
type coexMessage struct {
	ID        string
	Direction string
	Status    string
	Author    string
	Imported  bool
	Revoked   bool
	EditedAt  *time.Time `json:"edited_at"`
	Timestamp time.Time
	Content   struct{ Text string }
}

func coexMessages(t *testing.T, c *client, convID string) []coexMessage {
	t.Helper()
	var page struct{ Items []coexMessage }
	c.must(200, "GET", "/api/v1/conversations/"+convID+"/messages?limit=100", nil, &page)
	return page.Items
}

func waitCoex(t *testing.T, c *client, convID, what string, f func(coexMessage) bool) coexMessage {
	t.Helper()
	var found coexMessage
	eventually(t, what, func() bool {
		for _, m := range coexMessages(t, c, convID) {
			if f(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// TestCoexistenceThroughEmulator drives a coexistence number end to end
// through signed webhooks from the emulator's simulated WhatsApp Business
// app: a reply from the app appears as an outgoing message authored by
// the business app, without unread or window change; its edit and revoke
// update it (message.updated), the revoke leaving a tombstone; a history
// import adds past messages in order, imported, without moving the
// conversation, counting unread or reopening; and the channel's
// coexistence flag is set through the channel API.
func TestCoexistenceThroughEmulator(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	// The operator never opens the conversation: their unread count is the
	// customer's messages.
	operator, _ := app.createUser(admin, "oskar", "operator")
	const wa = "4915112345678"
	unread := func() int {
		var page struct{ Items []apiConversation }
		operator.must(200, "GET", "/api/v1/conversations?q="+wa, nil, &page)
		if len(page.Items) != 1 {
			t.Fatalf("%d conversations", len(page.Items))
		}
		return page.Items[0].UnreadCount
	}

	var chans struct {
		Items []struct {
			ID          string
			Coexistence bool
		}
	}
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	var ch struct{ Coexistence bool }
	admin.must(200, "PATCH", "/api/v1/channels/"+chID, map[string]any{"coexistence": true}, &ch)
	if !ch.Coexistence {
		t.Fatal("coexistence flag not set")
	}

	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Lena", Text: "Is the blue one in stock?"})
	conv := conversationOf(t, admin, wa)
	waitCoex(t, admin, conv.ID, "the customer's message", func(m coexMessage) bool { return m.Author == "customer" && m.Direction == "in" })
	events := app.subscribe(t, admin, 0)

	// The business replies from the phone app.
	echoID, err := app.Emulator.BusinessAppEcho(context.Background(), emulator.BusinessEcho{WaID: wa, Text: "Yes, two left."})
	if err != nil {
		t.Fatal(err)
	}
	echo := waitCoex(t, admin, conv.ID, "the echo", func(m coexMessage) bool { return m.Content.Text == "Yes, two left." })
	if echo.Direction != "out" || echo.Author != "business_app" || echo.Status != "sent" || echo.Imported {
		t.Fatalf("echo = %+v", echo)
	}
	var after apiConversation
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &after)
	if unread() != 1 || after.WindowClosesAt == nil || conv.WindowClosesAt == nil || !after.WindowClosesAt.Equal(*conv.WindowClosesAt) {
		t.Errorf("after the echo: unread %d, window %v (was %v)", unread(), after.WindowClosesAt, conv.WindowClosesAt)
	}
	created := expectEvent(t, events, "message.created", func(d coexMessage) bool { return d.ID == echo.ID })
	if created.Author != "business_app" {
		t.Errorf("message.created = %+v", created)
	}

	// Edited, then deleted in the app.
	if _, err := app.Emulator.BusinessAppEcho(context.Background(), emulator.BusinessEcho{WaID: wa, Edit: echoID, Text: "Yes, one left."}); err != nil {
		t.Fatal(err)
	}
	edited := waitCoex(t, admin, conv.ID, "the edit", func(m coexMessage) bool { return m.ID == echo.ID && m.Content.Text == "Yes, one left." })
	if edited.EditedAt == nil || edited.Revoked {
		t.Errorf("edited = %+v", edited)
	}
	expectEvent(t, events, "message.updated", func(d coexMessage) bool { return d.ID == echo.ID && d.Content.Text == "Yes, one left." })
	if _, err := app.Emulator.BusinessAppEcho(context.Background(), emulator.BusinessEcho{WaID: wa, Revoke: echoID}); err != nil {
		t.Fatal(err)
	}
	revoked := waitCoex(t, admin, conv.ID, "the revoke", func(m coexMessage) bool { return m.ID == echo.ID && m.Revoked })
	if revoked.Content.Text != "" || revoked.Author != "business_app" {
		t.Errorf("revoked = %+v", revoked)
	}
	expectEvent(t, events, "message.updated", func(d coexMessage) bool { return d.ID == echo.ID && d.Revoked })

	// History: three past messages, three days old.
	ids, err := app.Emulator.ImportHistory(context.Background(), emulator.HistoryImport{WaID: wa})
	if err != nil || len(ids) != 3 {
		t.Fatalf("import = %v, %v", ids, err)
	}
	eventually(t, "the history", func() bool {
		n := 0
		for _, m := range coexMessages(t, admin, conv.ID) {
			if m.Imported {
				n++
			}
		}
		return n == 3
	})
	msgs := coexMessages(t, admin, conv.ID) // newest first
	if len(msgs) != 5 {
		t.Fatalf("%d messages, want 5", len(msgs))
	}
	past := msgs[2:]
	if past[2].Content.Text != "Hello, are you open on Saturday?" || past[1].Author != "business_app" || past[1].Direction != "out" ||
		past[0].Author != "customer" || !past[2].Timestamp.Before(past[1].Timestamp) || !past[1].Timestamp.Before(past[0].Timestamp) {
		t.Errorf("imported messages = %+v", past)
	}
	var later struct {
		apiConversation
		Status      string
		LastMessage *struct{ Text string } `json:"last_message"`
	}
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &later)
	if unread() != 1 || later.Status != "open" || later.LastMessage == nil || later.LastMessage.Text != "" {
		t.Errorf("after the history: %+v (preview %+v)", later, later.LastMessage)
	}

	// History of a chat Switchboard never saw: a closed conversation, not
	// announced as unread.
	const old = "4915199999999"
	if _, err := app.Emulator.ImportHistory(context.Background(), emulator.HistoryImport{WaID: old, Name: "Old Customer"}); err != nil {
		t.Fatal(err)
	}
	var closed struct {
		Items []struct {
			ID          string
			Status      string
			UnreadCount int `json:"unread_count"`
		}
	}
	eventually(t, "the history-only conversation", func() bool {
		admin.must(200, "GET", "/api/v1/conversations?status=closed&q="+old, nil, &closed)
		return len(closed.Items) == 1
	})
	if closed.Items[0].UnreadCount != 0 || closed.Items[0].Status != "resolved" {
		t.Errorf("history-only conversation = %+v", closed.Items[0])
	}
	imported := expectEvent(t, events, "message.created", func(d coexMessage) bool { return d.Content.Text == "Great, see you then!" })
	if !imported.Imported {
		t.Errorf("imported message event = %+v", imported)
	}
}

// expectEvent waits for an event of typ whose message data matches f.
func expectEvent(t *testing.T, s *stream, typ string, f func(coexMessage) bool) coexMessage {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatalf("stream closed waiting for %s", typ)
			}
			if e.Type != typ {
				continue
			}
			var m coexMessage
			if err := json.Unmarshal(e.Data, &m); err != nil {
				t.Fatal(err)
			}
			if f(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s event", typ)
		}
	}
}
