package inbox

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TestNoteMentionReachesTheMentioned: a note's event reaches the mentioned
// employee (the hub's rule over the published event) and not another one;
// the newly mentioned also get conversation.updated so their list learns
// of it; the note is audited without its text; a note with too many or
// unmentionable mentions is refused.
func TestNoteMentionReachesTheMentioned(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rec := &eventRecorder{}
	f.svc.Events = rec
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	other := f.actor(t, "erik", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", time.Now())

	who, err := f.svc.Mentionable(ctx, op, conv.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range who {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"emma", "erik"}) {
		t.Fatalf("Mentionable = %v, want the others (not the author)", names)
	}
	e, err := f.svc.AddNote(ctx, op, conv.ID, "@emma please call back", []string{emp.User.ID})
	if err != nil {
		t.Fatal(err)
	}
	if e.AuthorName != "olga" || e.Kind != switchboard.NoteEntry {
		t.Fatalf("note = %+v", e)
	}
	events := rec.take()
	var types []string
	for _, ev := range events {
		types = append(types, ev.Type)
		if !switchboard.CanSeeEvent(emp, &ev) {
			t.Errorf("%s does not reach the mentioned employee", ev.Type)
		}
		if switchboard.CanSeeEvent(other, &ev) {
			t.Errorf("%s reaches an employee who was not mentioned", ev.Type)
		}
	}
	if !slices.Equal(types, []string{switchboard.EventThreadEntryCreated, switchboard.EventConversationUpdated}) {
		t.Fatalf("events = %v", types)
	}
	// Mentioning her again announces only the note.
	if _, err := f.svc.AddNote(ctx, op, conv.ID, "@emma ping", []string{emp.User.ID}); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 1 || got[0].Type != switchboard.EventThreadEntryCreated {
		t.Fatalf("second mention events = %+v", got)
	}

	entries, _, err := f.store.AuditEntries(ctx, switchboard.AuditFilter{Action: "conversation.note"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Detail["mentions"] != "1" || entries[0].Outcome != switchboard.OutcomeSuccess {
		t.Fatalf("audit = %+v", entries)
	}

	tooMany := make([]string, switchboard.MaxNoteMentions+1)
	for i := range tooMany {
		tooMany[i] = switchboard.NewID()
	}
	for name, ms := range map[string][]string{"too many": tooMany, "unknown": {switchboard.NewID()}, "malformed": {"x"}} {
		if _, err := f.svc.AddNote(ctx, op, conv.ID, "hi", ms); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("%s mentions: err = %v, want EInvalid", name, err)
		}
	}
}

// TestActivityLines: assigning, unassigning and closing write activity
// lines in the thread, in order, with who did it and to whom, and publish
// each; the thread hands them out beside the messages.
func TestActivityLines(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rec := &eventRecorder{}
	f.svc.Events = rec
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", time.Now().Add(-time.Minute))

	if _, err := f.svc.Assign(ctx, op, conv.ID, emp.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unassign(ctx, op, conv.ID, emp.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetStatus(ctx, op, conv.ID, switchboard.StatusResolved); err != nil {
		t.Fatal(err)
	}
	msgs, entries, _, err := f.svc.Thread(ctx, op, conv.ID, switchboard.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || len(entries) != 3 {
		t.Fatalf("thread = %d messages, %d entries", len(msgs), len(entries))
	}
	want := []switchboard.Activity{
		{Action: switchboard.ActivityAssigned, SubjectID: emp.User.ID, SubjectName: "emma"},
		{Action: switchboard.ActivityUnassigned, SubjectID: emp.User.ID, SubjectName: "emma"},
		{Action: switchboard.ActivityStatus, Value: "resolved"},
	}
	for i, e := range entries {
		if e.Kind != switchboard.ActivityEntry || e.AuthorID != op.User.ID || e.AuthorName != "olga" || *e.Activity != want[i] {
			t.Errorf("entry %d = %+v %+v, want %+v by olga", i, e, e.Activity, want[i])
		}
	}
	n := 0
	for _, ev := range rec.take() {
		if ev.Type == switchboard.EventThreadEntryCreated {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("published %d thread entries, want 3", n)
	}
}
