package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func testConversationCounts(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	berlin, hamburg := mustChannel(t, s), mustChannel(t, s)
	me := mustUser(t, s, "me", "Me", switchboard.RoleEmployee)
	other := mustUser(t, s, "other", "Other", switchboard.RoleEmployee)
	conv := func(ch *switchboard.Channel, waID, name string, i int) *switchboard.Conversation {
		return mustReceive(t, s, inbound(ch.ID, waID, name, "hi", T0.Add(time.Duration(i)*time.Minute))).Conversation
	}
	// Berlin: mine (open), other's (open), unassigned (open), unassigned (closed), both (closed).
	c1 := conv(berlin, "4915100000001", "Anna Alpha", 1)
	c2 := conv(berlin, "4915100000002", "Bert Beta", 2)
	conv(berlin, "4915100000003", "Cora Gamma", 3)
	c4 := conv(berlin, "4915100000004", "Dora Delta", 4)
	c5 := conv(berlin, "4915100000005", "Emil Epsilon", 5)
	conv(hamburg, "4915100000006", "Hans Hamburg", 6)
	for _, a := range []struct{ c, u string }{{c1.ID, me.ID}, {c2.ID, other.ID}, {c5.ID, me.ID}, {c5.ID, other.ID}} {
		if _, _, err := s.AddAssignee(ctx, a.c, a.u, T0); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{c4.ID, c5.ID} {
		if _, err := s.SetConversationStatus(ctx, id, switchboard.StatusResolved, T0); err != nil {
			t.Fatal(err)
		}
	}
	scope := []string{berlin.ID}
	cases := []struct {
		name string
		f    switchboard.ConversationFilter
		want switchboard.ConversationCounts
	}{
		{"everything", switchboard.ConversationFilter{ViewerID: me.ID},
			switchboard.ConversationCounts{All: 6, Unassigned: 3, Assigned: 3, Mine: 2, Open: 4, Resolved: 2}},
		{"open only", switchboard.ConversationFilter{ViewerID: me.ID, Status: switchboard.StatusOpen},
			switchboard.ConversationCounts{All: 4, Unassigned: 2, Assigned: 2, Mine: 1, Open: 4, Resolved: 2}},
		{"mine, status counts", switchboard.ConversationFilter{ViewerID: me.ID, Assignment: switchboard.AssignmentMine},
			switchboard.ConversationCounts{All: 6, Unassigned: 3, Assigned: 3, Mine: 2, Open: 1, Resolved: 1}},
		{"channel scope", switchboard.ConversationFilter{ViewerID: me.ID, ChannelIDs: scope},
			switchboard.ConversationCounts{All: 5, Unassigned: 2, Assigned: 3, Mine: 2, Open: 3, Resolved: 2}},
		{"employee visibility", switchboard.ConversationFilter{ViewerID: me.ID, OnlyAssignedTo: me.ID},
			switchboard.ConversationCounts{All: 2, Unassigned: 0, Assigned: 2, Mine: 2, Open: 1, Resolved: 1}},
		{"search", switchboard.ConversationFilter{ViewerID: me.ID, Query: "dora"},
			switchboard.ConversationCounts{All: 1, Unassigned: 1, Assigned: 0, Mine: 0, Open: 0, Resolved: 1}},
		{"empty scope", switchboard.ConversationFilter{ViewerID: me.ID, ChannelIDs: []string{}},
			switchboard.ConversationCounts{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CountConversations(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
			// The counts agree with what the lists return.
			f := tc.f
			f.Limit = 200
			items, _, err := s.Conversations(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			wantAll := got.All
			if f.Assignment != "" && f.Assignment != switchboard.AssignmentAll {
				wantAll = map[string]int{switchboard.AssignmentMine: got.Mine}[f.Assignment]
			}
			if len(items) != wantAll {
				t.Fatalf("list has %d items, counts say %d", len(items), wantAll)
			}
		})
	}
}

// testDeactivatedAssignees: a conversation whose only assignees are
// deactivated counts as unassigned in the counts and in the unassigned
// filter, and its assignees carry the deactivated marker (in the list, in
// one conversation and in what an inbound message returns); one active
// assignee keeps it assigned. Reactivating restores it.
func testDeactivatedAssignees(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	ch := mustChannel(t, s)
	viewer := mustUser(t, s, "op", "Op", switchboard.RoleOperator)
	gone := mustUser(t, s, "gone", "Gone", switchboard.RoleEmployee)
	stays := mustUser(t, s, "stays", "Stays", switchboard.RoleEmployee)
	only := mustReceive(t, s, inbound(ch.ID, "4915100000011", "Only Gone", "hi", T0)).Conversation
	both := mustReceive(t, s, inbound(ch.ID, "4915100000012", "Both", "hi", T0.Add(time.Minute))).Conversation
	for _, a := range []struct{ c, u string }{{only.ID, gone.ID}, {both.ID, gone.ID}, {both.ID, stays.ID}} {
		if _, _, err := s.AddAssignee(ctx, a.c, a.u, T0); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(a string) []string {
		items, _, err := s.Conversations(ctx, switchboard.ConversationFilter{ViewerID: viewer.ID, Assignment: a, Limit: 50})
		must(t, err)
		var out []string
		for _, c := range items {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	counts := func() switchboard.ConversationCounts {
		n, err := s.CountConversations(ctx, switchboard.ConversationFilter{ViewerID: viewer.ID})
		must(t, err)
		return *n
	}
	if got, want := counts(), (switchboard.ConversationCounts{All: 2, Assigned: 2, Open: 2}); got != want {
		t.Fatalf("before: counts %+v, want %+v", got, want)
	}
	off, on := false, true
	if _, err := s.UpdateUser(ctx, gone.ID, switchboard.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	if got, want := counts(), (switchboard.ConversationCounts{All: 2, Unassigned: 1, Assigned: 1, Open: 2}); got != want {
		t.Fatalf("deactivated: counts %+v, want %+v", got, want)
	}
	if got, want := ids(switchboard.AssignmentUnassigned), []string{only.ID}; !slices.Equal(got, want) {
		t.Fatalf("unassigned filter: %v, want %v", got, want)
	}
	if got, want := ids(switchboard.AssignmentAssigned), []string{both.ID}; !slices.Equal(got, want) {
		t.Fatalf("assigned filter: %v, want %v", got, want)
	}
	marked := func(where string, c *switchboard.Conversation, wantUnassigned bool) {
		t.Helper()
		for _, a := range c.Assignees {
			if want := a.ID == gone.ID; a.Deactivated != want {
				t.Fatalf("%s: assignee %s deactivated=%v, want %v", where, a.Name, a.Deactivated, want)
			}
		}
		if c.Unassigned() != wantUnassigned {
			t.Fatalf("%s: Unassigned() = %v, want %v", where, c.Unassigned(), wantUnassigned)
		}
	}
	c, err := s.Conversation(ctx, only.ID, viewer.ID)
	must(t, err)
	marked("conversation", c, true)
	items, _, err := s.Conversations(ctx, switchboard.ConversationFilter{ViewerID: viewer.ID, Limit: 50})
	must(t, err)
	for _, c := range items {
		marked("list", c, c.ID == only.ID)
	}
	r := mustReceive(t, s, inbound(ch.ID, "4915100000011", "Only Gone", "still there?", T0.Add(2*time.Minute)))
	marked("inbound", r.Conversation, true)
	if _, err := s.UpdateUser(ctx, gone.ID, switchboard.UserUpdate{Active: &on}); err != nil {
		t.Fatal(err)
	}
	if got, want := counts(), (switchboard.ConversationCounts{All: 2, Assigned: 2, Open: 2}); got != want {
		t.Fatalf("reactivated: counts %+v, want %+v", got, want)
	}
}

// countRecounter is what the stores offer beside [switchboard.Store] for
// the counts: the full recount from the facts (the counts before the
// counters) and the rebuild of the counters.
type countRecounter interface {
	RecountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error)
	RebuildConversationCounts(ctx context.Context) error
}

// testConversationCountsRecount applies random changes (new customers,
// returning ones reopening closed conversations, closing, assigning and
// unassigning, deactivating and reactivating assignees, mentions made and
// dismissed, erasures and retention deletions) and after each round
// compares the maintained counts of every filter combination with three
// recounts: the domain's rules applied to the conversations as listed,
// the store's full scan of the facts, and the counts after a rebuild.
func testConversationCountsRecount(t *testing.T, open Opener) {
	s := open(t)
	rc, ok := s.(countRecounter)
	if !ok {
		t.Fatalf("%T has no RecountConversations and RebuildConversationCounts", s)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(18, 5))
	channels := []*switchboard.Channel{mustChannel(t, s), mustChannel(t, s)}
	users := []*switchboard.User{
		mustUser(t, s, "u1", "U1", switchboard.RoleEmployee), mustUser(t, s, "u2", "U2", switchboard.RoleEmployee),
		mustUser(t, s, "u3", "U3", switchboard.RoleOperator),
	}
	active := []bool{true, true, true}
	var convs []*switchboard.Conversation
	customers := 0
	step := 0
	at := func() time.Time { return T0.Add(time.Duration(step) * time.Second) }
	receive := func(ch *switchboard.Channel, waID string) {
		step++
		r := mustReceive(t, s, inbound(ch.ID, waID, "Kunde "+waID, "hallo", at()))
		for _, c := range convs {
			if c.ID == r.Conversation.ID {
				return
			}
		}
		convs = append(convs, r.Conversation)
	}
	listAll := func() []*switchboard.Conversation {
		var all []*switchboard.Conversation
		for cursor := ""; ; {
			page, next, err := s.Conversations(ctx, switchboard.ConversationFilter{Limit: 200, Cursor: cursor})
			must(t, err)
			all = append(all, page...)
			if next == "" {
				return all
			}
			cursor = next
		}
	}
	for round := range 8 {
		for range 30 {
			if len(convs) == 0 {
				customers++
				receive(channels[rng.IntN(2)], fmt.Sprintf("49153%08d", customers))
				continue
			}
			c := convs[rng.IntN(len(convs))]
			u := rng.IntN(len(users))
			switch op := rng.IntN(40); {
			case op < 8:
				customers++
				receive(channels[rng.IntN(2)], fmt.Sprintf("49153%08d", customers))
			case op < 12:
				receive(&switchboard.Channel{ID: c.ChannelID}, c.Contact.WaID) // reopens a closed one
			case op < 17:
				// Resolved most often; pending and snoozed are still the
				// contact's active conversation (a resolved one may
				// collide with a newer active one: EConflict).
				var err error
				switch rng.IntN(4) {
				case 0:
					_, err = s.SetConversationStatus(ctx, c.ID, switchboard.StatusPending, at())
				case 1:
					until := at().Add(time.Hour)
					_, err = s.SnoozeConversation(ctx, c.ID, &until, at())
				default:
					_, err = s.SetConversationStatus(ctx, c.ID, switchboard.StatusResolved, at())
				}
				if switchboard.ErrorCode(err) != switchboard.EConflict {
					must(t, err)
				}
			case op < 24:
				_, _, err := s.AddAssignee(ctx, c.ID, users[u].ID, at())
				must(t, err)
			case op < 29:
				_, _, err := s.RemoveAssignee(ctx, c.ID, users[u].ID, at())
				must(t, err)
			case op < 32:
				active[u] = !active[u]
				_, err := s.UpdateUser(ctx, users[u].ID, switchboard.UserUpdate{Active: &active[u]})
				must(t, err)
			case op < 35:
				step++
				_, err := s.AddThreadEntry(ctx, &switchboard.ThreadEntry{ConversationID: c.ID, Kind: switchboard.NoteEntry,
					AuthorID: users[(u+1)%len(users)].ID, Text: "@" + users[u].Name, Mentions: []string{users[u].ID}, CreatedAt: at()})
				must(t, err)
			case op < 37:
				_, _, err := s.DismissMention(ctx, c.ID, users[u].ID)
				must(t, err)
			case op < 39:
				_, err := s.EraseContact(ctx, switchboard.Erasure{ContactID: c.Contact.ID, ErasedAt: at()})
				must(t, err)
				convs = listAll()
			default:
				// Retention: the older half of the channel's history.
				for {
					d, err := s.DeleteExpired(ctx, c.ChannelID, T0.Add(time.Duration(step/2)*time.Second), 100)
					must(t, err)
					if d.Messages+d.Conversations+d.Contacts == 0 {
						break
					}
				}
				convs = listAll()
			}
		}
		all := listAll()
		recount := func(f switchboard.ConversationFilter) switchboard.ConversationCounts {
			var tallies []switchboard.ConversationTally
			for _, c := range all {
				if f.OnlyAssignedTo != "" && !c.AssignedTo(f.OnlyAssignedTo) && !slices.Contains(c.Mentioned, f.OnlyAssignedTo) {
					continue
				}
				if f.ChannelIDs != nil && !slices.Contains(f.ChannelIDs, c.ChannelID) {
					continue
				}
				if f.Query != "" && !strings.Contains(strings.ToLower(c.Contact.Name), f.Query) {
					continue
				}
				tl := switchboard.ConversationTally{Status: c.Status, All: 1}
				if !c.Unassigned() {
					tl.Assigned = 1
				}
				if c.AssignedTo(f.ViewerID) {
					tl.Mine = 1
				}
				tallies = append(tallies, tl)
			}
			return *f.Counts(tallies)
		}
		check := func(stage string) {
			t.Helper()
			for _, viewer := range users {
				for _, only := range []string{"", viewer.ID, users[0].ID} {
					for _, scope := range [][]string{nil, {channels[0].ID}, {channels[0].ID, channels[1].ID}} {
						for _, query := range []string{"", "kunde"} {
							for _, status := range append([]switchboard.ConversationStatus{""}, switchboard.ConversationStatuses()...) {
								for _, assign := range []string{"", switchboard.AssignmentUnassigned, switchboard.AssignmentAssigned, switchboard.AssignmentMine} {
									f := switchboard.ConversationFilter{ViewerID: viewer.ID, OnlyAssignedTo: only, ChannelIDs: scope,
										Query: query, Status: status, Assignment: assign}
									got, err := s.CountConversations(ctx, f)
									must(t, err)
									if want := recount(f); *got != want {
										t.Fatalf("round %d, %s, filter %+v: counts %+v, recount of the list %+v", round, stage, f, *got, want)
									}
									full, err := rc.RecountConversations(ctx, f)
									must(t, err)
									if *got != *full {
										t.Fatalf("round %d, %s, filter %+v: counts %+v, full recount %+v", round, stage, f, *got, *full)
									}
									if assign == "" && query == "" && only != "" {
										// The list of a user limited to their
										// conversations reads their assignments.
										lf := f
										lf.Limit = 200
										page, _, err := s.Conversations(ctx, lf)
										must(t, err)
										if len(page) != got.All {
											t.Fatalf("round %d, %s, filter %+v: %d listed, counts %+v", round, stage, f, len(page), *got)
										}
									}
								}
							}
						}
					}
				}
			}
		}
		check("maintained")
		if round%3 == 2 {
			must(t, rc.RebuildConversationCounts(ctx))
			check("rebuilt")
		}
	}
}
