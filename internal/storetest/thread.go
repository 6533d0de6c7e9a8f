package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// testThread pins notes, activity lines and mentions: entries round-trip
// sealed in time order, the window beside a page of messages selects each
// entry once, a note's mentions become active and show in every
// conversation read (one, list, batch) and in the list filter of a user
// who sees only their own conversations, the newest note wins a repeated
// mention, dismissing and closing end mentions, and entries go with their
// conversation (erasure) and with retention.
func testThread(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)
	cleo := mustUser(t, s, "cleo", "Cleo", switchboard.RoleEmployee)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hello", T0)).Conversation

	// Validation is the domain's, the same on every store.
	_, err := s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry, Text: "  "})
	wantCode(t, err, switchboard.EInvalid)
	_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: "memo", Text: "x"})
	wantCode(t, err, switchboard.EInvalid)
	_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: switchboard.NewID(), Kind: switchboard.NoteEntry, Text: "x"})
	wantCode(t, err, switchboard.ENotFound)

	note := &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry, AuthorID: ana.ID,
		Text: " @Ben can you call Jürgen? ", Mentions: []string{ben.ID, ben.ID, switchboard.NewID()}, CreatedAt: T0.Add(time.Minute)}
	c, err := s.AddThreadEntry(ctx(), note)
	must(t, err)
	if note.ID == "" || note.Text != "@Ben can you call Jürgen?" || len(note.Mentions) != 2 {
		t.Fatalf("AddThreadEntry note = %+v", note)
	}
	// An unknown user id is kept in the note but makes no mention.
	if !slices.Equal(c.Mentioned, []string{ben.ID}) {
		t.Fatalf("Mentioned after note = %v, want [ben]", c.Mentioned)
	}
	act := &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.ActivityEntry, AuthorID: ana.ID,
		Activity: &switchboard.Activity{Action: switchboard.ActivityAssigned, SubjectID: cleo.ID}, CreatedAt: T0.Add(2 * time.Minute)}
	_, err = s.AddThreadEntry(ctx(), act)
	must(t, err)
	_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.ActivityEntry})
	wantCode(t, err, switchboard.EInvalid)

	all, err := s.ThreadEntries(ctx(), conv.ID, time.Time{}, "")
	must(t, err)
	if len(all) != 2 || all[0].ID != note.ID || all[1].ID != act.ID {
		t.Fatalf("ThreadEntries = %+v, want note then activity", all)
	}
	if got := all[0]; got.Kind != switchboard.NoteEntry || got.Text != note.Text || got.AuthorID != ana.ID ||
		!got.CreatedAt.Equal(note.CreatedAt) || got.CreatedAt.Location() != time.UTC || len(got.Mentions) != 2 {
		t.Fatalf("stored note = %+v", got)
	}
	if got := all[1]; got.Activity == nil || *got.Activity != (switchboard.Activity{Action: switchboard.ActivityAssigned, SubjectID: cleo.ID}) {
		t.Fatalf("stored activity = %+v", got.Activity)
	}
	// The window: from (inclusive) up to a message cursor (exclusive).
	cursor := storekit.MessageCursor(&switchboard.Message{ID: switchboard.NewID(), Timestamp: T0.Add(2 * time.Minute)})
	win, err := s.ThreadEntries(ctx(), conv.ID, T0.Add(time.Minute), cursor)
	must(t, err)
	if len(win) != 1 || win[0].ID != note.ID {
		t.Fatalf("window [1m, 2m) = %+v, want the note", win)
	}
	if win, err = s.ThreadEntries(ctx(), conv.ID, T0.Add(90*time.Second), ""); err != nil || len(win) != 1 || win[0].ID != act.ID {
		t.Fatalf("window [1m30s, now) = %+v, %v", win, err)
	}
	_, err = s.ThreadEntries(ctx(), conv.ID, time.Time{}, "???")
	wantCode(t, err, switchboard.EInvalid)

	// Mentions show in every read of the conversation.
	if c, err := s.Conversation(ctx(), conv.ID, ben.ID); err != nil || !slices.Equal(c.Mentioned, []string{ben.ID}) {
		t.Fatalf("Conversation Mentioned = %v, %v", c.Mentioned, err)
	}
	// Ben, who sees only his own conversations, lists and counts it.
	list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: ben.ID, OnlyAssignedTo: ben.ID})
	must(t, err)
	if len(list) != 1 || list[0].ID != conv.ID || !slices.Equal(list[0].Mentioned, []string{ben.ID}) {
		t.Fatalf("Ben's list = %+v", list)
	}
	n, err := s.CountConversations(ctx(), switchboard.ConversationFilter{ViewerID: ben.ID, OnlyAssignedTo: ben.ID})
	must(t, err)
	if n.All != 1 || n.Mine != 0 {
		t.Fatalf("Ben's counts = %+v, want all 1, mine 0 (a mention is not an assignment)", n)
	}
	if list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: cleo.ID, OnlyAssignedTo: cleo.ID}); err != nil || len(list) != 0 {
		t.Fatalf("Cleo's list = %+v, %v; want none", list, err)
	}
	// A new customer message's batch result carries the mention.
	rec := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "still there?", T0.Add(3*time.Minute)))
	if !slices.Equal(rec.Conversation.Mentioned, []string{ben.ID}) {
		t.Fatalf("received conversation Mentioned = %v", rec.Conversation.Mentioned)
	}
	ms, err := s.Mentions(ctx(), ben.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].ConversationID != conv.ID || ms[0].NoteID != note.ID || ms[0].By != ana.ID || !ms[0].At.Equal(note.CreatedAt) {
		t.Fatalf("Mentions = %+v", ms)
	}
	// A later note mentioning Ben again wins.
	again := &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry, AuthorID: cleo.ID,
		Text: "@Ben ping", Mentions: []string{ben.ID}, CreatedAt: T0.Add(4 * time.Minute)}
	_, err = s.AddThreadEntry(ctx(), again)
	must(t, err)
	if ms, err = s.Mentions(ctx(), ben.ID); err != nil || len(ms) != 1 || ms[0].NoteID != again.ID || ms[0].By != cleo.ID {
		t.Fatalf("Mentions after a second note = %+v, %v", ms, err)
	}

	// Dismissing ends it, once.
	c, changed, err := s.DismissMention(ctx(), conv.ID, ben.ID)
	must(t, err)
	if !changed || len(c.Mentioned) != 0 {
		t.Fatalf("DismissMention = %v, %v", changed, c.Mentioned)
	}
	if _, changed, err = s.DismissMention(ctx(), conv.ID, ben.ID); err != nil || changed {
		t.Fatalf("second DismissMention = %v, %v", changed, err)
	}
	_, _, err = s.DismissMention(ctx(), switchboard.NewID(), ben.ID)
	wantCode(t, err, switchboard.ENotFound)
	if list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: ben.ID, OnlyAssignedTo: ben.ID}); err != nil || len(list) != 0 {
		t.Fatalf("Ben's list after dismissing = %+v, %v", list, err)
	}

	// Closing (resolving) the conversation ends every mention.
	_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry,
		AuthorID: ana.ID, Text: "@Ben @Cleo", Mentions: []string{ben.ID, cleo.ID}, CreatedAt: T0.Add(5 * time.Minute)})
	must(t, err)
	c, err = s.SetConversationStatus(ctx(), conv.ID, switchboard.StatusResolved, T0.Add(6*time.Minute))
	must(t, err)
	if len(c.Mentioned) != 0 {
		t.Fatalf("Mentioned after closing = %v", c.Mentioned)
	}
	if ms, err = s.Mentions(ctx(), cleo.ID); err != nil || len(ms) != 0 {
		t.Fatalf("Cleo's mentions after closing = %+v, %v", ms, err)
	}

	// Retention deletes entries older than its cutoff; erasure takes the
	// rest with the conversation.
	must(t, func() error { _, err := s.DeleteExpired(ctx(), ch.ID, T0.Add(90*time.Second), 100); return err }())
	if all, err = s.ThreadEntries(ctx(), conv.ID, time.Time{}, ""); err != nil || len(all) != 3 || all[0].ID != act.ID {
		t.Fatalf("entries after retention = %+v, %v; want the three newer", all, err)
	}
	_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: conv.Contact.ID, ErasedAt: T0.Add(time.Hour)})
	must(t, err)
	if all, err = s.ThreadEntries(ctx(), conv.ID, time.Time{}, ""); err != nil || len(all) != 0 {
		t.Fatalf("entries after erasure = %+v, %v", all, err)
	}
}
