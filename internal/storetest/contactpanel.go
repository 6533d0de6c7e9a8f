package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testContactPanel pins custom attributes, their values and contact notes:
// definitions validate, are unique by folded name, keep their type and are
// bounded in number; values round-trip per contact, "" removes one, an
// unknown attribute or contact is refused and deleting a definition takes
// its values; notes round-trip newest first and delete; a contact's
// conversations list newest first; erasure takes notes and values.
func testContactPanel(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hello", T0)).Conversation
	other := mustReceive(t, s, inbound(ch.ID, "4915187654321", "Mira", "hi", T0)).Conversation
	contact := conv.Contact.ID

	// Definitions.
	wantCode(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: " ", Type: switchboard.AttributeText}), switchboard.EInvalid)
	wantCode(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: "Tier", Type: "colour"}), switchboard.EInvalid)
	wantCode(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: "Tier", Type: switchboard.AttributeList}), switchboard.EInvalid)
	tier := &switchboard.AttributeDef{Name: " Tier ", Type: switchboard.AttributeList, Options: []string{"Gold", " Silver "}}
	must(t, s.CreateAttributeDef(ctx(), tier))
	if tier.ID == "" || tier.Name != "Tier" || !slices.Equal(tier.Options, []string{"Gold", "Silver"}) || tier.CreatedAt.Location() != time.UTC {
		t.Fatalf("created = %+v", tier)
	}
	wantCode(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: "TIER", Type: switchboard.AttributeText}), switchboard.EConflict)
	born := &switchboard.AttributeDef{Name: "Birthday", Type: switchboard.AttributeDate}
	must(t, s.CreateAttributeDef(ctx(), born))
	defs, err := s.AttributeDefs(ctx())
	must(t, err)
	if len(defs) != 2 || defs[0].ID != born.ID || defs[1].ID != tier.ID || !slices.Equal(defs[1].Options, tier.Options) || defs[0].Options == nil {
		t.Fatalf("AttributeDefs = %+v", defs)
	}
	_, err = s.UpdateAttributeDef(ctx(), &switchboard.AttributeDef{ID: tier.ID, Name: "Tier", Type: switchboard.AttributeText})
	wantCode(t, err, switchboard.EInvalid)
	_, err = s.UpdateAttributeDef(ctx(), &switchboard.AttributeDef{ID: tier.ID, Name: "birthday", Options: []string{"Gold"}})
	wantCode(t, err, switchboard.EConflict)
	_, err = s.UpdateAttributeDef(ctx(), &switchboard.AttributeDef{ID: switchboard.NewID(), Name: "x"})
	wantCode(t, err, switchboard.ENotFound)
	up, err := s.UpdateAttributeDef(ctx(), &switchboard.AttributeDef{ID: tier.ID, Name: "Level", Options: []string{"Gold", "Platinum"}})
	must(t, err)
	if up.Name != "Level" || up.Type != switchboard.AttributeList || !slices.Equal(up.Options, []string{"Gold", "Platinum"}) || !up.CreatedAt.Equal(tier.CreatedAt) {
		t.Fatalf("updated = %+v", up)
	}

	// Values.
	wantCode(t, s.SetContactAttributes(ctx(), switchboard.NewID(), []switchboard.AttributeValue{{AttributeID: tier.ID, Value: "Gold"}}), switchboard.ENotFound)
	wantCode(t, s.SetContactAttributes(ctx(), contact, []switchboard.AttributeValue{{AttributeID: switchboard.NewID(), Value: "Gold"}}), switchboard.EInvalid)
	must(t, s.SetContactAttributes(ctx(), contact, []switchboard.AttributeValue{
		{AttributeID: tier.ID, Value: "Gold", UpdatedBy: ana.ID}, {AttributeID: born.ID, Value: "1990-05-01", UpdatedBy: ana.ID}}))
	must(t, s.SetContactAttributes(ctx(), other.Contact.ID, []switchboard.AttributeValue{{AttributeID: tier.ID, Value: "Platinum"}}))
	vals, err := s.ContactAttributes(ctx(), contact)
	must(t, err)
	got := map[string]string{}
	for _, v := range vals {
		got[v.AttributeID] = v.Value
		if v.UpdatedBy != ana.ID || v.UpdatedAt.IsZero() || v.UpdatedAt.Location() != time.UTC {
			t.Fatalf("value = %+v", v)
		}
	}
	if len(got) != 2 || got[tier.ID] != "Gold" || got[born.ID] != "1990-05-01" {
		t.Fatalf("ContactAttributes = %v", got)
	}
	must(t, s.SetContactAttributes(ctx(), contact, []switchboard.AttributeValue{{AttributeID: tier.ID, Value: "Platinum"}, {AttributeID: born.ID}}))
	if vals, err = s.ContactAttributes(ctx(), contact); err != nil || len(vals) != 1 || vals[0].Value != "Platinum" {
		t.Fatalf("after update = %+v, %v", vals, err)
	}
	must(t, s.DeleteAttributeDef(ctx(), tier.ID))
	wantCode(t, s.DeleteAttributeDef(ctx(), tier.ID), switchboard.ENotFound)
	if vals, err = s.ContactAttributes(ctx(), other.Contact.ID); err != nil || len(vals) != 0 {
		t.Fatalf("values after deleting the definition = %+v, %v", vals, err)
	}

	// The number of definitions is bounded.
	for i := len(defs) - 1; i < switchboard.MaxAttributeDefs; i++ {
		must(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: "a" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Type: switchboard.AttributeNumber}))
	}
	wantCode(t, s.CreateAttributeDef(ctx(), &switchboard.AttributeDef{Name: "one too many", Type: switchboard.AttributeNumber}), switchboard.EInvalid)

	// Notes.
	wantCode(t, s.AddContactNote(ctx(), &switchboard.ContactNote{ContactID: contact, Text: "  "}), switchboard.EInvalid)
	wantCode(t, s.AddContactNote(ctx(), &switchboard.ContactNote{ContactID: switchboard.NewID(), Text: "x"}), switchboard.ENotFound)
	n1 := &switchboard.ContactNote{ContactID: contact, AuthorID: ana.ID, Text: " Prefers calls after 5 ", CreatedAt: T0.Add(time.Minute)}
	must(t, s.AddContactNote(ctx(), n1))
	n2 := &switchboard.ContactNote{ContactID: contact, AuthorID: ana.ID, Text: "VIP", CreatedAt: T0.Add(2 * time.Minute)}
	must(t, s.AddContactNote(ctx(), n2))
	notes, err := s.ContactNotes(ctx(), contact)
	must(t, err)
	if len(notes) != 2 || notes[0].ID != n2.ID || notes[1].Text != "Prefers calls after 5" || notes[1].AuthorID != ana.ID ||
		!notes[1].CreatedAt.Equal(n1.CreatedAt) || notes[1].CreatedAt.Location() != time.UTC {
		t.Fatalf("ContactNotes = %+v", notes)
	}
	if one, err := s.ContactNote(ctx(), contact, n1.ID); err != nil || one.Text != n1.Text {
		t.Fatalf("ContactNote = %+v, %v", one, err)
	}
	_, err = s.ContactNote(ctx(), other.Contact.ID, n1.ID)
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.DeleteContactNote(ctx(), other.Contact.ID, n1.ID), switchboard.ENotFound)
	must(t, s.DeleteContactNote(ctx(), contact, n1.ID))
	if notes, err = s.ContactNotes(ctx(), contact); err != nil || len(notes) != 1 {
		t.Fatalf("notes after delete = %+v, %v", notes, err)
	}

	// The customer's conversations on every channel, found by phone
	// number or BSUID, newest first; another customer's are not.
	ch2 := mustChannel(t, s)
	elsewhere := mustReceive(t, s, inbound(ch2.ID, "4915112345678", "Jürgen", "on the other number", T0.Add(time.Hour))).Conversation
	bsuid := inbound(ch.ID, "", "Kim", "hello", T0.Add(2*time.Hour))
	bsuid.UserID = "US.13491208655302741918"
	kim := mustReceive(t, s, bsuid).Conversation
	bsuid2 := inbound(ch2.ID, "", "Kim", "hello there", T0.Add(3*time.Hour))
	bsuid2.UserID = "US.13491208655302741918"
	kim2 := mustReceive(t, s, bsuid2).Conversation
	ids, err := s.CustomerConversationIDs(ctx(), &conv.Contact)
	must(t, err)
	if !slices.Equal(ids, []string{elsewhere.ID, conv.ID}) {
		t.Fatalf("CustomerConversationIDs = %v, want [%s %s]", ids, elsewhere.ID, conv.ID)
	}
	if ids, err = s.CustomerConversationIDs(ctx(), &kim.Contact); err != nil || !slices.Equal(ids, []string{kim2.ID, kim.ID}) {
		t.Fatalf("CustomerConversationIDs by BSUID = %v, %v; want [%s %s]", ids, err, kim2.ID, kim.ID)
	}

	// Erasure takes the notes and values with the contact.
	must(t, s.SetContactAttributes(ctx(), contact, []switchboard.AttributeValue{{AttributeID: born.ID, Value: "1990-05-01"}}))
	_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: contact, ErasedAt: T0.Add(2 * time.Hour)})
	must(t, err)
	if notes, err = s.ContactNotes(ctx(), contact); err != nil || len(notes) != 0 {
		t.Fatalf("notes after erasure = %+v, %v", notes, err)
	}
	if vals, err = s.ContactAttributes(ctx(), contact); err != nil || len(vals) != 0 {
		t.Fatalf("values after erasure = %+v, %v", vals, err)
	}
	if ids, err = s.CustomerConversationIDs(ctx(), &conv.Contact); err != nil || !slices.Equal(ids, []string{elsewhere.ID}) {
		t.Fatalf("conversations after erasure = %v, %v", ids, err)
	}
}

// testMentionRead pins the read state of mentions: a new mention is
// unread, marking it read once changes it (twice does not), and a newer
// note mentioning the user again makes it unread.
func testMentionRead(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hello", T0)).Conversation
	note := func(at time.Time) {
		t.Helper()
		_, err := s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry, AuthorID: ana.ID,
			Text: "@Ben", Mentions: []string{ben.ID}, CreatedAt: at})
		must(t, err)
	}
	note(T0.Add(time.Minute))
	if ms, err := s.Mentions(ctx(), ben.ID); err != nil || len(ms) != 1 || ms[0].ReadAt != nil {
		t.Fatalf("new mention = %+v, %v; want one, unread", ms, err)
	}
	if changed, err := s.MarkMentionRead(ctx(), conv.ID, ana.ID, T0.Add(2*time.Minute)); err != nil || changed {
		t.Fatalf("MarkMentionRead of no mention = %v, %v", changed, err)
	}
	read := T0.Add(3 * time.Minute)
	if changed, err := s.MarkMentionRead(ctx(), conv.ID, ben.ID, read); err != nil || !changed {
		t.Fatalf("MarkMentionRead = %v, %v; want changed", changed, err)
	}
	if changed, err := s.MarkMentionRead(ctx(), conv.ID, ben.ID, read.Add(time.Minute)); err != nil || changed {
		t.Fatalf("MarkMentionRead again = %v, %v; want unchanged", changed, err)
	}
	ms, err := s.Mentions(ctx(), ben.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].ReadAt == nil || !ms[0].ReadAt.Equal(read) || ms[0].ReadAt.Location() != time.UTC {
		t.Fatalf("read mention = %+v", ms)
	}
	note(T0.Add(5 * time.Minute))
	if ms, err := s.Mentions(ctx(), ben.ID); err != nil || len(ms) != 1 || ms[0].ReadAt != nil {
		t.Fatalf("mention after a newer note = %+v, %v; want unread", ms, err)
	}
}
