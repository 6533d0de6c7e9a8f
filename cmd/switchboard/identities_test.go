package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
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

// TestUsernameOnlyCustomerThroughEmulator runs the 2026 identity cases end
// to end through the emulator's signed webhooks and Graph API: a customer
// who writes with their phone number and later as username-only stays in
// one conversation; the reply goes out with recipient = BSUID and its
// statuses, which name only recipient_user_id, are applied; an
// authentication template is refused before sending; a number change
// keeps the customer in the same conversation.
func TestUsernameOnlyCustomerThroughEmulator(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "2348031234567"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Mira Okafor", Text: "Hello, with my number"})
	conv := conversationOf(t, admin, wa)
	app.customer(t, emulator.CustomerMessage{WaID: wa, UsernameOnly: true, Username: "@mira.okafor", Text: "Now only my username"})
	waitMessage(t, admin, conv.ID, "the username-only message", func(m apiMessage) bool { return m.Content.Text == "Now only my username" })
	byName := conversationOf(t, admin, "@mira.okafor")
	if byName.ID != conv.ID {
		t.Fatalf("the username-only message opened conversation %s, want %s", byName.ID, conv.ID)
	}

	// A new customer who never shared a number.
	const hidden = "2347000000001"
	app.customer(t, emulator.CustomerMessage{WaID: hidden, Name: "Kemi Adebayo", UsernameOnly: true, Text: "Hi, no number here"})
	kemi := conversationOf(t, admin, "@kemi.adebayo")
	var got struct {
		Contact struct {
			Phone, Username string
			UserID          string `json:"user_id"`
		}
	}
	admin.must(200, "GET", "/api/v1/conversations/"+kemi.ID, nil, &got)
	if got.Contact.Phone != "" || got.Contact.Username != "@kemi.adebayo" || got.Contact.UserID != app.Emulator.UserIDOf(hidden) {
		t.Fatalf("contact = %+v", got.Contact)
	}
	// The GDPR export names the customer by username and BSUID.
	code, zipped := admin.do("GET", "/api/v1/contacts/"+kemi.Contact.ID+"/export", nil)
	if code != 200 {
		t.Fatalf("export = %d %s", code, zipped)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var exported struct {
		Contact struct {
			Username string
			UserID   string `json:"user_id"`
		}
	}
	for _, f := range zr.File {
		if f.Name == "contact.json" {
			r, _ := f.Open()
			if err := json.NewDecoder(r).Decode(&exported); err != nil {
				t.Fatal(err)
			}
			r.Close()
		}
	}
	if exported.Contact.Username != "@kemi.adebayo" || exported.Contact.UserID != app.Emulator.UserIDOf(hidden) {
		t.Errorf("exported contact = %+v", exported.Contact)
	}

	var sent struct{ ID string }
	admin.must(202, "POST", "/api/v1/conversations/"+kemi.ID+"/messages", map[string]string{"type": "text", "text": "Welcome, Kemi!"}, &sent)
	app.phoneGot(t, hidden, "the reply by BSUID", func(m emulator.PhoneMessage) bool { return m.Text == "Welcome, Kemi!" })
	waitMessage(t, admin, kemi.ID, "the reply read", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "read" })

	// Authentication templates need a phone number.
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	admin.must(200, "POST", "/api/v1/channels/"+chans.Items[0].ID+"/templates/sync", nil, nil)
	tpl := map[string]any{"type": "template", "template": map[string]any{"name": "login_code", "language": "en", "parameters": map[string]string{"body.1": "123456"}}}
	if code, body := admin.do("POST", "/api/v1/conversations/"+kemi.ID+"/messages", tpl); code != 422 || !strings.Contains(string(body), "phone number") {
		t.Errorf("authentication template to a username-only customer = %d %s", code, body)
	}

	// A number change: the system line lands in the conversation, and the
	// customer writes on from the new number into the same one.
	const newWa = "2349099998888"
	if _, err := app.Emulator.CustomerChangeNumber(context.Background(), wa, newWa); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, admin, conv.ID, "the number change line", func(m apiMessage) bool { return m.Type == "system" })
	app.customer(t, emulator.CustomerMessage{WaID: newWa, Text: "From my new number"})
	waitMessage(t, admin, conv.ID, "the message from the new number", func(m apiMessage) bool { return m.Content.Text == "From my new number" })
	var page struct{ Items []apiConversation }
	admin.must(200, "GET", "/api/v1/conversations", nil, &page)
	if len(page.Items) != 2 {
		t.Errorf("%d conversations, want 2 (Mira and Kemi)", len(page.Items))
	}
}

// TestTemplatePausedByWebhook checks that a template Meta pauses (the
// emulator's message_template_status_update) leaves the template list at
// once, without waiting for the next sync, and can no longer be sent.
func TestTemplatePausedByWebhook(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4917011113333"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Tina", Text: "Hallo"})
	conv := conversationOf(t, admin, wa)
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	admin.must(200, "POST", "/api/v1/channels/"+chID+"/templates/sync", nil, nil)
	offered := func() bool {
		var page struct {
			Items []struct{ Name, Language string }
		}
		admin.must(200, "GET", "/api/v1/templates?channel="+chID, nil, &page)
		for _, tpl := range page.Items {
			if tpl.Name == "order_update" && tpl.Language == "de" {
				return true
			}
		}
		return false
	}
	if !offered() {
		t.Fatal("order_update (de) not offered after the sync")
	}
	if err := app.Emulator.SetTemplateStatus(context.Background(), "order_update", "de", "PAUSED", "LOW_QUALITY"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the paused template to leave the list", func() bool { return !offered() })
	tpl := map[string]any{"type": "template", "template": map[string]any{"name": "order_update", "language": "de",
		"parameters": map[string]string{"body.1": "Tina", "body.2": "4711"}}}
	if code, body := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", tpl); code != 422 || !strings.Contains(string(body), "paused") {
		t.Errorf("sending the paused template = %d %s", code, body)
	}
	if err := app.Emulator.SetTemplateStatus(context.Background(), "order_update", "de", "REINSTATED", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reinstated template to come back", offered)
}
