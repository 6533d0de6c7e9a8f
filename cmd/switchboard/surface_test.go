package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/emulator"
)

// Issue 11: the rest of the webhook surface, end to end through signed
// webhooks from the emulator.

// TestStatusPricingStored: the pricing object of the emulator's statuses
// (per-message pricing, PMP) is kept on the outbound message and shown in
// its JSON.
func TestStatusPricingStored(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4917011114444"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Paula", Text: "Hallo"})
	conv := conversationOf(t, admin, wa)
	var sent apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Gern"}, &sent)
	type priced struct {
		ID      string
		Status  string
		Pricing *struct {
			Billable     bool
			PricingModel string `json:"pricing_model"`
			Category     string
			Type         string
		}
	}
	var got priced
	eventually(t, "the reply's pricing", func() bool {
		var page struct{ Items []priced }
		admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &page)
		for _, m := range page.Items {
			if m.ID == sent.ID && m.Pricing != nil && m.Status == "read" {
				got = m
				return true
			}
		}
		return false
	})
	if p := got.Pricing; p.PricingModel != "PMP" || p.Category != "service" || p.Billable || p.Type == "" {
		t.Errorf("pricing of a reply in the service window = %+v", p)
	}
	// Inbound messages carry none.
	var page struct{ Items []priced }
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &page)
	for _, m := range page.Items {
		if m.ID != sent.ID && m.Pricing != nil {
			t.Errorf("inbound message %s has pricing %+v", m.ID, m.Pricing)
		}
	}
}

// templatesOf lists the templates the composer offers on a channel.
func templatesOf(t *testing.T, c *client, chID string) map[string]struct{ Category, Quality string } {
	t.Helper()
	var page struct {
		Items []struct{ Name, Language, Category, Quality string }
	}
	c.must(200, "GET", "/api/v1/templates?channel="+chID, nil, &page)
	out := map[string]struct{ Category, Quality string }{}
	for _, tpl := range page.Items {
		out[tpl.Name+"/"+tpl.Language] = struct{ Category, Quality string }{tpl.Category, tpl.Quality}
	}
	return out
}

// TestMarketingPreferenceAndTemplateChanges: template category and quality
// webhooks update the template list at once; a customer who stops
// marketing messages (user_preferences) is shown so, and a marketing
// template to them is refused with 422 before anything is sent.
func TestMarketingPreferenceAndTemplateChanges(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4917011115555"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Mara", Text: "Hallo"})
	conv := conversationOf(t, admin, wa)
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	admin.must(200, "POST", "/api/v1/channels/"+chID+"/templates/sync", nil, nil)
	if got := templatesOf(t, admin, chID)["hello_world/en_US"]; got.Category != "UTILITY" {
		t.Fatalf("hello_world after the sync = %+v", got)
	}
	ctx := context.Background()
	// An impending recategorisation changes nothing yet; the completed one
	// does, at once.
	if err := app.Emulator.SetTemplateCategory(ctx, "hello_world", "en_US", "MARKETING", true); err != nil {
		t.Fatal(err)
	}
	if err := app.Emulator.SetTemplateQuality(ctx, "hello_world", "en_US", "YELLOW"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the quality score", func() bool { return templatesOf(t, admin, chID)["hello_world/en_US"].Quality == "YELLOW" })
	if got := templatesOf(t, admin, chID)["hello_world/en_US"]; got.Category != "UTILITY" {
		t.Fatalf("an impending category change applied early: %+v", got)
	}
	if err := app.Emulator.SetTemplateCategory(ctx, "hello_world", "en_US", "MARKETING", false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the new category", func() bool { return templatesOf(t, admin, chID)["hello_world/en_US"].Category == "MARKETING" })

	profile := func() (p struct {
		Marketing *struct {
			Stopped bool
			At      time.Time
		}
		IdentityHistory []json.RawMessage `json:"identity_history"`
	}) {
		admin.must(200, "GET", "/api/v1/contacts/"+conv.Contact.ID, nil, &p)
		return p
	}
	if p := profile(); p.Marketing != nil || p.IdentityHistory == nil {
		t.Fatalf("profile before any preference = %+v", p)
	}
	if err := app.Emulator.SetMarketingPreference(ctx, wa, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the stop to be recorded", func() bool { p := profile(); return p.Marketing != nil && p.Marketing.Stopped })
	hello := map[string]any{"type": "template", "template": map[string]any{"name": "hello_world", "language": "en_US"}}
	before := len(app.Emulator.Phone(wa))
	if code, body := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", hello); code != 422 || !strings.Contains(string(body), "stopped marketing") {
		t.Errorf("marketing template to a customer who stopped = %d %s", code, body)
	}
	// A utility template still goes out.
	order := map[string]any{"type": "template", "template": map[string]any{"name": "order_update", "language": "de",
		"parameters": map[string]string{"body.1": "Mara", "body.2": "4711"}}}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", order, nil)
	app.phoneGot(t, wa, "the utility template", func(m emulator.PhoneMessage) bool { return strings.Contains(m.Text, "4711") })
	for _, m := range app.Emulator.Phone(wa)[before:] {
		if m.FromBusiness && strings.Contains(m.Text, "Hello") {
			t.Errorf("the refused marketing template reached the phone: %+v", m)
		}
	}
	if err := app.Emulator.SetMarketingPreference(ctx, wa, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the resume to be recorded", func() bool { p := profile(); return p.Marketing != nil && !p.Marketing.Stopped })
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", hello, nil)

	// Another user who cannot see the conversation gets 404 for the contact.
	employee, _ := app.createUser(admin, "emil", "employee")
	if code, _ := employee.do("GET", "/api/v1/contacts/"+conv.Contact.ID, nil); code != 404 {
		t.Errorf("unassigned employee reads the contact profile: %d", code)
	}
}
