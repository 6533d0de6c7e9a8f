package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testDeadLetters pins that webhook content which cannot be applied is
// kept, visible with its reason, out of the queue, and can be replayed.
func testDeadLetters(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	now := time.Now()
	bad, err := s.EnqueueLeasedWebhook(ctx(), ch.ID, []byte(`{"entry":["bad"]}`), T0, now.Add(time.Minute))
	must(t, err)
	good, err := s.EnqueueLeasedWebhook(ctx(), ch.ID, []byte(`{"entry":["good"]}`), T0.Add(time.Second), now.Add(time.Minute))
	must(t, err)

	// The bad event's good part (a message) is applied; the event stays.
	_, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{
		Messages: []switchboard.InboundMessage{inbound(ch.ID, "4915112345678", "Anna", "kept", T0)},
		Events:   []int64{bad, good},
		Dead:     []switchboard.DeadEvent{{ID: bad, Reason: "webhook message without a sender"}},
	})
	must(t, err)
	if d, err := s.WebhookQueueDepth(ctx()); err != nil || d != 0 {
		t.Errorf("WebhookQueueDepth = %d, %v; want 0 (dead letters excluded)", d, err)
	}
	if n, err := s.DeadLetterCount(ctx()); err != nil || n != 1 {
		t.Errorf("DeadLetterCount = %d, %v; want 1", n, err)
	}
	list, err := s.DeadLetters(ctx())
	must(t, err)
	if len(list) != 1 || list[0].ID != bad || list[0].ChannelID != ch.ID || list[0].Reason != "webhook message without a sender" ||
		!list[0].ReceivedAt.Equal(T0) || list[0].DeadAt.IsZero() || list[0].DeadAt.Location() != time.UTC {
		t.Fatalf("DeadLetters = %+v", list)
	}
	// A dead letter is not claimed, even when its lease is long gone.
	claimed, err := s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now.Add(time.Hour))
	must(t, err)
	if len(claimed) != 0 {
		t.Errorf("claimed %d events, want none", len(claimed))
	}

	must(t, s.ReplayDeadLetter(ctx(), bad))
	wantCode(t, s.ReplayDeadLetter(ctx(), bad), switchboard.ENotFound)
	wantCode(t, s.ReplayDeadLetter(ctx(), 987654321), switchboard.ENotFound)
	claimed, err = s.ClaimWebhooks(ctx(), 10, 0, time.Minute, now)
	must(t, err)
	if len(claimed) != 1 || claimed[0].ID != bad || string(claimed[0].Body) != `{"entry":["bad"]}` || claimed[0].Attempts != 1 {
		t.Fatalf("after replay claimed %+v", claimed)
	}
	list, err = s.DeadLetters(ctx())
	must(t, err)
	if len(list) != 0 {
		t.Errorf("DeadLetters after replay = %d", len(list))
	}
	_, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Events: []int64{bad}})
	must(t, err)
	if d, err := s.WebhookQueueDepth(ctx()); err != nil || d != 0 {
		t.Errorf("WebhookQueueDepth = %d, %v; want 0", d, err)
	}
}
