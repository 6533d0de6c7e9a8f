package switchboard_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func TestCanSeeConversation(t *testing.T) {
	roles := map[string]*switchboard.Role{}
	for _, r := range switchboard.BuiltinRoles() {
		roles[r.ID] = r
	}
	scoped := &switchboard.Role{ID: "x", Permissions: []switchboard.Permission{switchboard.PermConversationsReadAll}, ChannelIDs: []string{"berlin"}}
	actor := func(id string, r *switchboard.Role, active bool) *switchboard.Actor {
		return &switchboard.Actor{User: &switchboard.User{ID: id, Active: active}, Role: r}
	}
	member := func(id string, r *switchboard.Role, active bool, teams ...string) *switchboard.Actor {
		a := actor(id, r, active)
		a.TeamIDs = teams
		return a
	}
	sales := switchboard.TeamAssignee("sales")
	cases := []struct {
		name      string
		a         *switchboard.Actor
		channel   string
		assignees []string
		mentioned []string
		want      bool
		work      bool // CanWorkOnConversation
	}{
		{"operator sees unassigned", actor("o", roles["operator"], true), "berlin", nil, nil, true, true},
		{"admin sees others'", actor("a", roles["admin"], true), "berlin", []string{"e"}, nil, true, true},
		{"employee sees own", actor("e", roles["employee"], true), "berlin", []string{"x", "e"}, nil, true, true},
		{"employee does not see others'", actor("e", roles["employee"], true), "berlin", []string{"x"}, nil, false, false},
		{"employee does not see unassigned", actor("e", roles["employee"], true), "berlin", nil, nil, false, false},
		{"inactive operator sees nothing", actor("o", roles["operator"], false), "berlin", nil, nil, false, false},
		{"scoped role inside its channel", actor("s", scoped, true), "berlin", nil, nil, true, true},
		{"scoped role outside its channel", actor("s", scoped, true), "hamburg", nil, nil, false, false},
		{"assigned but channel not allowed", actor("s", &switchboard.Role{ChannelIDs: []string{"berlin"}}, true), "hamburg", []string{"s"}, nil, false, false},
		{"nil actor", nil, "berlin", nil, nil, false, false},
		{"mentioned employee reads", actor("e", roles["employee"], true), "berlin", []string{"x"}, []string{"e"}, true, false},
		{"mention of another does not help", actor("e", roles["employee"], true), "berlin", nil, []string{"x"}, false, false},
		{"mention outside the role's channels", actor("s", &switchboard.Role{ChannelIDs: []string{"berlin"}}, true), "hamburg", nil, []string{"s"}, false, false},
		{"mentioned but deactivated", actor("e", roles["employee"], false), "berlin", nil, []string{"e"}, false, false},
		{"team member works on the team's", member("e", roles["employee"], true, "sales"), "berlin", []string{sales}, nil, true, true},
		{"team member works on the team's, assigned to another too", member("e", roles["employee"], true, "support", "sales"), "berlin", []string{"x", sales}, nil, true, true},
		{"another team's conversation", member("e", roles["employee"], true, "support"), "berlin", []string{sales}, nil, false, false},
		{"no team", actor("e", roles["employee"], true), "berlin", []string{sales}, nil, false, false},
		{"team member outside the role's channels", member("s", &switchboard.Role{ChannelIDs: []string{"berlin"}}, true, "sales"), "hamburg", []string{sales}, nil, false, false},
		{"deactivated team member", member("e", roles["employee"], false, "sales"), "berlin", []string{sales}, nil, false, false},
		{"a user id is not a team", member("e", roles["employee"], true, "x"), "berlin", []string{"x"}, nil, false, false},
	}
	for _, tc := range cases {
		if got := switchboard.CanSeeConversation(tc.a, tc.channel, tc.assignees, tc.mentioned); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if got := switchboard.CanWorkOnConversation(tc.a, tc.channel, tc.assignees); got != tc.work {
			t.Errorf("%s: work = %v, want %v", tc.name, got, tc.work)
		}
	}
	// Event.Also reaches a user who can no longer see the conversation.
	e := &switchboard.Event{ChannelID: "berlin", Assignees: nil, Also: []string{"e"}}
	if !switchboard.CanSeeEvent(actor("e", roles["employee"], true), e) {
		t.Error("unassigned employee does not receive the unassigned event")
	}
	// A team member receives the events of the team's conversations.
	c := &switchboard.Conversation{ChannelID: "berlin", TeamID: "sales"}
	te := &switchboard.Event{ChannelID: c.ChannelID, Assignees: c.AssigneeIDs()}
	if !switchboard.CanSeeEvent(member("e", roles["employee"], true, "sales"), te) || switchboard.CanSeeEvent(actor("e", roles["employee"], true), te) {
		t.Error("the team's conversation's events reach the wrong users")
	}
	// A mentioned employee receives the conversation's events.
	m := &switchboard.Event{ChannelID: "berlin", Mentioned: []string{"e"}}
	if !switchboard.CanSeeEvent(actor("e", roles["employee"], true), m) {
		t.Error("mentioned employee does not receive the conversation's events")
	}
}

func TestAuditHashCoversEveryField(t *testing.T) {
	base := switchboard.AuditEntry{
		Seq: 7, At: time.Date(2026, 11, 26, 10, 0, 0, 123456000, time.UTC), ActorID: "u1", ActorLogin: "ada",
		Action: "user.update", ObjectType: "user", ObjectID: "u2", Outcome: "success", IP: "10.0.0.1",
		UserAgent: "test", Detail: map[string]string{"role": "employee"},
	}
	h := base.ComputeHash("prev")
	if h != base.ComputeHash("prev") {
		t.Fatal("hash not deterministic")
	}
	edits := map[string]func(e *switchboard.AuditEntry){
		"seq":     func(e *switchboard.AuditEntry) { e.Seq++ },
		"at":      func(e *switchboard.AuditEntry) { e.At = e.At.Add(time.Microsecond) },
		"actor":   func(e *switchboard.AuditEntry) { e.ActorID = "u3" },
		"login":   func(e *switchboard.AuditEntry) { e.ActorLogin = "eve" },
		"action":  func(e *switchboard.AuditEntry) { e.Action = "user.create" },
		"object":  func(e *switchboard.AuditEntry) { e.ObjectID = "u9" },
		"outcome": func(e *switchboard.AuditEntry) { e.Outcome = "failure" },
		"ip":      func(e *switchboard.AuditEntry) { e.IP = "10.0.0.2" },
		"agent":   func(e *switchboard.AuditEntry) { e.UserAgent = "other" },
		"detail":  func(e *switchboard.AuditEntry) { e.Detail = map[string]string{"role": "admin"} },
		"split":   func(e *switchboard.AuditEntry) { e.ActorLogin, e.Action = "adauser", ".update" },
	}
	for name, edit := range edits {
		e := base
		e.Detail = map[string]string{"role": "employee"}
		edit(&e)
		if e.ComputeHash("prev") == h {
			t.Errorf("editing %s does not change the hash", name)
		}
	}
	if base.ComputeHash("other") == h {
		t.Error("the previous hash is not covered")
	}
	// Sub-microsecond differences are below what the stores keep.
	e := base
	e.At = e.At.Add(500 * time.Nanosecond)
	if e.ComputeHash("prev") != h {
		t.Error("hash depends on nanoseconds the stores do not keep")
	}
}

func TestRoleCovers(t *testing.T) {
	all := func(ps ...switchboard.Permission) *switchboard.Role {
		return &switchboard.Role{Permissions: ps, AllChannels: true}
	}
	on := func(chs []string, ps ...switchboard.Permission) *switchboard.Role {
		return &switchboard.Role{Permissions: ps, ChannelIDs: chs}
	}
	um, rep := switchboard.PermUsersManage, switchboard.PermConversationsReply
	cases := []struct {
		name   string
		r, o   *switchboard.Role
		covers bool
	}{
		{"admin covers everything", switchboard.BuiltinRoles()[0], on([]string{"b"}, switchboard.Permissions()...), true},
		{"same role", on([]string{"b"}, um, rep), on([]string{"b"}, um, rep), true},
		{"fewer permissions", on([]string{"b"}, um, rep), on([]string{"b"}, rep), true},
		{"more permissions", on([]string{"b"}, um), on([]string{"b"}, um, rep), false},
		{"another channel", on([]string{"b"}, um), on([]string{"a"}, um), false},
		{"more channels", on([]string{"b"}, um), on([]string{"a", "b"}, um), false},
		{"all channels from a limited role", on([]string{"b"}, um), all(um), false},
		{"limited from all channels", all(um, rep), on([]string{"a"}, rep), true},
		{"no permissions, limited", on([]string{"b"}), on([]string{"b"}), true},
	}
	for _, tc := range cases {
		if got := tc.r.Covers(tc.o); got != tc.covers {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.covers)
		}
	}
	for _, r := range []*switchboard.Role{{}, {AllChannels: true, ChannelIDs: []string{"a"}}} {
		if switchboard.ErrorCode(r.ValidateChannels()) != switchboard.EInvalid {
			t.Errorf("ValidateChannels(%+v) accepted", r)
		}
	}
}
