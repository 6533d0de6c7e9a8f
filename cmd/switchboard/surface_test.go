package main

import (
	"testing"

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
