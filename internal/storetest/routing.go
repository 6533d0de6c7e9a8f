package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testRouting pins the routing facts: teams with their members (folded
// unique names, unknown members refused, sorted lists), the teams of a
// user, availabilities, a conversation's team (filled wherever assignees
// are, and listed for its members as their own conversations, with the
// counts following), the channels' settings with their defaults, the
// open assignments per user and the waiting unassigned conversations.
func testRouting(t *testing.T, open Opener) {
	s := open(t)
	ana := mustUser(t, s, "ana", "Ana", switchboard.RoleEmployee)
	ben := mustUser(t, s, "ben", "Ben", switchboard.RoleEmployee)
	cleo := mustUser(t, s, "cleo", "Cleo", switchboard.RoleEmployee)

	// Teams.
	_, err := s.Team(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.CreateTeam(ctx(), &switchboard.Team{Name: " "}), switchboard.EInvalid)
	wantCode(t, s.CreateTeam(ctx(), &switchboard.Team{Name: "Ghosts", MemberIDs: []string{switchboard.NewID()}}), switchboard.EInvalid)
	sales := &switchboard.Team{Name: " Vertrieb ", MemberIDs: []string{ben.ID, ana.ID, ben.ID}}
	must(t, s.CreateTeam(ctx(), sales))
	if sales.ID == "" || sales.Name != "Vertrieb" || len(sales.MemberIDs) != 2 || sales.CreatedAt.IsZero() {
		t.Fatalf("CreateTeam = %+v", sales)
	}
	wantCode(t, s.CreateTeam(ctx(), &switchboard.Team{Name: "VERTRIEB"}), switchboard.EConflict)
	support := &switchboard.Team{Name: "Ärger", MemberIDs: []string{cleo.ID}}
	must(t, s.CreateTeam(ctx(), support))
	teams, err := s.Teams(ctx())
	must(t, err)
	if len(teams) != 2 || teams[0].ID != support.ID || teams[1].ID != sales.ID ||
		!slices.Equal(teams[1].MemberIDs, slices.Sorted(slices.Values([]string{ana.ID, ben.ID}))) || len(teams[0].MemberIDs) != 1 {
		t.Fatalf("Teams = %+v %+v", teams[0], teams[1])
	}
	support.MemberIDs = []string{cleo.ID, ana.ID}
	must(t, s.UpdateTeam(ctx(), support))
	got, err := s.Team(ctx(), support.ID)
	must(t, err)
	if len(got.MemberIDs) != 2 || !got.CreatedAt.Equal(support.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("Team after update = %+v", got)
	}
	wantCode(t, s.UpdateTeam(ctx(), &switchboard.Team{ID: switchboard.NewID(), Name: "x"}), switchboard.ENotFound)
	wantCode(t, s.UpdateTeam(ctx(), &switchboard.Team{ID: support.ID, Name: "vertrieb"}), switchboard.EConflict)
	ids, err := s.UserTeamIDs(ctx(), ana.ID)
	must(t, err)
	if !slices.Equal(ids, slices.Sorted(slices.Values([]string{sales.ID, support.ID}))) {
		t.Fatalf("UserTeamIDs(ana) = %v", ids)
	}

	// Availability.
	must(t, s.SetAvailability(ctx(), ana.ID, switchboard.AvailabilityOnline, T0))
	must(t, s.SetAvailability(ctx(), ben.ID, switchboard.AvailabilityAway, T0))
	must(t, s.SetAvailability(ctx(), ben.ID, switchboard.AvailabilityOnline, T0))
	wantCode(t, s.SetAvailability(ctx(), ben.ID, "busy", T0), switchboard.EInvalid)
	wantCode(t, s.SetAvailability(ctx(), switchboard.NewID(), switchboard.AvailabilityOnline, T0), switchboard.ENotFound)
	av, err := s.Availabilities(ctx())
	must(t, err)
	if len(av) != 2 || av[ana.ID] != switchboard.AvailabilityOnline || av[ben.ID] != switchboard.AvailabilityOnline {
		t.Fatalf("Availabilities = %v", av)
	}

	// A conversation's team: ana and ben see it through sales.
	ch := mustChannel(t, s)
	r := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Kim", "hello", T0))
	other := mustReceive(t, s, inbound(ch.ID, "4915100000002", "Lou", "hi", T0.Add(time.Minute)))
	wantCode(t, func() error {
		_, err := s.SetConversationTeam(ctx(), r.Conversation.ID, switchboard.NewID())
		return err
	}(), switchboard.ENotFound)
	c, err := s.SetConversationTeam(ctx(), r.Conversation.ID, sales.ID)
	must(t, err)
	if c.TeamID != sales.ID {
		t.Fatalf("SetConversationTeam = %+v", c)
	}
	c, err = s.Conversation(ctx(), r.Conversation.ID, ana.ID)
	must(t, err)
	if c.TeamID != sales.ID || !c.Unassigned() {
		t.Fatalf("Conversation team = %q, unassigned %v", c.TeamID, c.Unassigned())
	}
	list := func(userID string, status switchboard.ConversationStatus) []string {
		t.Helper()
		convs, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: userID, OnlyAssignedTo: userID, Status: status})
		must(t, err)
		out := []string{}
		for _, c := range convs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, status := range []switchboard.ConversationStatus{"", switchboard.StatusOpen} {
		if got := list(ben.ID, status); !slices.Equal(got, []string{r.Conversation.ID}) {
			t.Errorf("ben's list (status %q) = %v, want the team's conversation", status, got)
		}
		if got := list(cleo.ID, status); len(got) != 0 {
			t.Errorf("cleo's list (status %q) = %v, want none", status, got)
		}
	}
	// The team filter.
	byTeam, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{TeamID: sales.ID})
	must(t, err)
	if len(byTeam) != 1 || byTeam[0].ID != r.Conversation.ID {
		t.Errorf("team filter = %d conversations", len(byTeam))
	}
	if none, _, _ := s.Conversations(ctx(), switchboard.ConversationFilter{TeamID: support.ID}); len(none) != 0 {
		t.Errorf("other team's filter = %d conversations", len(none))
	}
	counts, err := s.CountConversations(ctx(), switchboard.ConversationFilter{ViewerID: ben.ID, OnlyAssignedTo: ben.ID})
	must(t, err)
	if counts.All != 1 || counts.Unassigned != 1 || counts.Mine != 0 || counts.Open != 1 {
		t.Errorf("ben's counts = %+v", counts)
	}
	// Assigned to ben in person as well: counted once.
	_, _, err = s.AddAssignee(ctx(), r.Conversation.ID, ben.ID, T0)
	must(t, err)
	counts, err = s.CountConversations(ctx(), switchboard.ConversationFilter{ViewerID: ben.ID, OnlyAssignedTo: ben.ID})
	must(t, err)
	if counts.All != 1 || counts.Assigned != 1 || counts.Mine != 1 {
		t.Errorf("ben's counts when assigned too = %+v", counts)
	}

	// Open assignments per user, and the waiting unassigned conversations.
	open1, err := s.OpenAssignedCounts(ctx())
	must(t, err)
	if open1[ben.ID] != 1 || open1[ana.ID] != 0 {
		t.Errorf("OpenAssignedCounts = %v", open1)
	}
	waiting, err := s.WaitingUnassigned(ctx(), ch.ID, T0.Add(time.Hour), 10)
	must(t, err)
	if !slices.Equal(waiting, []string{other.Conversation.ID}) {
		t.Errorf("WaitingUnassigned = %v, want only the unassigned one", waiting)
	}
	if waiting, _ := s.WaitingUnassigned(ctx(), ch.ID, T0, 10); len(waiting) != 0 {
		t.Errorf("WaitingUnassigned before its activity = %v", waiting)
	}

	// Deleting the team frees its conversations.
	must(t, s.DeleteTeam(ctx(), sales.ID))
	wantCode(t, s.DeleteTeam(ctx(), sales.ID), switchboard.ENotFound)
	c, err = s.Conversation(ctx(), r.Conversation.ID, "")
	must(t, err)
	if c.TeamID != "" {
		t.Errorf("team after delete = %q", c.TeamID)
	}
	c, err = s.SetConversationTeam(ctx(), other.Conversation.ID, support.ID)
	must(t, err)
	c, err = s.SetConversationTeam(ctx(), c.ID, "")
	must(t, err)
	if c.TeamID != "" {
		t.Errorf("team after unset = %q", c.TeamID)
	}

	// Settings: off by default, stored with their defaults.
	rs, err := s.RoutingSettings(ctx(), ch.ID)
	must(t, err)
	if rs.Mode != switchboard.AutoAssignOff || rs.Capacity != switchboard.DefaultCapacity {
		t.Fatalf("default settings = %+v", rs)
	}
	wantCode(t, s.SetRoutingSettings(ctx(), &switchboard.RoutingSettings{ChannelID: ch.ID, Mode: "coin"}), switchboard.EInvalid)
	wantCode(t, s.SetRoutingSettings(ctx(), &switchboard.RoutingSettings{ChannelID: switchboard.NewID(), Mode: switchboard.AutoAssignLeastBusy}), switchboard.ENotFound)
	must(t, s.SetRoutingSettings(ctx(), &switchboard.RoutingSettings{ChannelID: ch.ID, Mode: switchboard.AutoAssignRoundRobin,
		TeamIDs: []string{support.ID}, RoleIDs: []string{switchboard.RoleEmployee}, Capacity: 3, ReofferAfter: 5 * time.Minute}))
	must(t, s.SetLastAssigned(ctx(), ch.ID, ana.ID))
	rs, err = s.RoutingSettings(ctx(), ch.ID)
	must(t, err)
	if rs.Mode != switchboard.AutoAssignRoundRobin || !slices.Equal(rs.TeamIDs, []string{support.ID}) || !slices.Equal(rs.RoleIDs, []string{switchboard.RoleEmployee}) ||
		rs.Capacity != 3 || rs.ReofferAfter != 5*time.Minute || rs.LastAssignedID != ana.ID || rs.UpdatedAt.IsZero() {
		t.Fatalf("stored settings = %+v", rs)
	}
	// Changing the settings keeps the round robin's position.
	rs.Mode = switchboard.AutoAssignLeastBusy
	must(t, s.SetRoutingSettings(ctx(), rs))
	if rs, _ = s.RoutingSettings(ctx(), ch.ID); rs.LastAssignedID != ana.ID || rs.Mode != switchboard.AutoAssignLeastBusy {
		t.Fatalf("settings after change = %+v", rs)
	}
}
