package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testCannedReplies pins canned replies: the domain's validation on every
// store, a shortcut unique per scope compared folded (the same shortcut
// may be shared and personal, or personal for two users), lists with the
// shared replies and only the asking user's personal ones, in folded
// shortcut order, a folded search over shortcut and title, updates that
// keep scope and owner, and ENotFound for unknown ids.
func testCannedReplies(t *testing.T, open Opener) {
	s := open(t)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)

	_, err := s.CannedReply(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "hi there", Text: "x"}), switchboard.EInvalid)
	wantCode(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "hi", Text: "Hi {{customer.phone}}"}), switchboard.EInvalid)
	wantCode(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedPersonal, Shortcut: "hi", Text: "x"}), switchboard.EInvalid)

	greet := &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "/Grüße", Title: "Begrüßung",
		Text: " Hallo {{customer.name}}, hier ist {{agent.name}} von {{business.name}}. ", CreatedBy: ana.ID, CreatedAt: T0}
	must(t, s.CreateCannedReply(ctx(), greet))
	if greet.ID == "" || greet.Shortcut != "Grüße" || greet.Text != "Hallo {{customer.name}}, hier ist {{agent.name}} von {{business.name}}." ||
		!greet.CreatedAt.Equal(T0) || !greet.UpdatedAt.Equal(T0) {
		t.Fatalf("CreateCannedReply = %+v", greet)
	}
	// The same folded shortcut in the same scope is a conflict …
	wantCode(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "GRUSSE", Text: "x"}), switchboard.EConflict)
	// … but a personal one may use it, for each user once.
	anaGreet := &switchboard.CannedReply{Scope: switchboard.CannedPersonal, OwnerID: ana.ID, Shortcut: "grusse", Text: "Ana's greeting", CreatedBy: ana.ID}
	must(t, s.CreateCannedReply(ctx(), anaGreet))
	must(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedPersonal, OwnerID: ben.ID, Shortcut: "Grüße", Text: "Ben's", CreatedBy: ben.ID}))
	wantCode(t, s.CreateCannedReply(ctx(), &switchboard.CannedReply{Scope: switchboard.CannedPersonal, OwnerID: ana.ID, Shortcut: "GRÜSSE", Text: "x"}), switchboard.EConflict)
	bye := &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "bye", Title: "Farewell", Text: "Goodbye!", CreatedBy: ana.ID}
	must(t, s.CreateCannedReply(ctx(), bye))

	got, err := s.CannedReply(ctx(), greet.ID)
	must(t, err)
	if got.Scope != switchboard.CannedShared || got.OwnerID != "" || got.Shortcut != "Grüße" || got.Title != "Begrüßung" ||
		got.Text != greet.Text || got.CreatedBy != ana.ID || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("CannedReply = %+v, want %+v", got, greet)
	}

	ids := func(f switchboard.CannedFilter) []string {
		t.Helper()
		list, err := s.CannedReplies(ctx(), f)
		must(t, err)
		out := []string{}
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	equal := func(name string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s = %v, want %v", name, got, want)
			}
		}
	}
	equal("Ana's list", ids(switchboard.CannedFilter{UserID: ana.ID}), bye.ID, greet.ID, anaGreet.ID)
	equal("shared only", ids(switchboard.CannedFilter{}), bye.ID, greet.ID)
	equal("Ana's personal", ids(switchboard.CannedFilter{UserID: ana.ID, Scope: switchboard.CannedPersonal}), anaGreet.ID)
	equal("search title folded", ids(switchboard.CannedFilter{UserID: ana.ID, Query: "BEGRUSS"}), greet.ID)
	equal("search shortcut", ids(switchboard.CannedFilter{UserID: ana.ID, Query: "grü"}), greet.ID, anaGreet.ID)
	equal("search wildcard is literal", ids(switchboard.CannedFilter{UserID: ana.ID, Query: "%"}))
	equal("limit", ids(switchboard.CannedFilter{UserID: ana.ID, Limit: 1}), bye.ID)
	_, err = s.CannedReplies(ctx(), switchboard.CannedFilter{Scope: "team"})
	wantCode(t, err, switchboard.EInvalid)

	// An update changes shortcut, title and text; scope and owner stay.
	upd := &switchboard.CannedReply{ID: anaGreet.ID, Scope: switchboard.CannedShared, Shortcut: "hello", Title: "Hello", Text: "Hello {{ customer.name }}"}
	must(t, s.UpdateCannedReply(ctx(), upd))
	if upd.Scope != switchboard.CannedPersonal || upd.OwnerID != ana.ID || upd.Shortcut != "hello" || upd.CreatedBy != ana.ID {
		t.Fatalf("UpdateCannedReply = %+v", upd)
	}
	got, err = s.CannedReply(ctx(), anaGreet.ID)
	must(t, err)
	if got.Shortcut != "hello" || got.Title != "Hello" || got.Text != "Hello {{ customer.name }}" || got.Scope != switchboard.CannedPersonal {
		t.Fatalf("after update = %+v", got)
	}
	wantCode(t, s.UpdateCannedReply(ctx(), &switchboard.CannedReply{ID: bye.ID, Shortcut: "grusse", Text: "x"}), switchboard.EConflict)
	wantCode(t, s.UpdateCannedReply(ctx(), &switchboard.CannedReply{ID: bye.ID, Shortcut: "bye", Text: "{{agent.nam}}"}), switchboard.EInvalid)
	wantCode(t, s.UpdateCannedReply(ctx(), &switchboard.CannedReply{ID: switchboard.NewID(), Shortcut: "x", Text: "x"}), switchboard.ENotFound)

	must(t, s.DeleteCannedReply(ctx(), bye.ID))
	wantCode(t, s.DeleteCannedReply(ctx(), bye.ID), switchboard.ENotFound)
	equal("after delete", ids(switchboard.CannedFilter{UserID: ana.ID}), greet.ID, anaGreet.ID)
}

// testDrafts pins drafts: one per user and conversation, kept as typed,
// replaced by a later save, deleted by an empty one, ENotFound when there
// is none or the conversation is unknown, deleted by retention when
// untouched since before the cutoff, and gone with the conversation when
// its contact is erased.
func testDrafts(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hello", T0)).Conversation

	_, err := s.Draft(ctx(), ana.ID, conv.ID)
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: switchboard.NewID(), UserID: ana.ID, Text: "x"}), switchboard.ENotFound)
	long := make([]rune, switchboard.MaxDraftText+1)
	for i := range long {
		long[i] = 'ж'
	}
	wantCode(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID, Text: string(long)}), switchboard.EInvalid)

	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID, Text: "Dear Jürgen,\n", UpdatedAt: T0}))
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ben.ID, Text: "Ben's"}))
	d, err := s.Draft(ctx(), ana.ID, conv.ID)
	must(t, err)
	if d.Text != "Dear Jürgen,\n" || !d.UpdatedAt.Equal(T0) || d.UpdatedAt.Location() != time.UTC || d.UserID != ana.ID || d.ConversationID != conv.ID {
		t.Fatalf("Draft = %+v", d)
	}
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID, Text: "Dear Jürgen, yes", UpdatedAt: T0.Add(time.Second)}))
	d, err = s.Draft(ctx(), ana.ID, conv.ID)
	must(t, err)
	if d.Text != "Dear Jürgen, yes" || !d.UpdatedAt.Equal(T0.Add(time.Second)) {
		t.Fatalf("Draft after replace = %+v", d)
	}
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID}))
	_, err = s.Draft(ctx(), ana.ID, conv.ID)
	wantCode(t, err, switchboard.ENotFound)
	// Clearing an absent draft is fine; Ben's draft is untouched.
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID}))
	d, err = s.Draft(ctx(), ben.ID, conv.ID)
	must(t, err)
	if d.Text != "Ben's" {
		t.Fatalf("Ben's draft = %+v", d)
	}

	// Retention: a draft untouched since before the cutoff goes, a newer
	// one stays.
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ana.ID, Text: "old", UpdatedAt: T0}))
	must(t, s.SaveDraft(ctx(), &switchboard.Draft{ConversationID: conv.ID, UserID: ben.ID, Text: "Ben's", UpdatedAt: T0.Add(2 * time.Minute)}))
	must(t, func() error { _, err := s.DeleteExpired(ctx(), ch.ID, T0.Add(time.Minute), 100); return err }())
	_, err = s.Draft(ctx(), ana.ID, conv.ID)
	wantCode(t, err, switchboard.ENotFound)
	d, err = s.Draft(ctx(), ben.ID, conv.ID)
	must(t, err)
	if d.Text != "Ben's" {
		t.Fatalf("Ben's draft after retention = %+v", d)
	}

	_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: conv.Contact.ID, ErasedAt: T0.Add(time.Hour)})
	must(t, err)
	_, err = s.Draft(ctx(), ben.ID, conv.ID)
	wantCode(t, err, switchboard.ENotFound)
}
