package inbox

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestAssignNeedsSomeoneWhoCanReply: Assign refuses (EInvalid) a
// deactivated user, a role without conversations.reply and a role limited
// to another channel, and Assignable offers exactly the others.
func TestAssignNeedsSomeoneWhoCanReply(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(store, nil, nil)
	channel := func(phone string) *switchboard.Channel {
		ch := &switchboard.Channel{Name: "Channel " + phone, PhoneNumberID: phone, WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
			AccessToken: "token-" + phone, AppSecret: "secret-" + phone, VerifyToken: "verify-" + phone}
		if err := store.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	berlin, hamburg := channel("100001"), channel("100002")
	role := func(name string, all bool, channels []string, perms ...switchboard.Permission) *switchboard.Role {
		r := &switchboard.Role{Name: name, Permissions: perms, AllChannels: all, ChannelIDs: channels}
		if err := store.CreateRole(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	readers := role("Readers", true, nil, switchboard.PermConversationsReadAll)
	hamburgDesk := role("Hamburg desk", false, []string{hamburg.ID}, switchboard.PermConversationsReadAll, switchboard.PermConversationsReply)
	user := func(login, roleID string, active bool) *switchboard.User {
		u := &switchboard.User{Login: login, Name: login, RoleID: roleID, Active: active, PasswordHash: "$argon2id$v=19$x"}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	opUser := user("op", switchboard.RoleOperator, true)
	emp := user("emp", switchboard.RoleEmployee, true)
	refused := []*switchboard.User{
		user("gone", switchboard.RoleEmployee, false), user("reader", readers.ID, true), user("hdesk", hamburgDesk.ID, true),
	}
	opRole, err := store.Role(ctx, switchboard.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	op := &switchboard.Actor{User: opUser, Role: opRole}
	r, err := store.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: berlin.ID, WaID: "4915100000001", ProfileName: "Kunde",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hallo"},
			WAMessageID: "wamid.assign-test", Timestamp: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	conv := r.Conversation

	for _, u := range refused {
		if _, err := s.Assign(ctx, op, conv.ID, u.ID); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("Assign(%s) = %v, want %s", u.Login, err, switchboard.EInvalid)
		}
	}
	users, err := s.Assignable(ctx, op, conv.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range users {
		logins = append(logins, u.Login)
	}
	if want := []string{"emp", "op"}; !slices.Equal(logins, want) {
		t.Fatalf("Assignable = %v, want %v", logins, want)
	}
	c, err := s.Assign(ctx, op, conv.ID, emp.ID)
	if err != nil || !c.AssignedTo(emp.ID) {
		t.Fatalf("Assign(emp) = %+v, %v", c, err)
	}
}

// eventRecorder keeps the events the service publishes.
type eventRecorder struct {
	mu     sync.Mutex
	events []switchboard.Event
}

func (r *eventRecorder) Publish(_ context.Context, e switchboard.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *eventRecorder) take() []switchboard.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// TestAssigneeDeactivationPublishesConversations: deactivating an assigned
// employee publishes conversation.updated for each of their conversations
// (and no other), carrying the "deactivated" mark, the channel and the
// assignees the hub filters the audience by; reactivating publishes them
// again without the mark. Open tabs thus update the mark and the
// unassigned count at once.
func TestAssigneeDeactivationPublishesConversations(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rec := &eventRecorder{}
	f.svc.Events = rec
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	now := time.Now()
	var mine []string
	for i, wa := range []string{"4915100000001", "4915100000002"} {
		c := f.receive(t, wa, "hallo", now.Add(time.Duration(i)*time.Second))
		if _, err := f.svc.Assign(ctx, op, c.ID, emp.User.ID); err != nil {
			t.Fatal(err)
		}
		mine = append(mine, c.ID)
	}
	other := f.receive(t, "4915100000003", "hallo", now)
	if _, err := f.svc.Assign(ctx, op, other.ID, op.User.ID); err != nil {
		t.Fatal(err)
	}
	slices.Sort(mine)
	rec.take()

	for _, active := range []bool{false, true} {
		if _, err := f.svc.UpdateUser(ctx, admin, emp.User.ID, UserPatch{Active: &active}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rec.take() {
			if e.Type != switchboard.EventConversationUpdated {
				t.Errorf("active=%v: published %s, want only %s", active, e.Type, switchboard.EventConversationUpdated)
				continue
			}
			c, ok := e.Data.(*switchboard.Conversation)
			if !ok || c.ID != e.ConversationID || e.ChannelID != f.channel.ID || !slices.Equal(e.Assignees, []string{emp.User.ID}) {
				t.Errorf("active=%v: event %+v does not name its conversation, channel and assignees", active, e)
				continue
			}
			if len(c.Assignees) != 1 || c.Assignees[0].Deactivated == active {
				t.Errorf("active=%v: assignees %+v, want deactivated=%v", active, c.Assignees, !active)
			}
			got = append(got, c.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, mine) {
			t.Errorf("active=%v: conversation.updated for %v, want exactly %v", active, got, mine)
		}
	}
	// A rename that changes nothing else publishes too (the name is shown);
	// a patch that changes nothing a conversation shows publishes nothing.
	name := "Emma B."
	if _, err := f.svc.UpdateUser(ctx, admin, emp.User.ID, UserPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.take()); n != len(mine) {
		t.Errorf("rename published %d events, want %d", n, len(mine))
	}
	if _, err := f.svc.UpdateUser(ctx, admin, op.User.ID, UserPatch{}); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.take()); n != 0 {
		t.Errorf("an empty patch published %d events", n)
	}
}

// TestAssigneeDeactivationCanUnassignAll: deactivating with UnassignAll
// takes the user off each of their conversations, one
// conversation.unassigned each that reaches the user too; it goes only with
// active false and needs conversations.assign besides users.manage.
func TestAssigneeDeactivationCanUnassignAll(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rec := &eventRecorder{}
	f.svc.Events = rec
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	emp := f.actor(t, "emma", switchboard.RoleEmployee)
	var mine []string
	for i, wa := range []string{"4915100000001", "4915100000002"} {
		c := f.receive(t, wa, "hallo", time.Now().Add(time.Duration(i)*time.Second))
		for _, u := range []*switchboard.Actor{emp, op} {
			if _, err := f.svc.Assign(ctx, op, c.ID, u.User.ID); err != nil {
				t.Fatal(err)
			}
		}
		mine = append(mine, c.ID)
	}
	slices.Sort(mine)
	no, yes := false, true
	if _, err := f.svc.UpdateUser(ctx, admin, emp.User.ID, UserPatch{Active: &yes, UnassignAll: true}); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Fatalf("UnassignAll with active true: %v, want %s", err, switchboard.EInvalid)
	}
	// A staff office that may manage employees but not assign conversations.
	empRole, err := f.store.Role(ctx, switchboard.RoleEmployee)
	if err != nil {
		t.Fatal(err)
	}
	staff := &switchboard.Role{Name: "Staff office", AllChannels: true,
		Permissions: append(slices.Clone(empRole.Permissions), switchboard.PermUsersManage, switchboard.PermUsersRead)}
	if slices.Contains(staff.Permissions, switchboard.PermConversationsAssign) {
		t.Fatal("the employee role may assign")
	}
	if err := f.store.CreateRole(ctx, staff); err != nil {
		t.Fatal(err)
	}
	hr := &switchboard.Actor{User: admin.User, Role: staff}
	if _, err := f.svc.UpdateUser(ctx, hr, emp.User.ID, UserPatch{Active: &no, UnassignAll: true}); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Fatalf("UnassignAll without conversations.assign: %v, want %s", err, switchboard.EForbidden)
	}
	if _, err := f.svc.UpdateUser(ctx, hr, emp.User.ID, UserPatch{Active: &yes}); err != nil {
		t.Fatalf("the staff office may change emma: %v", err)
	}
	rec.take()

	u, err := f.svc.UpdateUser(ctx, admin, emp.User.ID, UserPatch{Active: &no, UnassignAll: true})
	if err != nil || u.Active {
		t.Fatalf("UpdateUser = %+v, %v", u, err)
	}
	var got []string
	for _, e := range rec.take() {
		if e.Type != switchboard.EventConversationUnassigned {
			t.Errorf("published %s after unassigning everywhere", e.Type)
			continue
		}
		d, ok := e.Data.(AssignmentEvent)
		if !ok || d.UserID != emp.User.ID || !slices.Contains(e.Also, emp.User.ID) || d.Conversation.AssignedTo(emp.User.ID) {
			t.Errorf("event %+v: want emma taken off and told", e)
			continue
		}
		got = append(got, e.ConversationID)
	}
	slices.Sort(got)
	if !slices.Equal(got, mine) {
		t.Errorf("conversation.unassigned for %v, want %v", got, mine)
	}
	for _, id := range mine {
		c, err := f.store.Conversation(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.AssignedTo(emp.User.ID) || !c.AssignedTo(op.User.ID) {
			t.Errorf("%s assignees %+v: want only olga", id, c.Assignees)
		}
	}
}
