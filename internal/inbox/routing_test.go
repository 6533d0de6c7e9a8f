package inbox_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

type routingFixture struct {
	t       *testing.T
	store   *sqlite.DB
	svc     *inbox.Service
	clock   *testClock
	channel *switchboard.Channel
	admin   *switchboard.Actor
	op      *switchboard.Actor
	seq     int
}

func newRoutingFixture(t *testing.T) *routingFixture {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := inbox.New(db, nil, nil)
	svc.Clock = clock
	f := &routingFixture{t: t, store: db, svc: svc, clock: clock}
	f.channel = &switchboard.Channel{Name: "Berlin", PhoneNumberID: "200001", WABAID: "waba1", DisplayPhoneNumber: "+49 30 1",
		AccessToken: "tok", AppSecret: "sec", VerifyToken: "ver"}
	if err := db.CreateChannel(context.Background(), f.channel); err != nil {
		t.Fatal(err)
	}
	f.admin = f.actor("admin", switchboard.RoleAdmin)
	f.op = f.actor("op", switchboard.RoleOperator)
	return f
}

// actor creates an active user with roleID and returns them as the
// service sees them (teams included).
func (f *routingFixture) actor(login, roleID string) *switchboard.Actor {
	f.t.Helper()
	ctx := context.Background()
	u := &switchboard.User{Login: login, Name: login, RoleID: roleID, Active: true, PasswordHash: "$argon2id$v=19$x"}
	if err := f.store.CreateUser(ctx, u); err != nil {
		f.t.Fatal(err)
	}
	return f.reload(u.ID)
}

func (f *routingFixture) reload(userID string) *switchboard.Actor {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.store.User(ctx, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := f.store.Role(ctx, u.RoleID)
	if err != nil {
		f.t.Fatal(err)
	}
	teams, err := f.store.UserTeamIDs(ctx, userID)
	if err != nil {
		f.t.Fatal(err)
	}
	return &switchboard.Actor{User: u, Role: r, TeamIDs: teams}
}

// receive has a new customer write on the channel, through the system's
// Receive (which runs the automatic assignment).
func (f *routingFixture) receive() *switchboard.Conversation {
	f.t.Helper()
	f.seq++
	f.clock.Add(time.Second) // each a little later: the re-offer goes oldest first
	wa := "49151000000" + string(rune('0'+f.seq/10)) + string(rune('0'+f.seq%10))
	m, _, err := f.svc.System().Receive(context.Background(), switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: wa, ProfileName: "Kunde",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hallo"},
			WAMessageID: "wamid.routing-" + wa, Timestamp: f.clock.Now()}})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.store.Conversation(context.Background(), m.ConversationID, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func wantErrCode(t *testing.T, err error, code string) {
	t.Helper()
	if switchboard.ErrorCode(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// TestTeamAssignmentGrantsMembers: a conversation assigned to a team is
// seen and worked on by its members (an employee sees nothing else), not
// by others (uniform 404); assigning to a team needs conversations.assign,
// managing teams users.manage, and both are audited.
func TestTeamAssignmentGrantsMembers(t *testing.T) {
	f := newRoutingFixture(t)
	ctx := context.Background()
	ana := f.actor("ana", switchboard.RoleEmployee)
	ben := f.actor("ben", switchboard.RoleEmployee)

	_, err := f.svc.CreateTeam(ctx, f.op, &switchboard.Team{Name: "Sales"})
	wantErrCode(t, err, switchboard.EForbidden)
	team, err := f.svc.CreateTeam(ctx, f.admin, &switchboard.Team{Name: "Sales", MemberIDs: []string{ana.User.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ana = f.reload(ana.User.ID)
	c := f.receive()
	_, err = f.svc.Conversation(ctx, ana, c.ID)
	wantErrCode(t, err, switchboard.ENotFound)

	_, err = f.svc.AssignTeam(ctx, ana, c.ID, team.ID)
	wantErrCode(t, err, switchboard.ENotFound) // she cannot see it yet
	_, err = f.svc.AssignTeam(ctx, f.op, c.ID, switchboard.NewID())
	wantErrCode(t, err, switchboard.EInvalid)
	got, err := f.svc.AssignTeam(ctx, f.op, c.ID, team.ID)
	if err != nil || got.TeamID != team.ID {
		t.Fatalf("AssignTeam = %+v, %v", got, err)
	}
	if _, err := f.svc.Conversation(ctx, ana, c.ID); err != nil {
		t.Fatalf("member cannot see the team's conversation: %v", err)
	}
	list, _, err := f.svc.Conversations(ctx, ana, switchboard.ConversationFilter{})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("member's list = %v, %v", list, err)
	}
	if _, err := f.svc.SetStatus(ctx, ana, c.ID, switchboard.StatusResolved); switchboard.ErrorCode(err) != switchboard.EForbidden {
		// An employee may not close (no conversations.close): she got
		// past the visibility check to the permission one.
		t.Fatalf("SetStatus by member = %v, want EForbidden", err)
	}
	_, err = f.svc.Conversation(ctx, ben, c.ID)
	wantErrCode(t, err, switchboard.ENotFound)
	_, err = f.svc.AssignTeam(ctx, ana, c.ID, "")
	wantErrCode(t, err, switchboard.EForbidden) // sees it, may not assign
	// And then to a person: ana, who may reply.
	if _, err := f.svc.Assign(ctx, f.op, c.ID, ana.User.ID); err != nil {
		t.Fatal(err)
	}

	// Leaving the team ends it; deleting the team frees the conversation.
	if _, err := f.svc.UpdateTeam(ctx, f.admin, &switchboard.Team{ID: team.ID, Name: "Sales", MemberIDs: []string{ben.User.ID}}); err != nil {
		t.Fatal(err)
	}
	ben = f.reload(ben.User.ID)
	if _, err := f.svc.Conversation(ctx, ben, c.ID); err != nil {
		t.Fatalf("new member: %v", err)
	}
	wantErrCode(t, f.svc.DeleteTeam(ctx, f.op, team.ID), switchboard.EForbidden)
	if err := f.svc.DeleteTeam(ctx, f.admin, team.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Conversation(ctx, ben, c.ID)
	wantErrCode(t, err, switchboard.ENotFound)

	entries, _, err := f.store.AuditEntries(ctx, switchboard.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action+"/"+e.Outcome]++
	}
	for _, want := range []string{"team.create/success", "team.create/denied", "team.update/success", "team.delete/success", "team.delete/denied",
		"conversation.assign_team/success", "conversation.assign_team/denied"} {
		if seen[want] == 0 {
			t.Errorf("no audit entry %s (have %v)", want, seen)
		}
	}
}

// TestAutomaticAssignment: off by default; round robin over the online
// employees of the chosen team who may reply, below capacity; the
// conversations nobody could take are offered again once they waited
// longer than the re-offer time; settings need channels.manage.
func TestAutomaticAssignment(t *testing.T) {
	f := newRoutingFixture(t)
	ctx := context.Background()
	ana := f.actor("ana", switchboard.RoleEmployee)
	ben := f.actor("ben", switchboard.RoleEmployee)
	cleo := f.actor("cleo", switchboard.RoleEmployee)
	team, err := f.svc.CreateTeam(ctx, f.admin, &switchboard.Team{Name: "Desk", MemberIDs: []string{ana.User.ID, ben.User.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*switchboard.Actor{ana, ben, cleo} {
		if err := f.svc.SetAvailability(ctx, a, switchboard.AvailabilityOnline); err != nil {
			t.Fatal(err)
		}
	}
	wantErrCode(t, f.svc.SetAvailability(ctx, ana, "busy"), switchboard.EInvalid)

	if c := f.receive(); !c.Unassigned() {
		t.Fatalf("assigned while off: %+v", c.Assignees)
	}
	_, err = f.svc.SetChannelRouting(ctx, f.op, &switchboard.RoutingSettings{ChannelID: f.channel.ID, Mode: switchboard.AutoAssignRoundRobin})
	wantErrCode(t, err, switchboard.EForbidden)
	_, err = f.svc.SetChannelRouting(ctx, f.admin, &switchboard.RoutingSettings{ChannelID: switchboard.NewID(), Mode: switchboard.AutoAssignRoundRobin})
	wantErrCode(t, err, switchboard.ENotFound)
	_, err = f.svc.SetChannelRouting(ctx, f.admin, &switchboard.RoutingSettings{ChannelID: f.channel.ID, Mode: switchboard.AutoAssignRoundRobin, TeamIDs: []string{switchboard.NewID()}})
	wantErrCode(t, err, switchboard.EInvalid)
	rs, err := f.svc.SetChannelRouting(ctx, f.admin, &switchboard.RoutingSettings{ChannelID: f.channel.ID, Mode: switchboard.AutoAssignRoundRobin,
		TeamIDs: []string{team.ID}, Capacity: 2, ReofferAfter: 5 * time.Minute})
	if err != nil || rs.Mode != switchboard.AutoAssignRoundRobin {
		t.Fatalf("SetChannelRouting = %+v, %v", rs, err)
	}

	// Round robin over ana and ben (cleo is not in the team), two each.
	var got []string
	for range 4 {
		c := f.receive()
		if len(c.Assignees) != 1 {
			t.Fatalf("new conversation assignees = %+v", c.Assignees)
		}
		got = append(got, c.Assignees[0].Name)
	}
	if got[0] == got[1] || got[2] == got[3] || got[0] != got[2] {
		t.Errorf("round robin = %v", got)
	}
	// Both at capacity: the next one waits.
	waiting := f.receive()
	if !waiting.Unassigned() {
		t.Fatalf("assigned over capacity: %+v", waiting.Assignees)
	}
	// Ben goes away and ana closes one: after the re-offer time the
	// waiting ones go to ana (the first, off-time one too).
	if err := f.svc.SetAvailability(ctx, ben, switchboard.AvailabilityAway); err != nil {
		t.Fatal(err)
	}
	anas, _, err := f.svc.Conversations(ctx, ana, switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine})
	if err != nil || len(anas) != 2 {
		t.Fatalf("ana's = %d, %v", len(anas), err)
	}
	if _, err := f.svc.SetStatus(ctx, f.op, anas[0].ID, switchboard.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.System().ReofferWaiting(ctx); err != nil || n != 0 {
		t.Fatalf("re-offer before the time = %d, %v", n, err)
	}
	f.clock.Add(5 * time.Minute)
	if n, err := f.svc.System().ReofferWaiting(ctx); err != nil || n != 1 {
		t.Fatalf("re-offer = %d, %v; want 1 (ana has room for one)", n, err)
	}
	c, err := f.store.Conversation(ctx, waiting.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	// The oldest waiting conversation (from before the setting) went first.
	if !c.Unassigned() {
		t.Errorf("the newer waiting one went before the older: %+v", c.Assignees)
	}
	// Offline after the last tab closed: nobody of the team is online.
	f.svc.System().UserGone(ctx, ana.User.ID)
	users, err := f.svc.Assignable(ctx, f.op, waiting.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.ID == ana.User.ID && u.Availability != switchboard.AvailabilityOffline {
			t.Errorf("ana after her last tab = %s", u.Availability)
		}
		if u.ID == cleo.User.ID && u.Availability != switchboard.AvailabilityOnline {
			t.Errorf("cleo = %s", u.Availability)
		}
	}
}

// TestDeactivationReassigns: deactivating with unassign_all and
// reassign_to moves the user's conversations to the other user; a
// deactivated or unknown target is refused.
func TestDeactivationReassigns(t *testing.T) {
	f := newRoutingFixture(t)
	ctx := context.Background()
	ana := f.actor("ana", switchboard.RoleEmployee)
	ben := f.actor("ben", switchboard.RoleEmployee)
	c := f.receive()
	if _, err := f.svc.Assign(ctx, f.op, c.ID, ana.User.ID); err != nil {
		t.Fatal(err)
	}
	off := false
	_, err := f.svc.UpdateUser(ctx, f.admin, ana.User.ID, inbox.UserPatch{Active: &off, ReassignTo: ben.User.ID})
	wantErrCode(t, err, switchboard.EInvalid)
	_, err = f.svc.UpdateUser(ctx, f.admin, ana.User.ID, inbox.UserPatch{Active: &off, UnassignAll: true, ReassignTo: ana.User.ID})
	wantErrCode(t, err, switchboard.EInvalid)
	if _, err := f.svc.UpdateUser(ctx, f.admin, ana.User.ID, inbox.UserPatch{Active: &off, UnassignAll: true, ReassignTo: ben.User.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Conversation(ctx, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Assignees) != 1 || got.Assignees[0].ID != ben.User.ID {
		t.Fatalf("assignees after deactivation = %+v", got.Assignees)
	}
	// A deactivated user can be neither assigned nor a target.
	_, err = f.svc.Assign(ctx, f.op, c.ID, ana.User.ID)
	wantErrCode(t, err, switchboard.EInvalid)
	_, err = f.svc.UpdateUser(ctx, f.admin, ben.User.ID, inbox.UserPatch{Active: &off, UnassignAll: true, ReassignTo: ana.User.ID})
	wantErrCode(t, err, switchboard.EInvalid)
}
