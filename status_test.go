package switchboard_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func TestConversationStatusTransitions(t *testing.T) {
	const (
		open     = switchboard.StatusOpen
		pending  = switchboard.StatusPending
		snoozed  = switchboard.StatusSnoozed
		resolved = switchboard.StatusResolved
	)
	tests := []struct {
		from, to switchboard.ConversationStatus
		want     bool
	}{
		{open, pending, true}, {open, snoozed, true}, {open, resolved, true}, {open, open, true},
		{pending, open, true}, {pending, snoozed, true}, {pending, resolved, true},
		{snoozed, open, true}, {snoozed, pending, true}, {snoozed, resolved, true}, {snoozed, snoozed, true},
		{resolved, open, true}, {resolved, pending, false}, {resolved, snoozed, false}, {resolved, resolved, false},
		{open, "closed", false}, {"closed", open, false}, {open, "", false},
	}
	for _, tt := range tests {
		if got := tt.from.CanBecome(tt.to); got != tt.want {
			t.Errorf("%q.CanBecome(%q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
	for _, s := range switchboard.ConversationStatuses() {
		if got := s.AfterCustomerMessage(); got != open {
			t.Errorf("%q after a customer message = %q, want open", s, got)
		}
		if got, want := s.Active(), s != resolved; got != want {
			t.Errorf("%q.Active() = %v, want %v", s, got, want)
		}
	}
}

func TestParseConversationStatusAcceptsClosedForResolved(t *testing.T) {
	for in, want := range map[string]switchboard.ConversationStatus{
		"open": switchboard.StatusOpen, "pending": switchboard.StatusPending, "snoozed": switchboard.StatusSnoozed,
		"resolved": switchboard.StatusResolved, "closed": switchboard.StatusResolved,
	} {
		if got, err := switchboard.ParseConversationStatus(in); err != nil || got != want {
			t.Errorf("ParseConversationStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Open", "archived"} {
		if _, err := switchboard.ParseConversationStatus(in); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("ParseConversationStatus(%q) error = %v, want EInvalid", in, err)
		}
	}
}

func TestSnoozeTimes(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	if !switchboard.SnoozeDue(at(0), now) || !switchboard.SnoozeDue(at(-time.Minute), now) {
		t.Error("a snooze whose time has come is not due")
	}
	if switchboard.SnoozeDue(at(time.Second), now) || switchboard.SnoozeDue(nil, now) {
		t.Error("a future snooze, or one until the customer writes, is due")
	}
	for _, tt := range []struct {
		until *time.Time
		ok    bool
	}{
		{nil, true}, {at(time.Minute), true}, {at(switchboard.MaxSnooze), true},
		{at(0), false}, {at(-time.Hour), false}, {at(switchboard.MaxSnooze + time.Second), false},
	} {
		if err := switchboard.CheckSnooze(tt.until, now); (err == nil) != tt.ok {
			t.Errorf("CheckSnooze(%v) = %v, want ok %v", tt.until, err, tt.ok)
		}
	}
}

func TestConversationFilterCountsEveryStatus(t *testing.T) {
	tallies := []switchboard.ConversationTally{
		{Status: switchboard.StatusOpen, All: 5, Assigned: 2, Mine: 1},
		{Status: switchboard.StatusPending, All: 3, Assigned: 1, Mine: 1},
		{Status: switchboard.StatusSnoozed, All: 4, Assigned: 4, Mine: 0},
		{Status: switchboard.StatusResolved, All: 7, Assigned: 0, Mine: 0},
	}
	f := switchboard.ConversationFilter{Status: switchboard.StatusPending, Assignment: switchboard.AssignmentAssigned}
	want := switchboard.ConversationCounts{All: 3, Unassigned: 2, Assigned: 1, Mine: 1, Open: 2, Pending: 1, Snoozed: 4, Resolved: 0}
	if got := f.Counts(tallies); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
	for _, s := range switchboard.ConversationStatuses() {
		if err := (&switchboard.ConversationFilter{Status: s}).Validate(); err != nil {
			t.Errorf("filter %q: %v", s, err)
		}
	}
}
