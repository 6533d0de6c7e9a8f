package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

func TestUnreadCountsAndMarkRead(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "ophelia", "operator")
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000201", "Ulla Ungelesen", "eins")
	app.customerWrites(ch.ID, "4915100000201", "Ulla Ungelesen", "zwei")

	unread := func(c *client) int {
		var got struct {
			UnreadCount int `json:"unread_count"`
		}
		c.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &got)
		return got.UnreadCount
	}
	if n := unread(operator); n != 2 {
		t.Fatalf("operator unread = %d, want 2", n)
	}
	operator.must(204, "POST", "/api/v1/conversations/"+conv.ID+"/read", nil, nil)
	if n := unread(operator); n != 0 {
		t.Fatalf("after mark read: unread = %d", n)
	}
	// Unread counts are per user.
	if n := unread(admin); n != 2 {
		t.Fatalf("admin unread = %d, want 2", n)
	}
	app.customerWrites(ch.ID, "4915100000201", "Ulla Ungelesen", "drei")
	if n := unread(operator); n != 1 {
		t.Fatalf("operator unread after a new message = %d, want 1", n)
	}
	// Marking read is not a read of the history: no audit entry.
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("conversation.read"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("mark read wrote %d conversation.read audit entries", len(entries))
	}
	// Reading the history is audited.
	operator.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, nil)
	entries, _, _ = app.Store.AuditEntries(context.Background(), auditFilter("conversation.read"))
	if len(entries) != 1 || entries[0].ObjectID != conv.ID {
		t.Fatalf("history read audit = %+v", entries)
	}
	// An employee cannot mark a conversation they do not see.
	employee, _ := app.createUser(admin, "ezra", "employee")
	if got, _ := employee.do("POST", "/api/v1/conversations/"+conv.ID+"/read", nil); got != 404 {
		t.Fatalf("employee mark read = %d, want 404", got)
	}
}

// TestSenderNames: outbound messages carry their sender's current name, in
// the send response and the history, so colleagues see who answered.
func TestSenderNames(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, op := app.createUser(admin, "ophelia", "operator")
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000301", "Sina Sender", "Hallo")
	var sent struct {
		SenderID   string `json:"sender_id"`
		SenderName string `json:"sender_name"`
	}
	operator.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Guten Tag"}, &sent)
	if sent.SenderID != op.ID || sent.SenderName != "Ophelia" {
		t.Fatalf("sent message: %+v", sent)
	}
	names := func() []string {
		var page struct {
			Items []struct {
				Direction  string `json:"direction"`
				SenderName string `json:"sender_name"`
			} `json:"items"`
		}
		admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &page)
		var out []string
		for _, m := range page.Items {
			out = append(out, m.Direction+":"+m.SenderName)
		}
		return out
	}
	if got := fmt.Sprint(names()); got != "[out:Ophelia in:]" {
		t.Fatalf("history as seen by the admin = %s", got)
	}
	admin.must(200, "PATCH", "/api/v1/users/"+op.ID, map[string]string{"name": "Ophelia Neu"}, nil)
	if got := fmt.Sprint(names()); got != "[out:Ophelia Neu in:]" {
		t.Fatalf("history after the rename = %s", got)
	}
}

// TestIdempotencyKeyIsPerConversation: the same Idempotency-Key in another
// conversation sends a new message there instead of answering with the
// first conversation's message (issue 14, Low 17); in the same
// conversation it is still a replay.
func TestIdempotencyKeyIsPerConversation(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Berlin")
	one := app.customerWrites(ch.ID, "4915100000301", "Erste", "hallo")
	two := app.customerWrites(ch.ID, "4915100000302", "Zweite", "hallo")
	admin.header.Set("Idempotency-Key", "same-key")
	var m1, m1again, m2 struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversation_id"`
	}
	admin.must(202, "POST", "/api/v1/conversations/"+one.ID+"/messages", map[string]string{"type": "text", "text": "to one"}, &m1)
	admin.must(202, "POST", "/api/v1/conversations/"+one.ID+"/messages", map[string]string{"type": "text", "text": "to one"}, &m1again)
	admin.must(202, "POST", "/api/v1/conversations/"+two.ID+"/messages", map[string]string{"type": "text", "text": "to two"}, &m2)
	if m1again.ID != m1.ID {
		t.Errorf("replay in the same conversation made a new message")
	}
	if m2.ID == m1.ID || m2.ConversationID != two.ID {
		t.Fatalf("the key in another conversation answered %+v (first was %+v)", m2, m1)
	}
}

// TestInboundTextIsBounded: inbound text longer than WhatsApp's 4,096
// characters is cut to 4,096, the last being "…", on both ingest paths
// (issue 14, Low 11); shorter text is kept as it is.
func TestInboundTextIsBounded(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Berlin")
	long := strings.Repeat("ä", 10000)
	exact := strings.Repeat("b", 4096)
	check := func(t *testing.T, convID, want string) {
		t.Helper()
		var page struct {
			Items []struct{ Content struct{ Text string } }
		}
		admin.must(200, "GET", "/api/v1/conversations/"+convID+"/messages", nil, &page)
		if len(page.Items) == 0 || page.Items[0].Content.Text != want {
			got := ""
			if len(page.Items) > 0 {
				got = page.Items[0].Content.Text
			}
			t.Fatalf("stored text has %d characters, want %d", utf8.RuneCountInString(got), utf8.RuneCountInString(want))
		}
	}
	cut := strings.Repeat("ä", 4095) + "…"
	check(t, app.customerWrites(ch.ID, "4915100000401", "Lang", long).ID, cut)
	check(t, app.customerWrites(ch.ID, "4915100000402", "Genau", exact).ID, exact)

	_, err := app.System.ReceiveBatch(context.Background(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{{
		ChannelID: ch.ID, WaID: "4915100000403", ProfileName: "Batch",
		Message: &switchboard.Message{Direction: switchboard.DirectionIn, Type: switchboard.TypeText,
			Content: switchboard.MessageContent{Text: long}, WAMessageID: "wamid.long.batch", Timestamp: time.Now().UTC()},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	items, _, err := app.Store.Conversations(context.Background(), switchboard.ConversationFilter{Query: "4915100000403", Limit: 10})
	if err != nil || len(items) != 1 {
		t.Fatalf("batch conversation: %v %d", err, len(items))
	}
	check(t, items[0].ID, cut)
}
