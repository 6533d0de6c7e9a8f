package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestUsernameOnlyCustomer checks that the emulator behaves like Meta for a
// customer who shares only a username: webhooks name them by BSUID and
// username without a phone number, a send to their BSUID (recipient) is
// accepted and answered with contacts[].user_id, statuses carry only
// recipient_user_id, and an authentication template to a BSUID is 131062.
func TestUsernameOnlyCustomer(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "2348031234567", Name: "Mira Okafor", UsernameOnly: true, Text: "Do you ship to Lagos?"})
	waitFor(t, "webhook", func() bool { return len(en.rc.ok()) == 1 })
	body := en.rc.ok()[0]
	if bytes.Contains(body, []byte("2348031234567")) {
		t.Errorf("a username-only customer's phone number is in the webhook: %s", body)
	}
	var p whPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	v := p.Entry[0].Changes[0].Value
	bsuid := en.e.UserIDOf("2348031234567")
	if !strings.HasPrefix(bsuid, "DE.") || v.Contacts[0].UserID != bsuid || v.Contacts[0].Profile.Username != "@mira.okafor" ||
		v.Messages[0].FromUserID != bsuid || v.Messages[0].From != "" {
		t.Fatalf("webhook = %s", body)
	}

	r := en.send(`{"messaging_product":"whatsapp","recipient_type":"individual","recipient":"` + bsuid + `","type":"text","text":{"body":"Yes!"}}`)
	id := wamidOf(t, r)
	c := r.json(t)["contacts"].([]any)[0].(map[string]any)
	if c["input"] != bsuid || c["user_id"] != bsuid || c["wa_id"] != nil {
		t.Errorf("response %s", r.body)
	}
	waitFor(t, "three statuses", func() bool { return len(statusesFor(en.rc.statuses(t), id)) == 3 })
	for _, s := range statusesFor(en.rc.statuses(t), id) {
		if s.RecipientID != "" || s.RecipientUserID != bsuid {
			t.Errorf("status %+v", s)
		}
	}
	if cs := en.e.Customers(); len(cs) != 1 || !cs[0].UsernameOnly || cs[0].Username != "@mira.okafor" || cs[0].UserID != bsuid {
		t.Errorf("customers = %+v", cs)
	}
	// The control API (the customer page's checkbox) switches a customer.
	r0 := en.do("POST", "/emulator/api/customers/send", "", strings.NewReader(`{"wa_id":"4915100000009","name":"Lea","username_only":true,"text":"hi"}`), "application/json")
	if r0.status != 200 {
		t.Fatalf("control send = %d %s", r0.status, r0.body)
	}
	for _, c := range en.e.Customers() {
		if c.WaID == "4915100000009" && (!c.UsernameOnly || c.Username != "@lea") {
			t.Errorf("customer switched by the control API = %+v", c)
		}
	}
	if phone := en.e.Phone("2348031234567"); len(phone) != 2 || phone[1].Text != "Yes!" {
		t.Errorf("phone = %+v", phone)
	}

	r = en.send(`{"messaging_product":"whatsapp","recipient":"DE.000","type":"text","text":{"body":"?"}}`)
	if code, _ := r.errCode(t); code != 100 {
		t.Errorf("unknown BSUID: %d %s", code, r.body)
	}
	r = en.send(`{"messaging_product":"whatsapp","recipient":"` + bsuid + `","type":"template","template":{"name":"login_code","language":{"code":"en"},
		"components":[{"type":"body","parameters":[{"type":"text","text":"123456"}]}]}}`)
	if code, _ := r.errCode(t); code != 131062 {
		t.Errorf("authentication template to a BSUID: %d %s", code, r.body)
	}
}

// TestCustomerChangeNumber checks the user_changed_number system message:
// from the old identifiers, naming the new phone number and BSUID, without
// contacts[].
func TestCustomerChangeNumber(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Name: "Anna", Text: "Hallo"})
	old := en.e.UserIDOf("4915112345678")
	if _, err := en.e.CustomerChangeNumber(context.Background(), "4915112345678", "4915199990000"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two webhooks", func() bool { return len(en.rc.ok()) == 2 })
	var p whPayload
	if err := json.Unmarshal(en.rc.ok()[1], &p); err != nil {
		t.Fatal(err)
	}
	v := p.Entry[0].Changes[0].Value
	m := v.Messages[0]
	if len(v.Contacts) != 0 || m.Type != "system" || m.From != "4915112345678" || m.FromUserID != old || m.System == nil ||
		m.System.Type != "user_changed_number" || m.System.WaID != "4915199990000" || m.System.UserID != en.e.UserIDOf("4915199990000") ||
		m.System.UserID == old {
		t.Errorf("system webhook = %s", en.rc.ok()[1])
	}
	if en.e.UserIDOf("4915112345678") != "" {
		t.Error("the old number is still a customer")
	}
}

// TestVirtualCustomersDistinct checks that virtual customers have distinct
// names and that every fourth one shares only a username.
func TestVirtualCustomersDistinct(t *testing.T) {
	en := newEnv(t, nil)
	en.e.mu.Lock()
	people := en.e.virtualPeople(30)
	en.e.mu.Unlock()
	seen := map[string]bool{}
	only := 0
	for _, p := range people {
		if seen[p.Name] {
			t.Errorf("name %q twice", p.Name)
		}
		seen[p.Name] = true
		if p.UsernameOnly {
			only++
		}
	}
	if only != 7 {
		t.Errorf("%d of 30 username-only, want 7", only)
	}
}

// TestSetTemplateStatusSendsWebhook checks the template status path: the
// template list changes and Meta's message_template_status_update webhook
// goes out for the business account.
func TestSetTemplateStatusSendsWebhook(t *testing.T) {
	en := newEnv(t, nil)
	if err := en.e.SetTemplateStatus(context.Background(), "order_update", "de", "paused", "LOW_QUALITY"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "webhook", func() bool { return len(en.rc.ok()) == 1 })
	var p struct {
		Entry []struct {
			ID      string
			Changes []struct {
				Field string
				Value struct {
					Event    string `json:"event"`
					Name     string `json:"message_template_name"`
					Language string `json:"message_template_language"`
					Reason   string `json:"reason"`
					ID       int64  `json:"message_template_id"`
				}
			}
		}
	}
	if err := json.Unmarshal(en.rc.ok()[0], &p); err != nil {
		t.Fatal(err)
	}
	c := p.Entry[0].Changes[0]
	if c.Field != "message_template_status_update" || c.Value.Event != "PAUSED" || c.Value.Name != "order_update" ||
		c.Value.Language != "de" || c.Value.Reason != "LOW_QUALITY" || c.Value.ID == 0 || p.Entry[0].ID == "" {
		t.Errorf("webhook = %s", en.rc.ok()[0])
	}
	for _, tpl := range en.e.Templates() {
		if tpl.Name == "order_update" && tpl.Language == "de" && tpl.Status != "PAUSED" {
			t.Errorf("template status = %s", tpl.Status)
		}
	}
	if err := en.e.SetTemplateStatus(context.Background(), "nope", "de", "PAUSED", ""); err == nil {
		t.Error("unknown template accepted")
	}
}
