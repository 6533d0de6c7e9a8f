// Package worker runs Switchboard's background jobs: turning queued
// webhooks into messages, sending the outbox through the Graph API,
// downloading inbound media and syncing templates.
package worker

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// Receiver applies what webhooks carry; inbox.Service implements it, so
// events reach the users who may see them.
type Receiver interface {
	Receive(ctx context.Context, in switchboard.InboundMessage) (*switchboard.Message, bool, error)
	ApplyStatus(ctx context.Context, u switchboard.StatusUpdate) (*switchboard.StatusResult, error)
}

// HealthRecorder records channel health.
type HealthRecorder interface {
	UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error
}

// Ingest drains the durable webhook queue. Each event is processed and then
// deleted; a crash in between processes it again, which is harmless because
// messages are de-duplicated by WhatsApp id and statuses never regress.
type Ingest struct {
	Queue    switchboard.WebhookQueue
	Channels ChannelLister
	Receiver Receiver
	Health   HealthRecorder
	Logger   *slog.Logger
	Now      func() time.Time

	Batch   int // events claimed at once (default 256)
	Workers int // events processed in parallel (default 8)
	// Lease is how long a claim lasts (default 15 s). After a crash, claimed
	// events wait this long before another worker takes them; a lease that
	// runs out while still processing only means an event is applied twice,
	// which is harmless.
	Lease time.Duration
	Poll  time.Duration // how often to look without a wake-up (default 500 ms)

	once sync.Once
	wake chan struct{}

	mu      sync.Mutex
	byPhone map[string]string
	loaded  time.Time
}

func (w *Ingest) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Logger == nil {
			w.Logger = slog.New(slog.DiscardHandler)
		}
		if w.Now == nil {
			w.Now = func() time.Time { return time.Now().UTC() }
		}
		if w.Batch <= 0 {
			w.Batch = 256
		}
		if w.Workers <= 0 {
			w.Workers = 8
		}
		if w.Lease <= 0 {
			w.Lease = 15 * time.Second
		}
		if w.Poll <= 0 {
			w.Poll = 500 * time.Millisecond
		}
	})
}

// Notify wakes the worker because a webhook was queued. It never blocks.
func (w *Ingest) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run processes the queue until ctx ends.
func (w *Ingest) Run(ctx context.Context) error {
	w.init()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("process webhooks", "err", err)
		}
		if n == w.Batch {
			continue // more is waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-t.C:
		}
	}
}

// RunOnce claims one batch and processes it, returning how many events it
// claimed.
func (w *Ingest) RunOnce(ctx context.Context) (int, error) {
	w.init()
	events, err := w.Queue.ClaimWebhooks(ctx, w.Batch, w.Lease, w.Now())
	if err != nil || len(events) == 0 {
		return 0, err
	}
	var (
		mu   sync.Mutex
		done []int64
		seen = map[string]time.Time{}
		wg   sync.WaitGroup
		next = make(chan *switchboard.WebhookEvent)
	)
	for range min(w.Workers, len(events)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range next {
				if err := w.process(ctx, ev); err != nil {
					// Left in the queue: retried when the lease expires.
					w.Logger.Warn("webhook event not processed; will retry", "event", ev.ID, "attempt", ev.Attempts, "err", err)
					continue
				}
				mu.Lock()
				done = append(done, ev.ID)
				if ev.ReceivedAt.After(seen[ev.ChannelID]) {
					seen[ev.ChannelID] = ev.ReceivedAt
				}
				mu.Unlock()
			}
		}()
	}
	for _, ev := range events {
		next <- ev
	}
	close(next)
	wg.Wait()
	if len(done) > 0 {
		if err := w.Queue.DeleteWebhooks(ctx, done); err != nil {
			return len(events), fmt.Errorf("delete processed webhooks: %w", err)
		}
	}
	if w.Health != nil {
		for ch, at := range seen {
			if err := w.Health.UpdateChannelHealth(ctx, ch, switchboard.HealthUpdate{LastWebhookAt: &at}); err != nil {
				w.Logger.Warn("record webhook health", "channel", ch, "err", err)
			}
		}
	}
	return len(events), nil
}

// process applies one webhook body: every message and status of every
// change, routed by phone number id. Changes for numbers Switchboard does not
// know, and fields other than messages, are skipped.
func (w *Ingest) process(ctx context.Context, ev *switchboard.WebhookEvent) error {
	n, err := whatsapp.ParseNotification(ev.Body)
	if err != nil {
		// It parsed when it was accepted; a failure now is a bug, and
		// retrying will not help. Keep nothing half-done: log and drop.
		w.Logger.Error("queued webhook no longer parses; dropped", "event", ev.ID, "err", err)
		return nil
	}
	channels, err := w.channelIDs(ctx, n)
	if err != nil {
		return err
	}
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			v := c.Value
			if c.Field != whatsapp.FieldMessages || v == nil {
				continue
			}
			chID, ok := channels[v.Metadata.PhoneNumberID]
			if !ok {
				w.Logger.Warn("webhook for an unknown phone number id; skipped", "event", ev.ID)
				continue
			}
			for i := range v.Messages {
				if _, _, err := w.Receiver.Receive(ctx, inbound(chID, v, &v.Messages[i])); err != nil {
					return fmt.Errorf("receive message: %w", err)
				}
			}
			for i := range v.Statuses {
				u, ok := status(chID, &v.Statuses[i])
				if !ok {
					continue
				}
				if _, err := w.Receiver.ApplyStatus(ctx, u); err != nil {
					return fmt.Errorf("apply status: %w", err)
				}
			}
			for _, e := range v.Errors {
				w.Logger.Warn("WhatsApp reported an error", "channel", chID, "code", e.Code, "title", e.Title)
			}
		}
	}
	return nil
}

// ChannelLister lists channels, to route webhooks by phone number id.
type ChannelLister interface {
	Channels(ctx context.Context) ([]*switchboard.Channel, error)
}

// channelIDs maps phone number ids to channel ids. The map is cached for a
// few seconds (channels change rarely, webhooks arrive by the thousand) and
// reloaded at once when an unknown number shows up.
func (w *Ingest) channelIDs(ctx context.Context, n *whatsapp.Notification) (map[string]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	stale := w.byPhone == nil || w.Now().Sub(w.loaded) > 10*time.Second
	if !stale {
	check:
		for _, e := range n.Entry {
			for _, c := range e.Changes {
				if c.Value != nil {
					if _, ok := w.byPhone[c.Value.Metadata.PhoneNumberID]; !ok && w.Now().Sub(w.loaded) > time.Second {
						stale = true
						break check
					}
				}
			}
		}
	}
	if stale {
		all, err := w.Channels.Channels(ctx)
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(all))
		for _, c := range all {
			m[c.PhoneNumberID] = c.ID
		}
		w.byPhone, w.loaded = m, w.Now()
	}
	return w.byPhone, nil
}
