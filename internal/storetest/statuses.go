package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testConversationStatuses checks pending and snoozed: both stay the
// contact's active conversation, a customer message opens them again, a
// snooze's time wakes it once, and the filters and counts know them.
func testConversationStatuses(t *testing.T, open Opener) {
	t.Run("CustomerMessageOpensPendingAndSnoozed", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "1", T0))
		until := T0.Add(24 * time.Hour)
		for i, set := range []func() (*switchboard.Conversation, error){
			func() (*switchboard.Conversation, error) {
				return s.SetConversationStatus(ctx(), r.Conversation.ID, switchboard.StatusPending, T0)
			},
			func() (*switchboard.Conversation, error) {
				return s.SnoozeConversation(ctx(), r.Conversation.ID, &until, T0)
			},
			func() (*switchboard.Conversation, error) {
				return s.SnoozeConversation(ctx(), r.Conversation.ID, nil, T0)
			},
		} {
			c, err := set()
			must(t, err)
			if c.Status == switchboard.StatusOpen {
				t.Fatalf("case %d: status stayed open", i)
			}
			r2 := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "again", T0.Add(time.Duration(i+1)*time.Minute)))
			if r2.Conversation.ID != r.Conversation.ID || r2.Conversation.Status != switchboard.StatusOpen || r2.NewConversation ||
				r2.Conversation.SnoozedUntil != nil {
				t.Errorf("case %d: after the customer wrote: conversation %s status %s new %v snoozed until %v; want the same one, open",
					i, r2.Conversation.ID, r2.Conversation.Status, r2.NewConversation, r2.Conversation.SnoozedUntil)
			}
		}
		ids, err := s.DueSnoozes(ctx(), until.Add(time.Hour), 10)
		must(t, err)
		if len(ids) != 0 {
			t.Errorf("due after the customer wrote: %v", ids)
		}
	})

	t.Run("SnoozeWakesOnce", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		a := mustReceive(t, s, inbound(ch.ID, "4915112345671", "A", "1", T0)).Conversation
		b := mustReceive(t, s, inbound(ch.ID, "4915112345672", "B", "1", T0)).Conversation
		c := mustReceive(t, s, inbound(ch.ID, "4915112345673", "C", "1", T0)).Conversation
		early, late := T0.Add(time.Hour), T0.Add(2*time.Hour)
		got, err := s.SnoozeConversation(ctx(), a.ID, &late, T0)
		must(t, err)
		if got.Status != switchboard.StatusSnoozed || got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(late) {
			t.Fatalf("snoozed: status %s until %v, want snoozed until %v", got.Status, got.SnoozedUntil, late)
		}
		if got, err := s.Conversation(ctx(), a.ID, ""); err != nil || got.SnoozedUntil == nil || !got.SnoozedUntil.Equal(late) {
			t.Fatalf("read back: %v, %v", got, err)
		}
		_, err = s.SnoozeConversation(ctx(), b.ID, &early, T0)
		must(t, err)
		_, err = s.SnoozeConversation(ctx(), c.ID, nil, T0) // until the customer writes
		must(t, err)

		for _, tt := range []struct {
			at   time.Time
			want []string
		}{
			{T0, nil}, {early, []string{b.ID}}, {late.Add(time.Minute), []string{b.ID, a.ID}},
		} {
			ids, err := s.DueSnoozes(ctx(), tt.at, 10)
			must(t, err)
			if !slices.Equal(ids, tt.want) && !(len(ids) == 0 && len(tt.want) == 0) {
				t.Errorf("due at %v: %v, want %v", tt.at, ids, tt.want)
			}
		}
		if ids, err := s.DueSnoozes(ctx(), late, 1); err != nil || !slices.Equal(ids, []string{b.ID}) {
			t.Errorf("due, limit 1: %v %v", ids, err)
		}

		if _, woke, err := s.WakeSnoozed(ctx(), a.ID, early); err != nil || woke {
			t.Errorf("woke before its time: %v %v", woke, err)
		}
		w, woke, err := s.WakeSnoozed(ctx(), a.ID, late)
		must(t, err)
		if !woke || w.Status != switchboard.StatusOpen || w.SnoozedUntil != nil {
			t.Errorf("wake: woke %v status %s until %v", woke, w.Status, w.SnoozedUntil)
		}
		if _, woke, err := s.WakeSnoozed(ctx(), a.ID, late); err != nil || woke {
			t.Errorf("woke twice: %v %v", woke, err)
		}
		if _, woke, err := s.WakeSnoozed(ctx(), c.ID, late.Add(time.Hour)); err != nil || woke {
			t.Errorf("woke a snooze without a time: %v %v", woke, err)
		}
		// A user's change replaces the snooze time.
		got, err = s.SetConversationStatus(ctx(), b.ID, switchboard.StatusPending, T0)
		must(t, err)
		if got.SnoozedUntil != nil {
			t.Errorf("pending keeps the snooze time %v", got.SnoozedUntil)
		}
		if ids, err := s.DueSnoozes(ctx(), late.Add(time.Hour), 10); err != nil || len(ids) != 0 {
			t.Errorf("due after the changes: %v %v", ids, err)
		}
		_, _, err = s.WakeSnoozed(ctx(), switchboard.NewID(), late)
		wantCode(t, err, switchboard.ENotFound)
	})

	t.Run("FiltersAndCounts", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		var ids []string
		for i, st := range switchboard.ConversationStatuses() {
			c := mustReceive(t, s, inbound(ch.ID, "491511234560"+string(rune('0'+i)), "K", "1", T0.Add(time.Duration(i)*time.Minute))).Conversation
			ids = append(ids, c.ID)
			if st != switchboard.StatusOpen {
				_, err := s.SetConversationStatus(ctx(), c.ID, st, T0)
				must(t, err)
			}
		}
		for i, st := range switchboard.ConversationStatuses() {
			list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Status: st})
			must(t, err)
			if len(list) != 1 || list[0].ID != ids[i] || list[0].Status != st {
				t.Errorf("filter %s: %d listed", st, len(list))
			}
		}
		n, err := s.CountConversations(ctx(), switchboard.ConversationFilter{})
		must(t, err)
		if want := (switchboard.ConversationCounts{All: 4, Unassigned: 4, Open: 1, Pending: 1, Snoozed: 1, Resolved: 1}); *n != want {
			t.Errorf("counts %+v, want %+v", *n, want)
		}
		// A resolved conversation reopened while its contact has no other.
		_, err = s.SetConversationStatus(ctx(), ids[3], switchboard.StatusOpen, T0)
		must(t, err)
		n, err = s.CountConversations(ctx(), switchboard.ConversationFilter{Status: switchboard.StatusOpen})
		must(t, err)
		if n.Open != 2 || n.Resolved != 0 || n.All != 2 {
			t.Errorf("after reopening: %+v", *n)
		}
	})
}
