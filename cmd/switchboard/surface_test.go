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

// TestNewInboundTypesThroughEmulator: request_welcome, order, nfm_reply and
// call_permission_reply arrive as first-class messages, not unsupported.
func TestNewInboundTypesThroughEmulator(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4917011116666"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Olga", Type: "request_welcome"})
	conv := conversationOf(t, admin, wa)
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "order", Text: "Die nehme ich",
		Order: &emulator.CustomerOrder{CatalogID: "194836987003835", Items: []emulator.OrderItem{
			{ProductRetailerID: "shirt-m", Quantity: 2, ItemPrice: 7.99, Currency: "EUR"}, {ProductRetailerID: "cap", Quantity: 1, ItemPrice: 12, Currency: "EUR"}}}})
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Bitte das Formular"}, nil)
	app.phoneGot(t, wa, "the reply", func(m emulator.PhoneMessage) bool { return m.Text == "Bitte das Formular" })
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "interactive", InteractiveType: "nfm_reply",
		FlowResponse: map[string]any{"size": "M", "count": 2}})
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "interactive", InteractiveType: "call_permission_reply", CallPermission: "accept"})

	type typed struct {
		Type    string
		Content struct {
			Text  string
			Order *struct {
				CatalogID string `json:"catalog_id"`
				Items     []struct {
					ProductRetailerID string  `json:"product_retailer_id"`
					Quantity          int     `json:"quantity"`
					ItemPrice         float64 `json:"item_price"`
					Currency          string
				}
			}
			Form *struct {
				Name   string
				Fields []struct{ Name, Value string }
			}
			Interactive *struct{ Kind, ID, Description string }
		}
	}
	var msgs []typed
	eventually(t, "all five messages", func() bool {
		var page struct{ Items []typed }
		admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &page)
		msgs = page.Items
		return len(msgs) == 5
	})
	byType := map[string]typed{}
	for _, m := range msgs {
		if m.Type == "unsupported" {
			t.Errorf("unsupported message: %+v", m)
		}
		k := m.Type
		if m.Content.Interactive != nil {
			k += "/" + m.Content.Interactive.Kind
		}
		byType[k] = m
	}
	if _, ok := byType["request_welcome"]; !ok {
		t.Errorf("no request_welcome message: %+v", msgs)
	}
	if o := byType["order"].Content.Order; o == nil || o.CatalogID != "194836987003835" || len(o.Items) != 2 ||
		o.Items[0].ProductRetailerID != "shirt-m" || o.Items[0].Quantity != 2 || o.Items[0].ItemPrice != 7.99 || o.Items[0].Currency != "EUR" ||
		byType["order"].Content.Text != "Die nehme ich" {
		t.Errorf("order = %+v", byType["order"])
	}
	if f := byType["interactive/nfm_reply"].Content.Form; f == nil || len(f.Fields) != 2 || f.Fields[0].Name != "count" || f.Fields[0].Value != "2" ||
		f.Fields[1].Name != "size" || f.Fields[1].Value != "M" {
		t.Errorf("flow answers = %+v", byType["interactive/nfm_reply"])
	}
	if it := byType["interactive/call_permission_reply"].Content.Interactive; it == nil || it.ID != "accept" || it.Description != "user_action" {
		t.Errorf("call permission reply = %+v", byType["interactive/call_permission_reply"])
	}
}

// TestChannelNoticesReachAdministrators: account alerts, number quality,
// capability and account updates are recorded per channel, shown with the
// channel to channels.manage, and pushed live to those users only.
func TestChannelNoticesReachAdministrators(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "otto", "operator")
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	adminEvents := app.subscribe(t, admin, 0)
	operatorEvents := app.subscribe(t, operator, 0)
	ctx := context.Background()
	if err := app.Emulator.SendPhoneNumberQuality(ctx, "", "FLAGGED", "TIER_1K"); err != nil {
		t.Fatal(err)
	}
	for {
		e := adminEvents.next()
		if e.Type != "channel.notice" {
			continue
		}
		var n struct{ ChannelID, Field, Kind, Severity string }
		if err := json.Unmarshal(e.Data, &n); err != nil {
			t.Fatal(err)
		}
		if n.Field != "phone_number_quality_update" || n.Kind != "FLAGGED" || n.Severity != "WARNING" {
			t.Errorf("live notice = %s", e.Data)
		}
		break
	}
	if err := app.Emulator.SendAccountAlert(ctx, emulator.AccountAlert{Type: "OBA_APPROVED", Severity: "INFORMATIONAL", Description: "Official Business Account approved"}); err != nil {
		t.Fatal(err)
	}
	if err := app.Emulator.SendBusinessCapability(ctx, -1); err != nil {
		t.Fatal(err)
	}
	if err := app.Emulator.SendAccountUpdate(ctx, "ACCOUNT_VIOLATION", "SCAM"); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Notices []struct{ Field, Kind, Severity, Summary string }
	}
	var v view
	eventually(t, "four notices on the channel", func() bool {
		admin.must(200, "GET", "/api/v1/channels/"+chID, nil, &v)
		return len(v.Notices) == 4
	})
	got := map[string]string{}
	for _, n := range v.Notices {
		got[n.Field] = n.Kind + "|" + n.Severity + "|" + n.Summary
	}
	want := map[string]string{
		"phone_number_quality_update": "FLAGGED|WARNING|TIER_1K",
		"account_alerts":              "OBA_APPROVED|INFORMATIONAL|Official Business Account approved",
		"business_capability_update":  "CAPABILITY_UPDATE|INFORMATIONAL|messaging limit: unlimited; phone numbers per portfolio: 2",
		"account_update":              "ACCOUNT_VIOLATION|CRITICAL|violation: SCAM",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	// The operator (no channels.manage) neither sees them with the channel
	// nor receives them live.
	var ov view
	operator.must(200, "GET", "/api/v1/channels/"+chID, nil, &ov)
	if len(ov.Notices) != 0 {
		t.Errorf("operator sees notices: %+v", ov.Notices)
	}
	app.customer(t, emulator.CustomerMessage{WaID: "4917011117777", Name: "Pia", Text: "Hallo"})
	for {
		e := operatorEvents.next()
		if e.Type == "channel.notice" {
			t.Fatalf("operator received a channel notice: %s", e.Data)
		}
		if e.Type == "message.created" {
			break // everything before the customer's message has been delivered
		}
	}
}

// TestIdentityHistoryAndStandby: a changed number is kept in the contact's
// history (and its export); standby and handover webhooks are filed with
// the conversation.
func TestIdentityHistoryAndStandby(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa, newWa = "4917011118888", "4917011119999"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Rita", Text: "Hallo"})
	conv := conversationOf(t, admin, wa)
	ctx := context.Background()
	if _, err := app.Emulator.CustomerChangeNumber(ctx, wa, newWa); err != nil {
		t.Fatal(err)
	}
	type change struct {
		OldPhone  string `json:"old_phone"`
		NewPhone  string `json:"new_phone"`
		OldUserID string `json:"old_user_id"`
		NewUserID string `json:"new_user_id"`
	}
	var p struct {
		Contact         struct{ Phone string }
		IdentityHistory []change `json:"identity_history"`
	}
	eventually(t, "the identity history", func() bool {
		admin.must(200, "GET", "/api/v1/contacts/"+conv.Contact.ID, nil, &p)
		return len(p.IdentityHistory) == 1
	})
	h := p.IdentityHistory[0]
	if h.OldPhone != wa || h.NewPhone != newWa || h.OldUserID == "" || h.NewUserID == "" || h.OldUserID == h.NewUserID || p.Contact.Phone != newWa {
		t.Errorf("history = %+v, contact %+v", h, p.Contact)
	}
	// The GDPR export carries the history too.
	resp, body := admin.download("/api/v1/contacts/" + conv.Contact.ID + "/export")
	if resp.StatusCode != 200 {
		t.Fatalf("export = %d", resp.StatusCode)
	}
	var exported struct {
		IdentityHistory []change `json:"identity_history"`
	}
	if err := json.Unmarshal(unzip(t, body)["contact.json"], &exported); err != nil || len(exported.IdentityHistory) != 1 || exported.IdentityHistory[0] != h {
		t.Errorf("exported history = %+v (%v)", exported.IdentityHistory, err)
	}
	if err := app.Emulator.SendStandby(ctx, newWa, "Frage an den Agenten"); err != nil {
		t.Fatal(err)
	}
	if err := app.Emulator.SendHandover(ctx, newWa, "control_passed"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "two signals", func() bool {
		sigs, err := app.Store.ConversationSignals(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(sigs) == 2 && sigs[0].Field == "standby" && strings.Contains(string(sigs[0].Raw), "Frage an den Agenten") &&
			sigs[1].Field == "messaging_handovers"
	})
	// The standby message is not an inbox message.
	for _, m := range messagesOf(t, admin, conv.ID) {
		if m.Content.Text == "Frage an den Agenten" {
			t.Errorf("standby message shown in the conversation: %+v", m)
		}
	}
}

// TestWelcomeMessageOnRequestWelcome: a channel's welcome message answers
// request_welcome once; a second request_welcome of the same customer gets
// nothing, and an empty message turns it off.
func TestWelcomeMessageOnRequestWelcome(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	long := strings.Repeat("x", 1025)
	if code, _ := admin.do("PATCH", "/api/v1/channels/"+chID, map[string]any{"welcome_message": long}); code != 400 {
		t.Errorf("a too long welcome message = %d", code)
	}
	var ch struct {
		WelcomeMessage string `json:"welcome_message"`
	}
	admin.must(200, "PATCH", "/api/v1/channels/"+chID, map[string]any{"welcome_message": "  Willkommen! Wie können wir helfen?  "}, &ch)
	if ch.WelcomeMessage != "Willkommen! Wie können wir helfen?" {
		t.Fatalf("welcome message = %q", ch.WelcomeMessage)
	}
	const wa = "4917011110001"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Wanda", Type: "request_welcome"})
	app.phoneGot(t, wa, "the welcome message", func(m emulator.PhoneMessage) bool { return m.Text == "Willkommen! Wie können wir helfen?" })
	conv := conversationOf(t, admin, wa)
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "request_welcome"})
	app.customer(t, emulator.CustomerMessage{WaID: wa, Text: "Hallo"})
	waitMessage(t, admin, conv.ID, "the customer's text", func(m apiMessage) bool { return m.Content.Text == "Hallo" })
	n := 0
	for _, m := range messagesOf(t, admin, conv.ID) {
		if m.Direction == "out" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d outbound messages, want the one welcome", n)
	}
	admin.must(200, "PATCH", "/api/v1/channels/"+chID, map[string]any{"welcome_message": ""}, &ch)
	const other = "4917011110002"
	app.customer(t, emulator.CustomerMessage{WaID: other, Name: "Xaver", Type: "request_welcome"})
	app.customer(t, emulator.CustomerMessage{WaID: other, Text: "Hi"})
	oc := conversationOf(t, admin, other)
	waitMessage(t, admin, oc.ID, "the text", func(m apiMessage) bool { return m.Content.Text == "Hi" })
	for _, m := range messagesOf(t, admin, oc.ID) {
		if m.Direction == "out" {
			t.Errorf("welcome sent although turned off: %+v", m)
		}
	}
}

// TestAwayMessageOutsideBusinessHours: over HTTP, a too long away message
// is a 400; a set one (trimmed) reaches the phone of a customer who writes
// while the channel is closed (today and tomorrow are holidays), sent by
// the system.
func TestAwayMessageOutsideBusinessHours(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	chID := chans.Items[0].ID
	if code, _ := admin.do("PATCH", "/api/v1/channels/"+chID, map[string]any{"away_message": strings.Repeat("x", 1025)}); code != 400 {
		t.Errorf("a too long away message = %d", code)
	}
	now := time.Now().UTC()
	week := make([]any, 7)
	for i := range week {
		week[i] = []map[string]string{{"open": "00:00", "close": "24:00"}}
	}
	var ch struct {
		AwayMessage string `json:"away_message"`
	}
	admin.must(200, "PATCH", "/api/v1/channels/"+chID, map[string]any{
		"away_message": "  Wir sind gerade nicht da.  ",
		"business_hours": map[string]any{"time_zone": "UTC", "week": week,
			"holidays": []string{now.Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")}},
	}, &ch)
	if ch.AwayMessage != "Wir sind gerade nicht da." {
		t.Fatalf("away message = %q", ch.AwayMessage)
	}
	const wa = "4917011110009"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Nora", Text: "Hallo?"})
	app.phoneGot(t, wa, "the away message", func(m emulator.PhoneMessage) bool { return m.Text == "Wir sind gerade nicht da." })
	conv := conversationOf(t, admin, wa)
	var page struct {
		Items []struct {
			Direction, Author string
			SenderID          string `json:"sender_id"`
		}
	}
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &page)
	for _, m := range page.Items {
		if m.Direction == "out" && (m.Author != "system" || m.SenderID != "") {
			t.Errorf("away message by %q (%q), want the system", m.Author, m.SenderID)
		}
	}
}
