package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// postSigned posts a webhook body signed with the emulated channel's app
// secret and wants 200.
func (a *testApp) postSigned(t *testing.T, body []byte) {
	t.Helper()
	ch, err := a.Store.ChannelByPhoneNumberID(context.Background(), emulatorPhoneNumberID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", a.URL+"/webhooks/whatsapp", bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign([]byte(ch.AppSecret), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("signed webhook = %d", resp.StatusCode)
	}
}

// messagesBody is a messages webhook for the emulated number with the
// given contacts and messages JSON.
func messagesBody(contacts, messages string) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"%s"},
		"contacts":[%s],"messages":[%s]}}]}]}`, emulatorPhoneNumberID, contacts, messages))
}

// TestUsernameOnlyCustomerAndDeadLetters checks, through signed webhooks,
// that a customer who shares only a username reaches the inbox (found by
// username), and that a message that cannot be applied is listed as a dead
// letter for administrators, counted in /metrics and replayable, while
// other users may not see the list.
func TestUsernameOnlyCustomerAndDeadLetters(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	now := time.Now().Unix()

	app.postSigned(t, messagesBody(
		`{"profile":{"name":"Mira Okafor","username":"@mira.okafor"},"user_id":"US.13491208655302741918"}`,
		fmt.Sprintf(`{"from_user_id":"US.13491208655302741918","id":"wamid.mira1","timestamp":"%d","type":"text","text":{"body":"Do you ship to Lagos?"}}`, now)))
	conv := conversationOf(t, admin, "@mira.okafor")
	var got struct {
		Contact struct {
			Phone, Username string
			UserID          string `json:"user_id"`
		}
	}
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &got)
	if got.Contact.Phone != "" || got.Contact.Username != "@mira.okafor" || got.Contact.UserID != "US.13491208655302741918" {
		t.Errorf("contact = %+v", got.Contact)
	}
	waitMessage(t, admin, conv.ID, "the username-only message", func(m apiMessage) bool { return m.Content.Text == "Do you ship to Lagos?" })

	// No sender at all: the rest of the webhook is applied, the event kept.
	app.postSigned(t, messagesBody(`{"profile":{"name":"Ben"},"wa_id":"4915000000777"}`,
		fmt.Sprintf(`{"from":"4915000000777","id":"wamid.ben1","timestamp":"%d","type":"text","text":{"body":"hi"}},
			{"id":"wamid.nobody","timestamp":"%d","type":"text","text":{"body":"?"}}`, now, now)))
	conversationOf(t, admin, "4915000000777")
	type deadLetter struct {
		ID        int64
		ChannelID string `json:"channel_id"`
		Reason    string
	}
	var dead []deadLetter
	eventually(t, "a dead letter", func() bool {
		var page struct{ Items []deadLetter }
		admin.must(200, "GET", "/api/v1/dead-letters", nil, &page)
		dead = page.Items
		return len(dead) == 1
	})
	if !strings.Contains(dead[0].Reason, "without a sender") {
		t.Errorf("reason = %q", dead[0].Reason)
	}
	wantMetric(t, app.URL, `switchboard_webhook_dead_letters 1`)

	operator, _ := app.createUser(admin, "olga", switchboard.RoleOperator)
	if code, _ := operator.do("GET", "/api/v1/dead-letters", nil); code != 403 {
		t.Errorf("operator lists dead letters: %d", code)
	}
	if code, _ := operator.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/replay", dead[0].ID), nil); code != 403 {
		t.Errorf("operator replays: %d", code)
	}
	if code, _ := admin.do("POST", "/api/v1/dead-letters/987654321/replay", nil); code != 404 {
		t.Errorf("replay of an unknown dead letter: %d", code)
	}
	admin.must(204, "POST", fmt.Sprintf("/api/v1/dead-letters/%d/replay", dead[0].ID), nil, nil)
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("webhook.replay"))
	if err != nil || len(entries) != 1 {
		t.Errorf("webhook.replay audit entries = %d, %v", len(entries), err)
	}
	// Replayed, it is applied again (Ben's message is not stored twice)
	// and, still without a sender, kept again.
	eventually(t, "the replayed event kept again", func() bool {
		var page struct{ Items []deadLetter }
		admin.must(200, "GET", "/api/v1/dead-letters", nil, &page)
		return len(page.Items) == 1 && page.Items[0].ID == dead[0].ID
	})
	ben := conversationOf(t, admin, "4915000000777")
	if msgs := messagesOf(t, admin, ben.ID); len(msgs) != 1 {
		t.Errorf("Ben's conversation has %d messages after the replay, want 1", len(msgs))
	}
}
