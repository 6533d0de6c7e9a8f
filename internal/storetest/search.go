package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// hitIDs returns the ids of hits, in order.
func hitIDs(hs []*switchboard.SearchHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// search runs a message search and fails on an error.
func search(t *testing.T, s switchboard.Store, q switchboard.MessageSearch) []*switchboard.SearchHit {
	t.Helper()
	hs, _, err := s.SearchMessages(ctx(), q)
	if err != nil {
		t.Fatalf("SearchMessages(%q): %v", q.Query, err)
	}
	return hs
}

// testSearch pins message search: words match case- and accent-folded
// for every script (Cyrillic, German ß, Turkish İ/ı, French accents), all
// words of a query must match, a four-letter word matches as a prefix,
// hits come newest first with their decrypted text and page by cursor,
// notes are found (activity lines are not), every way of storing a message
// indexes it (receive, batch, send), an edit re-indexes and a revoke
// removes, channel and visibility filters hold, erasure and retention take
// the hits away, and unusable queries and cursors are EInvalid.
func testSearch(t *testing.T, open Opener) {
	t.Run("Folding", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		texts := []string{"ПРИВЕТ, как дела?", "Ich wohne in der Straße 5", "İstanbul'a yarın gidiyorum",
			"Crème brûlée s'il vous plaît", "ISTANBUL ist groß", "привет из Киева"}
		ids := make([]string, len(texts))
		for i, text := range texts {
			ids[i] = mustReceive(t, s, inbound(ch.ID, "49151000000"+string(rune('0'+i)), "", text, T0.Add(time.Duration(i)*time.Minute))).Message.ID
		}
		for _, c := range []struct {
			q    string
			want []int
		}{
			{"привет", []int{5, 0}},
			{"ПРИВЕТ", []int{5, 0}},
			{"STRASSE", []int{1}},
			{"straße", []int{1}},
			{"istanbul", []int{4, 2}}, // "İstanbul'a" is the words "istanbul" and "a"
			{"İSTANBUL", []int{4, 2}},
			{"ıstanbul", []int{4, 2}},
			{"creme BRULEE", []int{3}},
			{"GROSS istanbul", []int{4}},
			{"привет киева", []int{5}},
			{"прив", []int{5, 0}}, // four letters: a prefix
			{"прив дела", []int{0}},
			{"strasse fehlt", nil},
			{"stras", nil}, // five letters: whole words only
		} {
			var want []string
			for _, i := range c.want {
				want = append(want, ids[i])
			}
			got := hitIDs(search(t, s, switchboard.MessageSearch{Query: c.q}))
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("search %q = %v, want %v", c.q, got, want)
			}
		}
		// "İstanbul'a" folds to the words "istanbul" and "a".
		if got := hitIDs(search(t, s, switchboard.MessageSearch{Query: "istanbul a"})); !slices.Equal(got, []string{ids[2]}) {
			t.Errorf(`search "istanbul a" = %v, want the Turkish message`, got)
		}
		hs := search(t, s, switchboard.MessageSearch{Query: "straße"})
		if len(hs) != 1 || hs[0].Text != texts[1] || hs[0].Kind != switchboard.HitMessage || hs[0].ChannelID != ch.ID ||
			hs[0].ConversationID == "" || hs[0].ContactID == "" || !hs[0].At.Equal(T0.Add(time.Minute)) || hs[0].At.Location() != time.UTC {
			t.Errorf("hit = %+v", hs[0])
		}
	})

	t.Run("OrderAndPages", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		var want []string
		for i := range 7 {
			// Two messages share each timestamp: the id orders them.
			r := mustReceive(t, s, inbound(ch.ID, "4915112345678", "", "order number "+strings.Repeat("x", i+1), T0.Add(time.Duration(i/2)*time.Minute)))
			want = append(want, r.Message.ID)
		}
		all := hitIDs(search(t, s, switchboard.MessageSearch{Query: "ORDER", Limit: 50}))
		if len(all) != 7 {
			t.Fatalf("search = %d hits, want 7", len(all))
		}
		// Newest first: every later timestamp comes before an earlier one.
		for i, id := range want {
			j := slices.Index(all, id)
			for _, k := range want[i+1:] {
				if slices.Index(all, k) > j && (i/2) != (slices.Index(want, k)/2) {
					t.Fatalf("order %v: %s (older) before %s", all, id, k)
				}
			}
		}
		var paged []string
		cursor := ""
		for range 10 {
			hs, next, err := s.SearchMessages(ctx(), switchboard.MessageSearch{Query: "order", Limit: 3, Cursor: cursor})
			must(t, err)
			paged = append(paged, hitIDs(hs)...)
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(paged, all) {
			t.Fatalf("pages = %v, want %v", paged, all)
		}
		_, _, err := s.SearchMessages(ctx(), switchboard.MessageSearch{Query: "order", Cursor: "???"})
		wantCode(t, err, switchboard.EInvalid)
		for _, q := range []string{"", " ,. ", strings.Repeat("a", 201), "a b c d e f g h i"} {
			_, _, err := s.SearchMessages(ctx(), switchboard.MessageSearch{Query: q})
			wantCode(t, err, switchboard.EInvalid)
		}
	})

	t.Run("EveryWayIn", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
		conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "first lighthouse", T0)).Conversation
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
			inbound(ch.ID, "4915112345679", "Mira", "second lighthouse", T0.Add(time.Minute)),
			echoTo(ch.ID, "4915112345678", "third lighthouse", T0.Add(2*time.Minute)),
		}})
		out := &switchboard.Message{ConversationID: conv.ID, Type: switchboard.TypeText, SenderID: ana.ID,
			Content: switchboard.MessageContent{Text: "fourth lighthouse"}, Timestamp: T0.Add(3 * time.Minute)}
		_, err := s.CreateOutboundMessage(ctx(), out)
		must(t, err)
		note := &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.NoteEntry, AuthorID: ana.ID,
			Text: "Lighthouse keeper called", CreatedAt: T0.Add(4 * time.Minute)}
		_, err = s.AddThreadEntry(ctx(), note)
		must(t, err)
		_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: conv.ID, Kind: switchboard.ActivityEntry, AuthorID: ana.ID,
			Activity: &switchboard.Activity{Action: switchboard.ActivityStatus, Value: "lighthouse"}, CreatedAt: T0.Add(5 * time.Minute)})
		must(t, err)
		hs := search(t, s, switchboard.MessageSearch{Query: "lighthouse"})
		want := []string{note.ID, out.ID, r.Received[1].Message.ID, r.Received[0].Message.ID}
		if got := hitIDs(hs); len(got) != 5 || !slices.Equal(got[:4], want) {
			t.Fatalf("search = %v, want %v and the first message", got, want)
		}
		if hs[0].Kind != switchboard.HitNote || hs[0].Text != note.Text || hs[0].ConversationID != conv.ID || hs[1].Kind != switchboard.HitMessage {
			t.Errorf("note hit = %+v, then %+v", hs[0], hs[1])
		}
		// Nothing is left for the indexer.
		if n, err := s.IndexMessages(ctx(), 100); err != nil || n != 0 {
			t.Errorf("IndexMessages = %d, %v; want 0", n, err)
		}

		// An edit re-indexes, a revoke removes.
		wamid := r.Received[1].Message.WAMessageID
		mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Text: "third lamppost", At: T0.Add(time.Hour)}}})
		if got := hitIDs(search(t, s, switchboard.MessageSearch{Query: "lamppost"})); !slices.Equal(got, []string{r.Received[1].Message.ID}) {
			t.Errorf("after edit, lamppost = %v", got)
		}
		if got := hitIDs(search(t, s, switchboard.MessageSearch{Query: "third"})); !slices.Equal(got, []string{r.Received[1].Message.ID}) {
			t.Errorf("after edit, third = %v", got)
		}
		if got := search(t, s, switchboard.MessageSearch{Query: "lighthouse"}); len(got) != 4 {
			t.Errorf("after edit, lighthouse = %v, want 4 hits", hitIDs(got))
		}
		mustBatch(t, s, switchboard.InboundBatch{Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid, Revoke: true, At: T0.Add(2 * time.Hour)}}})
		if got := search(t, s, switchboard.MessageSearch{Query: "lamppost"}); len(got) != 0 {
			t.Errorf("after revoke, lamppost = %v", hitIDs(got))
		}
	})

	t.Run("Visibility", func(t *testing.T) {
		s := open(t)
		ch1, ch2 := mustChannel(t, s), mustChannel(t, s)
		emp := mustUser(t, s, "emp", "Emma", switchboard.RoleEmployee)
		other := mustUser(t, s, "other", "Otto", switchboard.RoleEmployee)
		c1 := mustReceive(t, s, inbound(ch1.ID, "4915112345601", "", "invoice one", T0)).Conversation
		c2 := mustReceive(t, s, inbound(ch1.ID, "4915112345602", "", "invoice two", T0.Add(time.Minute))).Conversation
		c3 := mustReceive(t, s, inbound(ch2.ID, "4915112345603", "", "invoice three", T0.Add(2*time.Minute))).Conversation
		c4 := mustReceive(t, s, inbound(ch1.ID, "4915112345604", "", "invoice four", T0.Add(3*time.Minute))).Conversation
		_, _, err := s.AddAssignee(ctx(), c1.ID, emp.ID, T0)
		must(t, err)
		_, _, err = s.AddAssignee(ctx(), c3.ID, emp.ID, T0)
		must(t, err)
		_, _, err = s.AddAssignee(ctx(), c2.ID, other.ID, T0)
		must(t, err)
		// A mention lets emp read c4.
		_, err = s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: c4.ID, Kind: switchboard.NoteEntry, AuthorID: other.ID,
			Text: "@Emma see this", Mentions: []string{emp.ID}, CreatedAt: T0.Add(4 * time.Minute)})
		must(t, err)
		convs := func(hs []*switchboard.SearchHit) []string {
			var out []string
			for _, h := range hs {
				out = append(out, h.ConversationID)
			}
			return out
		}
		if got := convs(search(t, s, switchboard.MessageSearch{Query: "invoice"})); !slices.Equal(got, []string{c4.ID, c3.ID, c2.ID, c1.ID}) {
			t.Errorf("everything = %v", got)
		}
		if got := convs(search(t, s, switchboard.MessageSearch{Query: "invoice", ChannelIDs: []string{ch1.ID}})); !slices.Equal(got, []string{c4.ID, c2.ID, c1.ID}) {
			t.Errorf("channel 1 = %v", got)
		}
		if got := search(t, s, switchboard.MessageSearch{Query: "invoice", ChannelIDs: []string{}}); len(got) != 0 {
			t.Errorf("no channels = %v", hitIDs(got))
		}
		if got := convs(search(t, s, switchboard.MessageSearch{Query: "invoice", OnlyVisibleTo: emp.ID})); !slices.Equal(got, []string{c4.ID, c3.ID, c1.ID}) {
			t.Errorf("visible to emp = %v, want c4 (mention), c3, c1", got)
		}
		if got := convs(search(t, s, switchboard.MessageSearch{Query: "invoice", OnlyVisibleTo: emp.ID, ChannelIDs: []string{ch1.ID}})); !slices.Equal(got, []string{c4.ID, c1.ID}) {
			t.Errorf("visible to emp in channel 1 = %v", got)
		}
		// Paging never crosses into what the filter leaves out.
		hs, next, err := s.SearchMessages(ctx(), switchboard.MessageSearch{Query: "invoice", OnlyVisibleTo: emp.ID, Limit: 2})
		must(t, err)
		rest, end, err := s.SearchMessages(ctx(), switchboard.MessageSearch{Query: "invoice", OnlyVisibleTo: emp.ID, Limit: 2, Cursor: next})
		must(t, err)
		if got := append(convs(hs), convs(rest)...); !slices.Equal(got, []string{c4.ID, c3.ID, c1.ID}) || end != "" {
			t.Errorf("pages visible to emp = %v (next %q)", got, end)
		}
	})

	t.Run("ErasureAndRetention", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		ana := mustUser(t, s, "ana", "Ana", switchboard.RoleOperator)
		gone := mustReceive(t, s, inbound(ch.ID, "4915112345601", "", "parcel for Jürgen", T0.Add(time.Hour))).Conversation
		_, err := s.AddThreadEntry(ctx(), &switchboard.ThreadEntry{ConversationID: gone.ID, Kind: switchboard.NoteEntry, AuthorID: ana.ID,
			Text: "parcel note", CreatedAt: T0.Add(2 * time.Hour)})
		must(t, err)
		old := mustReceive(t, s, inbound(ch.ID, "4915112345602", "", "old parcel", T0)).Message
		keep := mustReceive(t, s, inbound(ch.ID, "4915112345602", "", "new parcel", T0.Add(3*time.Hour))).Message
		if got := search(t, s, switchboard.MessageSearch{Query: "parcel"}); len(got) != 4 {
			t.Fatalf("before = %v, want 4 hits", hitIDs(got))
		}
		_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: gone.Contact.ID, ErasedAt: T0.Add(4 * time.Hour)})
		must(t, err)
		if got := hitIDs(search(t, s, switchboard.MessageSearch{Query: "parcel"})); !slices.Equal(got, []string{keep.ID, old.ID}) {
			t.Fatalf("after erasure = %v, want the other contact's two", got)
		}
		if got := search(t, s, switchboard.MessageSearch{Query: "jurgen"}); len(got) != 0 {
			t.Errorf("erased text still found: %v", hitIDs(got))
		}
		_, err = s.DeleteExpired(ctx(), ch.ID, T0.Add(time.Minute), 100)
		must(t, err)
		if got := hitIDs(search(t, s, switchboard.MessageSearch{Query: "parcel"})); !slices.Equal(got, []string{keep.ID}) {
			t.Fatalf("after retention = %v, want the newer one", got)
		}
	})
}
