package main

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/emulator"
)

// TestInteractiveThroughEmulator sends reply buttons, a list and a link
// button through the emulator's Graph API; the customer's tap comes back
// as a button_reply quoting the sent message; a message over Meta's limits
// is refused with 422 before anything reaches Graph.
func TestInteractiveThroughEmulator(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4915123450011"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Lena", Text: "Wann liefern Sie?"})
	conv := conversationOf(t, admin, wa)

	var sent struct {
		ID      string
		Type    string
		Content struct {
			Text            string
			InteractiveSend *struct {
				Kind    string
				Buttons []struct{ ID, Title string }
			} `json:"interactive_send"`
		}
	}
	body := map[string]any{"type": "interactive", "interactive": map[string]any{
		"kind": "button", "header": "Lieferung", "body": "Wann passt es Ihnen?", "footer": "Lucky Shrub",
		"buttons": []map[string]string{{"id": "morning", "title": "Vormittag"}, {"id": "afternoon", "title": "Nachmittag"}},
	}}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", body, &sent)
	if sent.Type != "interactive" || sent.Content.Text != "Wann passt es Ihnen?" || sent.Content.InteractiveSend == nil || len(sent.Content.InteractiveSend.Buttons) != 2 {
		t.Fatalf("sent = %+v", sent)
	}
	got := app.phoneGot(t, wa, "the reply buttons", func(m emulator.PhoneMessage) bool {
		return m.Type == "interactive" && m.Interactive != nil && len(m.Interactive.Options) == 2
	})
	if got.Interactive.Header != "Lieferung" || got.Interactive.Footer != "Lucky Shrub" || got.Interactive.Options[1].ID != "afternoon" {
		t.Fatalf("phone shows %+v", got.Interactive)
	}
	waitMessage(t, admin, conv.ID, "the buttons sent", func(m apiMessage) bool { return m.ID == sent.ID && m.Status != "pending" })

	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "interactive", ReplyTo: got.ID, Text: "Nachmittag", ReplyID: "afternoon"})
	reply := waitMessage(t, admin, conv.ID, "the button reply", func(m apiMessage) bool { return m.Direction == "in" && m.Type == "interactive" })
	if reply.ReplyToID != sent.ID || reply.Content.Interactive == nil || reply.Content.Interactive.ID != "afternoon" || reply.Content.Interactive.Kind != "button_reply" {
		t.Fatalf("reply = %+v, want a button_reply quoting %s", reply, sent.ID)
	}

	// A list and a link button reach the phone too.
	list := map[string]any{"type": "interactive", "interactive": map[string]any{
		"kind": "list", "body": "Welcher Versand?", "list_button": "Optionen",
		"sections": []map[string]any{{"title": "Versand", "rows": []map[string]string{{"id": "std", "title": "Standard", "description": "3-5 Tage"}, {"id": "exp", "title": "Express"}}}},
	}}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", list, nil)
	app.phoneGot(t, wa, "the list", func(m emulator.PhoneMessage) bool {
		return m.Interactive != nil && m.Interactive.Type == "list" && m.Interactive.Button == "Optionen" && len(m.Interactive.Options) == 2
	})
	cta := map[string]any{"type": "interactive", "interactive": map[string]any{
		"kind": "cta_url", "body": "Termine ansehen", "display_text": "Termine", "url": "https://example.com/termine",
	}}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", cta, nil)
	app.phoneGot(t, wa, "the link button", func(m emulator.PhoneMessage) bool {
		return m.Interactive != nil && m.Interactive.Type == "cta_url" && m.Interactive.URL == "https://example.com/termine"
	})

	// Over Meta's limits: refused here, before Graph.
	before := app.Emulator.Stats().MessagesSent
	for name, it := range map[string]map[string]any{
		"four buttons": {"kind": "button", "body": "x", "buttons": []map[string]string{{"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}}},
		"long title":   {"kind": "button", "body": "x", "buttons": []map[string]string{{"id": "a", "title": strings.Repeat("x", 21)}}},
		"http link":    {"kind": "cta_url", "body": "x", "display_text": "Open", "url": "http://example.com"},
		"long row":     {"kind": "list", "body": "x", "list_button": "Open", "sections": []map[string]any{{"rows": []map[string]string{{"id": "a", "title": strings.Repeat("r", 25)}}}}},
	} {
		code, resp := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"type": "interactive", "interactive": it})
		if code != 422 {
			t.Errorf("%s: %d %s, want 422", name, code, resp)
		}
	}
	if code, resp := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"type": "interactive", "interactive": map[string]any{"kind": "button", "body": "x", "colour": "red"}}); code != 400 {
		t.Errorf("an unknown field: %d %s, want 400", code, resp)
	}
	if after := app.Emulator.Stats().MessagesSent; after != before {
		t.Errorf("%d refused messages reached Graph", after-before)
	}
}
