package inbox

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func wantCodeFor(t *testing.T, what string, err error, code string) {
	t.Helper()
	if switchboard.ErrorCode(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// TestCannedRepliesPermissions: personal replies are their owner's alone
// (another user's is 404 for reading, rendering, editing and deleting, and
// missing from their list); shared replies are for everyone and managed
// only with canned_replies.manage (403 without, also for a custom role
// that lacks it, and allowed for a custom role that has it); every change
// is audited with its scope.
func TestCannedRepliesPermissions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	erik := f.actor(t, "erik", switchboard.RoleEmployee)

	mine, err := f.svc.CreateCannedReply(ctx, emp, CannedInput{Scope: switchboard.CannedPersonal, Shortcut: "mine", Text: "Emma's own"})
	if err != nil || mine.OwnerID != emp.User.ID {
		t.Fatalf("personal create = %+v, %v", mine, err)
	}
	_, err = f.svc.CreateCannedReply(ctx, emp, CannedInput{Scope: switchboard.CannedShared, Shortcut: "hi", Text: "Hi"})
	wantCodeFor(t, "an employee creates a shared reply", err, switchboard.EForbidden)
	shared, err := f.svc.CreateCannedReply(ctx, op, CannedInput{Scope: switchboard.CannedShared, Shortcut: "hi", Text: "Hi {{customer.name}}"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateCannedReply(ctx, op, CannedInput{Scope: switchboard.CannedShared, Shortcut: "x", Text: "{{customer.email}}"})
	if switchboard.ErrorCode(err) != switchboard.EInvalid || switchboard.ErrorMessage(err) !=
		"Unknown variable {{customer.email}}: use {{customer.name}}, {{agent.name}} or {{business.name}}." {
		t.Fatalf("unknown variable: %v", err)
	}

	for name, err := range map[string]error{
		"get": func() error { _, err := f.svc.CannedReply(ctx, erik, mine.ID); return err }(),
		"update": func() error {
			_, err := f.svc.UpdateCannedReply(ctx, erik, mine.ID, CannedInput{Shortcut: "x", Text: "x"})
			return err
		}(),
		"delete":                     f.svc.DeleteCannedReply(ctx, erik, mine.ID),
		"delete by an administrator": f.svc.DeleteCannedReply(ctx, op, mine.ID),
		"malformed id":               f.svc.DeleteCannedReply(ctx, emp, "../x"),
	} {
		wantCodeFor(t, "another user's personal reply: "+name, err, switchboard.ENotFound)
	}
	list, err := f.svc.CannedReplies(ctx, erik, "", "", 0)
	if err != nil || len(list) != 1 || list[0].ID != shared.ID {
		t.Fatalf("Erik's list = %+v, %v; want only the shared reply", list, err)
	}
	list, err = f.svc.CannedReplies(ctx, emp, "", "", 0)
	if err != nil || len(list) != 2 {
		t.Fatalf("Emma's list = %+v, %v; want shared and her own", list, err)
	}

	_, err = f.svc.UpdateCannedReply(ctx, emp, shared.ID, CannedInput{Shortcut: "hi", Text: "changed"})
	wantCodeFor(t, "an employee edits a shared reply", err, switchboard.EForbidden)
	wantCodeFor(t, "an employee deletes a shared reply", f.svc.DeleteCannedReply(ctx, emp, shared.ID), switchboard.EForbidden)
	if _, err := f.svc.UpdateCannedReply(ctx, emp, mine.ID, CannedInput{Shortcut: "mine2", Text: "edited"}); err != nil {
		t.Fatalf("the owner edits her reply: %v", err)
	}

	// A custom role gets the permission from the catalogue.
	writers := &switchboard.Role{Name: "Copywriters", AllChannels: true,
		Permissions: []switchboard.Permission{switchboard.PermConversationsReply, switchboard.PermCannedRepliesManage}}
	if err := f.store.CreateRole(ctx, writers); err != nil {
		t.Fatal(err)
	}
	cw := &switchboard.Actor{User: erik.User, Role: writers}
	if _, err := f.svc.UpdateCannedReply(ctx, cw, shared.ID, CannedInput{Shortcut: "hello", Text: "Hello {{agent.name}}"}); err != nil {
		t.Fatalf("a custom role with canned_replies.manage: %v", err)
	}
	if err := f.svc.DeleteCannedReply(ctx, cw, shared.ID); err != nil {
		t.Fatal(err)
	}

	entries, _, err := f.store.AuditEntries(ctx, switchboard.AuditFilter{ObjectType: "canned_reply", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		if e.ObjectType == "canned_reply" {
			got[e.Action+"/"+string(e.Outcome)+"/"+e.Detail["scope"]]++
		}
	}
	want := map[string]int{
		"canned_reply.create/success/personal": 1, "canned_reply.create/success/shared": 1, "canned_reply.create/denied/shared": 1,
		"canned_reply.update/success/personal": 1, "canned_reply.update/success/shared": 1, "canned_reply.update/denied/": 1,
		"canned_reply.delete/denied/": 1, "canned_reply.delete/success/shared": 1,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("audit %s = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

// TestRenderCannedReply: rendering fills the customer's, the agent's and
// the channel's names; a conversation the actor may not see and another
// user's personal reply are 404 alike.
func TestRenderCannedReply(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", time.Now())
	r, err := f.svc.CreateCannedReply(ctx, op, CannedInput{Scope: switchboard.CannedShared, Shortcut: "hi",
		Text: "Hallo {{customer.name}}, {{agent.name}} von {{business.name}}."})
	if err != nil {
		t.Fatal(err)
	}
	text, err := f.svc.RenderCannedReply(ctx, op, conv.ID, r.ID)
	if err != nil || text != "Hallo Kundin 4915100000001, olga von Berlin." {
		t.Fatalf("RenderCannedReply = %q, %v", text, err)
	}
	_, err = f.svc.RenderCannedReply(ctx, emp, conv.ID, r.ID)
	wantCodeFor(t, "an unassigned employee", err, switchboard.ENotFound)
	own, err := f.svc.CreateCannedReply(ctx, emp, CannedInput{Scope: switchboard.CannedPersonal, Shortcut: "own", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RenderCannedReply(ctx, op, conv.ID, own.ID)
	wantCodeFor(t, "another user's personal reply", err, switchboard.ENotFound)
}

// TestDrafts: a draft is the user's own (another user reads an empty one),
// needs a conversation the user may see (404 otherwise), and a sent text
// message clears it.
func TestDrafts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	op2 := f.actor(t, "otto", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", time.Now())

	if _, err := f.svc.SaveDraft(ctx, op, conv.ID, "Dear customer, "); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Draft(ctx, op, conv.ID)
	if err != nil || d.Text != "Dear customer, " {
		t.Fatalf("Draft = %+v, %v", d, err)
	}
	if d, err := f.svc.Draft(ctx, op2, conv.ID); err != nil || d.Text != "" {
		t.Fatalf("another operator's draft = %+v, %v", d, err)
	}
	_, err = f.svc.SaveDraft(ctx, emp, conv.ID, "x")
	wantCodeFor(t, "save in a conversation one cannot see", err, switchboard.ENotFound)
	_, err = f.svc.Draft(ctx, emp, conv.ID)
	wantCodeFor(t, "read in a conversation one cannot see", err, switchboard.ENotFound)

	if _, err := f.svc.Send(ctx, op, conv.ID, Outgoing{Type: switchboard.TypeText, Text: "Dear customer, hello"}); err != nil {
		t.Fatal(err)
	}
	if d, err := f.svc.Draft(ctx, op, conv.ID); err != nil || d.Text != "" {
		t.Fatalf("draft after send = %+v, %v", d, err)
	}
}

// TestComposerActivity: the event reaches those who may see the
// conversation and not others, carries the writer's name and expiry, is
// published at most every two seconds per writer, and a reply activity
// needs a conversation one may work on.
func TestComposerActivity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	clock := &stepClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	f.svc.Clock = clock
	rec := &eventRecorder{}
	f.svc.Events = rec
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	erik := f.actor(t, "erik", switchboard.RoleEmployee)
	conv := f.receive(t, "4915100000001", "hallo", clock.Now())
	if _, err := f.svc.Assign(ctx, op, conv.ID, emp.User.ID); err != nil {
		t.Fatal(err)
	}
	rec.take()

	if err := f.svc.ComposerActivity(ctx, emp, conv.ID, "reply"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ComposerActivity(ctx, emp, conv.ID, "reply"); err != nil {
		t.Fatal(err)
	}
	events := rec.take()
	if len(events) != 1 || events[0].Type != switchboard.EventComposerActivity {
		t.Fatalf("events = %+v, want one composer.activity", events)
	}
	act := events[0].Data.(*switchboard.ComposerActivity)
	if act.UserName != "emma" || act.Kind != "reply" || !act.ExpiresAt.Equal(clock.Now().Add(6*time.Second)) {
		t.Fatalf("activity = %+v", act)
	}
	if !switchboard.CanSeeEvent(op, &events[0]) || switchboard.CanSeeEvent(erik, &events[0]) {
		t.Fatal("the event must reach the operator and not an unassigned employee")
	}
	clock.Add(2 * time.Second)
	if err := f.svc.ComposerActivity(ctx, emp, conv.ID, "reply"); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.take()); n != 1 {
		t.Fatalf("after 2 s: %d events, want 1", n)
	}
	wantCodeFor(t, "an unassigned employee", f.svc.ComposerActivity(ctx, erik, conv.ID, "reply"), switchboard.ENotFound)
	wantCodeFor(t, "an unknown kind", f.svc.ComposerActivity(ctx, op, conv.ID, "dance"), switchboard.EInvalid)
	wantCodeFor(t, "an unknown kind where one cannot see", f.svc.ComposerActivity(ctx, erik, conv.ID, "dance"), switchboard.ENotFound)
}

// stepClock is a clock the test moves.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
