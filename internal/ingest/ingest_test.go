package ingest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
)

var (
	t0  = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	now = t0.Add(time.Hour)
)

// Blind indexes in these tests are readable stand-ins: "w:" and the phone
// number (or BSUID), "u:" and the BSUID, "m:" and the wamid.
func wa(v string) []byte {
	if v == "" {
		return nil
	}
	return []byte("w:" + v)
}

func us(v string) []byte {
	if v == "" {
		return nil
	}
	return []byte("u:" + v)
}

func mid(v string) []byte {
	if v == "" {
		return nil
	}
	return []byte("m:" + v)
}

// msg builds a batch message the way the stores prepare one.
func msg(waID, userID, name, wamid string, ts time.Time, opts ...func(*ingest.Message)) ingest.Message {
	m := ingest.Message{
		In: switchboard.InboundMessage{ChannelID: "ch", WaID: waID, UserID: userID, ProfileName: name,
			Message: &switchboard.Message{Content: switchboard.MessageContent{Text: "text " + wamid}, WAMessageID: wamid, Timestamp: ts}},
		WAMID: mid(wamid), Phone: wa(waID), User: us(userID),
	}
	m.Key = wa(waID)
	if waID == "" {
		m.Key = wa(userID)
	}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func withChange(newWaID, newUserID string) func(*ingest.Message) {
	return func(m *ingest.Message) {
		m.In.NewWaID, m.In.NewUserID, m.NewPhone, m.NewUser = newWaID, newUserID, wa(newWaID), us(newUserID)
	}
}

func withUsername(u string) func(*ingest.Message) {
	return func(m *ingest.Message) { m.In.Username = u }
}

func replyTo(wamid string) func(*ingest.Message) {
	return func(m *ingest.Message) { m.In.ReplyToWAID, m.ReplyTo = wamid, mid(wamid) }
}

func reactTo(wamid string) func(*ingest.Message) {
	return func(m *ingest.Message) {
		m.In.ReactionToWAID, m.ReactedTo = wamid, mid(wamid)
		m.In.Message.Type = switchboard.TypeReaction
		m.In.Message.Content = switchboard.MessageContent{Reaction: &switchboard.Reaction{Emoji: "👍"}}
	}
}

// stored builds a stored contact with an open (or closed) conversation.
func stored(id, waID, userID, name string, status switchboard.ConversationStatus) (*ingest.Contact, *ingest.Conversation) {
	ct := &ingest.Contact{ID: id, ChannelID: "ch", KeyID: "key-" + id, CreatedAt: t0.Add(-time.Hour), WaHash: wa(waID),
		UserHash: us(userID), Name: name, WaID: waID, UserID: userID}
	if waID == "" {
		ct.WaHash = wa(userID)
	}
	if status == "" {
		return ct, nil
	}
	return ct, &ingest.Conversation{ID: "conv-" + id, ContactID: id, KeyID: ct.KeyID, Status: status, CreatedAt: t0.Add(-time.Hour),
		Activity: switchboard.ConversationActivity{LastMessageAt: t0.Add(-time.Minute), LastInboundAt: t0.Add(-time.Minute),
			InboundCount: 3, UpdatedAt: t0.Add(-time.Minute)}, LastMessage: []byte("sealed"), Contact: ct}
}

// build plans the batch over the stored contacts and conversations with
// ids that count up.
func build(msgs []ingest.Message, contacts []*ingest.Contact, convs []*ingest.Conversation, known map[string]ingest.Known) *ingest.Plan {
	st := ingest.Stored{Contacts: contacts, Conversations: map[string]*ingest.Conversation{}, Messages: known}
	for _, cv := range convs {
		if cv != nil {
			st.Conversations[cv.ContactID] = cv
		}
	}
	n := 0
	return ingest.Build(ingest.Input{Messages: msgs, Stored: st, Now: now,
		NewID:        func() string { n++; return fmt.Sprintf("id%d", n) },
		NewMessageID: func() string { n++; return fmt.Sprintf("msg%d", n) }})
}

// outcome is a message's outcome in short: the contact and conversation it
// went to, and whether it was new or a duplicate.
type outcome struct {
	contact, conv string
	newConv, dup  bool
}

func outcomes(p *ingest.Plan) []outcome {
	byConv := map[string]string{}
	for _, ins := range p.Inserts {
		byConv[ins.Conversation.ID] = ins.Contact.ID
	}
	out := make([]outcome, len(p.Received))
	for i, r := range p.Received {
		out[i] = outcome{contact: byConv[r.Message.ConversationID], conv: r.Message.ConversationID, newConv: r.NewConversation, dup: r.Duplicate}
	}
	return out
}

func TestBuildOutcomes(t *testing.T) {
	ann, annConv := stored("ann", "4911", "", "Ann", switchboard.StatusOpen)
	bob, bobConv := stored("bob", "4922", "US.bob", "Bob", switchboard.StatusResolved)
	cat, _ := stored("cat", "", "US.cat", "Cat", "")
	all := []*ingest.Contact{ann, bob, cat}
	convs := []*ingest.Conversation{annConv, bobConv}
	known := map[string]ingest.Known{"m:old": {ID: "stored-old", ConversationID: "conv-ann"}}
	for _, tt := range []struct {
		name string
		msgs []ingest.Message
		want []outcome
	}{
		{"a new customer gets a contact and a conversation, once",
			[]ingest.Message{msg("4933", "", "Dan", "a", t0), msg("4933", "", "Dan", "b", t0.Add(time.Second))},
			[]outcome{{"id1", "id3", true, false}, {"id1", "id3", false, false}}},
		{"a returning customer writes into the open conversation",
			[]ingest.Message{msg("4911", "", "Ann", "a", t0)},
			[]outcome{{"ann", "conv-ann", false, false}}},
		{"writing after a close reopens the conversation; the first message says so",
			[]ingest.Message{msg("4922", "US.bob", "Bob", "a", t0), msg("4922", "US.bob", "Bob", "b", t0)},
			[]outcome{{"bob", "conv-bob", true, false}, {"bob", "conv-bob", false, false}}},
		{"a stored wamid and a repeat within the batch are duplicates",
			[]ingest.Message{msg("4911", "", "Ann", "old", t0), msg("4911", "", "Ann", "a", t0), msg("4911", "", "Ann", "a", t0)},
			[]outcome{{"ann", "conv-ann", false, true}, {"ann", "conv-ann", false, false}, {"ann", "conv-ann", false, true}}},
		{"the BSUID is looked up before the phone number",
			[]ingest.Message{msg("4911", "US.cat", "Cat", "a", t0)},
			[]outcome{{"cat", "id2", true, false}}}, // id1 is the message's
		{"a username-only customer is found by BSUID",
			[]ingest.Message{msg("", "US.cat", "Cat", "a", t0)},
			[]outcome{{"cat", "id2", true, false}}}, // id1 is the message's
		{"an unknown BSUID with a known phone number is that contact",
			[]ingest.Message{msg("4911", "US.ann", "Ann", "a", t0)},
			[]outcome{{"ann", "conv-ann", false, false}}},
		{"after a number change the new number finds the contact",
			[]ingest.Message{msg("4911", "", "Ann", "a", t0, withChange("4999", "")), msg("4999", "", "Ann", "b", t0)},
			[]outcome{{"ann", "conv-ann", false, false}, {"ann", "conv-ann", false, false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := build(tt.msgs, clone(all), cloneConvs(convs), known)
			got := outcomes(p)
			for i := range tt.want {
				if got[i].dup {
					got[i].contact = tt.want[i].contact // a duplicate names only its conversation
				}
				if got[i] != tt.want[i] {
					t.Errorf("message %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func clone(cs []*ingest.Contact) []*ingest.Contact {
	out := make([]*ingest.Contact, len(cs))
	for i, c := range cs {
		cc := *c
		out[i] = &cc
	}
	return out
}

func cloneConvs(cs []*ingest.Conversation) []*ingest.Conversation {
	out := make([]*ingest.Conversation, len(cs))
	for i, c := range cs {
		cc := *c
		out[i] = &cc
	}
	return out
}

func TestBuildIdentities(t *testing.T) {
	type want struct {
		waID, userID, username, name string
		waHash, userHash             string
		renamed, identified, terms   bool
	}
	for _, tt := range []struct {
		name     string
		contacts []*ingest.Contact
		msgs     []ingest.Message
		contact  string // the contact to check
		want     want
		changed  bool // whether the plan lists the contact as changed
	}{
		{name: "same name and identifiers change nothing",
			contacts: []*ingest.Contact{contact("ann", "4911", "US.ann", "Ann")},
			msgs:     []ingest.Message{msg("4911", "US.ann", "Ann", "a", t0)}, contact: "ann",
			want: want{waID: "4911", userID: "US.ann", name: "Ann", waHash: "w:4911", userHash: "u:US.ann"}},
		{name: "an empty profile name keeps the name",
			contacts: []*ingest.Contact{contact("ann", "4911", "", "Ann")},
			msgs:     []ingest.Message{msg("4911", "", "", "a", t0)}, contact: "ann",
			want: want{waID: "4911", name: "Ann", waHash: "w:4911"}},
		{name: "a new profile name renames, with terms",
			contacts: []*ingest.Contact{contact("ann", "4911", "", "Ann")},
			msgs:     []ingest.Message{msg("4911", "", "Anna", "a", t0)}, contact: "ann", changed: true,
			want: want{waID: "4911", name: "Anna", waHash: "w:4911", renamed: true, terms: true}},
		{name: "a first BSUID is linked to a phone-only contact",
			contacts: []*ingest.Contact{contact("ann", "4911", "", "Ann")},
			msgs:     []ingest.Message{msg("4911", "US.ann", "Ann", "a", t0)}, contact: "ann", changed: true,
			want: want{waID: "4911", userID: "US.ann", name: "Ann", waHash: "w:4911", userHash: "u:US.ann", identified: true}},
		{name: "a BSUID another contact holds stays there",
			contacts: []*ingest.Contact{contact("ann", "4911", "", "Ann"), contact("cat", "", "US.cat", "Cat")},
			msgs:     []ingest.Message{msg("4911", "", "Ann", "a", t0, withChange("", "US.cat"))}, contact: "ann",
			want: want{waID: "4911", name: "Ann", waHash: "w:4911"}},
		{name: "a first phone number moves a username-only contact's wa_id_hash to it",
			contacts: []*ingest.Contact{contact("cat", "", "US.cat", "Cat")},
			msgs:     []ingest.Message{msg("4944", "US.cat", "Cat", "a", t0)}, contact: "cat", changed: true,
			want: want{waID: "4944", userID: "US.cat", name: "Cat", waHash: "w:4944", userHash: "u:US.cat", identified: true, terms: true}},
		{name: "a new number another contact holds is recorded, its blind index stays",
			contacts: []*ingest.Contact{contact("ann", "4911", "", "Ann"), contact("dan", "4955", "", "Dan")},
			msgs:     []ingest.Message{msg("4911", "", "Ann", "a", t0, withChange("4955", ""))}, contact: "ann", changed: true,
			want: want{waID: "4955", name: "Ann", waHash: "w:4911", identified: true, terms: true}},
		{name: "a BSUID change replaces the BSUID",
			contacts: []*ingest.Contact{contact("cat", "4966", "US.cat", "Cat")},
			msgs:     []ingest.Message{msg("4966", "US.cat", "Cat", "a", t0, withChange("", "US.cat2")), msg("", "US.cat2", "Cat", "b", t0)},
			contact:  "cat", changed: true,
			want: want{waID: "4966", userID: "US.cat2", name: "Cat", waHash: "w:4966", userHash: "u:US.cat2", identified: true}},
		{name: "a changed username is stored, with terms",
			contacts: []*ingest.Contact{contact("cat", "", "US.cat", "Cat")},
			msgs:     []ingest.Message{msg("", "US.cat", "Cat", "a", t0, withUsername("@cat"))}, contact: "cat", changed: true,
			want: want{userID: "US.cat", username: "@cat", name: "Cat", waHash: "w:US.cat", userHash: "u:US.cat", identified: true, terms: true}},
		{name: "a new contact takes a change its first message brings",
			msgs:    []ingest.Message{msg("4977", "", "Eve", "a", t0, withChange("4978", ""))},
			contact: "id1", changed: true,
			want: want{waID: "4978", name: "Eve", waHash: "w:4978", identified: true, terms: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := build(tt.msgs, tt.contacts, nil, nil)
			var ct *ingest.Contact
			for _, ins := range p.Inserts {
				if ins.Contact.ID == tt.contact {
					ct = ins.Contact
				}
			}
			if ct == nil {
				t.Fatalf("no message went to %s", tt.contact)
			}
			got := want{ct.WaID, ct.UserID, ct.Username, ct.Name, string(ct.WaHash), string(ct.UserHash), ct.Renamed, ct.Identified, ct.Terms}
			if ct.New {
				got.renamed, got.terms = tt.want.renamed, tt.want.terms // a new contact is written whole
			}
			if got != tt.want {
				t.Errorf("contact = %+v, want %+v", got, tt.want)
			}
			listed := false
			for _, c := range p.Contacts {
				listed = listed || c == ct
			}
			if listed != tt.changed {
				t.Errorf("listed as changed = %v, want %v", listed, tt.changed)
			}
			for i, ins := range p.Inserts {
				if ins.Contact != ct && ins.Contact.ID == ct.ID {
					t.Errorf("insert %d has a second copy of the contact", i)
				}
			}
		})
	}
}

func contact(id, waID, userID, name string) *ingest.Contact {
	ct, _ := stored(id, waID, userID, name, "")
	return ct
}

func TestBuildMessages(t *testing.T) {
	ann, annConv := stored("ann", "4911", "", "Ann", switchboard.StatusOpen)
	known := map[string]ingest.Known{"m:old": {ID: "stored-old", ConversationID: "conv-ann"}}
	late := msg("4911", "", "Ann", "late", t0.Add(-time.Hour))
	media := msg("4911", "", "Ann", "img", t0.Add(time.Second))
	media.In.Message.Type = switchboard.TypeImage
	media.In.Message.Content = switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: "wa-media", Filename: "p.jpg"}}
	p := build([]ingest.Message{
		msg("4911", "", "Ann", "a", t0.Add(123*time.Nanosecond), replyTo("old")),
		msg("4911", "", "Ann", "b", time.Time{}, replyTo("a"), reactTo("a")),
		msg("4911", "", "Ann", "c", t0, replyTo("unknown"), reactTo("unknown")),
		late, media,
	}, []*ingest.Contact{ann}, []*ingest.Conversation{annConv}, known)

	if len(p.Inserts) != 5 {
		t.Fatalf("inserts = %d", len(p.Inserts))
	}
	a, b, c := p.Inserts[0].Message, p.Inserts[1].Message, p.Inserts[2].Message
	if a.ID != "msg1" || a.Direction != switchboard.DirectionIn || a.Status != switchboard.MessageReceived || a.Type != switchboard.TypeText ||
		!a.Timestamp.Equal(t0) || !a.CreatedAt.Equal(now) || !a.UpdatedAt.Equal(now) || a.ConversationID != "conv-ann" {
		t.Errorf("message a = %+v", a)
	}
	if a.ReplyToID != "stored-old" {
		t.Errorf("reply to a stored message = %q", a.ReplyToID)
	}
	if !b.Timestamp.Equal(now) || b.ReplyToID != a.ID || b.Content.Reaction == nil || b.Content.Reaction.MessageID != a.ID ||
		b.Content.Reaction.Emoji != "👍" {
		t.Errorf("message b (no timestamp, reply and reaction within the batch) = %+v, reaction %+v", b, b.Content.Reaction)
	}
	if c.ReplyToID != "" || c.Content.Reaction == nil || c.Content.Reaction.MessageID != "" {
		t.Errorf("message c (unknown targets) = %+v", c)
	}
	if p.Inserts[4].Media != true || p.Inserts[0].Media || string(p.Inserts[0].WAMIDHash) != "m:a" {
		t.Errorf("media/wamid flags = %+v", p.Inserts)
	}
	if len(p.Conversations) != 1 {
		t.Fatalf("conversations = %d", len(p.Conversations))
	}
	cv := p.Conversations[0]
	want := switchboard.ConversationActivity{LastMessageAt: now, LastInboundAt: now, InboundCount: 8, UpdatedAt: now}
	if cv.Activity != want || cv.Preview == nil || cv.Preview.Text != "👍" || cv.New || cv.Reopened {
		t.Errorf("conversation = %+v, preview %+v", cv.Activity, cv.Preview)
	}
	if len(p.Contacts) != 0 {
		t.Errorf("contacts changed: %+v", p.Contacts)
	}
	got := cv.Conversation()
	if got.ID != "conv-ann" || got.Contact.Name != "Ann" || got.UnreadCount != 8 || !got.UpdatedAt.Equal(now) ||
		got.LastMessage == nil || got.LastMessage.Text != "👍" || got.Assignees == nil {
		t.Errorf("Conversation() = %+v", got)
	}
}

func TestBuildLateMessageKeepsPreview(t *testing.T) {
	ann, annConv := stored("ann", "4911", "", "Ann", switchboard.StatusOpen)
	p := build([]ingest.Message{msg("4911", "", "Ann", "late", t0.Add(-time.Hour))}, []*ingest.Contact{ann}, []*ingest.Conversation{annConv}, nil)
	cv := p.Conversations[0]
	if cv.Preview != nil || !cv.Activity.UpdatedAt.Equal(t0.Add(-time.Minute)) || cv.Activity.InboundCount != 4 {
		t.Errorf("conversation = %+v, preview %+v", cv.Activity, cv.Preview)
	}
	if cv.Conversation().LastMessage != nil {
		t.Error("Conversation() invents a preview the store must open")
	}
}

func TestResultReadsEachChangedMessageOnce(t *testing.T) {
	var msgReads, convReads int
	p := &ingest.Plan{}
	res, err := p.Result([]ingest.StatusOutcome{
		{MessageID: "m1", Changed: true}, {MessageID: "m1", Changed: true}, {Parked: true}, {MessageID: "m2"},
	}, ingest.Reader{
		Message: func(id string) (*switchboard.Message, error) {
			msgReads++
			return &switchboard.Message{ID: id, ConversationID: "c1"}, nil
		},
		Conversation: func(id string) (*switchboard.Conversation, error) {
			convReads++
			return &switchboard.Conversation{ID: id}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if msgReads != 1 || convReads != 1 {
		t.Fatalf("reads: %d messages, %d conversations; want 1 and 1", msgReads, convReads)
	}
	if len(res.Statuses) != 4 || res.Statuses[0].Message.ID != "m1" || res.Statuses[1].Conversation.ID != "c1" {
		t.Fatalf("statuses: %+v", res.Statuses)
	}
	if !res.Statuses[2].Parked || res.Statuses[2].Message != nil || res.Statuses[3].Changed || res.Statuses[3].Message != nil {
		t.Fatalf("parked/unchanged: %+v %+v", res.Statuses[2], res.Statuses[3])
	}
}
