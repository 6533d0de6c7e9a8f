package inbox

import (
	"context"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestStatusTransitions walks a conversation through the statuses by
// the service's rules: a resolved one only opens again, snooze times are
// checked, the deprecated "closed" means resolved, and every change
// writes an activity line.
func TestStatusTransitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{now: t0}
	f.svc.Clock = clock
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	c := f.receive(t, "4915100000001", "Hallo", t0)

	set := func(st switchboard.ConversationStatus) (*switchboard.Conversation, error) {
		clock.Add(time.Minute) // activity lines in order
		return f.svc.SetStatus(ctx, admin, c.ID, st)
	}
	if got, err := set(switchboard.StatusPending); err != nil || got.Status != switchboard.StatusPending {
		t.Fatalf("pending: %v %v", got, err)
	}
	if _, err := f.svc.Snooze(ctx, admin, c.ID, &t0); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("snooze into the past: %v, want invalid", err)
	}
	far := t0.Add(switchboard.MaxSnooze + time.Hour)
	if _, err := f.svc.Snooze(ctx, admin, c.ID, &far); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("snooze beyond a year: %v, want invalid", err)
	}
	later := t0.Add(3 * time.Hour)
	clock.Add(time.Minute)
	if got, err := f.svc.Snooze(ctx, admin, c.ID, &later); err != nil || got.Status != switchboard.StatusSnoozed || !got.SnoozedUntil.Equal(later) {
		t.Fatalf("snooze: %+v %v", got, err)
	}
	if got, err := set("closed"); err != nil || got.Status != switchboard.StatusResolved {
		t.Fatalf(`"closed": %v %v, want resolved`, got, err)
	}
	for _, st := range []switchboard.ConversationStatus{switchboard.StatusPending, switchboard.StatusSnoozed} {
		if _, err := set(st); switchboard.ErrorCode(err) != switchboard.EConflict {
			t.Errorf("resolved -> %s: %v, want conflict", st, err)
		}
	}
	if _, err := set("archived"); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("unknown status: %v", err)
	}
	if got, err := set(switchboard.StatusOpen); err != nil || got.Status != switchboard.StatusOpen {
		t.Fatalf("reopen: %v %v", got, err)
	}
	entries, err := f.store.ThreadEntries(ctx, c.ID, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		if e.Activity != nil && e.Activity.Action == switchboard.ActivityStatus {
			lines = append(lines, e.Activity.Value+" "+e.Activity.Detail)
		}
	}
	want := []string{"pending ", "snoozed " + later.Format(time.RFC3339), "resolved ", "open "}
	if len(lines) != len(want) {
		t.Fatalf("activity lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("activity line %d = %q, want %q", i, lines[i], want[i])
		}
	}
	emp := f.actor(t, "erik", switchboard.RoleEmployee)
	if _, err := f.svc.SetStatus(ctx, emp, c.ID, switchboard.StatusPending); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("an employee who may not see it: %v, want not found", err)
	}
}

// TestWakeSnoozed lets a snooze's time come on a controlled clock: the
// job opens the conversation once, writes a system activity line and
// reminds the assignees; a snooze until the customer writes stays.
func TestWakeSnoozed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := &stepClock{now: t0}
	rec := &eventRecorder{}
	f.svc.Clock, f.svc.Events = clock, rec
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	emp := f.actor(t, "erik", switchboard.RoleEmployee)
	timed := f.receive(t, "4915100000001", "Hallo", t0)
	untimed := f.receive(t, "4915100000002", "Hallo", t0)
	if _, err := f.svc.Assign(ctx, admin, timed.ID, emp.User.ID); err != nil {
		t.Fatal(err)
	}
	until := t0.Add(time.Hour)
	if _, err := f.svc.Snooze(ctx, admin, timed.ID, &until); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Snooze(ctx, admin, untimed.ID, nil); err != nil {
		t.Fatal(err)
	}
	clock.Add(59 * time.Minute)
	if n, err := f.svc.WakeSnoozed(ctx, 100); err != nil || n != 0 {
		t.Fatalf("before its time: woke %d, %v", n, err)
	}
	rec.take()
	clock.Add(time.Minute)
	if n, err := f.svc.WakeSnoozed(ctx, 100); err != nil || n != 1 {
		t.Fatalf("at its time: woke %d, %v", n, err)
	}
	if n, err := f.svc.WakeSnoozed(ctx, 100); err != nil || n != 0 {
		t.Fatalf("again: woke %d, %v", n, err)
	}
	got, err := f.store.Conversation(ctx, timed.ID, "")
	if err != nil || got.Status != switchboard.StatusOpen || got.SnoozedUntil != nil {
		t.Fatalf("after waking: %+v %v", got, err)
	}
	if got, err := f.store.Conversation(ctx, untimed.ID, ""); err != nil || got.Status != switchboard.StatusSnoozed {
		t.Fatalf("the snooze without a time: %+v %v", got, err)
	}
	var reminded, updated bool
	for _, e := range rec.take() {
		switch e.Type {
		case switchboard.EventConversationReminder:
			r := e.Data.(*switchboard.ConversationReminder)
			if r.Reason != switchboard.ReminderWoke || len(r.UserIDs) != 1 || r.UserIDs[0] != emp.User.ID || e.ConversationID != timed.ID {
				t.Errorf("reminder %+v", r)
			}
			reminded = true
		case switchboard.EventConversationUpdated:
			updated = e.ConversationID == timed.ID
		}
	}
	if !reminded || !updated {
		t.Errorf("events: reminded %v, updated %v", reminded, updated)
	}
	entries, err := f.store.ThreadEntries(ctx, timed.ID, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Activity == nil || last.Activity.Value != "open" || last.Activity.Detail != switchboard.ReminderWoke || last.AuthorID != "" {
		t.Errorf("last activity line %+v", last)
	}
}
