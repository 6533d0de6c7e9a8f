package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file covers what the WhatsApp channel needs from a store: the
// webhook queue, the outbox and delivery statuses, channel health and
// templates, media and idempotent sends.
//
// Queue times: rows created by the store itself (outbox entries, media
// downloads) are due at the store clock's "now", so these tests claim with
// times taken from the real clock (see [claimNow]), never from T0.

// claimNow returns a time safely after everything the store has stamped so
// far with its own clock.
func claimNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond).Add(time.Second) }

// outFixture is a channel with two conversations and an operator.
type outFixture struct {
	ch     *switchboard.Channel
	user   *switchboard.User
	a, b   *switchboard.Received // first inbound message of each conversation
	waidA  string
	waidB  string
	others *switchboard.Channel
}

func newOutFixture(t *testing.T, s switchboard.Store) *outFixture {
	t.Helper()
	f := &outFixture{ch: mustChannel(t, s), others: mustChannel(t, s), waidA: "4915111111111", waidB: "4915122222222"}
	f.user = mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
	f.a = mustReceive(t, s, inbound(f.ch.ID, f.waidA, "Anna", "Hallo", T0))
	f.b = mustReceive(t, s, inbound(f.ch.ID, f.waidB, "Bernd", "Moin", T0))
	return f
}

// send queues an outbound text at ts.
func (f *outFixture) send(t *testing.T, s switchboard.Store, convID, text string, ts time.Time) *switchboard.Message {
	t.Helper()
	m := &switchboard.Message{ConversationID: convID, Type: switchboard.TypeText, SenderID: f.user.ID,
		Content: switchboard.MessageContent{Text: text}, Timestamp: ts}
	if _, err := s.CreateOutboundMessage(ctx(), m); err != nil {
		t.Fatalf("CreateOutboundMessage: %v", err)
	}
	return m
}

func claimIDs(items []*switchboard.OutboxItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Message.ID
	}
	return out
}

func mustClaimOutbox(t *testing.T, s switchboard.Store, n int, lease time.Duration, now time.Time) []*switchboard.OutboxItem {
	t.Helper()
	items, err := s.ClaimOutbox(ctx(), n, 0, lease, now)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	return items
}

func mustStatus(t *testing.T, s switchboard.Store, id string) *switchboard.Message {
	t.Helper()
	m, err := s.Message(ctx(), id)
	must(t, err)
	return m
}

func wantDepth(t *testing.T, s switchboard.Store, channelID string, want int) {
	t.Helper()
	got, err := s.OutboxDepth(ctx(), channelID)
	must(t, err)
	if got != want {
		t.Errorf("OutboxDepth(%q) = %d, want %d", channelID, got, want)
	}
}

func testWebhookQueue(t *testing.T, open Opener) {
	t.Run("ClaimLeaseDelete", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		bodies := []string{`{"entry":[1]}`, `{"entry":[2]}`, `{"entry":[3]}`}
		for i, b := range bodies {
			must(t, s.EnqueueWebhook(ctx(), ch.ID, []byte(b), T0.Add(time.Duration(i)*time.Second+time.Nanosecond)))
		}
		if d, err := s.WebhookQueueDepth(ctx()); err != nil || d != 3 {
			t.Fatalf("WebhookQueueDepth = %d, %v; want 3", d, err)
		}
		now := T0.Add(time.Hour)
		got, err := s.ClaimWebhooks(ctx(), 2, 0, time.Minute, now)
		must(t, err)
		if len(got) != 2 {
			t.Fatalf("claimed %d, want 2", len(got))
		}
		for i, e := range got {
			if string(e.Body) != bodies[i] || e.ChannelID != ch.ID || e.Attempts != 1 ||
				!e.ReceivedAt.Equal(T0.Add(time.Duration(i)*time.Second)) || e.ReceivedAt.Location() != time.UTC {
				t.Errorf("event %d = %+v (body %s)", i, e, e.Body)
			}
		}
		if got[0].ID >= got[1].ID {
			t.Errorf("ids %d, %d not ascending", got[0].ID, got[1].ID)
		}
		rest, err := s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now)
		must(t, err)
		if len(rest) != 1 || string(rest[0].Body) != bodies[2] {
			t.Fatalf("second claim = %d events, want the third only", len(rest))
		}
		none, err := s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now.Add(59*time.Second))
		must(t, err)
		if len(none) != 0 {
			t.Errorf("claimed %d leased events", len(none))
		}
		// The leases run out (the worker died): everything comes back, with
		// the attempt counted.
		again, err := s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now.Add(time.Minute))
		must(t, err)
		if len(again) != 3 {
			t.Fatalf("after lease expiry claimed %d, want 3", len(again))
		}
		for i, e := range again {
			if string(e.Body) != bodies[i] || e.Attempts != 2 {
				t.Errorf("reclaimed %d = %s attempts %d", i, e.Body, e.Attempts)
			}
		}
		must(t, s.DeleteWebhooks(ctx(), []int64{again[0].ID, again[1].ID}))
		must(t, s.DeleteWebhooks(ctx(), nil))
		must(t, s.DeleteWebhooks(ctx(), []int64{again[0].ID, 987654321})) // already gone, unknown: no error
		if d, err := s.WebhookQueueDepth(ctx()); err != nil || d != 1 {
			t.Errorf("WebhookQueueDepth = %d, %v; want 1", d, err)
		}
	})

	t.Run("UnknownChannel", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.EnqueueWebhook(ctx(), switchboard.NewID(), []byte("{}"), T0), switchboard.ENotFound)
	})

	t.Run("ConcurrentEnqueueAndClaim", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		const writers, each = 25, 8
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if err := s.EnqueueWebhook(ctx(), ch.ID, fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i), T0); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		// Concurrent claimers each get distinct events; together all of them.
		var mu sync.Mutex
		seen := map[string]int{}
		for c := 0; c < 4; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					evs, err := s.ClaimWebhooks(ctx(), 7, 0, time.Hour, T0.Add(time.Hour))
					if err != nil {
						t.Error(err)
						return
					}
					if len(evs) == 0 {
						return
					}
					mu.Lock()
					for _, e := range evs {
						seen[string(e.Body)]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != writers*each {
			t.Errorf("claimed %d distinct events, want %d", len(seen), writers*each)
		}
		for b, n := range seen {
			if n != 1 {
				t.Errorf("event %s claimed %d times", b, n)
			}
		}
	})
}

func testOutbox(t *testing.T, open Opener) {
	t.Run("PerConversationOrder", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		base := time.Now().UTC().Truncate(time.Microsecond)
		// a1 quotes the customer's message; a2 must wait for a1.
		a1 := &switchboard.Message{ConversationID: f.a.Conversation.ID, Type: switchboard.TypeText, SenderID: f.user.ID,
			Content: switchboard.MessageContent{Text: "Antwort 1"}, ReplyToID: f.a.Message.ID, Timestamp: base}
		if _, err := s.CreateOutboundMessage(ctx(), a1); err != nil {
			t.Fatal(err)
		}
		a2 := f.send(t, s, f.a.Conversation.ID, "Antwort 2", base.Add(time.Millisecond))
		b1 := f.send(t, s, f.b.Conversation.ID, "Antwort B", base.Add(2*time.Millisecond))
		wantDepth(t, s, "", 3)
		wantDepth(t, s, f.ch.ID, 3)
		wantDepth(t, s, f.others.ID, 0)

		now := claimNow()
		items := mustClaimOutbox(t, s, 10, time.Minute, now)
		if got, want := claimIDs(items), []string{a1.ID, b1.ID}; !sameSet(got, want) {
			t.Fatalf("claimed %v, want %v (one per conversation)", got, want)
		}
		for _, it := range items {
			conv := f.a.Conversation
			if it.Message.ID == b1.ID {
				conv = f.b.Conversation
			}
			if it.Attempts != 1 || it.Expired || it.Message.Status != switchboard.MessagePending ||
				it.Conversation == nil || it.Conversation.ID != conv.ID || it.Conversation.ChannelID != f.ch.ID ||
				it.Conversation.Contact.WaID != conv.Contact.WaID || it.Conversation.KeyID == "" || it.Conversation.KeyID != conv.KeyID {
				t.Errorf("item %s = %+v, conversation %+v", it.Message.ID, it, it.Conversation)
			}
			switch it.Message.ID {
			case a1.ID:
				if it.Message.Content.Text != "Antwort 1" || it.ReplyToWAID != f.a.Message.WAMessageID || it.Message.ReplyToID != f.a.Message.ID {
					t.Errorf("a1 item: text %q reply %q/%q", it.Message.Content.Text, it.ReplyToWAID, it.Message.ReplyToID)
				}
			case b1.ID:
				if it.Message.Content.Text != "Antwort B" || it.ReplyToWAID != "" {
					t.Errorf("b1 item: text %q reply %q", it.Message.Content.Text, it.ReplyToWAID)
				}
			}
		}
		// Both conversations have a message in flight: nothing else.
		if got := mustClaimOutbox(t, s, 10, time.Minute, now); len(got) != 0 {
			t.Fatalf("claimed %v while earlier messages are in flight", claimIDs(got))
		}

		r, err := s.MarkSent(ctx(), a1.ID, "wamid.sent-a1", now)
		must(t, err)
		if !r.Changed || r.Parked || r.Message.Status != switchboard.MessageSent || r.Message.WAMessageID != "wamid.sent-a1" ||
			r.Conversation == nil || r.Conversation.ID != f.a.Conversation.ID {
			t.Errorf("MarkSent = %+v, message %+v", r, r.Message)
		}
		if m := mustStatus(t, s, a1.ID); m.Status != switchboard.MessageSent || m.WAMessageID != "wamid.sent-a1" {
			t.Errorf("after MarkSent: %s %q", m.Status, m.WAMessageID)
		}
		wantDepth(t, s, "", 2)

		// a1 is done: a2 is next.
		items = mustClaimOutbox(t, s, 10, time.Minute, now)
		if got := claimIDs(items); !slices.Equal(got, []string{a2.ID}) {
			t.Fatalf("claimed %v, want [a2]", got)
		}

		// A retry scheduled later keeps the conversation waiting until then.
		must(t, s.RetrySend(ctx(), a2.ID, 1, now.Add(10*time.Second)))
		if got := mustClaimOutbox(t, s, 10, time.Minute, now.Add(9*time.Second)); len(got) != 0 {
			t.Fatalf("claimed %v before the retry time", claimIDs(got))
		}
		items = mustClaimOutbox(t, s, 10, time.Minute, now.Add(10*time.Second))
		if len(items) != 1 || items[0].Message.ID != a2.ID || items[0].Attempts != 2 || items[0].Expired {
			t.Fatalf("retry claim = %v", items)
		}

		// b1's lease ran out without a result: the process died mid-send.
		items = mustClaimOutbox(t, s, 10, time.Minute, now.Add(2*time.Minute))
		byID := map[string]*switchboard.OutboxItem{}
		for _, it := range items {
			byID[it.Message.ID] = it
		}
		if it := byID[b1.ID]; it == nil || !it.Expired || it.Attempts != 2 {
			t.Fatalf("expired claim of b1 = %+v", it)
		}
		r, err = s.MarkSendUnknown(ctx(), b1.ID, now)
		must(t, err)
		if !r.Changed || r.Message.Status != switchboard.MessageUnknown {
			t.Errorf("MarkSendUnknown = %+v, status %s", r, r.Message.Status)
		}

		me := switchboard.MessageError{Code: 131026, Title: "Message undeliverable", Details: "Receiver is incapable of receiving this message"}
		r, err = s.MarkSendFailed(ctx(), a2.ID, me, now)
		must(t, err)
		if !r.Changed || r.Message.Status != switchboard.MessageFailed || r.Message.Error == nil || *r.Message.Error != me {
			t.Errorf("MarkSendFailed = %+v, message %+v", r, r.Message)
		}
		if m := mustStatus(t, s, a2.ID); m.Status != switchboard.MessageFailed || m.Error == nil || *m.Error != me {
			t.Errorf("after MarkSendFailed: %s %+v", m.Status, m.Error)
		}
		wantDepth(t, s, "", 0)
		if got := mustClaimOutbox(t, s, 10, time.Minute, now.Add(time.Hour)); len(got) != 0 {
			t.Errorf("claimed %v from an empty outbox", claimIDs(got))
		}
	})

	t.Run("ClaimLimitOldestFirst", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		base := time.Now().UTC().Truncate(time.Microsecond)
		var want []string
		for i := 0; i < 5; i++ {
			r := mustReceive(t, s, inbound(f.ch.ID, fmt.Sprintf("4917%09d", i), "K", "hi", T0))
			want = append(want, f.send(t, s, r.Conversation.ID, "x", base.Add(time.Duration(5-i)*time.Millisecond)).ID)
		}
		slices.Reverse(want) // the last conversation's message is the oldest
		items := mustClaimOutbox(t, s, 3, time.Minute, claimNow())
		if got := claimIDs(items); !slices.Equal(got, want[:3]) {
			t.Errorf("claimed %v, want the 3 oldest %v", got, want[:3])
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		id := switchboard.NewID()
		_, err := s.MarkSent(ctx(), id, "wamid.x", T0)
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.MarkSendFailed(ctx(), id, switchboard.MessageError{Code: 1, Title: "x"}, T0)
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.MarkSendUnknown(ctx(), id, T0)
		wantCode(t, err, switchboard.ENotFound)
		wantCode(t, s.RetrySend(ctx(), id, 1, T0), switchboard.ENotFound)
	})
}

func testStatuses(t *testing.T, open Opener) {
	// sent queues, claims and marks an outbound message sent with wamid.
	sent := func(t *testing.T, s switchboard.Store, f *outFixture, wamid string) *switchboard.Message {
		t.Helper()
		m := f.send(t, s, f.a.Conversation.ID, "status probe", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		if _, err := s.MarkSent(ctx(), m.ID, wamid, time.Now()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	apply := func(t *testing.T, s switchboard.Store, u switchboard.StatusUpdate) *switchboard.StatusResult {
		t.Helper()
		if u.Timestamp.IsZero() {
			u.Timestamp = T0
		}
		r, err := s.ApplyStatus(ctx(), u)
		if err != nil {
			t.Fatalf("ApplyStatus(%+v): %v", u, err)
		}
		return r
	}

	t.Run("Monotonic", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := sent(t, s, f, "wamid.mono")
		failure := &switchboard.MessageError{Code: 131047, Title: "Re-engagement message", Details: "More than 24 hours have passed"}
		for _, tt := range []struct {
			status      switchboard.MessageStatus
			err         *switchboard.MessageError
			wantChanged bool
			want        switchboard.MessageStatus
		}{
			{switchboard.MessageDelivered, nil, true, switchboard.MessageDelivered},
			{switchboard.MessageDelivered, nil, false, switchboard.MessageDelivered}, // duplicate
			{switchboard.MessageSent, nil, false, switchboard.MessageDelivered},      // late and older
			{switchboard.MessageRead, nil, true, switchboard.MessageRead},
			{switchboard.MessageDelivered, nil, false, switchboard.MessageRead},
			{switchboard.MessageFailed, failure, true, switchboard.MessageFailed},
			{switchboard.MessageRead, nil, false, switchboard.MessageFailed}, // failed is terminal
		} {
			r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.mono", Status: tt.status, Error: tt.err})
			if r.Parked || r.Changed != tt.wantChanged || r.Message == nil || r.Message.ID != m.ID || r.Message.Status != tt.want ||
				r.Conversation == nil || r.Conversation.ID != f.a.Conversation.ID {
				t.Fatalf("%s: result %+v, message %+v; want changed %v, status %s", tt.status, r, r.Message, tt.wantChanged, tt.want)
			}
		}
		got := mustStatus(t, s, m.ID)
		if got.Status != switchboard.MessageFailed || got.Error == nil || *got.Error != *failure {
			t.Errorf("stored %s %+v", got.Status, got.Error)
		}
	})

	t.Run("ParkedUntilMarkSent", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := f.send(t, s, f.a.Conversation.ID, "fast customer", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		// The webhook beats the send call's response, without opaque data.
		for _, st := range []switchboard.MessageStatus{switchboard.MessageRead, switchboard.MessageDelivered} {
			r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.early", Status: st})
			if !r.Parked || r.Changed || r.Message != nil || r.Conversation != nil {
				t.Fatalf("%s: result %+v, want parked", st, r)
			}
		}
		if got := mustStatus(t, s, m.ID); got.Status != switchboard.MessagePending {
			t.Errorf("status %s before MarkSent", got.Status)
		}
		r, err := s.MarkSent(ctx(), m.ID, "wamid.early", time.Now())
		must(t, err)
		if !r.Changed || r.Message.Status != switchboard.MessageRead || r.Message.WAMessageID != "wamid.early" {
			t.Fatalf("MarkSent = %+v, message %+v; want read", r, r.Message)
		}
		wantDepth(t, s, "", 0)
		// Applied once: a later duplicate is found, not parked again.
		r = apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.early", Status: switchboard.MessageDelivered})
		if r.Parked || r.Changed || r.Message.Status != switchboard.MessageRead {
			t.Errorf("late delivered = %+v, status %s", r, r.Message.Status)
		}
	})

	t.Run("Pricing", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := sent(t, s, f, "wamid.priced")
		if got := mustStatus(t, s, m.ID); got.Pricing != nil {
			t.Fatalf("pricing before any status: %+v", got.Pricing)
		}
		pmp := &switchboard.MessagePricing{Billable: true, PricingModel: "PMP", Category: "marketing", Type: "regular"}
		r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.priced", Status: switchboard.MessageSent, Pricing: pmp})
		if !r.Changed || r.Message.Pricing == nil || *r.Message.Pricing != *pmp {
			t.Fatalf("sent with pricing = %+v, pricing %+v", r, r.Message.Pricing)
		}
		// A status without pricing keeps it; an older one with other
		// pricing still replaces it (the newest report wins), and the
		// same pricing again changes nothing.
		apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.priced", Status: switchboard.MessageRead})
		if got := mustStatus(t, s, m.ID); got.Pricing == nil || *got.Pricing != *pmp || got.Status != switchboard.MessageRead {
			t.Fatalf("after read: %s %+v", got.Status, got.Pricing)
		}
		free := &switchboard.MessagePricing{Billable: false, PricingModel: "PMP", Category: "service", Type: "free_customer_service"}
		r = apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.priced", Status: switchboard.MessageDelivered, Pricing: free})
		if !r.Changed || r.Message.Status != switchboard.MessageRead || *r.Message.Pricing != *free {
			t.Fatalf("late delivered with pricing = %+v, %s %+v", r, r.Message.Status, r.Message.Pricing)
		}
		r = apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.priced", Status: switchboard.MessageDelivered, Pricing: free})
		if r.Changed {
			t.Errorf("repeated pricing changed the message")
		}
		// Parked statuses keep their pricing until MarkSent.
		m2 := f.send(t, s, f.a.Conversation.ID, "parked pricing", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		if r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.parkprice", Status: switchboard.MessageSent, Pricing: pmp}); !r.Parked {
			t.Fatalf("not parked: %+v", r)
		}
		r2, err := s.MarkSent(ctx(), m2.ID, "wamid.parkprice", time.Now())
		must(t, err)
		if r2.Message.Pricing == nil || *r2.Message.Pricing != *pmp {
			t.Errorf("after MarkSent: pricing %+v", r2.Message.Pricing)
		}
	})

	t.Run("ParkedFailure", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := f.send(t, s, f.a.Conversation.ID, "doomed", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		me := &switchboard.MessageError{Code: 131026, Title: "Message undeliverable", Details: "probe details"}
		r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.doomed", Status: switchboard.MessageFailed, Error: me})
		if !r.Parked {
			t.Fatalf("not parked: %+v", r)
		}
		r2, err := s.MarkSent(ctx(), m.ID, "wamid.doomed", time.Now())
		must(t, err)
		if r2.Message.Status != switchboard.MessageFailed || r2.Message.Error == nil || *r2.Message.Error != *me {
			t.Errorf("after MarkSent: %s %+v", r2.Message.Status, r2.Message.Error)
		}
	})

	t.Run("OpaqueIDBeforeMarkSent", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := f.send(t, s, f.a.Conversation.ID, "quick", time.Now())
		mustClaimOutbox(t, s, 10, time.Minute, claimNow())
		r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, MessageID: m.ID, WAMessageID: "wamid.opaque", Status: switchboard.MessageDelivered})
		if r.Parked || !r.Changed || r.Message.ID != m.ID || r.Message.Status != switchboard.MessageDelivered || r.Message.WAMessageID != "wamid.opaque" {
			t.Fatalf("opaque status = %+v, message %+v", r, r.Message)
		}
		// The wamid is known now: a status without opaque data finds it.
		r = apply(t, s, switchboard.StatusUpdate{ChannelID: f.ch.ID, WAMessageID: "wamid.opaque", Status: switchboard.MessageRead})
		if r.Parked || !r.Changed || r.Message.ID != m.ID || r.Message.Status != switchboard.MessageRead {
			t.Fatalf("status by wamid = %+v", r)
		}
		// The send call returns afterwards: it must not move the status back.
		r, err := s.MarkSent(ctx(), m.ID, "wamid.opaque", time.Now())
		must(t, err)
		if r.Message.Status != switchboard.MessageRead || r.Message.WAMessageID != "wamid.opaque" {
			t.Errorf("MarkSent after read: %s %q", r.Message.Status, r.Message.WAMessageID)
		}
		wantDepth(t, s, "", 0)
		if got := mustClaimOutbox(t, s, 10, time.Minute, claimNow().Add(time.Hour)); len(got) != 0 {
			t.Errorf("claimed %v after MarkSent", claimIDs(got))
		}
	})

	t.Run("OtherChannel", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := sent(t, s, f, "wamid.mine")
		// The same wamid or our id reported for another channel is not ours.
		r := apply(t, s, switchboard.StatusUpdate{ChannelID: f.others.ID, WAMessageID: "wamid.mine", Status: switchboard.MessageRead})
		if !r.Parked {
			t.Errorf("status of another channel's wamid = %+v, want parked", r)
		}
		r = apply(t, s, switchboard.StatusUpdate{ChannelID: f.others.ID, MessageID: m.ID, WAMessageID: "wamid.theirs", Status: switchboard.MessageRead})
		if !r.Parked {
			t.Errorf("status with another channel's opaque id = %+v, want parked", r)
		}
		if got := mustStatus(t, s, m.ID); got.Status != switchboard.MessageSent || got.WAMessageID != "wamid.mine" {
			t.Errorf("message changed by another channel's status: %s %q", got.Status, got.WAMessageID)
		}
	})

	t.Run("SentNeverRegresses", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		m := sent(t, s, f, "wamid.unknown")
		r, err := s.MarkSendUnknown(ctx(), m.ID, time.Now())
		must(t, err)
		if r.Changed || r.Message.Status != switchboard.MessageSent {
			t.Errorf("MarkSendUnknown after sent = changed %v status %s; want unchanged sent", r.Changed, r.Message.Status)
		}
	})
}

func testChannelOps(t *testing.T, open Opener) {
	t.Run("Health", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		other := mustChannel(t, s)
		h, err := s.ChannelHealth(ctx(), ch.ID)
		must(t, err)
		if want := (switchboard.ChannelHealth{TokenState: switchboard.TokenUnknown}); *h != want {
			t.Errorf("fresh health = %+v, want %+v", h, want)
		}

		t1, t2 := T0.Add(time.Hour+time.Nanosecond), T0.Add(2*time.Hour)
		valid, boom, empty := switchboard.TokenValid, "template sync failed", ""
		must(t, s.UpdateChannelHealth(ctx(), ch.ID, switchboard.HealthUpdate{LastWebhookAt: &t2, TokenState: &valid, TemplateSyncError: &boom}))
		must(t, s.UpdateChannelHealth(ctx(), ch.ID, switchboard.HealthUpdate{LastWebhookAt: &t1, LastSendAt: &t1})) // older webhook time: ignored
		must(t, s.UpdateChannelHealth(ctx(), ch.ID, switchboard.HealthUpdate{TokenError: &empty}))
		h, err = s.ChannelHealth(ctx(), ch.ID)
		must(t, err)
		want := switchboard.ChannelHealth{LastWebhookAt: t2, LastSendAt: t1.Truncate(time.Microsecond), TokenState: switchboard.TokenValid, TemplateSyncError: boom}
		if !reflect.DeepEqual(*h, want) {
			t.Errorf("health = %+v, want %+v", h, want)
		}
		rejected, why := switchboard.TokenRejected, "Error validating access token"
		must(t, s.UpdateChannelHealth(ctx(), ch.ID, switchboard.HealthUpdate{TokenState: &rejected, TokenError: &why, TemplateSyncError: &empty, LastSendAt: &t2}))
		h, err = s.ChannelHealth(ctx(), ch.ID)
		must(t, err)
		if h.TokenState != rejected || h.TokenError != why || h.TemplateSyncError != "" || !h.LastSendAt.Equal(t2) || !h.LastWebhookAt.Equal(t2) {
			t.Errorf("health = %+v", h)
		}

		// Queue depths are per channel.
		must(t, s.EnqueueWebhook(ctx(), ch.ID, []byte("{}"), T0))
		must(t, s.EnqueueWebhook(ctx(), ch.ID, []byte("{}"), T0))
		must(t, s.EnqueueWebhook(ctx(), other.ID, []byte("{}"), T0))
		r := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Kunde", "hi", T0))
		if _, err := s.CreateOutboundMessage(ctx(), &switchboard.Message{ConversationID: r.Conversation.ID, Content: switchboard.MessageContent{Text: "ok"}}); err != nil {
			t.Fatal(err)
		}
		h, err = s.ChannelHealth(ctx(), ch.ID)
		must(t, err)
		if h.WebhookQueueDepth != 2 || h.OutboxDepth != 1 {
			t.Errorf("depths = webhook %d outbox %d; want 2, 1", h.WebhookQueueDepth, h.OutboxDepth)
		}
		h, err = s.ChannelHealth(ctx(), other.ID)
		must(t, err)
		if h.WebhookQueueDepth != 1 || h.OutboxDepth != 0 || h.TokenState != switchboard.TokenUnknown {
			t.Errorf("other channel = %+v", h)
		}

		_, err = s.ChannelHealth(ctx(), switchboard.NewID())
		wantCode(t, err, switchboard.ENotFound)
		wantCode(t, s.UpdateChannelHealth(ctx(), switchboard.NewID(), switchboard.HealthUpdate{TokenState: &valid}), switchboard.ENotFound)
	})

	t.Run("Templates", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		other := mustChannel(t, s)
		tpl := func(name, lang string) *switchboard.Template {
			return &switchboard.Template{Name: name, Language: lang, Status: "APPROVED", Category: "UTILITY", ParameterFormat: "POSITIONAL",
				Components: json.RawMessage(`[{"type":"BODY","text":"Hallo {{1}}, Ihre Bestellung {{2}} ist da."}]`)}
		}
		at := T0.Add(3*time.Hour + time.Nanosecond)
		must(t, s.ReplaceTemplates(ctx(), ch.ID, []*switchboard.Template{tpl("shipping", "en"), tpl("greeting", "en"), tpl("greeting", "de")}, at))
		must(t, s.ReplaceTemplates(ctx(), other.ID, []*switchboard.Template{tpl("other", "en")}, at))
		got, err := s.Templates(ctx(), ch.ID)
		must(t, err)
		var keys []string
		for _, g := range got {
			keys = append(keys, g.Name+"/"+g.Language)
			if g.ChannelID != ch.ID || g.Status != "APPROVED" || g.Category != "UTILITY" || g.ParameterFormat != "POSITIONAL" ||
				!g.SyncedAt.Equal(at.Truncate(time.Microsecond)) || !jsonEqual(g.Components, tpl("", "").Components) {
				t.Errorf("template %+v (components %s)", g, g.Components)
			}
		}
		if want := []string{"greeting/de", "greeting/en", "shipping/en"}; !slices.Equal(keys, want) {
			t.Errorf("templates = %v, want %v", keys, want)
		}
		h, err := s.ChannelHealth(ctx(), ch.ID)
		must(t, err)
		if !h.TemplatesSyncedAt.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("TemplatesSyncedAt = %v, want %v", h.TemplatesSyncedAt, at)
		}

		// A template status webhook changes one template at once; unknown
		// templates are ignored.
		_, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Templates: []switchboard.TemplateStatusChange{
			{ChannelID: ch.ID, Name: "greeting", Language: "de", Status: "PAUSED"},
			{ChannelID: ch.ID, Name: "missing", Language: "de", Status: "REJECTED"},
		}})
		must(t, err)
		got, err = s.Templates(ctx(), ch.ID)
		must(t, err)
		for _, g := range got {
			if want := map[bool]string{true: "PAUSED", false: "APPROVED"}[g.Name == "greeting" && g.Language == "de"]; g.Status != want {
				t.Errorf("after the status webhook %s/%s is %s, want %s", g.Name, g.Language, g.Status, want)
			}
		}

		// Quality and category webhooks change only what they name.
		_, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Templates: []switchboard.TemplateStatusChange{
			{ChannelID: ch.ID, Name: "greeting", Language: "en", Quality: "RED"},
			{ChannelID: ch.ID, Name: "shipping", Language: "en", Category: "MARKETING"},
		}})
		must(t, err)
		got, err = s.Templates(ctx(), ch.ID)
		must(t, err)
		for _, g := range got {
			switch g.Name + "/" + g.Language {
			case "greeting/en":
				if g.Quality != "RED" || g.Status != "APPROVED" || g.Category != "UTILITY" {
					t.Errorf("after the quality webhook: %+v", g)
				}
			case "shipping/en":
				if g.Category != "MARKETING" || g.Status != "APPROVED" || g.Quality != "" {
					t.Errorf("after the category webhook: %+v", g)
				}
			}
		}

		// A new sync replaces everything of that channel only.
		q := tpl("welcome", "de")
		q.Quality = "GREEN"
		must(t, s.ReplaceTemplates(ctx(), ch.ID, []*switchboard.Template{q}, at.Add(time.Hour)))
		got, err = s.Templates(ctx(), ch.ID)
		must(t, err)
		if len(got) != 1 || got[0].Name != "welcome" || got[0].Quality != "GREEN" {
			t.Errorf("after replace: %d templates %+v", len(got), got)
		}
		if o, err := s.Templates(ctx(), other.ID); err != nil || len(o) != 1 {
			t.Errorf("other channel's templates = %d, %v", len(o), err)
		}
		must(t, s.ReplaceTemplates(ctx(), ch.ID, nil, at.Add(2*time.Hour)))
		got, err = s.Templates(ctx(), ch.ID)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("after empty sync: %v, %v; want an empty list", got, err)
		}
		if none, err := s.Templates(ctx(), switchboard.NewID()); err != nil || none == nil || len(none) != 0 {
			t.Errorf("templates of an unknown channel: %v, %v; want an empty list", none, err)
		}
		wantCode(t, s.ReplaceTemplates(ctx(), switchboard.NewID(), nil, at), switchboard.ENotFound)
	})

	t.Run("EmulatedRoundTrip", func(t *testing.T) {
		s := open(t)
		c := &switchboard.Channel{Name: "Emu", PhoneNumberID: unique("20000"), Emulated: true, AccessToken: "t", AppSecret: "a", VerifyToken: "v"}
		must(t, s.CreateChannel(ctx(), c))
		got, err := s.Channel(ctx(), c.ID)
		must(t, err)
		if !got.Emulated {
			t.Errorf("Emulated lost")
		}
	})
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func testMedia(t *testing.T, open Opener) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		conv := f.a.Conversation
		// Every conversation a store returns names its contact's data key.
		if conv.KeyID == "" {
			t.Fatal("Received.Conversation.KeyID is empty")
		}
		c, err := s.Conversation(ctx(), conv.ID, "")
		must(t, err)
		list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
		must(t, err)
		for _, l := range append(list, c) {
			if l.ID == conv.ID && l.KeyID != conv.KeyID {
				t.Errorf("KeyID = %q, want %q", l.KeyID, conv.KeyID)
			}
		}
		if f.b.Conversation.KeyID == conv.KeyID {
			t.Errorf("two contacts share a data key")
		}
		m := &switchboard.MediaFile{ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "application/pdf",
			Filename: "Rechnung März.pdf", Size: 4711, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			CreatedAt: T0.Add(time.Nanosecond)}
		must(t, s.CreateMedia(ctx(), m))
		if !switchboard.ValidID(m.ID) {
			t.Fatalf("id = %q", m.ID)
		}
		got, err := s.Media(ctx(), m.ID)
		must(t, err)
		want := *m
		want.CreatedAt = T0
		if *got != want {
			t.Errorf("Media = %+v, want %+v", got, want)
		}
		_, err = s.Media(ctx(), switchboard.NewID())
		wantCode(t, err, switchboard.ENotFound)
		wantCode(t, s.CreateMedia(ctx(), &switchboard.MediaFile{ConversationID: switchboard.NewID(), MIMEType: "image/png"}), switchboard.ENotFound)
	})

	t.Run("DownloadLifecycle", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		img := func(waMediaID, wamid string) switchboard.InboundMessage {
			return switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915133333333", ProfileName: "Clara",
				Message: &switchboard.Message{Type: switchboard.TypeImage, WAMessageID: wamid, Timestamp: T0,
					Content: switchboard.MessageContent{Text: "Foto", Media: &switchboard.Media{WAMediaID: waMediaID,
						MIMEType: "image/jpeg", SHA256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", Filename: "IMG_0001.jpg", State: switchboard.MediaPending}}}}
		}
		r1 := mustReceive(t, s, img("wa-media-1", "wamid.img1"))
		mustReceive(t, s, img("wa-media-1", "wamid.img1")) // duplicate webhook: queued once
		r2 := mustReceive(t, s, img("wa-media-2", "wamid.img2"))
		mustReceive(t, s, inbound(ch.ID, "4915133333333", "Clara", "no media", T0)) // nothing to fetch
		if m := mustStatus(t, s, r1.Message.ID); m.Content.Media == nil || m.Content.Media.WAMediaID != "wa-media-1" {
			t.Fatalf("stored media = %+v", m.Content.Media)
		}

		now := claimNow()
		jobs, err := s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, now)
		must(t, err)
		if len(jobs) != 2 {
			t.Fatalf("claimed %d downloads, want 2", len(jobs))
		}
		j := jobs[0]
		if j.MessageID != r1.Message.ID {
			j = jobs[1]
		}
		if j.MessageID != r1.Message.ID || j.ConversationID != r1.Conversation.ID || j.ChannelID != ch.ID ||
			j.KeyID == "" || j.KeyID != r1.Conversation.KeyID || j.WAMediaID != "wa-media-1" || j.MIMEType != "image/jpeg" ||
			j.SHA256 != "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" || j.Filename != "IMG_0001.jpg" || j.Attempts != 1 || j.QueuedAt.IsZero() {
			t.Errorf("download = %+v", j)
		}
		if again, err := s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, now); err != nil || len(again) != 0 {
			t.Fatalf("claimed %d leased downloads, %v", len(again), err)
		}

		// Reschedule r1: not due before next; r2's lease runs out.
		res, err := s.FailMediaDownload(ctx(), r1.Message.ID, 1, now.Add(5*time.Minute), false, "")
		must(t, err)
		if res.Changed {
			t.Errorf("rescheduling changed the message: %+v", res)
		}
		jobs, err = s.ClaimMediaDownloads(ctx(), 10, 0, time.Hour, now.Add(2*time.Minute))
		must(t, err)
		if len(jobs) != 1 || jobs[0].MessageID != r2.Message.ID || jobs[0].Attempts != 2 {
			t.Fatalf("claim after lease expiry = %+v", jobs)
		}
		jobs, err = s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, now.Add(5*time.Minute))
		must(t, err)
		if len(jobs) != 1 || jobs[0].MessageID != r1.Message.ID || jobs[0].Attempts != 2 {
			t.Fatalf("claim after retry time = %+v", jobs)
		}

		file := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: r1.Conversation.ID, MessageID: r1.Message.ID,
			KeyID: r1.Conversation.KeyID, MIMEType: "image/jpeg", Filename: "IMG_0001.jpg", Size: 123456,
			SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", CreatedAt: now}
		res, err = s.CompleteMediaDownload(ctx(), file)
		must(t, err)
		md := res.Message.Content.Media
		if !res.Changed || md == nil || md.ID != file.ID || md.Size != 123456 || md.State != switchboard.MediaReady ||
			md.SHA256 != "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" || res.Message.Content.Text != "Foto" ||
			res.Conversation == nil || res.Conversation.ID != r1.Conversation.ID {
			t.Errorf("CompleteMediaDownload = %+v, media %+v", res, md)
		}
		if m := mustStatus(t, s, r1.Message.ID); m.Content.Media == nil || m.Content.Media.ID != file.ID || m.Content.Media.State != switchboard.MediaReady {
			t.Errorf("stored media after download = %+v", m.Content.Media)
		}
		if got, err := s.Media(ctx(), file.ID); err != nil || got.MessageID != r1.Message.ID || got.Size != 123456 || got.Filename != "IMG_0001.jpg" {
			t.Errorf("Media = %+v, %v", got, err)
		}

		res, err = s.FailMediaDownload(ctx(), r2.Message.ID, 3, now, true, switchboard.MediaExpired)
		must(t, err)
		if !res.Changed || res.Message.Content.Media == nil || res.Message.Content.Media.State != switchboard.MediaExpired {
			t.Errorf("final failure = %+v", res)
		}
		if jobs, err := s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, now.Add(time.Hour)); err != nil || len(jobs) != 0 {
			t.Errorf("claimed %d downloads after completion and final failure, %v", len(jobs), err)
		}
	})

	t.Run("SHA256FilledWhenMissing", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915144444444",
			Message: &switchboard.Message{Type: switchboard.TypeAudio, WAMessageID: "wamid.voice", Timestamp: T0,
				Content: switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: "wa-voice", MIMEType: "audio/ogg", Voice: true}}}})
		file := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: r.Conversation.ID, MessageID: r.Message.ID,
			KeyID: r.Conversation.KeyID, MIMEType: "audio/ogg", Size: 99, SHA256: "abc123"}
		res, err := s.CompleteMediaDownload(ctx(), file)
		must(t, err)
		if md := res.Message.Content.Media; md.SHA256 != "abc123" || !md.Voice || md.ID != file.ID || md.State != switchboard.MediaReady {
			t.Errorf("media = %+v", md)
		}
	})
}

func testIdempotency(t *testing.T, open Opener) {
	s := open(t)
	f := newOutFixture(t, s)
	other := mustUser(t, s, unique("op"), "Other", switchboard.RoleOperator)
	newMsg := func(senderID, key, text string) *switchboard.Message {
		return &switchboard.Message{ConversationID: f.a.Conversation.ID, SenderID: senderID, IdempotencyKey: key,
			Content: switchboard.MessageContent{Text: text}}
	}
	first := newMsg(f.user.ID, "key-1", "einmal")
	if _, err := s.CreateOutboundMessage(ctx(), first); err != nil {
		t.Fatal(err)
	}
	got, err := s.IdempotentMessage(ctx(), f.user.ID, "key-1")
	must(t, err)
	if got.ID != first.ID || got.Content.Text != "einmal" || got.Status != switchboard.MessagePending {
		t.Errorf("IdempotentMessage = %+v", got)
	}

	_, err = s.CreateOutboundMessage(ctx(), newMsg(f.user.ID, "key-1", "zweimal"))
	wantCode(t, err, switchboard.EConflict)
	wantDepth(t, s, "", 1) // the conflicting message was not stored
	msgs, _, err := s.Messages(ctx(), f.a.Conversation.ID, switchboard.MessagePage{})
	must(t, err)
	for _, m := range msgs {
		if m.Content.Text == "zweimal" {
			t.Errorf("conflicting message was stored")
		}
	}

	// Keys belong to a user; messages without a key are never conflicts.
	if _, err := s.CreateOutboundMessage(ctx(), newMsg(other.ID, "key-1", "anderer")); err != nil {
		t.Errorf("same key, other user: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.CreateOutboundMessage(ctx(), newMsg(f.user.ID, "", "ohne")); err != nil {
			t.Errorf("message without key: %v", err)
		}
	}
	_, err = s.IdempotentMessage(ctx(), f.user.ID, "key-2")
	wantCode(t, err, switchboard.ENotFound)
	_, err = s.IdempotentMessage(ctx(), f.user.ID, "")
	wantCode(t, err, switchboard.ENotFound)

	// The system's keys (sender "", such as an away message's) are
	// kept: they make an automatic message once per conversation.
	system := newMsg("", "away:"+f.a.Conversation.ID, "geschlossen")
	if _, err := s.CreateOutboundMessage(ctx(), system); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateOutboundMessage(ctx(), newMsg("", "away:"+f.a.Conversation.ID, "nochmal"))
	wantCode(t, err, switchboard.EConflict)

	// Keys are forgotten by age (they carry the store's clock); the
	// messages stay.
	n, err := s.DeleteIdempotencyKeys(ctx(), time.Now().Add(-time.Hour))
	must(t, err)
	if n != 0 {
		t.Errorf("deleted %d keys stored within the last hour", n)
	}
	if _, err := s.IdempotentMessage(ctx(), f.user.ID, "key-1"); err != nil {
		t.Errorf("key forgotten too early: %v", err)
	}
	n, err = s.DeleteIdempotencyKeys(ctx(), time.Now().Add(time.Hour))
	must(t, err)
	if n != 2 {
		t.Errorf("deleted %d keys, want 2", n)
	}
	_, err = s.IdempotentMessage(ctx(), f.user.ID, "key-1")
	wantCode(t, err, switchboard.ENotFound)
	if _, err := s.Message(ctx(), first.ID); err != nil {
		t.Errorf("the message went with its key: %v", err)
	}
	if got, err := s.IdempotentMessage(ctx(), "", "away:"+f.a.Conversation.ID); err != nil || got.ID != system.ID {
		t.Errorf("the system's key was forgotten: %v, %+v", err, got)
	}
}
