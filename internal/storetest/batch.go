package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file covers ReceiveBatch and EnqueueLeasedWebhook: the ingest
// worker's path, where a batch of webhook content is applied in one
// transaction that also deletes the batch's queue rows.

func mustBatch(t *testing.T, s switchboard.Store, b switchboard.InboundBatch) *switchboard.BatchResult {
	t.Helper()
	r, err := s.ReceiveBatch(ctx(), b)
	if err != nil {
		t.Fatalf("ReceiveBatch: %v", err)
	}
	if len(r.Received) != len(b.Messages) || len(r.Statuses) != len(b.Statuses) {
		t.Fatalf("ReceiveBatch returned %d received, %d statuses for %d, %d", len(r.Received), len(r.Statuses), len(b.Messages), len(b.Statuses))
	}
	return r
}

// leased queues n events leased for a minute, as the webhook handler does
// before handing them to the worker.
func leased(t *testing.T, s switchboard.Store, channelID string, n int) []int64 {
	t.Helper()
	var ids []int64
	for range n {
		id, err := s.EnqueueLeasedWebhook(ctx(), channelID, []byte(`{"object":"whatsapp_business_account"}`), time.Now(), time.Now().Add(time.Minute))
		must(t, err)
		ids = append(ids, id)
	}
	return ids
}

func queueDepth(t *testing.T, s switchboard.Store) int {
	t.Helper()
	n, err := s.WebhookQueueDepth(ctx())
	must(t, err)
	return n
}

// sameAsStored fails unless c is what Conversation reads for no viewer.
func sameAsStored(t *testing.T, s switchboard.Store, c *switchboard.Conversation) {
	t.Helper()
	got, err := s.Conversation(ctx(), c.ID, "")
	must(t, err)
	if got.ID != c.ID || got.ChannelID != c.ChannelID || got.Status != c.Status || got.Contact != c.Contact ||
		got.UnreadCount != c.UnreadCount || !got.LastInboundAt.Equal(c.LastInboundAt) || !got.CreatedAt.Equal(c.CreatedAt) ||
		!got.UpdatedAt.Equal(c.UpdatedAt) || got.KeyID != c.KeyID || !slices.Equal(got.Assignees, c.Assignees) ||
		(got.LastMessage == nil) != (c.LastMessage == nil) || (got.LastMessage != nil && *got.LastMessage != *c.LastMessage) {
		t.Errorf("batch returned conversation\n%+v (last %+v)\nstored is\n%+v (last %+v)", c, c.LastMessage, got, got.LastMessage)
	}
}

func testReceiveBatch(t *testing.T, open Opener) {
	t.Run("NewAndReturningCustomers", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		old := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna", "vorher", T0))
		events := leased(t, s, ch.ID, 2)
		b := switchboard.InboundBatch{Events: events, Messages: []switchboard.InboundMessage{
			inbound(ch.ID, "4915100000002", "Bernd", "erste", T0.Add(time.Second)),
			inbound(ch.ID, "4915100000001", "Anna", "wieder da", T0.Add(2*time.Second)),
			inbound(ch.ID, "4915100000002", "Bernd", "zweite", T0.Add(3*time.Second)),
		}}
		r := mustBatch(t, s, b)
		b1, a, b2 := r.Received[0], r.Received[1], r.Received[2]
		if !b1.NewConversation || b2.NewConversation || a.NewConversation || b1.Duplicate || a.Duplicate || b2.Duplicate {
			t.Errorf("NewConversation %v %v %v, want true false false", b1.NewConversation, a.NewConversation, b2.NewConversation)
		}
		if b1.Conversation.ID != b2.Conversation.ID || b1.Conversation.Contact.ID != b2.Conversation.Contact.ID {
			t.Errorf("a new customer's messages got two conversations or contacts")
		}
		if a.Conversation.ID != old.Conversation.ID {
			t.Errorf("returning customer got conversation %s, want %s", a.Conversation.ID, old.Conversation.ID)
		}
		c := b2.Conversation
		if c.UnreadCount != 2 || c.LastMessage == nil || c.LastMessage.Text != "zweite" || c.Contact.Name != "Bernd" ||
			c.Contact.WaID != "4915100000002" || !c.UpdatedAt.Equal(T0.Add(3*time.Second)) {
			t.Errorf("conversation after the batch = %+v, last %+v", c, c.LastMessage)
		}
		if a.Conversation.UnreadCount != 2 || a.Conversation.LastMessage.Text != "wieder da" {
			t.Errorf("returning conversation = %+v", a.Conversation)
		}
		for _, rc := range r.Received {
			sameAsStored(t, s, rc.Conversation)
			got, err := s.Message(ctx(), rc.Message.ID)
			must(t, err)
			if got.Content.Text != rc.Message.Content.Text || got.WAMessageID != rc.Message.WAMessageID ||
				got.ConversationID != rc.Conversation.ID || !got.Timestamp.Equal(rc.Message.Timestamp) ||
				got.Status != switchboard.MessageReceived || rc.Message.Status != switchboard.MessageReceived {
				t.Errorf("stored %+v, returned %+v", got, rc.Message)
			}
		}
		if d := queueDepth(t, s); d != 0 {
			t.Errorf("queue depth %d after the batch, want 0", d)
		}
	})

	// A batch with more contacts than one lookup takes, on two channels,
	// the same customer number on both, some known and some new: each
	// message lands with its own channel's contact.
	t.Run("ManyContactsTwoChannels", func(t *testing.T) {
		s := open(t)
		ch1, ch2 := mustChannel(t, s), mustChannel(t, s)
		const n = 300
		known := map[string]string{} // channel+number → conversation id
		var before switchboard.InboundBatch
		for i := 0; i < n; i += 3 {
			before.Messages = append(before.Messages, inbound(ch1.ID, fmt.Sprintf("49152%08d", i), "Kunde", "vorher", T0))
		}
		for _, rc := range mustBatch(t, s, before).Received {
			known[ch1.ID+rc.Conversation.Contact.WaID] = rc.Conversation.ID
		}
		var b switchboard.InboundBatch
		for i := range n {
			num := fmt.Sprintf("49152%08d", i)
			b.Messages = append(b.Messages, inbound(ch1.ID, num, "Kunde", "eins", T0.Add(time.Second)))
			if i%2 == 0 {
				b.Messages = append(b.Messages, inbound(ch2.ID, num, "Kunde", "zwei", T0.Add(time.Second)))
			}
		}
		r := mustBatch(t, s, b)
		convs := map[string]string{}
		for i, rc := range r.Received {
			in := b.Messages[i]
			key := in.ChannelID + in.WaID
			c := rc.Conversation
			if c.ChannelID != in.ChannelID || c.Contact.WaID != in.WaID {
				t.Fatalf("message %d from %s on %s landed in %s's conversation on %s", i, in.WaID, in.ChannelID, c.Contact.WaID, c.ChannelID)
			}
			if id, ok := known[key]; ok && (c.ID != id || rc.NewConversation) {
				t.Errorf("returning customer %s: conversation %s (new %v), want %s", key, c.ID, rc.NewConversation, id)
			} else if !ok && !rc.NewConversation {
				t.Errorf("new customer %s: not a new conversation", key)
			}
			if other, ok := convs[key]; ok && other != c.ID {
				t.Errorf("customer %s got two conversations", key)
			}
			convs[key] = c.ID
		}
		if len(convs) != n+n/2 {
			t.Errorf("%d conversations, want %d", len(convs), n+n/2)
		}
	})

	t.Run("Duplicates", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		stored := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna", "einmal", T0))
		again := stored.Message.WAMessageID
		fresh := inbound(ch.ID, "4915100000001", "Anna", "neu", T0.Add(time.Second))
		repeat := fresh
		repeat.Message = &switchboard.Message{Type: switchboard.TypeText, WAMessageID: fresh.Message.WAMessageID,
			Content: switchboard.MessageContent{Text: "neu (nochmal)"}, Timestamp: T0.Add(time.Hour)}
		redelivered := inbound(ch.ID, "4915100000001", "Anna", "einmal", T0)
		redelivered.Message.WAMessageID = again
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{redelivered, fresh, repeat}})
		if d := r.Received[0]; !d.Duplicate || d.Message.ID != stored.Message.ID || d.Message.ConversationID != stored.Conversation.ID {
			t.Errorf("redelivery = %+v, want a duplicate of %s", d.Message, stored.Message.ID)
		}
		if r.Received[1].Duplicate {
			t.Errorf("new message reported as a duplicate")
		}
		if d := r.Received[2]; !d.Duplicate || d.Message.ID != r.Received[1].Message.ID || d.Message.ConversationID != stored.Conversation.ID {
			t.Errorf("repeat within the batch = %+v, want a duplicate of %s", d.Message, r.Received[1].Message.ID)
		}
		msgs, _, err := s.Messages(ctx(), stored.Conversation.ID, switchboard.MessagePage{})
		must(t, err)
		if len(msgs) != 2 {
			t.Errorf("%d messages stored, want 2", len(msgs))
		}
		c, err := s.Conversation(ctx(), stored.Conversation.ID, "")
		must(t, err)
		if c.UnreadCount != 2 || !c.UpdatedAt.Equal(T0.Add(time.Second)) || c.LastMessage.Text != "neu" {
			t.Errorf("duplicates changed the conversation: %+v", c)
		}
	})

	t.Run("DuplicateChangesNothing", func(t *testing.T) {
		// A redelivery under another name into a closed conversation
		// neither renames the contact nor reopens the conversation.
		s := open(t)
		ch := mustChannel(t, s)
		stored := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna", "einmal", T0))
		_, err := s.SetConversationStatus(ctx(), stored.Conversation.ID, switchboard.StatusResolved, T0)
		must(t, err)
		redelivered := inbound(ch.ID, "4915100000001", "Anna Neu", "einmal", T0)
		redelivered.Message.WAMessageID = stored.Message.WAMessageID
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{redelivered}})
		if !r.Received[0].Duplicate {
			t.Fatalf("redelivery stored again")
		}
		c, err := s.Conversation(ctx(), stored.Conversation.ID, "")
		must(t, err)
		if c.Status != switchboard.StatusResolved || c.Contact.Name != "Anna" {
			t.Errorf("a duplicate changed status %q, name %q", c.Status, c.Contact.Name)
		}
	})

	t.Run("ReplyAndReactionWithinBatch", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		question := inbound(ch.ID, "4915100000001", "A", "Frage", T0)
		reply := inbound(ch.ID, "4915100000001", "A", "wie gesagt", T0.Add(time.Second))
		reply.ReplyToWAID = question.Message.WAMessageID
		react := inbound(ch.ID, "4915100000001", "A", "", T0.Add(2*time.Second))
		react.Message.Type = switchboard.TypeReaction
		react.Message.Content = switchboard.MessageContent{Reaction: &switchboard.Reaction{Emoji: "👍"}}
		react.ReactionToWAID = question.Message.WAMessageID
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{question, reply, react}})
		qid := r.Received[0].Message.ID
		got, err := s.Message(ctx(), r.Received[1].Message.ID)
		must(t, err)
		if got.ReplyToID != qid || r.Received[1].Message.ReplyToID != qid {
			t.Errorf("reply resolved to %q (returned %q), want %q", got.ReplyToID, r.Received[1].Message.ReplyToID, qid)
		}
		got, err = s.Message(ctx(), r.Received[2].Message.ID)
		must(t, err)
		if got.Content.Reaction == nil || got.Content.Reaction.MessageID != qid || got.Content.Reaction.Emoji != "👍" {
			t.Errorf("reaction = %+v, want to %s", got.Content.Reaction, qid)
		}
	})

	t.Run("NameAndReopen", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		first := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Alter Name", "1", T0))
		_, err := s.SetConversationStatus(ctx(), first.Conversation.ID, switchboard.StatusResolved, T0)
		must(t, err)
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
			inbound(ch.ID, "4915100000001", "Neuer Name", "2", T0.Add(time.Second)),
			inbound(ch.ID, "4915100000001", "", "3", T0.Add(2*time.Second)),
		}})
		a, b := r.Received[0], r.Received[1]
		if a.Conversation.ID != first.Conversation.ID || !a.NewConversation || b.NewConversation {
			t.Errorf("reopen: conversation %s new %v, %v; want %s true false", a.Conversation.ID, a.NewConversation, b.NewConversation, first.Conversation.ID)
		}
		c := b.Conversation
		if c.Status != switchboard.StatusOpen || c.Contact.Name != "Neuer Name" || c.UnreadCount != 3 {
			t.Errorf("conversation = status %q name %q unread %d", c.Status, c.Contact.Name, c.UnreadCount)
		}
		sameAsStored(t, s, c)
		found, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: "neuer"})
		must(t, err)
		if len(found) != 1 || found[0].ID != c.ID {
			t.Errorf("search by the new name found %v", convIDs(found))
		}
	})

	t.Run("OutOfOrderAndAssignees", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		u := mustUser(t, s, unique("op"), "Olga", switchboard.RoleOperator)
		newer := mustReceive(t, s, inbound(ch.ID, "4915100000001", "A", "neuer", T0.Add(time.Hour)))
		_, _, err := s.AddAssignee(ctx(), newer.Conversation.ID, u.ID, T0)
		must(t, err)
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
			inbound(ch.ID, "4915100000001", "A", "älter, spät zugestellt", T0),
		}})
		c := r.Received[0].Conversation
		if c.LastMessage == nil || c.LastMessage.Text != "neuer" || !c.UpdatedAt.Equal(T0.Add(time.Hour)) ||
			!c.LastInboundAt.Equal(T0.Add(time.Hour)) || c.UnreadCount != 2 {
			t.Errorf("late message moved the conversation: %+v, last %+v", c, c.LastMessage)
		}
		if len(c.Assignees) != 1 || c.Assignees[0].ID != u.ID {
			t.Errorf("assignees = %+v", c.Assignees)
		}
		sameAsStored(t, s, c)
	})

	t.Run("MediaQueued", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		in := inbound(ch.ID, "4915100000001", "A", "Bild", T0)
		in.Message.Type = switchboard.TypeImage
		in.Message.Content.Media = &switchboard.Media{WAMediaID: "wa-media-9", MIMEType: "image/jpeg", State: switchboard.MediaPending}
		r := mustBatch(t, s, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}})
		jobs, err := s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, claimNow())
		must(t, err)
		if len(jobs) != 1 || jobs[0].MessageID != r.Received[0].Message.ID || jobs[0].WAMediaID != "wa-media-9" {
			t.Errorf("media downloads = %+v", jobs)
		}
	})

	t.Run("Statuses", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := f.send(t, s, f.a.Conversation.ID, "Antwort", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		_, err := s.MarkSent(ctx(), m.ID, "wamid.out1", time.Now())
		must(t, err)
		st := func(wamid string, status switchboard.MessageStatus) switchboard.StatusUpdate {
			return switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: wamid, Status: status, Timestamp: T0}
		}
		events := leased(t, s, f.ch.ID, 1)
		r := mustBatch(t, s, switchboard.InboundBatch{Events: events, Statuses: []switchboard.StatusUpdate{
			st("wamid.out1", switchboard.MessageDelivered),
			st("wamid.out1", switchboard.MessageRead),
			st("wamid.out1", switchboard.MessageDelivered), // late: never regresses
			st("wamid.unknown", switchboard.MessageDelivered),
			st("wamid.out1", "deleted"), // a value this version does not know
		}})
		want := []bool{true, true, false, false, false}
		for i, res := range r.Statuses {
			if res.Changed != want[i] {
				t.Errorf("status %d changed = %v, want %v", i, res.Changed, want[i])
			}
			if res.Changed && (res.Message == nil || res.Message.ID != m.ID || res.Conversation == nil ||
				res.Conversation.ID != f.a.Conversation.ID || res.Message.Status != switchboard.MessageRead) {
				t.Errorf("status %d result = %+v", i, res)
			}
		}
		if !r.Statuses[3].Parked {
			t.Errorf("status of an unknown wamid not parked: %+v", r.Statuses[3])
		}
		if got := mustStatus(t, s, m.ID).Status; got != switchboard.MessageRead {
			t.Errorf("status = %q, want read", got)
		}
		if d := queueDepth(t, s); d != 0 {
			t.Errorf("queue depth %d, want 0", d)
		}
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		events := leased(t, s, ch.ID, 2)
		_, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Events: events, Messages: []switchboard.InboundMessage{
			inbound(ch.ID, "4915100000001", "A", "gut", T0),
			inbound(switchboard.NewID(), "4915100000002", "B", "unbekannter Kanal", T0),
		}})
		wantCode(t, err, switchboard.ENotFound)
		list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
		must(t, err)
		if len(list) != 0 || queueDepth(t, s) != 2 {
			t.Errorf("failed batch left %d conversations, queue depth %d; want 0, 2", len(list), queueDepth(t, s))
		}
		_, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{{ChannelID: ch.ID, WaID: "49151"}}})
		wantCode(t, err, switchboard.EInvalid)
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Batches of the same customers in different orders, and the same
		// webhooks in several batches (a redelivery, a lease that ran
		// out), applied at once: each message is stored once and nothing
		// deadlocks.
		s := open(t)
		ch := mustChannel(t, s)
		const customers, perBatch, batches = 6, 12, 8
		var all []switchboard.InboundMessage
		for i := range perBatch * batches / 2 {
			c := i % customers
			all = append(all, inbound(ch.ID, fmt.Sprintf("49151000000%02d", c), fmt.Sprintf("Kunde %d", c), fmt.Sprint(i), T0.Add(time.Duration(i)*time.Second)))
		}
		var wg sync.WaitGroup
		errs := make(chan error, batches)
		for b := range batches {
			var batch switchboard.InboundBatch
			for k := range perBatch {
				// Every message is in two batches; every other batch
				// goes backwards.
				if b%2 == 1 {
					k = perBatch - 1 - k
				}
				batch.Messages = append(batch.Messages, all[(b*perBatch+k)%len(all)])
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.ReceiveBatch(ctx(), batch)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("ReceiveBatch: %v", err)
			}
		}
		list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
		must(t, err)
		if len(list) != customers {
			t.Fatalf("%d conversations, want %d", len(list), customers)
		}
		stored := 0
		for _, c := range list {
			msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{Limit: 200})
			must(t, err)
			stored += len(msgs)
			if c.UnreadCount != len(msgs) {
				t.Errorf("conversation %s counts %d unread for %d messages", c.ID, c.UnreadCount, len(msgs))
			}
		}
		if stored != len(all) {
			t.Errorf("%d messages stored, want %d", stored, len(all))
		}
	})

	t.Run("EventsOnly", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		events := leased(t, s, ch.ID, 3)
		mustBatch(t, s, switchboard.InboundBatch{Events: append(events[:2], 987654321)})
		if d := queueDepth(t, s); d != 1 {
			t.Errorf("queue depth %d, want 1", d)
		}
	})
}

func testLeasedWebhook(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	id, err := s.EnqueueLeasedWebhook(ctx(), ch.ID, []byte(`{"leased":true}`), now, now.Add(time.Minute))
	must(t, err)
	plain := []byte(`{"leased":false}`)
	must(t, s.EnqueueWebhook(ctx(), ch.ID, plain, now))
	got, err := s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now.Add(time.Second))
	must(t, err)
	if len(got) != 1 || string(got[0].Body) != string(plain) {
		t.Fatalf("claimed %d events while one was leased, want only the other", len(got))
	}
	// The accepting process died: the lease runs out and the event is
	// claimed, as a second attempt.
	got, err = s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now.Add(2*time.Minute))
	must(t, err)
	var found *switchboard.WebhookEvent
	for _, e := range got {
		if e.ID == id {
			found = e
		}
	}
	if found == nil || string(found.Body) != `{"leased":true}` || found.Attempts != 2 || found.ChannelID != ch.ID || !found.ReceivedAt.Equal(now) {
		t.Errorf("reclaimed %+v", found)
	}
	_, err = s.EnqueueLeasedWebhook(ctx(), switchboard.NewID(), plain, now, now.Add(time.Minute))
	wantCode(t, err, switchboard.ENotFound)
}
