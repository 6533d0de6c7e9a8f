package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testClaimBytes pins the byte budget of every queue claim
// ([switchboard.ClaimTake]): rows of 1 MB under a budget of 2.5 MB are
// claimed two at a time, in queue order, and a single row larger than the
// budget is still claimed, alone.
func testClaimBytes(t *testing.T, open Opener) {
	const mb = 1 << 20
	const budget = 5 * mb / 2
	big := func(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

	t.Run("Webhooks", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		for i := range 4 {
			must(t, s.EnqueueWebhook(ctx(), ch.ID, big(byte('a'+i), mb), T0.Add(time.Duration(i)*time.Second)))
		}
		now := T0.Add(time.Hour)
		for round, want := range []byte{'a', 'c'} {
			got, err := s.ClaimWebhooks(ctx(), 10, budget, time.Minute, now)
			must(t, err)
			if len(got) != 2 || got[0].Body[0] != want || got[1].Body[0] != want+1 || len(got[0].Body) != mb {
				t.Fatalf("claim %d under 2.5 MB took %d events, want the next 2 (%c, %c)", round, len(got), want, want+1)
			}
		}
		must(t, s.EnqueueWebhook(ctx(), ch.ID, big('x', 5*mb), T0.Add(time.Minute)))
		must(t, s.EnqueueWebhook(ctx(), ch.ID, []byte(`{}`), T0.Add(2*time.Minute)))
		got, err := s.ClaimWebhooks(ctx(), 10, budget, time.Minute, now)
		must(t, err)
		if len(got) != 1 || len(got[0].Body) != 5*mb {
			t.Fatalf("claim with a 5 MB event first took %d events, want it alone", len(got))
		}
		got, err = s.ClaimWebhooks(ctx(), 10, budget, time.Minute, now)
		must(t, err)
		if len(got) != 1 || string(got[0].Body) != `{}` {
			t.Fatalf("claim after the 5 MB event took %d events, want the small one", len(got))
		}
	})

	t.Run("Outbox", func(t *testing.T) {
		s := open(t)
		f := newOutFixture(t, s)
		c := mustReceive(t, s, inbound(f.ch.ID, "4915144444444", "Carla", "Hi", T0))
		convs := []string{f.a.Conversation.ID, f.b.Conversation.ID, c.Conversation.ID}
		var sent []string
		for i, conv := range convs {
			sent = append(sent, f.send(t, s, conv, strings.Repeat(string(rune('a'+i)), mb), T0.Add(time.Duration(i+1)*time.Second)).ID)
		}
		now := claimNow()
		got, err := s.ClaimOutbox(ctx(), 10, budget, time.Minute, now)
		must(t, err)
		if ids := claimIDs(got); len(ids) != 2 || ids[0] != sent[0] || ids[1] != sent[1] {
			t.Fatalf("claim under 2.5 MB = %v, want the first two of %v", ids, sent)
		}
		if got[0].Message.Content.Text[0] != 'a' || len(got[0].Message.Content.Text) != mb {
			t.Errorf("claimed message text %.10q… (%d bytes)", got[0].Message.Content.Text, len(got[0].Message.Content.Text))
		}
		if ids := claimIDs(mustClaimOutboxBytes(t, s, budget, now)); len(ids) != 1 || ids[0] != sent[2] {
			t.Fatalf("second claim = %v, want %s", ids, sent[2])
		}

		s = open(t)
		f = newOutFixture(t, s)
		large := f.send(t, s, f.a.Conversation.ID, strings.Repeat("x", 5*mb), T0.Add(time.Second))
		small := f.send(t, s, f.b.Conversation.ID, "small", T0.Add(2*time.Second))
		now = claimNow()
		if ids := claimIDs(mustClaimOutboxBytes(t, s, budget, now)); len(ids) != 1 || ids[0] != large.ID {
			t.Fatalf("claim with a 5 MB message first = %v, want %s alone", ids, large.ID)
		}
		if ids := claimIDs(mustClaimOutboxBytes(t, s, budget, now)); len(ids) != 1 || ids[0] != small.ID {
			t.Fatalf("claim after it = %v, want %s", ids, small.ID)
		}
	})

	t.Run("WebhookDeliveries", func(t *testing.T) {
		s := open(t)
		sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", Events: []string{"*"}, AllChannels: true,
			Active: true, Secret: "whsec_x", CreatedBy: switchboard.NewID()}
		must(t, s.CreateWebhookSubscription(ctx(), sub))
		var ds []*switchboard.WebhookDelivery
		for i := range 4 {
			ds = append(ds, &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created",
				Payload: big(byte('a'+i), mb), CreatedAt: T0.Add(time.Duration(i) * time.Second)})
		}
		must(t, s.EnqueueWebhookDeliveries(ctx(), ds))
		now := claimNow()
		for round := range 2 {
			got, err := s.ClaimWebhookDeliveries(ctx(), 10, budget, time.Minute, now)
			must(t, err)
			if len(got) != 2 {
				t.Fatalf("claim %d under 2.5 MB took %d deliveries, want 2", round, len(got))
			}
		}
		// Due when created: the large one first.
		large := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: big('x', 5*mb), CreatedAt: T0.Add(time.Minute)}
		must(t, s.EnqueueWebhookDeliveries(ctx(), []*switchboard.WebhookDelivery{large}))
		small := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: []byte(`{}`), CreatedAt: T0.Add(2 * time.Minute)}
		must(t, s.EnqueueWebhookDeliveries(ctx(), []*switchboard.WebhookDelivery{small}))
		now = claimNow()
		for _, want := range []*switchboard.WebhookDelivery{large, small} {
			got, err := s.ClaimWebhookDeliveries(ctx(), 10, budget, time.Minute, now)
			must(t, err)
			if len(got) != 1 || got[0].ID != want.ID || len(got[0].Payload) != len(want.Payload) {
				t.Fatalf("claim = %d deliveries, want %s (%d bytes) alone", len(got), want.ID, len(want.Payload))
			}
		}
	})

	t.Run("MediaDownloads", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		for i := range 3 {
			mustReceive(t, s, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915155555555", ProfileName: "Dora",
				Message: &switchboard.Message{Type: switchboard.TypeImage, WAMessageID: fmt.Sprintf("wamid.b%d", i), Timestamp: T0,
					Content: switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: fmt.Sprintf("wa-media-%d", i),
						MIMEType: "image/jpeg", State: switchboard.MediaPending}}}})
		}
		now := claimNow()
		// A budget smaller than any row: one at a time, never none.
		for round := range 3 {
			got, err := s.ClaimMediaDownloads(ctx(), 10, 1, time.Minute, now)
			must(t, err)
			if len(got) != 1 {
				t.Fatalf("claim %d under 1 byte took %d downloads, want 1", round, len(got))
			}
		}
		if got, err := s.ClaimMediaDownloads(ctx(), 10, 1, time.Minute, now); err != nil || len(got) != 0 {
			t.Fatalf("claim of an empty queue = %d, %v", len(got), err)
		}
	})
}

func mustClaimOutboxBytes(t *testing.T, s switchboard.Store, maxBytes int64, now time.Time) []*switchboard.OutboxItem {
	t.Helper()
	items, err := s.ClaimOutbox(ctx(), 10, maxBytes, time.Minute, now)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	return items
}
