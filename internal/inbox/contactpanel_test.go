package inbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestContactPanelPermissions: the panel of a conversation one may not see
// is 404 like a missing one; its list of the customer's conversations (on
// every channel) holds only those the viewer may see; a reader through a
// mention reads the panel but may not write notes (403); an employee may
// write notes on their assigned conversation but needs contacts.edit to
// set attributes, which a custom role grants; defining attributes needs
// contact_attributes.manage; each change is audited and announced on the
// customer's conversations.
func TestContactPanelPermissions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rec := &eventRecorder{}
	f.svc.Events = rec
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	mentioned := f.actor(t, "mats", switchboard.RoleEmployee)
	editorRole := &switchboard.Role{ID: "editor", Name: "Editor", AllChannels: true,
		Permissions: []switchboard.Permission{switchboard.PermConversationsReply, switchboard.PermContactsEdit}}
	if err := f.store.CreateRole(ctx, editorRole); err != nil {
		t.Fatal(err)
	}
	editor := f.actor(t, "edda", "editor")

	conv := f.receive(t, "4915100000001", "hallo", time.Now())
	ch2 := &switchboard.Channel{Name: "Munich", PhoneNumberID: "100002", WABAID: "waba1", DisplayPhoneNumber: "+49 89 1234567",
		AccessToken: "token2", AppSecret: "secret2", VerifyToken: "verify2"}
	if err := f.store.CreateChannel(ctx, ch2); err != nil {
		t.Fatal(err)
	}
	r, err := f.store.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch2.ID, WaID: "4915100000001", ProfileName: "Kundin",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "again"},
			WAMessageID: "wamid.other", Timestamp: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := r.Conversation
	for _, a := range []*switchboard.Actor{emp, editor} {
		if _, err := f.svc.Assign(ctx, op, conv.ID, a.User.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.AddNote(ctx, op, conv.ID, "@mats look", []string{mentioned.User.ID}); err != nil {
		t.Fatal(err)
	}

	// Attributes: only with contact_attributes.manage.
	tier := &switchboard.AttributeDef{Name: "Tier", Type: switchboard.AttributeList, Options: []string{"Gold", "Silver"}}
	if err := f.svc.CreateAttributeDef(ctx, op, tier); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Fatalf("operator creates an attribute: %v, want forbidden", err)
	}
	if err := f.svc.CreateAttributeDef(ctx, admin, tier); err != nil {
		t.Fatal(err)
	}
	visits := &switchboard.AttributeDef{Name: "Visits", Type: switchboard.AttributeNumber}
	if err := f.svc.CreateAttributeDef(ctx, admin, visits); err != nil {
		t.Fatal(err)
	}

	// Who sees which conversations of the customer.
	p, err := f.svc.ContactPanel(ctx, op, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conversations) != 2 || !p.CanWriteNotes || !p.CanEditValues || p.CanManageAttrs || len(p.Attributes) != 2 {
		t.Fatalf("operator's panel = %+v", p)
	}
	p, err = f.svc.ContactPanel(ctx, emp, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conversations) != 1 || p.Conversations[0].ID != conv.ID || !p.CanWriteNotes || p.CanEditValues {
		t.Fatalf("employee's panel = %+v", p)
	}
	if _, err := f.svc.ContactPanel(ctx, emp, elsewhere.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("employee's panel of a foreign conversation: %v, want not found", err)
	}
	if _, err := f.svc.ContactPanel(ctx, emp, switchboard.NewID()); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("panel of a missing conversation: %v, want not found", err)
	}
	p, err = f.svc.ContactPanel(ctx, mentioned, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.CanWriteNotes || p.CanEditValues {
		t.Fatalf("mentioned reader's panel = %+v", p)
	}

	// Notes.
	if _, err := f.svc.AddContactNote(ctx, mentioned, conv.ID, "hi"); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Fatalf("mentioned reader writes a note: %v, want forbidden", err)
	}
	if _, err := f.svc.AddContactNote(ctx, emp, elsewhere.ID, "hi"); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("note on a foreign conversation: %v, want not found", err)
	}
	rec.take()
	n, err := f.svc.AddContactNote(ctx, emp, conv.ID, " Prefers mornings ")
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != "Prefers mornings" || n.AuthorName != "emma" {
		t.Fatalf("note = %+v", n)
	}
	events := rec.take()
	if len(events) != 2 || events[0].Type != switchboard.EventContactUpdated || events[1].Type != switchboard.EventContactUpdated {
		t.Fatalf("events after a note = %+v, want contact.updated on both conversations", events)
	}
	if !switchboard.CanSeeEvent(op, &events[0]) || !switchboard.CanSeeEvent(op, &events[1]) {
		t.Fatal("the operator misses a contact.updated")
	}
	seen := 0
	for i := range events {
		if switchboard.CanSeeEvent(emp, &events[i]) {
			seen++
		}
	}
	if seen != 1 {
		t.Fatalf("the employee sees %d contact.updated events, want 1 (her conversation's)", seen)
	}
	if err := f.svc.DeleteContactNote(ctx, editor, conv.ID, n.ID); err != nil {
		t.Fatalf("editor deletes another's note: %v", err)
	}
	n2, err := f.svc.AddContactNote(ctx, op, conv.ID, "VIP")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteContactNote(ctx, emp, conv.ID, n2.ID); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Fatalf("employee deletes another's note: %v, want forbidden", err)
	}

	// Values.
	if _, err := f.svc.SetContactAttributes(ctx, emp, conv.ID, map[string]string{tier.ID: "Gold"}); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Fatalf("employee sets an attribute: %v, want forbidden", err)
	}
	for _, bad := range []map[string]string{{tier.ID: "Bronze"}, {visits.ID: "many"}, {switchboard.NewID(): "x"}, {}} {
		if _, err := f.svc.SetContactAttributes(ctx, editor, conv.ID, bad); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Fatalf("SetContactAttributes(%v) = %v, want invalid", bad, err)
		}
	}
	vals, err := f.svc.SetContactAttributes(ctx, editor, conv.ID, map[string]string{tier.ID: "Gold", visits.ID: " 007 "})
	if err != nil {
		t.Fatal(err)
	}
	if vals[tier.ID].Value != "Gold" || vals[visits.ID].Value != "7" || vals[tier.ID].UpdatedBy != editor.User.ID {
		t.Fatalf("values = %+v", vals)
	}
	entries, _, err := f.store.AuditEntries(ctx, switchboard.AuditFilter{Action: "contact.attributes"})
	if err != nil {
		t.Fatal(err)
	}
	var ok, denied int
	for _, e := range entries {
		switch e.Outcome {
		case switchboard.OutcomeSuccess:
			ok++
			for _, v := range e.Detail {
				if v == "Gold" || v == "7" {
					t.Fatalf("audit entry carries a value: %+v", e.Detail)
				}
			}
		case switchboard.OutcomeDenied:
			denied++
		}
	}
	if ok != 1 || denied != 1 {
		t.Fatalf("contact.attributes audit: %d successes, %d denied; want 1 and 1", ok, denied)
	}
}

// TestMentionsListSnippetAndRead: the mentions list carries the note's
// beginning and the read state; only the mentioned user may mark their
// mention read (others get 404 like a missing one), and a newer note
// makes it unread again.
func TestMentionsListSnippetAndRead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	other := f.actor(t, "erik", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", time.Now())
	long := "@emma " + strings.Repeat("x", 300)
	if _, err := f.svc.AddNote(ctx, op, conv.ID, long, []string{emp.User.ID}); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Mentions(ctx, emp)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ReadAt != nil || list[0].ByName != "olga" || list[0].Snippet != string([]rune(long)[:MaxMentionSnippet])+"…" {
		t.Fatalf("mentions = %+v", list)
	}
	if err := f.svc.MarkMentionRead(ctx, other, conv.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("another employee marks it read: %v, want not found", err)
	}
	if err := f.svc.MarkMentionRead(ctx, op, conv.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("the author (not mentioned) marks it read: %v, want not found", err)
	}
	if err := f.svc.MarkMentionRead(ctx, emp, conv.ID); err != nil {
		t.Fatal(err)
	}
	if list, err = f.svc.Mentions(ctx, emp); err != nil || len(list) != 1 || list[0].ReadAt == nil {
		t.Fatalf("mentions after reading = %+v, %v", list, err)
	}
	if _, err := f.svc.AddNote(ctx, op, conv.ID, "@emma again", []string{emp.User.ID}); err != nil {
		t.Fatal(err)
	}
	if list, err = f.svc.Mentions(ctx, emp); err != nil || len(list) != 1 || list[0].ReadAt != nil || list[0].Snippet != "@emma again" {
		t.Fatalf("mentions after a newer note = %+v, %v", list, err)
	}
}
