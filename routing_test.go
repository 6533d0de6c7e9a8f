package switchboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func routingCandidates() []*switchboard.Candidate {
	agent := &switchboard.Role{ID: "agent", Permissions: []switchboard.Permission{switchboard.PermConversationsReply}, AllChannels: true}
	viewer := &switchboard.Role{ID: "viewer", AllChannels: true}
	berlinOnly := &switchboard.Role{ID: "berlin", Permissions: []switchboard.Permission{switchboard.PermConversationsReply}, ChannelIDs: []string{"berlin"}}
	c := func(id string, r *switchboard.Role, v switchboard.Availability, open int, teams ...string) *switchboard.Candidate {
		return &switchboard.Candidate{User: &switchboard.User{ID: id, RoleID: r.ID, Active: true}, Role: r, Availability: v, Open: open, TeamIDs: teams}
	}
	return []*switchboard.Candidate{
		c("u3", agent, switchboard.AvailabilityOnline, 2, "sales"),
		c("u1", agent, switchboard.AvailabilityOnline, 4, "support"),
		c("u2", agent, switchboard.AvailabilityOnline, 1, "sales"),
		c("u4", agent, switchboard.AvailabilityAway, 0, "sales"),
		c("u5", viewer, switchboard.AvailabilityOnline, 0, "sales"),
		c("u6", berlinOnly, switchboard.AvailabilityOnline, 0, "sales"),
		c("u7", agent, switchboard.AvailabilityOffline, 0),
	}
}

func pick(r *switchboard.RoutingSettings, cs []*switchboard.Candidate) string {
	if c := switchboard.PickAssignee(r, cs); c != nil {
		return c.User.ID
	}
	return ""
}

func TestPickAssigneeRoundRobin(t *testing.T) {
	cs := routingCandidates()
	r := &switchboard.RoutingSettings{ChannelID: "hamburg", Mode: switchboard.AutoAssignRoundRobin, Capacity: 10}
	// Online, entitled on hamburg: u1, u2, u3 (u4 away, u5 cannot reply,
	// u6 not on hamburg, u7 offline), in id order after the last one.
	var got []string
	for range 4 {
		id := pick(r, cs)
		got = append(got, id)
		r.LastAssignedID = id
	}
	if want := "u1 u2 u3 u1"; strings.Join(got, " ") != want {
		t.Errorf("round robin = %v, want %s", got, want)
	}
	// The last one gone (deactivated, say): the next after their id.
	r.LastAssignedID = "u25"
	if got := pick(r, cs); got != "u3" {
		t.Errorf("after a gone user = %s, want u3", got)
	}
	// On berlin, u6 may reply too.
	r.ChannelID, r.LastAssignedID = "berlin", "u3"
	if got := pick(r, cs); got != "u6" {
		t.Errorf("berlin after u3 = %s, want u6", got)
	}
}

func TestPickAssigneeLeastBusy(t *testing.T) {
	cs := routingCandidates()
	r := &switchboard.RoutingSettings{ChannelID: "hamburg", Mode: switchboard.AutoAssignLeastBusy, Capacity: 10}
	if got := pick(r, cs); got != "u2" {
		t.Errorf("least busy = %s, want u2 (1 open)", got)
	}
	// A tie goes to whom round robin would take.
	cs[0].Open, cs[2].Open = 1, 1
	r.LastAssignedID = "u2"
	if got := pick(r, cs); got != "u3" {
		t.Errorf("tie after u2 = %s, want u3", got)
	}
	r.LastAssignedID = ""
	if got := pick(r, cs); got != "u2" {
		t.Errorf("tie from the start = %s, want u2", got)
	}
}

func TestPickAssigneeCapacity(t *testing.T) {
	cs := routingCandidates()
	r := &switchboard.RoutingSettings{ChannelID: "hamburg", Mode: switchboard.AutoAssignRoundRobin, Capacity: 2}
	// u1 has 4, u3 has 2: at capacity; only u2 (1) fits.
	if got := pick(r, cs); got != "u2" {
		t.Errorf("capacity 2 = %s, want u2", got)
	}
	r.Capacity = 1
	if got := pick(r, cs); got != "" {
		t.Errorf("capacity 1 = %s, want nobody", got)
	}
}

func TestPickAssigneeEntitlementAndGroups(t *testing.T) {
	cs := routingCandidates()
	r := &switchboard.RoutingSettings{ChannelID: "hamburg", Mode: switchboard.AutoAssignRoundRobin, Capacity: 10, TeamIDs: []string{"sales"}}
	// sales: u2, u3 online and entitled; u4 away, u5 may not reply, u6 not on hamburg.
	if got := pick(r, cs); got != "u2" {
		t.Errorf("team sales = %s, want u2", got)
	}
	r.LastAssignedID = "u3"
	if got := pick(r, cs); got != "u2" {
		t.Errorf("team sales after u3 = %s, want u2 (wraps)", got)
	}
	// A role, or a team: either admits.
	r.TeamIDs, r.RoleIDs, r.LastAssignedID = []string{"support"}, []string{"viewer"}, ""
	if got := pick(r, cs); got != "u1" {
		t.Errorf("support or viewer = %s, want u1 (the viewer cannot reply)", got)
	}
	// Deactivated users are never chosen.
	cs[1].User.Active = false
	if got := pick(r, cs); got != "" {
		t.Errorf("deactivated = %s, want nobody", got)
	}
	r.Mode = switchboard.AutoAssignOff
	r.TeamIDs, r.RoleIDs = nil, nil
	if got := pick(r, cs); got != "" {
		t.Errorf("off = %s, want nobody", got)
	}
	if got := pick(nil, cs); got != "" {
		t.Errorf("no settings = %s, want nobody", got)
	}
}

func TestRoutingSettingsValidate(t *testing.T) {
	r := &switchboard.RoutingSettings{ChannelID: "c"}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Mode != switchboard.AutoAssignOff || r.Capacity != switchboard.DefaultCapacity || r.ReofferAfter != switchboard.DefaultReofferAfter ||
		r.TeamIDs == nil || r.RoleIDs == nil {
		t.Errorf("defaults = %+v", r)
	}
	bad := []switchboard.RoutingSettings{
		{Mode: "random"},
		{Mode: switchboard.AutoAssignLeastBusy, Capacity: -1},
		{Mode: switchboard.AutoAssignLeastBusy, Capacity: 1001},
		{Mode: switchboard.AutoAssignLeastBusy, ReofferAfter: time.Second},
		{Mode: switchboard.AutoAssignLeastBusy, ReofferAfter: 8 * 24 * time.Hour},
		{Mode: switchboard.AutoAssignLeastBusy, TeamIDs: []string{""}},
	}
	for _, b := range bad {
		if err := b.Validate(); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("Validate(%+v) = %v, want EInvalid", b, err)
		}
	}
}

func TestTeamValidate(t *testing.T) {
	id1, id2 := switchboard.NewID(), switchboard.NewID()
	tm := &switchboard.Team{Name: "  Sales ", MemberIDs: []string{id2, id1, id2}}
	if err := tm.Validate(); err != nil {
		t.Fatal(err)
	}
	if tm.Name != "Sales" || len(tm.MemberIDs) != 2 || tm.MemberIDs[0] > tm.MemberIDs[1] {
		t.Errorf("normalized = %+v", tm)
	}
	for _, b := range []*switchboard.Team{{Name: " "}, {Name: strings.Repeat("x", 81)}, {Name: "x", MemberIDs: []string{"not an id"}}} {
		if err := b.Validate(); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("Validate(%+v) = %v", b, err)
		}
	}
	if !switchboard.AvailabilityAway.Valid() || switchboard.Availability("busy").Valid() {
		t.Error("Availability.Valid")
	}
}
