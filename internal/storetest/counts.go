package storetest

import (
	"context"
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
		if _, err := s.SetConversationStatus(ctx, id, switchboard.StatusClosed, T0); err != nil {
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
			switchboard.ConversationCounts{All: 6, Unassigned: 3, Assigned: 3, Mine: 2, Open: 4, Closed: 2}},
		{"open only", switchboard.ConversationFilter{ViewerID: me.ID, Status: switchboard.StatusOpen},
			switchboard.ConversationCounts{All: 4, Unassigned: 2, Assigned: 2, Mine: 1, Open: 4, Closed: 2}},
		{"mine, status counts", switchboard.ConversationFilter{ViewerID: me.ID, Assignment: switchboard.AssignmentMine},
			switchboard.ConversationCounts{All: 6, Unassigned: 3, Assigned: 3, Mine: 2, Open: 1, Closed: 1}},
		{"channel scope", switchboard.ConversationFilter{ViewerID: me.ID, ChannelIDs: scope},
			switchboard.ConversationCounts{All: 5, Unassigned: 2, Assigned: 3, Mine: 2, Open: 3, Closed: 2}},
		{"employee visibility", switchboard.ConversationFilter{ViewerID: me.ID, OnlyAssignedTo: me.ID},
			switchboard.ConversationCounts{All: 2, Unassigned: 0, Assigned: 2, Mine: 2, Open: 1, Closed: 1}},
		{"search", switchboard.ConversationFilter{ViewerID: me.ID, Query: "dora"},
			switchboard.ConversationCounts{All: 1, Unassigned: 1, Assigned: 0, Mine: 0, Open: 0, Closed: 1}},
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
