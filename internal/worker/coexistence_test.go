package worker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
)

func fixtureBody(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "whatsapp", "testdata", "webhooks", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIngestCoexistence applies the coexistence fixtures through the
// worker: the echo becomes an outgoing business-app message of the
// customer it was sent to (phone and BSUID), its edit and revoke change
// it, the history chunk's messages are imported in time order (the
// out-of-order thread included), a declined history stores nothing, and
// an echo without a recipient is a dead letter.
func TestIngestCoexistence(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	stop := f.run(t)
	defer stop()
	const original = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJFQ0hPMDAwMDAwMDAwMDAwMQA="

	f.accept(t, fixtureBody(t, "smb_echo_text"))
	f.waitDrained(t)
	convs, _, err := f.store.Conversations(ctx, switchboard.ConversationFilter{})
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations = %d, %v", len(convs), err)
	}
	c := convs[0]
	if c.Contact.WaID != "16505551234" || c.Contact.UserID != "US.13491208655302741918" || c.UnreadCount != 0 || c.Status != switchboard.StatusOpen {
		t.Errorf("conversation = %+v", c)
	}
	msgs, _, err := f.store.Messages(ctx, c.ID, switchboard.MessagePage{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages = %d, %v", len(msgs), err)
	}
	echo := msgs[0]
	if echo.WAMessageID != original || echo.Direction != switchboard.DirectionOut || echo.Author != switchboard.AuthorBusinessApp ||
		echo.Status != switchboard.MessageSent || !strings.HasPrefix(echo.Content.Text, "Here's the info") {
		t.Errorf("echo = %+v", echo)
	}

	f.accept(t, fixtureBody(t, "smb_echo_edit"))
	f.waitDrained(t)
	if m, err := f.store.Message(ctx, echo.ID); err != nil || m.Content.Text != "Here's the info you asked for." || m.EditedAt == nil {
		t.Errorf("after edit = %+v, %v", m, err)
	}
	f.accept(t, fixtureBody(t, "smb_echo_revoke"))
	f.waitDrained(t)
	if m, err := f.store.Message(ctx, echo.ID); err != nil || !m.Revoked || m.Content.Text != "" {
		t.Errorf("after revoke = %+v, %v", m, err)
	}
	if n := f.rec.waitCount(t, switchboard.EventMessageUpdated, 2); n != 2 {
		t.Errorf("%d message.updated events, want 2", n)
	}

	// The history fixture's thread, and the same customer's thread sent
	// newest first.
	f.accept(t, fixtureBody(t, "history"))
	reordered := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"history","value":{"messaging_product":"whatsapp",
		"metadata":{"display_phone_number":"15550783881","phone_number_id":"` + testPhone + `"},
		"history":[{"metadata":{"phase":1,"chunk_order":2,"progress":80},"threads":[{"id":"16505551234","messages":[
		{"from":"15550783881","id":"wamid.late","timestamp":"1738000200","type":"text","text":{"body":"second"}},
		{"from":"16505551234","id":"wamid.early","timestamp":"1738000100","type":"text","text":{"body":"first"}}]}]}]}}]}]}`
	f.accept(t, []byte(reordered))
	f.accept(t, fixtureBody(t, "history_declined"))
	f.waitDrained(t)
	msgs, _, err = f.store.Messages(ctx, c.ID, switchboard.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for i := len(msgs) - 1; i >= 0; i-- { // oldest first
		m := msgs[i]
		if m.ID == echo.ID {
			continue
		}
		texts = append(texts, m.Content.Text)
		if !m.Imported {
			t.Errorf("not imported: %+v", m)
		}
		if (m.Content.Text == "second" || m.Content.Text == "Yes, shall I keep one for you?") != (m.Author == switchboard.AuthorBusinessApp) {
			t.Errorf("author of %q = %s", m.Content.Text, m.Author)
		}
	}
	if got := strings.Join(texts, "|"); got != "first|second|Do you have the blue one in size 40?|Yes, shall I keep one for you?|" {
		t.Errorf("imported in order = %q", got)
	}
	after, err := f.store.Conversation(ctx, c.ID, "")
	if err != nil || after.UnreadCount != 0 || !after.LastInboundAt.IsZero() || after.Status != switchboard.StatusOpen {
		t.Errorf("conversation after history = %+v, %v", after, err)
	}

	// An echo naming no customer cannot be applied.
	bad := strings.Replace(strings.Replace(string(fixtureBody(t, "smb_echo_text")), `"to": "16505551234",`, "", 1),
		`"to_user_id": "US.13491208655302741918",`, "", 1)
	bad = strings.Replace(bad, "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJFQ0hPMDAwMDAwMDAwMDAwMQA=", "wamid.norecipient", 1)
	f.accept(t, []byte(bad))
	f.waitDrained(t)
	dead, err := f.store.DeadLetters(ctx)
	if err != nil || len(dead) != 1 || !strings.Contains(dead[0].Reason, "without a recipient") {
		t.Errorf("dead letters = %+v, %v", dead, err)
	}
}
