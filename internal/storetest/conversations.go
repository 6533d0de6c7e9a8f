package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func testReceiveMessage(t *testing.T, open Opener) {
	t.Run("CreatesContactAndConversation", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		ts := T0.Add(1234567 * time.Nanosecond)
		in := inbound(ch.ID, "4915112345678", "Jürgen Müller", "Hallo!", ts)
		r := mustReceive(t, s, in)
		if !r.NewConversation || r.Duplicate {
			t.Errorf("NewConversation, Duplicate = %v, %v; want true, false", r.NewConversation, r.Duplicate)
		}
		c, m := r.Conversation, r.Message
		if !switchboard.ValidID(c.ID) || c.ChannelID != ch.ID || c.Status != switchboard.StatusOpen {
			t.Errorf("conversation = %+v", c)
		}
		if c.Contact.WaID != "4915112345678" || c.Contact.Name != "Jürgen Müller" || c.Contact.ChannelID != ch.ID || !switchboard.ValidID(c.Contact.ID) {
			t.Errorf("contact = %+v", c.Contact)
		}
		wantTS := ts.Truncate(time.Microsecond)
		if !c.LastInboundAt.Equal(wantTS) || !c.UpdatedAt.Equal(wantTS) || c.UnreadCount != 1 || len(c.Assignees) != 0 {
			t.Errorf("conversation times/counts = inbound %v updated %v unread %d assignees %v", c.LastInboundAt, c.UpdatedAt, c.UnreadCount, c.Assignees)
		}
		if c.LastMessage == nil || c.LastMessage.Text != "Hallo!" || c.LastMessage.Direction != switchboard.DirectionIn ||
			c.LastMessage.Type != switchboard.TypeText || !c.LastMessage.At.Equal(wantTS) {
			t.Errorf("LastMessage = %+v", c.LastMessage)
		}
		if !switchboard.ValidID(m.ID) || m.ConversationID != c.ID || m.Direction != switchboard.DirectionIn ||
			m.Status != switchboard.MessageReceived || m.WAMessageID != in.Message.WAMessageID || !m.Timestamp.Equal(wantTS) {
			t.Errorf("message = %+v", m)
		}
		got, err := s.Message(ctx(), m.ID)
		must(t, err)
		if got.Content.Text != "Hallo!" || got.WAMessageID != in.Message.WAMessageID || !got.Timestamp.Equal(wantTS) ||
			got.Status != switchboard.MessageReceived || got.Timestamp.Location() != time.UTC {
			t.Errorf("Message = %+v", got)
		}
		again, err := s.Conversation(ctx(), c.ID, "")
		must(t, err)
		if again.Contact != c.Contact || again.LastMessage == nil || *again.LastMessage != *c.LastMessage {
			t.Errorf("Conversation = %+v, want %+v", again, c)
		}

		r2 := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen Müller", "Noch da?", ts.Add(time.Minute)))
		if r2.Conversation.ID != c.ID || r2.NewConversation || r2.Conversation.Contact.ID != c.Contact.ID || r2.Conversation.UnreadCount != 2 {
			t.Errorf("second message: %+v", r2)
		}
		// The same number on another channel is another contact.
		other := mustChannel(t, s)
		r3 := mustReceive(t, s, inbound(other.ID, "4915112345678", "Jürgen Müller", "Hi", ts))
		if r3.Conversation.ID == c.ID || r3.Conversation.Contact.ID == c.Contact.ID {
			t.Errorf("other channel shares the conversation or contact")
		}
	})

	t.Run("Duplicate", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := inbound(ch.ID, "4915112345678", "Anna", "first", T0)
		r1 := mustReceive(t, s, in)
		dup := in
		dup.ProfileName = "Someone else"
		dup.Message = &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "changed"},
			WAMessageID: in.Message.WAMessageID, Timestamp: T0.Add(time.Hour)}
		r2 := mustReceive(t, s, dup)
		if !r2.Duplicate || r2.NewConversation || r2.Message.ID != r1.Message.ID || r2.Message.Content.Text != "first" {
			t.Errorf("duplicate = %+v, message %+v", r2, r2.Message)
		}
		c, err := s.Conversation(ctx(), r1.Conversation.ID, "")
		must(t, err)
		if c.UnreadCount != 1 || c.Contact.Name != "Anna" || !c.UpdatedAt.Equal(T0) {
			t.Errorf("duplicate changed the conversation: %+v", c)
		}
		msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{})
		must(t, err)
		if len(msgs) != 1 {
			t.Errorf("%d messages stored, want 1", len(msgs))
		}
	})

	t.Run("NameUpdate", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		mustReceive(t, s, inbound(ch.ID, "4917011112222", "Old Name", "1", T0))
		r := mustReceive(t, s, inbound(ch.ID, "4917011112222", "", "2", T0.Add(time.Second)))
		if r.Conversation.Contact.Name != "Old Name" {
			t.Errorf("empty profile name replaced the name: %q", r.Conversation.Contact.Name)
		}
		r = mustReceive(t, s, inbound(ch.ID, "4917011112222", "Neuer Name", "3", T0.Add(2*time.Second)))
		if r.Conversation.Contact.Name != "Neuer Name" {
			t.Errorf("name = %q, want %q", r.Conversation.Contact.Name, "Neuer Name")
		}
		found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "neuer"})
		must(t, err)
		if !slices.Equal(convIDs(found), []string{r.Conversation.ID}) {
			t.Errorf("search by new name = %v", convIDs(found))
		}
		found, _, err = s.Conversations(ctx(), switchboard.ConversationFilter{Query: "old"})
		must(t, err)
		if len(found) != 0 {
			t.Errorf("search by old name still finds %v", convIDs(found))
		}
	})

	t.Run("ReplyAndReaction", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		other := mustChannel(t, s)
		first := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "question", T0))
		elsewhere := mustReceive(t, s, inbound(other.ID, "4915112345678", "A", "other channel", T0))

		reply := inbound(ch.ID, "4915112345678", "A", "as I said", T0.Add(time.Second))
		reply.ReplyToWAID = first.Message.WAMessageID
		r := mustReceive(t, s, reply)
		if r.Message.ReplyToID != first.Message.ID {
			t.Errorf("ReplyToID = %q, want %q", r.Message.ReplyToID, first.Message.ID)
		}
		got, err := s.Message(ctx(), r.Message.ID)
		must(t, err)
		if got.ReplyToID != first.Message.ID {
			t.Errorf("stored ReplyToID = %q", got.ReplyToID)
		}

		react := inbound(ch.ID, "4915112345678", "A", "", T0.Add(2*time.Second))
		react.Message.Type = switchboard.TypeReaction
		react.Message.Content = switchboard.MessageContent{Reaction: &switchboard.Reaction{Emoji: "👍"}}
		react.ReactionToWAID = first.Message.WAMessageID
		r = mustReceive(t, s, react)
		got, err = s.Message(ctx(), r.Message.ID)
		must(t, err)
		if got.Content.Reaction == nil || got.Content.Reaction.MessageID != first.Message.ID || got.Content.Reaction.Emoji != "👍" {
			t.Errorf("reaction = %+v", got.Content.Reaction)
		}

		for _, wamid := range []string{"wamid.unknown", elsewhere.Message.WAMessageID} {
			unknown := inbound(ch.ID, "4915112345678", "A", "re: ?", T0.Add(3*time.Second))
			unknown.ReplyToWAID = wamid
			r = mustReceive(t, s, unknown)
			if r.Message.ReplyToID != "" {
				t.Errorf("reply to %q resolved to %q, want nothing", wamid, r.Message.ReplyToID)
			}
		}
	})

	t.Run("OutOfOrderTimestamps", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		newer := T0.Add(10 * time.Minute)
		mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "newer", newer))
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "older, delivered late", T0.Add(5*time.Minute)))
		c := r.Conversation
		if !c.LastInboundAt.Equal(newer) || !c.UpdatedAt.Equal(newer) {
			t.Errorf("LastInboundAt, UpdatedAt = %v, %v; want %v for both", c.LastInboundAt, c.UpdatedAt, newer)
		}
		if c.LastMessage == nil || c.LastMessage.Text != "newer" || c.UnreadCount != 2 {
			t.Errorf("LastMessage = %+v, unread %d", c.LastMessage, c.UnreadCount)
		}
		msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{})
		must(t, err)
		if len(msgs) != 2 || msgs[0].Content.Text != "newer" {
			t.Errorf("messages not ordered by timestamp")
		}
	})

	t.Run("ReopensClosedConversation", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "1", T0))
		closed, err := s.SetConversationStatus(ctx(), r.Conversation.ID, switchboard.StatusResolved, T0.Add(time.Minute))
		must(t, err)
		if closed.Status != switchboard.StatusResolved || !closed.UpdatedAt.Equal(T0) {
			t.Errorf("closed = status %q updated %v", closed.Status, closed.UpdatedAt)
		}
		r2 := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "2", T0.Add(time.Hour)))
		if r2.Conversation.ID != r.Conversation.ID || r2.Conversation.Status != switchboard.StatusOpen || !r2.NewConversation {
			t.Errorf("after close: conversation %s status %s new %v, want %s open true",
				r2.Conversation.ID, r2.Conversation.Status, r2.NewConversation, r.Conversation.ID)
		}
		_, err = s.SetConversationStatus(ctx(), r.Conversation.ID, "archived", T0)
		wantCode(t, err, switchboard.EInvalid)
	})

	t.Run("UnreadAndMarkRead", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		u1 := mustUser(t, s, "u1", "U1", switchboard.RoleOperator)
		u2 := mustUser(t, s, "u2", "U2", switchboard.RoleOperator)
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "1", T0))
		mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "2", T0.Add(time.Second)))
		unread := func(userID string) int {
			t.Helper()
			c, err := s.Conversation(ctx(), r.Conversation.ID, userID)
			must(t, err)
			list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{ViewerID: userID})
			must(t, err)
			if len(list) != 1 || list[0].UnreadCount != c.UnreadCount {
				t.Fatalf("list unread %v differs from Conversation unread %d", list, c.UnreadCount)
			}
			return c.UnreadCount
		}
		if a, b := unread(u1.ID), unread(u2.ID); a != 2 || b != 2 {
			t.Fatalf("unread = %d, %d; want 2, 2", a, b)
		}
		must(t, s.MarkRead(ctx(), r.Conversation.ID, u1.ID))
		if a, b := unread(u1.ID), unread(u2.ID); a != 0 || b != 2 {
			t.Fatalf("after u1 read: unread = %d, %d; want 0, 2", a, b)
		}
		mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "3", T0.Add(2*time.Second)))
		must(t, s.MarkRead(ctx(), r.Conversation.ID, u2.ID))
		mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "4", T0.Add(3*time.Second)))
		if a, b := unread(u1.ID), unread(u2.ID); a != 2 || b != 1 {
			t.Fatalf("unread = %d, %d; want 2, 1", a, b)
		}
		wantCode(t, s.MarkRead(ctx(), switchboard.NewID(), u1.ID), switchboard.ENotFound)
	})

	t.Run("MediaContent", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := inbound(ch.ID, "4915112345678", "A", "caption", T0)
		in.Message.Type = switchboard.TypeImage
		in.Message.Content.Media = &switchboard.Media{WAMediaID: "wa-media-77", MIMEType: "image/jpeg", SHA256: "abc", State: switchboard.MediaPending}
		r := mustReceive(t, s, in)
		got, err := s.Message(ctx(), r.Message.ID)
		must(t, err)
		if got.Type != switchboard.TypeImage || got.Content.Media == nil || *got.Content.Media != *in.Message.Content.Media {
			t.Errorf("media = %+v, want %+v", got.Content.Media, in.Message.Content.Media)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		_, err := s.ReceiveMessage(ctx(), switchboard.InboundMessage{ChannelID: ch.ID, WaID: "49151"})
		wantCode(t, err, switchboard.EInvalid)
		_, err = s.ReceiveMessage(ctx(), inbound(switchboard.NewID(), "4915112345678", "A", "x", T0))
		wantCode(t, err, switchboard.ENotFound)
	})
}

// fixture is a set of conversations for the filter tests.
type fixture struct {
	chA, chB        *switchboard.Channel
	operator, staff *switchboard.User
	juergen, anna   *switchboard.Conversation // channel A, open
	zoe             *switchboard.Conversation // channel B, open, unassigned
	ahmed           *switchboard.Conversation // channel A, closed, unassigned
}

func newFixture(t *testing.T, s switchboard.Store) *fixture {
	f := &fixture{chA: mustChannel(t, s), chB: mustChannel(t, s)}
	f.operator = mustUser(t, s, "olga", "Olga Operator", switchboard.RoleOperator)
	f.staff = mustUser(t, s, "emil", "Emil Employee", switchboard.RoleEmployee)
	f.juergen = mustReceive(t, s, inbound(f.chA.ID, "4915112345678", "Jürgen Müller", "1", T0.Add(1*time.Minute))).Conversation
	f.anna = mustReceive(t, s, inbound(f.chA.ID, "4917098765432", "Anna Schmidt", "2", T0.Add(2*time.Minute))).Conversation
	f.zoe = mustReceive(t, s, inbound(f.chB.ID, "493055511122", "Zoë Ångström", "3", T0.Add(3*time.Minute))).Conversation
	f.ahmed = mustReceive(t, s, inbound(f.chA.ID, "447700900123", "Ahmed", "4", T0.Add(4*time.Minute))).Conversation
	_, err := s.SetConversationStatus(ctx(), f.ahmed.ID, switchboard.StatusResolved, T0.Add(5*time.Minute))
	must(t, err)
	for _, a := range []struct {
		conv *switchboard.Conversation
		user *switchboard.User
	}{{f.juergen, f.staff}, {f.anna, f.operator}, {f.anna, f.staff}} {
		_, _, err := s.AddAssignee(ctx(), a.conv.ID, a.user.ID, T0.Add(6*time.Minute))
		must(t, err)
	}
	return f
}

func testConversations(t *testing.T, open Opener) {
	t.Run("Filters", func(t *testing.T) {
		s := open(t)
		f := newFixture(t, s)
		j, a, z, ah := f.juergen.ID, f.anna.ID, f.zoe.ID, f.ahmed.ID
		for _, tt := range []struct {
			name string
			f    switchboard.ConversationFilter
			want []string
		}{
			{"all, newest activity first", switchboard.ConversationFilter{}, []string{ah, z, a, j}},
			{"assignment all", switchboard.ConversationFilter{Assignment: switchboard.AssignmentAll}, []string{ah, z, a, j}},
			{"open", switchboard.ConversationFilter{Status: switchboard.StatusOpen}, []string{z, a, j}},
			{"closed", switchboard.ConversationFilter{Status: switchboard.StatusResolved}, []string{ah}},
			{"unassigned", switchboard.ConversationFilter{Assignment: switchboard.AssignmentUnassigned}, []string{ah, z}},
			{"assigned", switchboard.ConversationFilter{Assignment: switchboard.AssignmentAssigned}, []string{a, j}},
			{"mine (staff)", switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine, ViewerID: f.staff.ID}, []string{a, j}},
			{"mine (operator)", switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine, ViewerID: f.operator.ID}, []string{a}},
			{"only assigned to operator", switchboard.ConversationFilter{OnlyAssignedTo: f.operator.ID}, []string{a}},
			{"only assigned, unassigned", switchboard.ConversationFilter{OnlyAssignedTo: f.staff.ID, Assignment: switchboard.AssignmentUnassigned}, nil},
			{"channel B", switchboard.ConversationFilter{ChannelIDs: []string{f.chB.ID}}, []string{z}},
			{"channels A and B", switchboard.ConversationFilter{ChannelIDs: []string{f.chA.ID, f.chB.ID}, Status: switchboard.StatusOpen}, []string{z, a, j}},
			{"no channels", switchboard.ConversationFilter{ChannelIDs: []string{}}, nil},
			{"name prefix with umlaut", switchboard.ConversationFilter{Query: "Jür"}, []string{j}},
			{"name without umlaut", switchboard.ConversationFilter{Query: "jurgen"}, []string{j}},
			{"umlaut transliterated", switchboard.ConversationFilter{Query: "muell"}, []string{j}},
			{"two words any case", switchboard.ConversationFilter{Query: "MÜLLER jürgen"}, []string{j}},
			{"other script letters", switchboard.ConversationFilter{Query: "zoe ang"}, []string{z}},
			{"national format", switchboard.ConversationFilter{Query: "0151 1234"}, []string{j}},
			{"international format", switchboard.ConversationFilter{Query: "+49 170 987"}, []string{a}},
			{"partial digits", switchboard.ConversationFilter{Query: "5432"}, []string{a}},
			{"search within channel scope", switchboard.ConversationFilter{Query: "anna", ChannelIDs: []string{f.chB.ID}}, nil},
			{"no match", switchboard.ConversationFilter{Query: "Xaver"}, nil},
			{"search and status", switchboard.ConversationFilter{Query: "ahmed", Status: switchboard.StatusOpen}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, next, err := s.Conversations(ctx(), tt.f)
				must(t, err)
				if !slices.Equal(convIDs(got), tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("Conversations = %v, want %v", convIDs(got), tt.want)
				}
				if next != "" {
					t.Errorf("next = %q, want none", next)
				}
				if got == nil {
					t.Errorf("Conversations returned nil, want an empty slice")
				}
			})
		}
		for _, bad := range []switchboard.ConversationFilter{
			{Status: "archived"}, {Assignment: "theirs"}, {Assignment: switchboard.AssignmentMine}, {Query: ",,,"}, {Cursor: "not-a-cursor"},
		} {
			_, _, err := s.Conversations(ctx(), bad)
			wantCode(t, err, switchboard.EInvalid)
		}
	})

	t.Run("AssigneesAndContact", func(t *testing.T) {
		s := open(t)
		f := newFixture(t, s)
		list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "anna"})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("got %d conversations", len(list))
		}
		want := []switchboard.UserRef{{ID: f.staff.ID, Name: "Emil Employee"}, {ID: f.operator.ID, Name: "Olga Operator"}}
		if !slices.Equal(list[0].Assignees, want) {
			t.Errorf("Assignees = %v, want %v (sorted by name)", list[0].Assignees, want)
		}
		if list[0].Contact.Name != "Anna Schmidt" || list[0].Contact.WaID != "4917098765432" {
			t.Errorf("Contact = %+v", list[0].Contact)
		}
		one, err := s.Conversation(ctx(), f.anna.ID, f.staff.ID)
		must(t, err)
		if !slices.Equal(one.Assignees, want) {
			t.Errorf("Conversation.Assignees = %v, want %v", one.Assignees, want)
		}
	})

	t.Run("PagingWhileInserting", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		var all []string
		for i := 0; i < 8; i++ {
			// Two conversations per timestamp: ties are broken by id.
			r := mustReceive(t, s, inbound(ch.ID, fmt.Sprintf("49151000000%02d", i), "P", "x", T0.Add(time.Duration(i/2)*time.Minute)))
			all = append(all, r.Conversation.ID)
		}
		seen := map[string]int{}
		var walked []string
		cursor := ""
		for page := 0; page < 10; page++ {
			list, next, err := s.Conversations(ctx(), switchboard.ConversationFilter{Limit: 3, Cursor: cursor})
			must(t, err)
			if len(list) > 3 {
				t.Fatalf("page of %d", len(list))
			}
			for _, c := range list {
				seen[c.ID]++
				walked = append(walked, c.ID)
			}
			// New activity arrives between pages.
			mustReceive(t, s, inbound(ch.ID, fmt.Sprintf("49160000000%02d", page), "New", "y", T0.Add(time.Hour+time.Duration(page)*time.Minute)))
			if next == "" {
				break
			}
			cursor = next
		}
		for _, id := range all {
			if seen[id] != 1 {
				t.Errorf("conversation %s seen %d times, want once (walk %v)", id, seen[id], walked)
			}
		}
		if len(walked) != len(all) {
			t.Errorf("walked %d conversations, want %d", len(walked), len(all))
		}
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		var wg sync.WaitGroup
		for i := 0; i < 51; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Not mustReceive: Fatal must not be called outside the test goroutine.
				if _, err := s.ReceiveMessage(ctx(), inbound(ch.ID, fmt.Sprintf("491700000%03d", i), "L", "x", T0.Add(time.Duration(i)*time.Second))); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		list, next, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
		must(t, err)
		if len(list) != 50 || next == "" {
			t.Fatalf("default page = %d items, next %q; want 50 and a cursor", len(list), next)
		}
		list, next, err = s.Conversations(ctx(), switchboard.ConversationFilter{Cursor: next, Limit: 1000})
		must(t, err)
		if len(list) != 1 || next != "" {
			t.Fatalf("second page = %d items, next %q", len(list), next)
		}
	})
}

func testMessages(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	var conv string
	var want []string // newest first
	for i, at := range []time.Duration{0, time.Minute, time.Minute, 2 * time.Minute, 3 * time.Minute} {
		r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", fmt.Sprint(i), T0.Add(at)))
		conv = r.Conversation.ID
		want = append(want, r.Message.ID)
	}
	slices.Reverse(want)
	// The two messages with the same timestamp are ordered by id, descending.
	if want[2] < want[3] {
		want[2], want[3] = want[3], want[2]
	}
	var got []string
	before := ""
	for page := 0; page < 5; page++ {
		msgs, next, err := s.Messages(ctx(), conv, switchboard.MessagePage{Limit: 2, Before: before})
		must(t, err)
		if len(msgs) > 2 {
			t.Fatalf("page of %d", len(msgs))
		}
		for _, m := range msgs {
			got = append(got, m.ID)
		}
		if next == "" {
			break
		}
		before = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged messages = %v, want %v", got, want)
	}
	_, _, err := s.Messages(ctx(), conv, switchboard.MessagePage{Before: "???"})
	wantCode(t, err, switchboard.EInvalid)
	_, _, err = s.Messages(ctx(), switchboard.NewID(), switchboard.MessagePage{})
	wantCode(t, err, switchboard.ENotFound)
}

func testAssignees(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	u := mustUser(t, s, "ida", "Ida", switchboard.RoleEmployee)
	r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "x", T0))
	id := r.Conversation.ID
	for i, step := range []struct {
		add         bool
		wantChanged bool
		wantAssign  bool
	}{
		{true, true, true}, {true, false, true}, {false, true, false}, {false, false, false},
	} {
		var c *switchboard.Conversation
		var changed bool
		var err error
		if step.add {
			c, changed, err = s.AddAssignee(ctx(), id, u.ID, T0.Add(time.Hour))
		} else {
			c, changed, err = s.RemoveAssignee(ctx(), id, u.ID, T0.Add(time.Hour))
		}
		must(t, err)
		if changed != step.wantChanged || c.AssignedTo(u.ID) != step.wantAssign {
			t.Errorf("step %d: changed %v assigned %v, want %v %v", i, changed, c.AssignedTo(u.ID), step.wantChanged, step.wantAssign)
		}
		if !c.UpdatedAt.Equal(r.Conversation.UpdatedAt) {
			t.Errorf("step %d: assignment moved updated_at to %v", i, c.UpdatedAt)
		}
	}
	_, _, err := s.AddAssignee(ctx(), switchboard.NewID(), u.ID, T0)
	wantCode(t, err, switchboard.ENotFound)
	_, _, err = s.RemoveAssignee(ctx(), switchboard.NewID(), u.ID, T0)
	wantCode(t, err, switchboard.ENotFound)
	_, _, err = s.AddAssignee(ctx(), id, switchboard.NewID(), T0)
	wantCode(t, err, switchboard.ENotFound)
}

func testOutboundMessage(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	u := mustUser(t, s, "jan", "Jan", switchboard.RoleOperator)
	r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "A", "question", T0))
	at := T0.Add(time.Minute)
	m := &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText,
		Content: switchboard.MessageContent{Text: "answer"}, SenderID: u.ID, Timestamp: at, ReplyToID: r.Message.ID}
	c, err := s.CreateOutboundMessage(ctx(), m)
	must(t, err)
	if !switchboard.ValidID(m.ID) || m.Direction != switchboard.DirectionOut || m.Status != switchboard.MessagePending {
		t.Errorf("message = %+v", m)
	}
	if c.LastMessage == nil || c.LastMessage.Text != "answer" || c.LastMessage.Direction != switchboard.DirectionOut ||
		!c.UpdatedAt.Equal(at) || !c.LastInboundAt.Equal(T0) || c.UnreadCount != 1 {
		t.Errorf("conversation = %+v, preview %+v", c, c.LastMessage)
	}
	got, err := s.Message(ctx(), m.ID)
	must(t, err)
	if got.Content.Text != "answer" || got.SenderID != u.ID || got.Status != switchboard.MessagePending ||
		got.Direction != switchboard.DirectionOut || !got.Timestamp.Equal(at) || got.ReplyToID != r.Message.ID {
		t.Errorf("stored message = %+v", got)
	}
	msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{})
	must(t, err)
	if len(msgs) != 2 || msgs[0].ID != m.ID {
		t.Errorf("messages = %d, first %v", len(msgs), msgs[0].ID)
	}
	_, err = s.CreateOutboundMessage(ctx(), &switchboard.Message{ConversationID: switchboard.NewID(), Content: switchboard.MessageContent{Text: "x"}})
	wantCode(t, err, switchboard.ENotFound)
}

func testAudit(t *testing.T, open Opener) {
	s := open(t)
	entries := []*switchboard.AuditEntry{
		{At: T0.Add(123456789), ActorID: "u1", ActorLogin: "anna", Action: "user.login", Outcome: switchboard.OutcomeSuccess, IP: "192.0.2.1", UserAgent: "ua"},
		{At: T0.Add(time.Minute), ActorID: "u1", ActorLogin: "anna", Action: "user.create", ObjectType: "user", ObjectID: "u2",
			Outcome: switchboard.OutcomeSuccess, Detail: map[string]string{"role": "employee", "login": "bob"}},
		{At: T0.Add(2 * time.Minute), ActorID: "u2", ActorLogin: "bob", Action: "user.login", Outcome: switchboard.OutcomeFailure},
		{At: T0.Add(3 * time.Minute), ActorID: "u2", ActorLogin: "bob", Action: "conversation.assign", ObjectType: "conversation", ObjectID: "c1", Outcome: switchboard.OutcomeDenied},
		{At: T0.Add(4 * time.Minute), ActorID: "u1", ActorLogin: "anna", Action: "conversation.assign", ObjectType: "conversation", ObjectID: "c1", Outcome: switchboard.OutcomeSuccess},
	}
	prev := ""
	for i, e := range entries {
		must(t, s.AppendAudit(ctx(), e))
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeMAC(AuditKey, prev) {
			t.Fatalf("entry %d: seq %d prev %q hash %q", i, e.Seq, e.PrevHash, e.Hash)
		}
		prev = e.Hash
	}
	// Concurrent appends never fork the chain.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.AppendAudit(context.Background(), &switchboard.AuditEntry{At: T0.Add(time.Hour), Action: "bulk", Outcome: switchboard.OutcomeSuccess}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey)
	must(t, err)
	if checked, brk := v.Checked, v.Break; brk != nil || checked != 25 || v.Legacy != 0 {
		t.Fatalf("VerifyAuditChain = %d, %+v; want 25, nil", checked, brk)
	}

	seqs := func(es []*switchboard.AuditEntry) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    switchboard.AuditFilter
		want []int64
	}{
		{"actor", switchboard.AuditFilter{ActorID: "u1"}, []int64{5, 2, 1}},
		{"action", switchboard.AuditFilter{Action: "user.login"}, []int64{3, 1}},
		{"object", switchboard.AuditFilter{ObjectType: "conversation", ObjectID: "c1"}, []int64{5, 4}},
		{"objects", switchboard.AuditFilter{ObjectIDs: []string{"c1", "u2", "nope"}}, []int64{5, 4, 2}},
		{"objects of a type", switchboard.AuditFilter{ObjectType: "user", ObjectIDs: []string{"c1", "u2"}}, []int64{2}},
		{"since and until", switchboard.AuditFilter{Since: T0.Add(time.Minute), Until: T0.Add(3 * time.Minute)}, []int64{3, 2}},
		{"no match", switchboard.AuditFilter{Action: "nothing"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := s.AuditEntries(ctx(), tt.f)
			must(t, err)
			if !slices.Equal(seqs(got), tt.want) || next != "" {
				t.Errorf("AuditEntries = %v next %q, want %v", seqs(got), next, tt.want)
			}
		})
	}
	got, _, err := s.AuditEntries(ctx(), switchboard.AuditFilter{ObjectID: "u2"})
	must(t, err)
	if len(got) != 1 || got[0].Detail["role"] != "employee" || got[0].Detail["login"] != "bob" || !got[0].At.Equal(T0.Add(time.Minute)) {
		t.Errorf("entry = %+v", got)
	}

	var walked []int64
	cursor := ""
	for page := 0; page < 20; page++ {
		es, next, err := s.AuditEntries(ctx(), switchboard.AuditFilter{Limit: 4, Cursor: cursor})
		must(t, err)
		walked = append(walked, seqs(es)...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(walked) != 25 || walked[0] != 25 || walked[24] != 1 || !slices.IsSortedFunc(walked, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("paged audit = %v", walked)
	}
	chain, err := s.AuditChain(ctx(), 2, 2)
	must(t, err)
	if !slices.Equal(seqs(chain), []int64{3, 4}) {
		t.Errorf("AuditChain(2, 2) = %v", seqs(chain))
	}
	first, err := s.AuditChain(ctx(), 0, 1)
	must(t, err)
	if len(first) != 1 || !first[0].At.Equal(T0.Add(123456789).Truncate(time.Microsecond)) || first[0].Hash != entries[0].Hash {
		t.Errorf("first entry = %+v", first)
	}
	_, _, err = s.AuditEntries(ctx(), switchboard.AuditFilter{Cursor: "x"})
	wantCode(t, err, switchboard.EInvalid)
}

func testSchemaVersion(t *testing.T, open Opener) {
	s := open(t)
	applied, latest, err := s.SchemaVersion(ctx())
	must(t, err)
	if applied != latest || latest < 1 {
		t.Errorf("SchemaVersion = %d, %d; want equal and positive", applied, latest)
	}
	must(t, s.Ping(ctx()))
}

func testNotFound(t *testing.T, open Opener) {
	s := open(t)
	id := switchboard.NewID()
	for name, call := range map[string]func() error{
		"User":                  func() error { _, err := s.User(ctx(), id); return err },
		"UserByLogin":           func() error { _, err := s.UserByLogin(ctx(), "nobody"); return err },
		"Role":                  func() error { _, err := s.Role(ctx(), id); return err },
		"UpdateRole":            func() error { _, err := s.UpdateRole(ctx(), id, switchboard.RoleUpdate{}); return err },
		"Session":               func() error { _, err := s.Session(ctx(), id); return err },
		"Channel":               func() error { _, err := s.Channel(ctx(), id); return err },
		"Conversation":          func() error { _, err := s.Conversation(ctx(), id, ""); return err },
		"SetConversationStatus": func() error { _, err := s.SetConversationStatus(ctx(), id, switchboard.StatusResolved, T0); return err },
		"Message":               func() error { _, err := s.Message(ctx(), id); return err },
		"Messages":              func() error { _, _, err := s.Messages(ctx(), id, switchboard.MessagePage{}); return err },
		"MarkRead":              func() error { return s.MarkRead(ctx(), id, id) },
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), switchboard.ENotFound) })
	}
}

func testConcurrency(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	const n = 20
	convs := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.ReceiveMessage(context.Background(), inbound(ch.ID, "4915199999999", "Same Person", fmt.Sprint(i), T0.Add(time.Duration(i)*time.Second)))
			if err != nil {
				t.Error(err)
				return
			}
			convs[i] = r.Conversation.ID
		}()
	}
	wg.Wait()
	list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("%d conversations, want 1", len(list))
	}
	for i, id := range convs {
		if id != list[0].ID {
			t.Errorf("goroutine %d got conversation %s, want %s", i, id, list[0].ID)
		}
	}
	if list[0].UnreadCount != n {
		t.Errorf("UnreadCount = %d, want %d", list[0].UnreadCount, n)
	}
	msgs, _, err := s.Messages(ctx(), list[0].ID, switchboard.MessagePage{Limit: 100})
	must(t, err)
	if len(msgs) != n {
		t.Errorf("%d messages, want %d", len(msgs), n)
	}
}
