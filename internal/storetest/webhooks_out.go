package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testWebhooksOut pins the outgoing webhook store: subscriptions round-trip
// with their secret, deliveries are claimed by one claimer at a time, an
// expired lease makes a delivery claimable again with the attempt counted,
// results and redeliveries are kept, and deleting a subscription removes
// its deliveries.
func testWebhooksOut(t *testing.T, open Opener) {
	s := open(t)
	sub := &switchboard.WebhookSubscription{
		Description: "CRM", URL: "https://crm.example/hook", Events: []string{"conversation.*", "message.created"},
		ChannelIDs: []string{switchboard.NewID()}, Active: true, Secret: "whsec_one", CreatedBy: switchboard.NewID(),
	}
	must(t, s.CreateWebhookSubscription(ctx(), sub))
	got, err := s.WebhookSubscription(ctx(), sub.ID)
	must(t, err)
	if got.Secret != "whsec_one" || got.URL != sub.URL || !slices.Equal(got.Events, sub.Events) ||
		!slices.Equal(got.ChannelIDs, sub.ChannelIDs) || got.AllChannels || !got.Active || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("WebhookSubscription = %+v", got)
	}
	got.Secret, got.URL, got.AllChannels, got.ChannelIDs = "whsec_two", "https://crm.example/v2", true, []string{}
	must(t, s.UpdateWebhookSubscription(ctx(), got))
	list, err := s.WebhookSubscriptions(ctx())
	must(t, err)
	if len(list) != 1 || list[0].Secret != "whsec_two" || list[0].URL != "https://crm.example/v2" || !list[0].AllChannels ||
		list[0].ChannelIDs == nil || len(list[0].ChannelIDs) != 0 {
		t.Fatalf("WebhookSubscriptions after update = %+v", list)
	}
	_, err = s.WebhookSubscription(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.UpdateWebhookSubscription(ctx(), &switchboard.WebhookSubscription{ID: switchboard.NewID()}), switchboard.ENotFound)

	// Enqueue: a delivery of an unknown subscription is dropped.
	now := T0
	d1 := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: []byte(`{"n":1}`), CreatedAt: now}
	d2 := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "conversation.updated", Payload: []byte(`{"n":2}`), CreatedAt: now.Add(time.Second)}
	gone := &switchboard.WebhookDelivery{SubscriptionID: switchboard.NewID(), EventType: "message.created", Payload: []byte(`{}`), CreatedAt: now}
	must(t, s.EnqueueWebhookDeliveries(ctx(), []*switchboard.WebhookDelivery{d1, d2, gone}))
	if _, err := s.WebhookDelivery(ctx(), gone.ID); gone.ID != "" && switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("delivery of an unknown subscription stored: %v", err)
	}

	claimed, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, now.Add(2*time.Second))
	must(t, err)
	if len(claimed) != 2 || claimed[0].ID != d1.ID || string(claimed[0].Payload) != `{"n":1}` || claimed[0].Attempts != 1 ||
		claimed[1].ID != d2.ID || claimed[0].State != switchboard.DeliveryPending {
		t.Fatalf("ClaimWebhookDeliveries = %+v", claimed)
	}
	if again, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, now.Add(3*time.Second)); err != nil || len(again) != 0 {
		t.Fatalf("second claim under lease = %d, %v; want none", len(again), err)
	}
	// d1 fails and is retried later; d2's lease expires (a dead worker).
	must(t, s.RecordWebhookAttempt(ctx(), d1.ID, switchboard.WebhookAttempt{
		At: now.Add(4 * time.Second), State: switchboard.DeliveryPending, Next: now.Add(time.Hour), Status: 503, LatencyMS: 12, Error: "HTTP 503",
	}))
	expired, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, now.Add(2*time.Minute))
	must(t, err)
	if len(expired) != 1 || expired[0].ID != d2.ID || expired[0].Attempts != 2 {
		t.Fatalf("claim after lease expiry = %+v; want d2 with 2 attempts", expired)
	}
	must(t, s.RecordWebhookAttempt(ctx(), d2.ID, switchboard.WebhookAttempt{At: now.Add(2 * time.Minute), State: switchboard.DeliveryDelivered, Status: 204, LatencyMS: 5}))

	log, err := s.WebhookDeliveries(ctx(), sub.ID, 0)
	must(t, err)
	if len(log) != 2 || log[0].ID != d2.ID || log[1].ID != d1.ID {
		t.Fatalf("WebhookDeliveries order = %+v; want newest first", log)
	}
	if l := log[1]; l.State != switchboard.DeliveryPending || l.LastStatus != 503 || l.LastLatencyMS != 12 || l.LastError != "HTTP 503" ||
		!l.NextAttemptAt.Equal(now.Add(time.Hour)) || !l.LastAttemptAt.Equal(now.Add(4*time.Second)) || l.Attempts != 1 {
		t.Errorf("d1 log = %+v", l)
	}
	if l := log[0]; l.State != switchboard.DeliveryDelivered || l.LastStatus != 204 || !l.NextAttemptAt.IsZero() {
		t.Errorf("d2 log = %+v", l)
	}
	// A delivered delivery is not claimed again; redelivery makes it due
	// with a new window and attempt count, keeping its id.
	later := now.Add(48 * time.Hour)
	if c, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, later); err != nil || len(c) != 1 || c[0].ID != d1.ID {
		t.Fatalf("claim at +48h = %+v, %v; want only d1", c, err)
	}
	must(t, s.RedeliverWebhook(ctx(), d2.ID, later))
	r, err := s.WebhookDelivery(ctx(), d2.ID)
	must(t, err)
	if r.State != switchboard.DeliveryPending || r.Attempts != 0 || !r.RetryFrom.Equal(later) || !r.NextAttemptAt.Equal(later) {
		t.Errorf("after redeliver = %+v", r)
	}
	if c, err := s.ClaimWebhookDeliveries(ctx(), 10, 0, time.Minute, later); err != nil || len(c) != 1 || c[0].ID != d2.ID || c[0].Attempts != 1 {
		t.Fatalf("claim after redeliver = %+v, %v", c, err)
	}
	wantCode(t, s.RedeliverWebhook(ctx(), switchboard.NewID(), later), switchboard.ENotFound)
	wantCode(t, s.RecordWebhookAttempt(ctx(), switchboard.NewID(), switchboard.WebhookAttempt{State: "failed"}), switchboard.ENotFound)

	must(t, s.DeleteWebhookSubscription(ctx(), sub.ID))
	_, err = s.WebhookDelivery(ctx(), d1.ID)
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.DeleteWebhookSubscription(ctx(), sub.ID), switchboard.ENotFound)
	if log, err := s.WebhookDeliveries(ctx(), sub.ID, 10); err != nil || len(log) != 0 || log == nil {
		t.Errorf("deliveries after delete = %v, %v; want empty list", log, err)
	}
}
