package switchboard_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func TestRoleValidate(t *testing.T) {
	reply := []switchboard.Permission{switchboard.PermConversationsReply}
	for _, tt := range []struct {
		name string
		role switchboard.Role
		want string // error message, "" for valid
	}{
		{"valid, all channels", switchboard.Role{Name: "Sales", Permissions: reply, AllChannels: true}, ""},
		{"valid, some channels", switchboard.Role{Name: "Sales", Permissions: reply, ChannelIDs: []string{"c1"}}, ""},
		{"no permissions is allowed", switchboard.Role{Name: "Nobody", AllChannels: true}, ""},
		{"blank name", switchboard.Role{Name: "  ", Permissions: reply, AllChannels: true}, "Role name is required."},
		{"unknown permission", switchboard.Role{Name: "X", Permissions: []switchboard.Permission{"fly"}, AllChannels: true}, `Unknown permission "fly".`},
		{"neither all nor a list", switchboard.Role{Name: "X", Permissions: reply}, "A role needs at least one channel, or all channels."},
		{"both all and a list", switchboard.Role{Name: "X", Permissions: reply, AllChannels: true, ChannelIDs: []string{"c1"}},
			"A role has either all channels or a list of channels, not both."},
	} {
		err := tt.role.Validate()
		if got := switchboard.ErrorMessage(err); got != tt.want {
			t.Errorf("%s: Validate() = %q, want %q", tt.name, got, tt.want)
		}
		if err != nil && switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("%s: code %q, want invalid", tt.name, switchboard.ErrorCode(err))
		}
	}
	for _, r := range switchboard.BuiltinRoles() {
		if err := r.Validate(); err != nil {
			t.Errorf("built-in role %s: %v", r.ID, err)
		}
	}
}

func TestRoleNormalize(t *testing.T) {
	r := switchboard.Role{Name: "  Sales team \t"}
	r.Normalize()
	if r.Name != "Sales team" || r.Permissions == nil || r.ChannelIDs == nil {
		t.Errorf("Normalize() = %+v, want trimmed name and empty lists", r)
	}
}

func TestAuditEntryValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		e    switchboard.AuditEntry
		want string
	}{
		{"success", switchboard.AuditEntry{Action: "user.login", Outcome: switchboard.OutcomeSuccess}, ""},
		{"failure", switchboard.AuditEntry{Action: "user.login", Outcome: switchboard.OutcomeFailure}, ""},
		{"denied", switchboard.AuditEntry{Action: "user.login", Outcome: switchboard.OutcomeDenied}, ""},
		{"no outcome", switchboard.AuditEntry{Action: "user.login"}, "Audit entries need an action and an outcome."},
		{"no action", switchboard.AuditEntry{Outcome: switchboard.OutcomeSuccess}, "Audit entries need an action and an outcome."},
		{"unknown outcome", switchboard.AuditEntry{Action: "user.login", Outcome: "Success"}, `Unknown audit outcome "Success".`},
	} {
		if got := switchboard.ErrorMessage(tt.e.Validate()); got != tt.want {
			t.Errorf("%s: Validate() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestConversationFilterValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    switchboard.ConversationFilter
		want string
	}{
		{"zero", switchboard.ConversationFilter{}, ""},
		{"open unassigned", switchboard.ConversationFilter{Status: switchboard.StatusOpen, Assignment: switchboard.AssignmentUnassigned}, ""},
		{"resolved all", switchboard.ConversationFilter{Status: switchboard.StatusResolved, Assignment: switchboard.AssignmentAll}, ""},
		{"mine with viewer", switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine, ViewerID: "u1"}, ""},
		{"mine without viewer", switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine}, `The assignment filter "mine" needs a viewer.`},
		{"unknown assignment", switchboard.ConversationFilter{Assignment: "theirs"}, "Invalid assignment filter."},
		{"unknown status", switchboard.ConversationFilter{Status: "archived"}, "Invalid status filter."},
		{"status before assignment", switchboard.ConversationFilter{Status: "archived", Assignment: "theirs"}, "Invalid status filter."},
	} {
		if got := switchboard.ErrorMessage(tt.f.Validate()); got != tt.want {
			t.Errorf("%s: Validate() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTemplateAndSetupTokenValidate(t *testing.T) {
	for _, tt := range []struct {
		t    switchboard.Template
		want bool
	}{
		{switchboard.Template{Name: "hello", Language: "de"}, true},
		{switchboard.Template{Name: "hello"}, false},
		{switchboard.Template{Language: "de"}, false},
	} {
		if err := tt.t.Validate(); (err == nil) != tt.want {
			t.Errorf("Template %+v: Validate() = %v", tt.t, err)
		}
	}
	if err := (switchboard.SetupToken{}).Validate(); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("empty setup token: %v, want invalid", err)
	}
	if err := (switchboard.SetupToken{Hash: "h"}).Validate(); err != nil {
		t.Errorf("setup token with hash: %v", err)
	}
}

func TestNormalizeLogin(t *testing.T) {
	for in, want := range map[string]string{" Anna.Admin ": "anna.admin", "BOB": "bob", "Jürgen": "jürgen", "": ""} {
		if got := switchboard.NormalizeLogin(in); got != want {
			t.Errorf("NormalizeLogin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewMessageID(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a, b := switchboard.NewMessageID(at), switchboard.NewMessageID(at.Add(time.Millisecond))
	if !switchboard.ValidID(a) || !switchboard.ValidID(b) {
		t.Fatalf("ids %q, %q are not valid ids", a, b)
	}
	if want := fmt.Sprintf("%012x", at.UnixMilli()); a[:12] != want {
		t.Errorf("prefix %q, want the time in milliseconds %q", a[:12], want)
	}
	if a >= b {
		t.Errorf("an id made a millisecond later sorts first: %q >= %q", a, b)
	}
	if c := switchboard.NewMessageID(at); c == a {
		t.Errorf("two ids made at the same time are equal: %q", c)
	}
}

func TestUserApply(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	name, role, hash := "Neu", switchboard.RoleOperator, "$argon2id$new"
	off, on := false, true
	for _, tt := range []struct {
		name        string
		upd         switchboard.UserUpdate
		endSessions bool
	}{
		{"rename", switchboard.UserUpdate{Name: &name}, false},
		{"new role", switchboard.UserUpdate{RoleID: &role}, false},
		{"activate", switchboard.UserUpdate{Active: &on}, false},
		{"deactivate", switchboard.UserUpdate{Active: &off}, true},
		{"new password", switchboard.UserUpdate{PasswordHash: &hash}, true},
	} {
		u := switchboard.User{Name: "Alt", RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "old"}
		if got := u.Apply(tt.upd, now); got != tt.endSessions {
			t.Errorf("%s: endSessions = %v, want %v", tt.name, got, tt.endSessions)
		}
		if !u.UpdatedAt.Equal(now) {
			t.Errorf("%s: UpdatedAt = %v", tt.name, u.UpdatedAt)
		}
		if tt.upd.PasswordHash != nil && (u.PasswordHash != hash || !u.PasswordChangedAt.Equal(now)) {
			t.Errorf("%s: password not changed: %+v", tt.name, u)
		}
		if tt.upd.PasswordHash == nil && !u.PasswordChangedAt.IsZero() {
			t.Errorf("%s: PasswordChangedAt moved", tt.name)
		}
	}
}

func TestRoleApply(t *testing.T) {
	perms := []switchboard.Permission{switchboard.PermUsersRead}
	chans := []string{"c1"}
	all, none := true, false
	name := "  Night shift "
	r := switchboard.Role{Name: "Day", ChannelIDs: []string{"c0"}}
	r.Apply(switchboard.RoleUpdate{Name: &name, Permissions: &perms, AllChannels: &all})
	if r.Name != "Night shift" || !r.AllChannels || len(r.ChannelIDs) != 0 || len(r.Permissions) != 1 {
		t.Errorf("Apply(all channels) = %+v", r)
	}
	perms[0] = switchboard.PermAuditRead
	if r.Permissions[0] != switchboard.PermUsersRead {
		t.Error("the role shares its permission list with the update")
	}
	r.Apply(switchboard.RoleUpdate{AllChannels: &none, ChannelIDs: &chans})
	if r.AllChannels || len(r.ChannelIDs) != 1 || r.Validate() != nil {
		t.Errorf("Apply(one channel) = %+v, %v", r, r.Validate())
	}
	r.Apply(switchboard.RoleUpdate{AllChannels: &none})
	if err := r.Validate(); err != nil {
		t.Errorf("keeping the list: %v", err)
	}
}

func TestChannelApply(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	name, token, days, mark := "Berlin", "new-token", 30, true
	c := switchboard.Channel{Name: "Old", AccessToken: "old", AppSecret: "secret", WABAID: "waba"}
	c.Apply(switchboard.ChannelUpdate{Name: &name, AccessToken: &token, RetentionDays: &days, MarkRead: &mark}, now)
	want := switchboard.Channel{Name: "Berlin", AccessToken: "new-token", AppSecret: "secret", WABAID: "waba", RetentionDays: 30, MarkRead: true, UpdatedAt: now}
	if c != want {
		t.Errorf("Apply = %+v, want %+v", c, want)
	}
}

func TestMessagePrepareOutbound(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	m := switchboard.Message{Direction: switchboard.DirectionIn, Status: switchboard.MessageRead}
	m.PrepareOutbound(now)
	if !switchboard.ValidID(m.ID) || m.Direction != switchboard.DirectionOut || m.Status != switchboard.MessagePending ||
		m.Type != switchboard.TypeText || !m.Timestamp.Equal(now) || !m.CreatedAt.Equal(now) || !m.UpdatedAt.Equal(now) {
		t.Errorf("PrepareOutbound() = %+v", m)
	}
	at := now.Add(-time.Minute)
	k := switchboard.Message{ID: "keep", Type: switchboard.TypeTemplate, Timestamp: at}
	k.PrepareOutbound(now)
	if k.ID != "keep" || k.Type != switchboard.TypeTemplate || !k.Timestamp.Equal(at) {
		t.Errorf("PrepareOutbound() overwrote given fields: %+v", k)
	}
}

// TestConversationFilterCounts pins how per-status tallies become the
// filter counts: the assignment counts under the status filter, the
// status counts under the assignment filter, and tallies of one status
// adding up (a store may return several, as from counters and a scan).
func TestConversationFilterCounts(t *testing.T) {
	tallies := []switchboard.ConversationTally{
		{Status: switchboard.StatusOpen, All: 10, Assigned: 4, Mine: 1},
		{Status: switchboard.StatusResolved, All: 20, Assigned: 15, Mine: 5},
		{Status: switchboard.StatusOpen, All: 2, Assigned: 2, Mine: 2},
	}
	for _, tt := range []struct {
		status switchboard.ConversationStatus
		assign string
		want   switchboard.ConversationCounts
	}{
		{"", "", switchboard.ConversationCounts{All: 32, Unassigned: 11, Assigned: 21, Mine: 8, Open: 12, Resolved: 20}},
		{switchboard.StatusOpen, switchboard.AssignmentAll, switchboard.ConversationCounts{All: 12, Unassigned: 6, Assigned: 6, Mine: 3, Open: 12, Resolved: 20}},
		{switchboard.StatusResolved, switchboard.AssignmentUnassigned, switchboard.ConversationCounts{All: 20, Unassigned: 5, Assigned: 15, Mine: 5, Open: 6, Resolved: 5}},
		{"", switchboard.AssignmentAssigned, switchboard.ConversationCounts{All: 32, Unassigned: 11, Assigned: 21, Mine: 8, Open: 6, Resolved: 15}},
		{switchboard.StatusOpen, switchboard.AssignmentMine, switchboard.ConversationCounts{All: 12, Unassigned: 6, Assigned: 6, Mine: 3, Open: 3, Resolved: 5}},
	} {
		f := switchboard.ConversationFilter{Status: tt.status, Assignment: tt.assign}
		if got := f.Counts(tallies); *got != tt.want {
			t.Errorf("status %q, assignment %q: %+v, want %+v", tt.status, tt.assign, *got, tt.want)
		}
	}
	if got := (&switchboard.ConversationFilter{}).Counts(nil); *got != (switchboard.ConversationCounts{}) {
		t.Errorf("no tallies: %+v", *got)
	}
}

func TestConversationFilterCountsSource(t *testing.T) {
	for _, c := range []struct {
		name string
		f    switchboard.ConversationFilter
		want switchboard.TallySource
	}{
		{"everything", switchboard.ConversationFilter{}, switchboard.TallyCounters},
		{"some channels", switchboard.ConversationFilter{ChannelIDs: []string{"a"}, Assignment: switchboard.AssignmentMine, ViewerID: "u"}, switchboard.TallyCounters},
		{"no channel", switchboard.ConversationFilter{ChannelIDs: []string{}}, switchboard.TallyNone},
		{"a search", switchboard.ConversationFilter{Query: " ada "}, switchboard.TallyScan},
		{"a blank search", switchboard.ConversationFilter{Query: "  "}, switchboard.TallyCounters},
		{"one's own", switchboard.ConversationFilter{OnlyAssignedTo: "u", ViewerID: "u"}, switchboard.TallyOwn},
		{"another's", switchboard.ConversationFilter{OnlyAssignedTo: "v", ViewerID: "u"}, switchboard.TallyScan},
	} {
		if got, err := c.f.CountsSource(); err != nil || got != c.want {
			t.Errorf("%s: CountsSource() = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := (&switchboard.ConversationFilter{Assignment: "nobody"}).CountsSource(); err != switchboard.ErrInvalidAssignmentFilter {
		t.Errorf("an unknown assignment: err = %v", err)
	}
}
